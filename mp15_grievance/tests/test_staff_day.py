"""The staff's working day: whom a head can assign, hours left on the board."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import Mp15Case


@tagged("post_install", "-at_install")
class TestStaffDay(Mp15Case):
    def test_assignees_are_the_departments_officers_with_their_open_count(self):
        grievance = self._grievance(category=self.category_a)
        department = grievance.department_id
        self.assertEqual(grievance.assignable_user_ids, department.member_ids | department.head_id)
        self.assertNotIn(self.officer_b, grievance.assignable_user_ids, "another department's officer")
        self._grievance(category=self.category_a).user_id = self.officer_a
        self._grievance(category=self.category_a).user_id = self.officer_a
        named = self.officer_a.with_context(mp15_open_count=True).display_name
        self.assertEqual(named, f"{self.officer_a.name} · 2 open")
        self.assertEqual(self.officer_a.display_name, self.officer_a.name, "elsewhere the name alone")

    def test_time_left_in_hours(self):
        now = fields.Datetime.now()
        with freeze_time(now - timedelta(hours=8, minutes=40)):
            grievance = self._grievance(category=self.category_a)  # a 12-hour SLA
        with freeze_time(now):
            grievance.invalidate_recordset(["sla_time_left"])
            self.assertEqual(grievance.sla_time_left, "due in 3 h 20 min")
        with freeze_time(now + timedelta(hours=8, minutes=20)):
            grievance.invalidate_recordset(["sla_time_left"])
            self.assertEqual(grievance.sla_time_left, "5 h 0 min overdue")
        with freeze_time(now + timedelta(days=2, hours=3, minutes=20)):
            grievance.invalidate_recordset(["sla_time_left"])
            self.assertEqual(grievance.sla_time_left, "2 d 0 h overdue")
        grievance.write({"resolution_note": "Done.", "stage_id": self.stage_resolved.id})
        self.assertFalse(grievance.sla_time_left, "nothing left to count once resolved")

    def test_staff_land_on_their_grievances(self):
        root = self.env.ref("mp15_grievance.mp15_grievance_menu_root")
        for user in (self.officer_a, self.head_a, self.councillor_1):
            menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
            self.assertEqual(menus["root"]["children"][0], root.id, f"{user.login}'s first app, opened after login")

    def test_my_grievances_shows_only_the_stages_in_use(self):
        self._grievance(category=self.category_a).user_id = self.officer_a  # assigned, so not "New"
        Grievance = self.env["mp15.grievance"].with_user(self.officer_a)
        domain = [("user_id", "=", self.officer_a.id), ("is_open", "=", True)]
        everywhere = Grievance.web_read_group(domain, ["stage_id"], ["stage_id"])["groups"]
        mine = Grievance.with_context(mp15_stages_in_use=True).web_read_group(domain, ["stage_id"], ["stage_id"])
        self.assertIn("New", [group["stage_id"][1] for group in everywhere], "the board shows every stage")
        self.assertEqual([group["stage_id"][1] for group in mine["groups"]], ["Assigned"])
