"""Ward councillors: their wards' figures on their board, filing for a constituent, history kept open, no edits."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import Mp15Case

MID_MONTH = datetime(2026, 6, 15, 6, 30)  # 12:00 in Sagar, 15 June
LAST_MONTH = datetime(2026, 5, 20, 6, 30)
CONSTITUENT_PHONE = "+919111100077"


@tagged("post_install", "-at_install", "mp15_councillor")
class TestCouncillor(HttpCase, Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.councillor_2 = new_test_user(
            cls.env, "test_councillor_2", groups="mp15_grievance.group_councillor", name="Councillor Two"
        )
        cls.ward_2.councillor_user_ids = cls.councillor_2

    def figures(self, user):
        figures = self.env["mp15.grievance"].with_user(user).retrieve_ward_figures()
        return {ward["id"]: ward for ward in figures["wards"]}

    def test_a_councillor_sees_the_figures_of_their_own_wards(self):
        with freeze_time(LAST_MONTH):
            self._grievance(category=self.category_a, ward=self.ward_1)  # last month: not filed this month
        with freeze_time(MID_MONTH - timedelta(days=3)):
            late_water = self._grievance(category=self.category_a, ward=self.ward_1)  # 12 h SLA: overdue
            late_road = self._grievance(category=self.category_b, ward=self.ward_1)  # 48 h SLA: overdue
            fixed = self._grievance(category=self.category_a, ward=self.ward_1)
            self._grievance(category=self.category_a, ward=self.ward_2)
        with freeze_time(MID_MONTH - timedelta(days=3) + timedelta(hours=2)):  # on time
            fixed.write({"resolution_note": "Pipe mended.", "stage_id": self.stage_resolved.id})
        with freeze_time(MID_MONTH - timedelta(hours=1)):
            self._grievance(category=self.category_a, ward=self.ward_1)  # on time

        with freeze_time(MID_MONTH):
            mine = self.figures(self.councillor_1)
            theirs = self.figures(self.councillor_2)
            month = self.env["mp15.grievance"].with_user(self.councillor_1).retrieve_ward_figures()["month"]

        self.assertEqual(list(mine), [self.ward_1.id], "only the wards they represent")
        ward = mine[self.ward_1.id]
        self.assertEqual(ward["name"], self.ward_1.display_name)
        # Filed and resolved this month; overdue: every open grievance past its deadline, last month's too.
        self.assertEqual((ward["filed"], ward["resolved"], ward["overdue"]), (4, 1, 3))
        self.assertEqual(
            [(d["name"], d["count"]) for d in ward["overdue_by_department"]],
            [(late_water.department_id.name, 2), (late_road.department_id.name, 1)],
            "the most overdue department first",
        )
        self.assertEqual(month, "June 2026")
        self.assertEqual(list(theirs), [self.ward_2.id])
        self.assertEqual((theirs[self.ward_2.id]["filed"], theirs[self.ward_2.id]["overdue"]), (1, 1))
        self.assertEqual(self.figures(self.officer_a), {}, "no figures for staff who represent no ward")

    def test_a_councillor_files_for_a_constituent_of_their_ward(self):
        Wizard = self.env["mp15.grievance.constituent"].with_user(self.councillor_1)
        wizard = Wizard.create(
            {
                "citizen_name": "Ramkali Ahirwar",
                "phone": "91111 00077",
                "category_id": self.category_a.id,
                "description": "Hand pump broken near the temple",
                "address": "Behind the Hanuman temple",
            }
        )
        self.assertEqual(wizard.ward_id, self.ward_1, "their ward by default")
        action = wizard.action_file()
        grievance = self.env["mp15.grievance"].browse(action["res_id"])
        self.assertEqual(grievance.channel, "backoffice")
        self.assertEqual(grievance.ward_id, self.ward_1)
        self.assertEqual(grievance.department_id, self.department_a, "routed by its category, as any filing")
        self.assertEqual(grievance.partner_id.name, "Ramkali Ahirwar")
        self.assertEqual((grievance.phone, grievance.partner_id.mp15_phone), (CONSTITUENT_PHONE, CONSTITUENT_PHONE))
        self.assertFalse(grievance.user_id)
        self.assertEqual(grievance.create_uid, self.councillor_1, "filed as the councillor, not the system")
        self.assertTrue(grievance.with_user(self.councillor_1).has_access("read"), "and on their board")

        confirmation = self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("direction", "=", "out")]
        )
        self.assertEqual(len(confirmation), 1, "the citizen gets the usual WhatsApp confirmation")
        self.assertEqual(confirmation.phone, CONSTITUENT_PHONE)
        self.assertIn(grievance.name, confirmation.body)

        # The same number again: the same citizen, as on WhatsApp.
        again = Wizard.create(
            {
                "citizen_name": "R. Ahirwar",
                "phone": CONSTITUENT_PHONE,
                "category_id": self.category_b.id,
                "description": "Pothole on the same lane",
            }
        ).action_file()
        self.assertEqual(self.env["mp15.grievance"].browse(again["res_id"]).partner_id, grievance.partner_id)

    def test_the_board_counts_filed_and_resolved_as_the_report_does(self):
        with freeze_time(LAST_MONTH):
            old = self._grievance(category=self.category_b, ward=self.ward_1)
        with freeze_time(MID_MONTH - timedelta(days=1)):
            old.write(  # filed last month
                {
                    "resolution_note": "Filled.",
                    "delay_reason_id": self.env.ref("mp15_grievance.delay_reason_awaiting_material").id,
                    "delay_reason": "The tar came late.",
                    "stage_id": self.stage_resolved.id,
                }
            )
            rejected = self._grievance(category=self.category_b, ward=self.ward_1)
            rejected.write(
                {"resolution_note": "Private land.", "stage_id": self.env.ref("mp15_grievance.stage_rejected").id}
            )
            archived = self._grievance(category=self.category_b, ward=self.ward_1)
            archived.action_archive()
            fixed = self._grievance(category=self.category_b, ward=self.ward_1)
            fixed.write({"resolution_note": "Filled.", "stage_id": self.stage_resolved.id})
        with freeze_time(MID_MONTH):
            ward = self.figures(self.councillor_1)[self.ward_1.id]
            _first, start, end = self.env["mp15.performance.grade"]._month_bounds(MID_MONTH.date())
            report = self.env["mp15.performance.figures"]._figures(start, end, ("ward_id",))[(self.ward_1.id,)]
        self.assertEqual((ward["filed"], ward["resolved"]), (3, 1), "this month's filings, and those of them resolved")
        self.assertEqual((ward["filed"], ward["resolved"]), (report["filed"], report["resolved"]))

    def test_a_councillor_files_no_emergency(self):
        wizard = (
            self.env["mp15.grievance.constituent"]
            .with_user(self.councillor_1)
            .create(
                {
                    "citizen_name": "Someone",
                    "phone": CONSTITUENT_PHONE,
                    "category_id": self.category_emergency.id,
                    "description": "Fire in the market",
                }
            )
        )
        with self.assertRaisesMessage(AccessError, "call 112"):
            wizard.action_file()
        self.assertFalse(self.env["mp15.grievance"].search([("phone", "=", CONSTITUENT_PHONE)]))

    def test_a_councillor_cannot_file_in_a_ward_not_theirs(self):
        wizard = (
            self.env["mp15.grievance.constituent"]
            .with_user(self.councillor_1)
            .create(
                {
                    "citizen_name": "Someone",
                    "phone": CONSTITUENT_PHONE,
                    "ward_id": self.ward_2.id,
                    "category_id": self.category_a.id,
                    "description": "No water",
                }
            )
        )
        with self.assertRaisesMessage(AccessError, "only for the wards you represent"):
            wizard.action_file()
        Grievance = self.env["mp15.grievance"].with_user(self.councillor_1)
        with self.assertRaises(AccessError):  # nor around the dialog (the record rule)
            Grievance.create({"category_id": self.category_a.id, "description": "x", "ward_id": self.ward_2.id})
        self.assertFalse(self.env["mp15.grievance"].search([("ward_id", "=", self.ward_2.id)]))

    def test_a_councillor_cannot_route_or_move_a_grievance(self):
        Grievance = self.env["mp15.grievance"].with_user(self.councillor_1)
        base = {"category_id": self.category_a.id, "description": "No water", "ward_id": self.ward_1.id}
        for routing in (
            {"user_id": self.officer_a.id},
            {"stage_id": self.stage_in_progress.id},
            {"department_id": self.department_b.id},
            {"priority": "2"},
            {"channel": "whatsapp"},
        ):
            with self.subTest(routing=routing), self.assertRaisesMessage(AccessError, "cannot be set"):
                Grievance.create({**base, **routing})
        with self.assertRaisesMessage(AccessError, "cannot be set"):
            Grievance.with_context(default_user_id=self.officer_a.id).create(base)

        grievance = self._grievance(ward=self.ward_1)
        mine = grievance.with_user(self.councillor_1)
        self.assertEqual(mine.name, grievance.name, "they read it")
        for change in ({"stage_id": self.stage_in_progress.id}, {"user_id": self.officer_a.id}, {"ward_id": False}):
            with self.subTest(change=change), self.assertRaises(AccessError):
                mine.write(change)
        self.assertEqual(grievance.stage_id, self.stage_new)
        mine.message_post(body="Residents say the pump has been dry since Monday.", message_type="comment")

    def test_closed_history_stays_open_on_the_councillors_board(self):
        grievance = self._grievance(ward=self.ward_1)
        grievance.write({"resolution_note": "Done.", "stage_id": self.stage_closed.id})
        Grievance = self.env["mp15.grievance"].with_user(self.councillor_1)

        def folded(context):
            groups = Grievance.with_context(**context).web_read_group([], ["stage_id"], ["stage_id"])["groups"]
            return {group["stage_id"][1]: group["__fold"] for group in groups}

        board = self.env.ref("mp15_grievance.mp15_grievance_action_councillor")
        self.assertIn("'mp15_unfold_closed': True", board.context)
        self.assertNotIn("search_default_open", board.context, "resolved and closed ones are on it")
        self.assertFalse(folded({"mp15_unfold_closed": True})["Closed"])
        self.assertTrue(folded({})["Closed"], "other boards still fold closed grievances away")

    def test_the_stage_bar_is_read_only_for_councillors(self):
        def stage_bars(user):
            arch = self.env["mp15.grievance"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
            return etree.fromstring(arch).xpath("//header/field[@name='stage_id']")

        (councillors,) = stage_bars(self.councillor_1)
        self.assertNotIn("clickable", councillors.get("options", ""))
        self.assertEqual(councillors.get("readonly"), "1")
        (officers,) = stage_bars(self.officer_a)
        self.assertIn("'clickable': '1'", officers.get("options"))

    def test_councillors_land_on_their_wards(self):
        menus = self.env["ir.ui.menu"].with_user(self.councillor_1).load_menus(debug=False)

        def first_action(menu_id):
            menu = menus[menu_id]
            if menu["action"]:
                return menu["action"]
            return next(filter(None, map(first_action, menu["children"])), None)

        app = menus["root"]["children"][0]
        board = self.env.ref("mp15_grievance.mp15_grievance_action_councillor")
        self.assertEqual(first_action(app), f"ir.actions.act_window,{board.id}")

    def test_tour_councillors_board_on_a_phone(self):
        with freeze_time(datetime.now() - timedelta(days=2)):
            self._grievance(category=self.category_a, ward=self.ward_1)  # overdue by now
        self.browser_size = "390x844"
        self.touch_enabled = True
        self.start_tour(
            "/odoo/action-mp15_grievance.mp15_grievance_action_councillor",
            "mp15_councillor_board",
            login=self.councillor_1.login,
        )
        filed = self.env["mp15.grievance"].search([("phone", "=", "+919111100078")])
        self.assertRecordValues(
            filed,
            [{"channel": "backoffice", "ward_id": self.ward_1.id, "category_id": self.category_a.id}],
        )
        self.assertEqual(
            (filed.partner_id.name, filed.description), ("Ramkali Ahirwar", "Hand pump broken near the well")
        )
