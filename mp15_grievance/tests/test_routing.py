import json
import re
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import Mp15Case, square


@tagged("post_install", "-at_install", "mp15_routing")
class TestRouting(Mp15Case):
    def test_reference_comes_from_the_yearly_sequence(self):
        with freeze_time("2026-03-14 10:00:00"):
            first = self._grievance()
            second = self._grievance()
        self.assertRegex(first.name, r"^MP15-2026-\d{6}$")
        number = int(first.name.rsplit("-", 1)[1])
        self.assertEqual(second.name, f"MP15-2026-{number + 1:06d}")

    def test_reference_year_follows_the_filing_date(self):
        grievance = self._grievance(date_filed="2027-01-01 08:00:00")
        self.assertTrue(grievance.name.startswith("MP15-2027-"), grievance.name)

    def test_department_comes_from_the_category_and_follows_it(self):
        grievance = self._grievance(self.category_a)
        self.assertEqual(grievance.department_id, self.department_a)
        grievance.category_id = self.category_b
        self.assertEqual(grievance.department_id, self.department_b)

    def test_staff_can_route_to_another_department_than_the_categorys(self):
        grievance = self._grievance(self.category_a, department_id=self.department_b.id)
        self.assertEqual(grievance.department_id, self.department_b)

    def test_ward_comes_from_the_location_pin(self):
        grievance = self._grievance(ward_id=False, latitude=self.POINT_WARD_1[0], longitude=self.POINT_WARD_1[1])
        self.assertEqual(grievance.ward_id, self.ward_1)
        grievance.write({"latitude": self.POINT_WARD_2[0], "longitude": self.POINT_WARD_2[1]})
        self.assertEqual(grievance.ward_id, self.ward_2, "moving the pin re-routes the ward")

    def test_pin_on_no_ward_leaves_the_ward_empty(self):
        grievance = self._grievance(ward_id=False, latitude=23.5, longitude=78.1)
        self.assertFalse(grievance.ward_id)

    def test_ward_from_a_multipolygon_boundary(self):
        islands = {
            "type": "MultiPolygon",
            "coordinates": [
                json.loads(square(lat, lon))["coordinates"] for lat, lon in ((23.90, 78.80), (23.95, 78.85))
            ],
        }
        ward = self.env["mp15.ward"].create({"number": 903, "name": "Islands", "boundary_geojson": json.dumps(islands)})
        self.assertEqual(self._grievance(ward_id=False, latitude=23.95, longitude=78.85).ward_id, ward)
        self.assertEqual(self._grievance(ward_id=False, latitude=23.90, longitude=78.80).ward_id, ward)
        self.assertFalse(self._grievance(ward_id=False, latitude=23.925, longitude=78.825).ward_id)

    def test_typed_ward_is_kept_when_the_pin_is_on_no_mapped_ward(self):
        grievance = self._grievance(ward=self.ward_2, latitude=23.5, longitude=78.1)
        self.assertEqual(grievance.ward_id, self.ward_2)
        grievance.write({"latitude": 23.51, "longitude": 78.11})
        self.assertEqual(grievance.ward_id, self.ward_2)

    def test_typed_ward_is_kept_without_a_pin(self):
        grievance = self._grievance(ward=self.ward_2)
        self.assertEqual(grievance.ward_id, self.ward_2)
        grievance.address = "Near Katra bus stand"
        self.assertEqual(grievance.ward_id, self.ward_2)

    def test_new_ward_boundary_is_used_at_once(self):
        ward = self.env["mp15.ward"].create({"number": 904, "name": "Rajakhedi"})
        self.assertFalse(self._grievance(ward_id=False, latitude=23.86, longitude=78.70).ward_id)
        ward.boundary_geojson = square(23.86, 78.70)
        self.assertEqual(self._grievance(ward_id=False, latitude=23.86, longitude=78.70).ward_id, ward)

    def test_invalid_ward_boundary_is_refused_with_a_reason(self):
        with self.assertRaisesMessage(ValidationError, "Polygon or MultiPolygon"):
            self.env["mp15.ward"].create(
                {"number": 905, "name": "Bad", "boundary_geojson": '{"type": "Point", "coordinates": [78.7, 23.8]}'}
            )

    def test_keywords_the_bot_cannot_use_are_refused_with_the_entry(self):
        with self.assertRaisesMessage(ValidationError, "ab*: write at least 3 letters before *"):
            self.category_a.keywords = "paani\nab*"
        self.category_a.keywords = "paani, पानी, !pipeline + leak"
        self.assertEqual(self.category_a.keywords, "paani, पानी, !pipeline + leak")

    def test_coordinates_out_of_range_are_refused(self):
        with self.assertRaisesMessage(ValidationError, "not a place on Earth"):
            self._grievance(latitude=123.0, longitude=78.7)

    def test_phone_is_normalised_to_e164(self):
        for spelling in ("98765 43210", "09876543210", "+91 98765-43210", "0091 9876543210", "919876543210"):
            grievance = self._grievance(phone=spelling)
            self.assertEqual(grievance.phone, "+919876543210", spelling)
        grievance.phone = "९४२५०१२३४५"
        self.assertEqual(grievance.phone, "+919425012345")

    def test_invalid_phone_is_a_clear_validation_error(self):
        with self.assertRaisesMessage(ValidationError, "12345 is not a phone number we can reach"):
            self._grievance(phone="12345")
        grievance = self._grievance()
        with self.assertRaisesMessage(ValidationError, "not a phone number"):
            grievance.phone = "call me maybe"

    def test_phone_links_the_citizen_creating_them_once(self):
        first = self._grievance(citizen=self.env["res.users"], partner_id=False, phone="9425012345")
        self.assertEqual(first.partner_id.mp15_phone, "+919425012345")
        second = self._grievance(citizen=self.env["res.users"], partner_id=False, phone="+91 94250 12345")
        self.assertEqual(second.partner_id, first.partner_id)

    def test_sla_deadline_from_category_department_or_default(self):
        filed = datetime(2026, 5, 1, 9, 0, 0)
        from_category = self._grievance(self.category_a, date_filed=filed)
        self.assertEqual(from_category.sla_deadline, filed + timedelta(hours=12))
        from_department = self._grievance(self.category_b, date_filed=filed)
        self.assertEqual(from_department.sla_deadline, filed + timedelta(hours=48))
        emergency = self._grievance(self.category_emergency, date_filed=filed)
        self.assertEqual(emergency.sla_deadline, filed + timedelta(hours=4))
        self.assertEqual(emergency.priority, "2", "emergency categories file with emergency priority")

    def test_sla_state_at_filing(self):
        with freeze_time("2026-05-01 12:00:00"):
            fresh = self._grievance(date_filed="2026-05-01 11:00:00")
            at_risk = self._grievance(date_filed="2026-05-01 02:00:00")
            late = self._grievance(date_filed="2026-04-30 10:00:00")
        self.assertEqual((fresh.sla_state, at_risk.sla_state, late.sla_state), ("on_track", "at_risk", "breached"))

    def test_resolution_records_the_date_and_whether_the_sla_was_met(self):
        with freeze_time("2026-05-01 09:00:00"):
            on_time = self._grievance(resolution_note="Valve opened.")
            late = self._grievance(resolution_note="Valve opened.", delay_reason="Valve key lost.")
            late.delay_reason_id = self.env.ref("mp15_grievance.delay_reason_other")
        with freeze_time("2026-05-01 15:00:00"):
            on_time.stage_id = self.stage_resolved
        with freeze_time("2026-05-02 09:00:00"):
            late.stage_id = self.stage_resolved
        self.assertEqual(on_time.date_resolved, datetime(2026, 5, 1, 15, 0, 0))
        self.assertEqual((on_time.sla_state, late.sla_state), ("met", "missed"))

    def test_board_shows_every_stage_even_empty_ones(self):
        groups = self.env["mp15.grievance"].read_group([("id", "=", 0)], ["stage_id"], ["stage_id"])
        stages = self.env["mp15.grievance.stage"].search([])
        self.assertEqual([group["stage_id"][0] for group in groups], stages.ids)

    def test_officer_files_from_the_form(self):
        form = Form(self.env["mp15.grievance"].with_user(self.officer_a))
        form.category_id = self.category_a
        form.description = "Pipeline leak near Teen Batti"
        form.phone = "98765 43210"
        grievance = form.save()
        self.assertEqual(grievance.department_id, self.department_a)
        self.assertEqual(grievance.channel, "backoffice")
        self.assertTrue(re.match(r"MP15-\d{4}-\d{6}", grievance.name))
        self.assertEqual(grievance.access_url, f"/my/grievances/{grievance.id}")


@tagged("post_install", "-at_install", "mp15_routing")
class TestDuplicates(Mp15Case):
    def report(self, citizen_phone, lat, lon, category=None, **values):
        return self._grievance(
            category or self.category_b,
            citizen=self.env["res.users"],
            partner_id=False,
            phone=citizen_phone,
            ward_id=False,
            latitude=lat,
            longitude=lon,
            **values,
        )

    def test_same_problem_nearby_follows_the_first_report(self):
        lat, lon = self.POINT_WARD_1
        first = self.report("+919425012345", lat, lon)
        second = self.report("+917987123456", lat + 0.0003, lon + 0.0002)  # about 40 m away
        self.assertEqual(second.duplicate_of_id, first)
        self.assertNotIn(second.partner_id, first.message_partner_ids, "but reads nothing of the other citizen's")
        told = self.env["mp15.whatsapp.message"].search([("grievance_id", "=", second.id), ("direction", "=", "out")])
        self.assertEqual(len(told), 1)
        self.assertIn(first.name, told.body)
        self.assertIn(second.name, told.body)

    def test_far_away_or_another_category_is_not_a_duplicate(self):
        lat, lon = self.POINT_WARD_1
        first = self.report("+919425012345", lat, lon)
        far = self.report("+917987123456", lat + 0.005, lon)  # about 550 m
        other_problem = self.report("+918871234567", lat, lon, category=self.category_a)
        self.assertFalse(far.duplicate_of_id)
        self.assertFalse(other_problem.duplicate_of_id)
        self.assertFalse(first.duplicate_of_id)

    def test_a_pin_sent_after_filing_links_the_duplicate(self):
        lat, lon = self.POINT_WARD_1
        first = self.report("+919425012345", lat, lon)
        second = self._grievance(
            self.category_b, citizen=self.env["res.users"], partner_id=False, phone="+917987123456"
        )
        self.assertFalse(second.duplicate_of_id)
        second.write({"latitude": lat, "longitude": lon})
        self.assertEqual(second.duplicate_of_id, first)

    def test_duplicates_are_resolved_with_their_original(self):
        lat, lon = self.POINT_WARD_1
        first = self.report("+919425012345", lat, lon)
        second = self.report("+917987123456", lat, lon)
        first.write({"resolution_note": "Pothole filled.", "stage_id": self.stage_resolved.id})
        self.assertEqual((second.state, second.resolution_note), ("resolved", "Pothole filled."))
