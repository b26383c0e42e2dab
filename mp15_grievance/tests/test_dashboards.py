"""Dashboards (spreadsheet_dashboard) and the grievance map (web_view_leaflet_map, portal): each role sees its own."""

import json

from lxml import html

from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import Mp15Case

MAP_XPATH = "//div[contains(concat(' ', @class, ' '), ' o_mp15_grievance_map ')]"


@tagged("post_install", "-at_install", "mp15_dashboards")
class TestDashboards(HttpCase, Mp15Case):
    """The Grievances dashboards open for the role they are made for and read through its record rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.g_a1 = cls._grievance(cls.category_a, cls.ward_1, latitude=23.95, longitude=78.95)
        cls.g_a2 = cls._grievance(cls.category_a, cls.ward_2, latitude=23.97, longitude=78.97)
        cls.g_b1 = cls._grievance(cls.category_b, cls.ward_1, latitude=23.951, longitude=78.951)
        cls.g_b2 = cls._grievance(cls.category_b, cls.ward_2)
        cls.mine = {
            cls.manager: cls.g_a1 | cls.g_a2 | cls.g_b1 | cls.g_b2,
            cls.head_a: cls.g_a1 | cls.g_a2,
            cls.councillor_1: cls.g_a1 | cls.g_b1,
        }
        cls.group = cls.env.ref("mp15_grievance.spreadsheet_dashboard_group_grievances")

    def _dashboards(self, user):
        Dashboard = self.env["spreadsheet.dashboard"].with_user(user)
        return Dashboard.search([("dashboard_group_id", "=", self.group.id)])

    def test_each_role_opens_its_own_dashboards(self):
        city = self.env.ref("mp15_grievance.spreadsheet_dashboard_city")
        department = self.env.ref("mp15_grievance.spreadsheet_dashboard_department")
        ward = self.env.ref("mp15_grievance.spreadsheet_dashboard_ward")
        # The commissioner is a head too (the group implies it): the city and every department.
        self.assertEqual(self._dashboards(self.manager), city | department)
        self.assertEqual(self._dashboards(self.head_a), department)
        self.assertEqual(self._dashboards(self.councillor_1), ward)
        self.assertFalse(self._dashboards(self.officer_a))
        self.assertFalse(self._dashboards(self.internal_user))
        # What the Dashboards app loads: the spreadsheet, for the role it is made for.
        for user, dashboard in ((self.manager, city), (self.head_a, department), (self.councillor_1, ward)):
            snapshot = dashboard.with_user(user).get_readonly_dashboard()["snapshot"]
            self.assertEqual(snapshot["globalFilters"][0]["label"], "Period")
            models = {pivot["model"] for pivot in snapshot["pivots"].values()}
            self.assertEqual(models, {"mp15.grievance.report"})

    def _pivots_and_lists(self, dashboard):
        data = json.loads(dashboard.spreadsheet_data)
        return list(data["pivots"].values()), list(data.get("lists", {}).values())

    def test_the_dashboards_read_only_the_roles_grievances(self):
        """The read_group of every pivot and the search of every list, as the user the dashboard is for."""
        cases = (
            (self.manager, "mp15_grievance.spreadsheet_dashboard_city"),
            (self.head_a, "mp15_grievance.spreadsheet_dashboard_department"),
            (self.councillor_1, "mp15_grievance.spreadsheet_dashboard_ward"),
        )
        for user, xmlid in cases:
            with self.subTest(user=user.login):
                mine = self.mine[user]
                pivots, lists = self._pivots_and_lists(self.env.ref(xmlid))
                ours = self.g_a1 | self.g_a2 | self.g_b1 | self.g_b2
                for pivot in pivots:
                    Model = self.env[pivot["model"]].with_user(user)
                    measures = [m["fieldName"] for m in pivot["measures"] if m["fieldName"] != "__count"]
                    groupby = [row["fieldName"] for row in pivot["rows"]]
                    # Demo grievances may be there too: count ours among what the role is shown.
                    domain = pivot["domain"] + [("grievance_id", "in", ours.ids)]
                    groups = Model.read_group(domain, measures, groupby, lazy=False)
                    self.assertEqual(sum(group["__count"] for group in groups), len(mine))
                    self.assertEqual(Model.search(domain).grievance_id, mine)
                    for group in groups:
                        if "department_id" in groupby and user == self.head_a:
                            self.assertEqual(group["department_id"][0], self.department_a.id)
                        if "ward_id" in groupby and user == self.councillor_1:
                            self.assertEqual(group["ward_id"][0], self.ward_1.id)
                for listing in lists:
                    records = (
                        self.env[listing["model"]]
                        .with_user(user)
                        .search_read(listing["domain"] + [("id", "in", ours.ids)], listing["columns"])
                    )
                    self.assertEqual({record["name"] for record in records}, set(mine.mapped("name")))

    def test_the_city_dashboard_counts_what_the_records_say(self):
        self.g_b2.sla_state = "breached"
        pivots, _lists = self._pivots_and_lists(self.env.ref("mp15_grievance.spreadsheet_dashboard_city"))
        totals = next(pivot for pivot in pivots if not pivot["rows"])
        domain = totals["domain"] + [("grievance_id", "in", self.mine[self.manager].ids)]
        Report = self.env["mp15.grievance.report"].with_user(self.manager)
        [group] = Report.read_group(domain, ["open_count", "breached_count"], [], lazy=False)
        self.assertEqual(group["__count"], 4)
        self.assertEqual(group["open_count"], 4)
        self.assertEqual(group["breached_count"], 1)


@tagged("post_install", "-at_install", "mp15_dashboards")
class TestGrievanceMap(HttpCase, Mp15Case):
    """The staff map (OCA leaflet_map view) and the portal's small map, each within the viewer's rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.located_1 = cls._grievance(cls.category_a, cls.ward_1, latitude=23.95, longitude=78.95)
        cls.located_2 = cls._grievance(cls.category_b, cls.ward_2, latitude=23.97, longitude=78.97)
        cls.unlocated = cls._grievance(cls.category_a, cls.ward_1)
        cls.action = cls.env.ref("mp15_grievance.mp15_grievance_action_map")

    def _map_records(self, user):
        """What the map view loads: the action's domain, the fields the OCA renderer asks for."""
        Grievance = self.env["mp15.grievance"].with_user(user)
        views = Grievance.get_views([(False, "leaflet_map")])
        arch = views["views"]["leaflet_map"]["arch"]
        self.assertIn("field_marker_icon_image", arch)
        fields = ["id", "display_name", "date_localization", "latitude", "longitude", "name", "map_popup"]
        return Grievance.search_read(safe_eval(self.action.domain), fields)

    def test_the_staff_map_shows_each_role_its_located_grievances(self):
        ours = {self.located_1.id, self.located_2.id, self.unlocated.id}
        cases = (
            (self.manager, {self.located_1.id, self.located_2.id}),
            (self.head_a, {self.located_1.id}),
            (self.head_b, {self.located_2.id}),
            (self.councillor_1, {self.located_1.id}),
        )
        for user, expected in cases:
            with self.subTest(user=user.login):
                records = self._map_records(user)
                self.assertEqual({record["id"] for record in records} & ours, expected)
        [record] = [r for r in self._map_records(self.councillor_1) if r["id"] == self.located_1.id]
        self.assertEqual(record["name"], self.located_1.name)
        self.assertEqual(record["map_popup"], f"{self.category_a.name} · {self.ward_1.display_name}")

    def test_markers_are_coloured_by_sla_state(self):
        self.authenticate(self.councillor_1.login, self.councillor_1.login)
        for state, colour in (("on_track", "#28a745"), ("breached", "#dc3545"), ("at_risk", "#fd7e14")):
            self.located_1.sla_state = state
            response = self.url_open(
                f"/web/image?model=mp15.grievance&id={self.located_1.id}&field=map_marker_icon&unique={state}"
            )
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.headers["Content-Type"].split(";")[0], "image/svg+xml")
            self.assertIn(f'fill="{colour}"'.encode(), response.content)

    def test_the_tile_server_is_a_system_parameter(self):
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("leaflet.tile_url"), "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
        params.set_param("leaflet.tile_url", "https://tiles.example.org/{z}/{x}/{y}.png")
        self.authenticate(self.citizen.login, self.citizen.login)
        page = html.fromstring(self.url_open(f"/my/grievances/{self.located_1.id}").content)
        [element] = page.xpath(MAP_XPATH)
        self.assertEqual(element.get("data-tile-url"), "https://tiles.example.org/{z}/{x}/{y}.png")

    def test_the_portal_page_shows_its_own_location_on_a_map(self):
        self.located_1.sla_state = "breached"
        self.authenticate(self.citizen.login, self.citizen.login)
        response = self.url_open(f"/my/grievances/{self.located_1.id}")
        self.assertEqual(response.status_code, 200)
        page = html.fromstring(response.content)
        [element] = page.xpath(MAP_XPATH)
        self.assertEqual(float(element.get("data-lat")), 23.95)
        self.assertEqual(float(element.get("data-lng")), 78.95)
        self.assertEqual(element.get("data-colour"), "#dc3545")
        # Leaflet comes from Odoo (the OCA addon's copy), never from a CDN.
        self.assertNotIn(b"unpkg.com", response.content)
        self.assertNotIn(b"cdnjs", response.content)
        self.assertEqual(self.url_open("/web_leaflet_lib/static/lib/leaflet/leaflet.js").status_code, 200)
        # No location, no map.
        page = html.fromstring(self.url_open(f"/my/grievances/{self.unlocated.id}").content)
        self.assertFalse(page.xpath(MAP_XPATH))
