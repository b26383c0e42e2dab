"""Open311 GeoReport v2 over HTTP without login: every endpoint in JSON and XML, every error, filing with a key."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..tools.open311 import REQUEST_FIELDS, SERVICE_FIELDS
from .common import Mp15Case

REQUIRED_REQUEST_FIELDS = ("service_request_id", "status", "service_code", "requested_datetime")
PRIVATE_DESCRIPTION = "Sharma ji ke ghar ke saamne pipe phata hai, 9812345678 par call karein"
CITIZEN_PHONE = "+919812345601"


@tagged("post_install", "-at_install", "mp15_open311")
class TestOpen311(HttpCase, Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app = cls.env["mp15.open311.client"].create({"name": "Civic app (test)"})
        cls.archived_app = cls.env["mp15.open311.client"].create({"name": "Old app (test)", "active": False})
        cls.private = cls._grievance(
            description=PRIVATE_DESCRIPTION, latitude=23.9501234, longitude=78.9504321, phone=CITIZEN_PHONE
        )

    def get(self, path, expected_status=200):
        response = self.url_open(f"/open311/v2/{path}", allow_redirects=False)
        self.assertEqual(response.status_code, expected_status, response.text[:300])
        return response

    def post(self, fmt="json", expected_status=200, **data):
        values = {
            "service_code": "T_WATER",
            "lat": "23.9530",  # in ward 1, clear of the other grievance (no duplicate)
            "long": "78.9540",
            "description": "Handpump broken near the school",
            **data,
        }
        response = self.url_open(f"/open311/v2/requests.{fmt}", data=values, allow_redirects=False)
        self.assertEqual(response.status_code, expected_status, response.text[:300])
        return response

    def assertError(self, response, status, fmt="json"):
        if fmt == "json":
            errors = response.json()
            self.assertEqual([set(error) for error in errors], [{"code", "description"}])
            self.assertEqual(errors[0]["code"], status)
        else:
            root = ET.fromstring(response.content)
            self.assertEqual(root.tag, "errors")
            self.assertEqual(root.findtext("error/code"), str(status))
            self.assertTrue(root.findtext("error/description"))

    def request_json(self, reference):
        return self.get(f"requests/{reference}.json").json()[0]

    # ------------------------------------------------------------------ services

    def test_services_in_both_formats(self):
        services = self.get("services.json").json()
        water = next(service for service in services if service["service_code"] == "T_WATER")
        self.assertEqual(list(water), list(SERVICE_FIELDS))
        self.assertEqual(
            (water["service_name"], water["metadata"], water["type"]), ("No water (test)", False, "realtime")
        )
        self.assertNotIn("T_FIRE", [service["service_code"] for service in services], "emergencies are for 112")
        self.assertEqual(water["description"], "Handled by Water Supply (test)")
        self.assertEqual(water["group"], "Water Supply (test)")
        # One language per answer: English, whatever the caller's language.
        self.env["res.lang"]._activate_lang("hi_IN")
        self.department_a.with_context(lang="hi_IN").name = "जल आपूर्ति (test)"
        self.category_a.with_context(lang="hi_IN").name = "पानी नहीं (test)"
        services = self.env["mp15.open311.client"].with_context(lang="hi_IN")._open311_services()
        self.assertEqual(next(service for service in services if service["service_code"] == "T_WATER"), water)
        root = ET.fromstring(self.get("services.xml").content)
        self.assertEqual(root.tag, "services")
        codes = [service.findtext("service_code") for service in root.findall("service")]
        self.assertIn("T_ROAD", codes)
        self.assertEqual([child.tag for child in root.find("service")], list(SERVICE_FIELDS))

    def test_service_definition_in_both_formats(self):
        self.assertEqual(self.get("services/T_WATER.json").json(), {"service_code": "T_WATER", "attributes": []})
        root = ET.fromstring(self.get("services/T_WATER.xml").content)
        self.assertEqual((root.tag, root.findtext("service_code")), ("service_definition", "T_WATER"))
        self.assertError(self.get("services/NOPE.json", 404), 404)
        self.assertError(self.get("services/NOPE.xml", 404), 404, "xml")
        self.assertError(self.get("services/T_FIRE.json", 404), 404)
        self.assertError(self.get("services/T_WATER.csv", 404), 404)
        self.assertError(self.get("services.csv", 404), 404)

    # ------------------------------------------------------------------ reading requests

    def test_a_request_shows_only_public_fields(self):
        for fmt in ("json", "xml"):
            response = self.get(f"requests/{self.private.name}.{fmt}")
            for private in (PRIVATE_DESCRIPTION, "Rajesh Kumar", CITIZEN_PHONE, "9812345601", "23.9501234"):
                self.assertNotIn(private, response.text)
        found = self.request_json(self.private.name)
        self.assertEqual(list(found), list(REQUEST_FIELDS))
        self.assertTrue(all(found[field] for field in REQUIRED_REQUEST_FIELDS))
        self.assertEqual((found["status"], found["service_code"]), ("open", "T_WATER"))
        self.assertEqual((found["lat"], found["long"]), (23.950, 78.950))
        self.assertIsNone(found["description"])
        self.assertEqual(found["agency_responsible"], "Water Supply (test)")
        self.assertTrue(found["requested_datetime"].endswith("+05:30"), found["requested_datetime"])
        self.assertTrue(found["expected_datetime"].endswith("+05:30"))
        root = ET.fromstring(self.get(f"requests/{self.private.name}.xml").content)
        self.assertEqual(root.tag, "service_requests")
        request = root.find("request")
        self.assertEqual([child.tag for child in request], list(REQUEST_FIELDS))
        self.assertEqual(request.findtext("service_request_id"), self.private.name)
        self.assertEqual(request.findtext("status"), "open")

    def test_the_request_list_holds_no_personal_data(self):
        listed = self.get("requests.json").text + self.get("requests.xml").text
        grievances = self.env["mp15.grievance"].search([("date_filed", ">=", datetime.now() - timedelta(days=90))])
        self.assertIn(self.private.name, listed)
        for grievance in grievances:
            if grievance.category_id.is_emergency:
                self.assertNotIn(grievance.name, listed, "emergencies are not published")
            else:
                self.assertIn(grievance.name, listed)
            self.assertNotIn(grievance.description, listed)
            if grievance.phone:
                self.assertNotIn(grievance.phone[-10:], listed)
            if grievance.partner_id.name and len(grievance.partner_id.name) > 5:
                self.assertNotIn(grievance.partner_id.name, listed)

    def test_staff_may_make_a_description_public(self):
        self.env.cr.precommit.run()  # the filing was committed before staff opened it (Odoo tracks after that)
        self.private.with_user(self.head_a).with_context(tracking_disable=False).description_is_public = True
        self.assertEqual(self.request_json(self.private.name)["description"], PRIVATE_DESCRIPTION)
        self.env.cr.precommit.run()  # tracking is written as the transaction commits
        tracked = self.env["mail.tracking.value"].search(
            [
                ("field_id.name", "=", "description_is_public"),
                ("mail_message_id.model", "=", "mp15.grievance"),
                ("mail_message_id.res_id", "=", self.private.id),
            ]
        )
        self.assertEqual(tracked.mail_message_id.author_id, self.head_a.partner_id, "the chatter says who did it")

    def test_emergencies_are_never_published(self):
        emergency = self._grievance(category=self.category_emergency, description="Aag lagi hai, Gandhi Chowk")
        self.assertError(self.get(f"requests/{emergency.name}.json", 404), 404)
        listed = self.get(f"requests.json?service_request_id={emergency.name},{self.private.name}").json()
        self.assertEqual([item["service_request_id"] for item in listed], [self.private.name])
        everything = self.get("requests.json").text + self.get("requests.xml?status=open").text
        self.assertIn(self.private.name, everything)
        self.assertNotIn(emergency.name, everything)

    def test_a_control_character_in_an_old_description_leaves_the_xml_valid(self):
        # Descriptions that came in by WhatsApp are not checked like Open311 input: the XML drops what it cannot carry.
        self.private.sudo().write({"description": "Pipe\x01 phata\x1b hai", "description_is_public": True})
        root = ET.fromstring(self.get(f"requests/{self.private.name}.xml").content)
        self.assertEqual(root.findtext("request/description"), "Pipe phata hai")
        self.assertEqual(self.request_json(self.private.name)["description"], "Pipe\x01 phata\x1b hai")
        ET.fromstring(self.get("requests.xml").content)

    def test_unknown_request_is_404_in_both_formats(self):
        self.assertError(self.get("requests/MP15-1999-999999.json", 404), 404)
        self.assertError(self.get("requests/MP15-1999-999999.xml", 404), 404, "xml")

    def test_requests_filters(self):
        listed = self.get(f"requests.json?service_request_id={self.private.name}").json()
        self.assertEqual([item["service_request_id"] for item in listed], [self.private.name])
        codes = {item["service_code"] for item in self.get("requests.json?service_code=T_WATER").json()}
        self.assertEqual(codes, {"T_WATER"})
        self.assertIn(
            self.private.name, [item["service_request_id"] for item in self.get("requests.json?status=open").json()]
        )
        self.assertNotIn(
            self.private.name, [item["service_request_id"] for item in self.get("requests.json?status=closed").json()]
        )
        today = datetime.now().date()
        window = f"start_date={today - timedelta(days=1)}&end_date={today + timedelta(days=1)}"
        self.assertIn(self.private.name, [i["service_request_id"] for i in self.get(f"requests.json?{window}").json()])
        old = f"start_date={today - timedelta(days=30)}&end_date={today - timedelta(days=20)}"
        self.assertNotIn(self.private.name, [i["service_request_id"] for i in self.get(f"requests.json?{old}").json()])
        root = ET.fromstring(self.get("requests.xml?service_code=T_WATER").content)
        self.assertIn(self.private.name, [r.findtext("service_request_id") for r in root.findall("request")])

    def test_bad_filters_are_400(self):
        self.assertError(self.get("requests.json?status=pending", 400), 400)
        self.assertError(self.get("requests.xml?start_date=2026-01-01&end_date=2026-06-01", 400), 400, "xml")
        self.assertError(self.get("requests.json?start_date=last+week", 400), 400)
        self.assertError(self.get("requests.json?end_date=0001-01-01", 400), 400)
        self.assertError(self.get("requests.xml?start_date=9999-12-31", 400), 400, "xml")

    def test_an_unexpected_failure_answers_in_the_spec_shape(self):
        # PostgreSQL refuses a NUL in a string: a failure nothing checks for, answered as the spec's error list.
        for path, fmt in (("requests.json?service_request_id=MP15%00", "json"), ("requests/MP15%00.xml", "xml")):
            with (
                self.assertLogs("odoo.sql_db", "ERROR"),
                self.assertLogs("odoo.addons.mp15_grievance.controllers.open311", "ERROR") as logged,
            ):
                response = self.get(path, 500)
            self.assertError(response, 500, fmt)
            self.assertIn(f"/{fmt}" if fmt == "json" else "text/xml", response.headers["Content-Type"])
            self.assertTrue(logged.records[0].exc_info, "the failure is logged with its traceback")
        self.assertTrue(self.get("services.json").json(), "the next request is served as usual")

    # ------------------------------------------------------------------ filing

    def test_filing_needs_a_valid_key(self):
        count = self.env["mp15.grievance"].search_count([])
        self.assertError(self.post(expected_status=403), 403)
        self.assertError(self.post("xml", expected_status=403, api_key="not-a-key"), 403, "xml")
        self.assertError(self.post(expected_status=403, api_key=self.archived_app.sudo().api_key), 403)
        self.assertEqual(self.env["mp15.grievance"].search_count([]), count)

    def test_filing_follows_the_normal_flow(self):
        response = self.post(
            api_key=self.app.api_key,
            phone="98123 45602",
            first_name="Sunita",
            media_url="https://example.org/handpump.jpg",
        )
        posted = response.json()
        self.assertEqual(list(posted[0]), ["service_request_id", "service_notice", "account_id"])
        grievance = self.env["mp15.grievance"].search([("name", "=", posted[0]["service_request_id"])])
        self.assertEqual(
            (grievance.channel, grievance.category_id, grievance.department_id, grievance.ward_id),
            ("api", self.category_a, self.department_a, self.ward_1),
        )
        self.assertEqual(grievance.open311_client_id, self.app)
        self.assertEqual(grievance.phone, "+919812345602")
        self.assertEqual(grievance.partner_id.name, "Sunita")
        self.assertEqual(grievance.sla_deadline, grievance.date_filed + timedelta(hours=12))
        self.assertTrue(grievance.activity_ids, "the department head has the resolve activity")
        queued = self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("direction", "=", "out")]
        )
        self.assertTrue(queued, "the citizen hears on WhatsApp, as after a portal filing")
        self.assertIn(grievance.name, queued[0].body)
        # Filed in public through the app: its description and photo link are shown, its filer is not.
        shown = self.request_json(grievance.name)
        self.assertEqual(shown["description"], "Handpump broken near the school")
        self.assertEqual(shown["media_url"], "https://example.org/handpump.jpg")
        self.assertNotIn("Sunita", json.dumps(shown))
        self.assertNotIn("9812345602", json.dumps(shown))

    def test_filing_in_xml_with_an_address(self):
        response = self.post("xml", api_key=self.app.api_key, lat="", long="", address_string="Near Teen Batti")
        root = ET.fromstring(response.content)
        reference = root.findtext("request/service_request_id")
        grievance = self.env["mp15.grievance"].search([("name", "=", reference)])
        self.assertEqual((grievance.address, grievance.channel, grievance.phone), ("Near Teen Batti", "api", False))

    def test_bad_filings_are_400(self):
        key = self.app.api_key
        self.assertError(self.post(expected_status=400, api_key=key, lat="", long=""), 400)
        self.assertError(self.post(expected_status=400, api_key=key, service_code="T_FIRE"), 400)
        self.assertError(self.post("xml", expected_status=400, api_key=key, service_code="NOPE"), 400, "xml")
        self.assertError(self.post(expected_status=400, api_key=key, description="x" * 4001), 400)
        self.assertError(self.post(expected_status=400, api_key=key, phone="12"), 400)
        count = self.env["mp15.grievance"].search_count([])
        self.assertError(self.post("xml", expected_status=400, api_key=key, description="Pipe\x01 broken"), 400, "xml")
        self.assertError(self.post(expected_status=400, api_key=key, address_string="Teen\x1bBatti"), 400)
        self.assertEqual(self.env["mp15.grievance"].search_count([]), count, "nothing filed")
        ET.fromstring(self.get("requests.xml").content)  # the list stays valid XML for everyone

    # ------------------------------------------------------------------ keys

    def test_keys_are_generated_and_for_managers_only(self):
        self.assertGreaterEqual(len(self.app.api_key), 40)
        self.assertNotEqual(self.app.api_key, self.archived_app.sudo().api_key)
        self.assertEqual(self.app.with_user(self.officer_a).name, "Civic app (test)")
        with self.assertRaises(AccessError):
            self.app.with_user(self.head_a).read(["api_key"])
        with self.assertRaises(AccessError):
            self.env["mp15.open311.client"].with_user(self.head_a).create({"name": "Mine"})
        old = self.app.api_key
        self.app.with_user(self.manager).action_regenerate_key()
        self.assertNotEqual(self.app.api_key, old)
        self.assertError(self.post(expected_status=403, api_key=old), 403)
