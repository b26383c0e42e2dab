"""The monthly grading, 181 style: scores from the report's figures, kept as published, ranks, rights and weights."""

from datetime import datetime, time, timedelta

import psycopg2
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import Mp15Case


@tagged("post_install", "-at_install", "mp15_grading")
class TestGrading(Mp15Case):
    """Last month in the test departments: water (A) did well, public works (B) did not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Grade = cls.env["mp15.performance.grade"]
        cls.month = cls.Grade._last_month()
        cls.Grade.search([("month", "=", cls.month)]).unlink()  # a database that ran before holds some
        filed_at = datetime.combine(cls.month + timedelta(days=9), time(5, 0))  # 10:30 in Sagar, the 10th
        cls.filed_at = filed_at
        with freeze_time(filed_at):
            cls.on_time = cls._grievance(channel="whatsapp")  # from the citizen's own number
            cls.late = cls._grievance()
            cls.other = cls._grievance(category=cls.category_b, ward=cls.ward_2)
        with freeze_time(filed_at + timedelta(hours=1)):
            cls.on_time.sudo().user_id = cls.officer_a  # assigned: the citizen hears at once
        with freeze_time(filed_at + timedelta(hours=2)):
            cls.on_time.sudo().write({"stage_id": cls.stage_resolved.id, "resolution_note": "Valve opened."})
        with freeze_time(filed_at + timedelta(hours=3)):
            cls.on_time._record_feedback(True, channel="test")
        # ``late`` and ``other`` stay open past their deadline, their citizens never told.

    def _rows(self, scope="department", month=None):
        return self.Grade.search([("month", "=", month or self.month), ("scope", "=", scope)])

    def test_score_grade_and_rank_from_the_published_components(self):
        self.Grade._grade_month(self.month)
        water = self._rows().filtered(lambda g: g.department_id == self.department_a)
        works = self._rows().filtered(lambda g: g.department_id == self.department_b)
        # Water: confirmed 100 % (the one closure), SLA met 50 %, none reopened, updated within 24 h 50 %.
        self.assertEqual(
            (water.grievance_count, water.confirmed_percent, water.on_time_percent, water.quality_percent),
            (2, 100.0, 50.0, 100.0),
        )
        self.assertEqual(water.attended_percent, 50.0)
        self.assertEqual(water.score, 85.0)  # (60×100 + 20×50 + 10×100 + 10×50) ÷ 100
        self.assertEqual(water.grade, "A")
        self.assertEqual(water.formula, "(60×100.0 + 20×50.0 + 10×100.0 + 10×50.0) ÷ 100 = 85.00")
        # Public works: nothing closed yet, so "confirmed" is left out: (20×0 + 10×100 + 10×0) ÷ 40.
        self.assertEqual((works.score, works.grade), (25.0, "D"))
        self.assertIn("60×n/a", works.formula)
        self.assertLess(water.rank, works.rank)
        officer = self._rows("officer").filtered(lambda g: g.user_id == self.officer_a)
        self.assertEqual((officer.department_id, officer.grievance_count, officer.score), (self.department_a, 1, 100.0))
        self.assertFalse(self._rows("officer").filtered(lambda g: not g.user_id), "unassigned grievances grade nobody")

    def test_a_graded_month_does_not_change_when_its_grievances_move(self):
        self.Grade._grade_month(self.month)
        water = self._rows().filtered(lambda g: g.department_id == self.department_a)
        published = water.read(["score", "grade", "grievance_count", "formula", "on_time_percent"])[0]
        # Later on, the late grievance is resolved and the good one moves to another department.
        self.late.sudo().write(
            {
                "stage_id": self.stage_resolved.id,
                "resolution_note": "Done at last.",
                "delay_reason_id": self.env["mp15.delay.reason"].search([], limit=1).id,
                "delay_reason": "The pipe had to be ordered.",
            }
        )
        self.on_time.sudo().write({"category_id": self.category_b.id, "department_id": self.department_b.id})
        self.env["mp15.performance.snapshot"]._refresh()
        self.env.invalidate_all()
        self.assertEqual(water.read(list(published))[0], published)
        # The records did move: grading the month afresh would say something else.
        _first, start, end = self.Grade._month_bounds(self.month)
        now_figures = self.env["mp15.performance.figures"]._figures(start, end, ("department_id",))
        self.assertEqual(now_figures[(self.department_a.id,)]["filed"], 1)

    def test_the_scheduled_action_grades_last_month_once_on_the_grading_day(self):
        first_of_this_month = self.month + relativedelta(months=1)

        def at_one_in_sagar(day):  # 01:00 in Sagar is 19:30 UTC the day before
            return datetime.combine(first_of_this_month + timedelta(days=day - 2), time(19, 30))

        # On the 1st to the 7th the month's last deadlines and feedback are still open: not yet.
        for day in (1, 7):
            with freeze_time(at_one_in_sagar(day)):
                self.Grade._cron_grade_last_month()
            self.assertFalse(self._rows(), f"not graded on day {day}")
        with freeze_time(at_one_in_sagar(8)):
            self.Grade._cron_grade_last_month()
        rows = self._rows()
        self.assertTrue(rows.filtered(lambda g: g.department_id == self.department_a))
        computed = rows.mapped("date_computed")
        with freeze_time(at_one_in_sagar(9)):
            self.Grade._cron_grade_last_month()
        self.assertEqual(self._rows(), rows)
        self.assertEqual(self._rows().mapped("date_computed"), computed)

    def test_the_grading_day_comes_from_the_settings(self):
        settings = self.env["mp15.grievance.settings"].with_user(self.manager)
        self.assertEqual(settings.default_get(["mp15_grading_day"])["mp15_grading_day"], 8)
        settings.create({"mp15_grading_day": 3}).action_save()
        third = datetime.combine(self.month + relativedelta(months=1, days=1), time(19, 30))  # 01:00, the 3rd
        with freeze_time(third - timedelta(days=1)):
            self.Grade._cron_grade_last_month()
        self.assertFalse(self._rows())
        with freeze_time(third):
            self.Grade._cron_grade_last_month()
        self.assertTrue(self._rows())
        for day in (0, 29):
            with self.subTest(day=day), self.assertRaises(ValidationError):
                settings.create({"mp15_grading_day": day})

    def test_heads_see_their_departments_grades_and_the_commissioner_all(self):
        self.Grade._grade_month(self.month)
        mine = self.Grade.with_user(self.head_a).search([("month", "=", self.month)])
        self.assertTrue(mine)
        self.assertEqual(mine.department_id, self.department_a)
        self.assertIn(self.officer_a, mine.user_id)
        theirs = self._rows().filtered(lambda g: g.department_id == self.department_b)
        with self.assertRaises(AccessError):
            theirs.with_user(self.head_a).read(["score"])
        every = self.Grade.with_user(self.manager).search([("month", "=", self.month)])
        self.assertEqual(every, self.Grade.search([("month", "=", self.month)]))
        with self.assertRaises(AccessError):
            self.Grade.with_user(self.officer_a).search([])
        with self.assertRaises(AccessError):
            self.Grade.with_user(self.councillor_1).search([])
        with self.assertRaises(AccessError):
            mine.with_user(self.manager).write({"score": 100})

    def test_the_commissioner_grades_a_month_on_demand(self):
        wizard = self.env["mp15.performance.grade.compute"].with_user(self.manager).create({"month": self.month})
        action = wizard.action_compute()
        self.assertEqual(action["domain"], [("month", "=", fields.Date.to_string(self.month))])
        self.assertEqual(self._rows().filtered(lambda g: g.department_id == self.department_a).score, 85.0)
        with self.assertRaises(AccessError):
            self.env["mp15.performance.grade.compute"].with_user(self.head_a).create({"month": self.month})

    def test_the_commissioner_grades_neither_the_current_month_nor_a_graded_one_again(self):
        Compute = self.env["mp15.performance.grade.compute"].with_user(self.manager)
        this_month = self.month + relativedelta(months=1, days=4)
        with self.assertRaisesMessage(UserError, "has not ended yet"):
            Compute.create({"month": this_month}).action_compute()
        self.assertFalse(self._rows(month=this_month.replace(day=1)), "no grades on partial figures")

        Compute.create({"month": self.month}).action_compute()
        published = self._rows().read(["score", "grade", "formula", "date_computed"])
        # The late grievance is resolved afterwards: grading again would change the month's grades.
        self.late.sudo().write(
            {
                "stage_id": self.stage_resolved.id,
                "resolution_note": "Done at last.",
                "delay_reason_id": self.env["mp15.delay.reason"].search([], limit=1).id,
                "delay_reason": "The pipe had to be ordered.",
            }
        )
        with self.assertRaisesMessage(UserError, "already graded"):
            Compute.create({"month": self.month + timedelta(days=3)}).action_compute()
        self.env.invalidate_all()
        self.assertEqual(self._rows().read(["score", "grade", "formula", "date_computed"]), published)

    def _water(self):
        return self._rows().filtered(lambda g: g.department_id == self.department_a)

    def _breach_the_late_one(self):
        """The SLA clock passes the late grievance's deadline while Officer A holds it."""
        with freeze_time(self.filed_at + timedelta(hours=1)):
            self.late.sudo().user_id = self.officer_a
        with freeze_time(self.late.sla_deadline + timedelta(minutes=5)):
            self.env["mp15.grievance"]._cron_sla()
        self.assertEqual(self.late.sla_state, "breached")
        self.assertEqual(
            (self.late.sla_breach_user_id, self.late.sla_breach_department_id), (self.officer_a, self.department_a)
        )

    def test_a_month_graded_twice_at_once_keeps_one_set_of_grades(self):
        # Two servers grading at the same moment each see "not graded yet" in their own snapshot: the second
        # set of rows is refused by the database.
        first = self.Grade._grade_month(self.month)
        self.assertTrue(first)
        copies = [
            {name: row[name] for name in ("month", "scope", "department_id", "user_id", "score", "grade")}
            for row in first.read(["month", "scope", "department_id", "user_id", "score", "grade"], load=None)
        ]
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.cr.savepoint():
            self.Grade.sudo().create(copies)

    def test_rejecting_a_breached_grievance_does_not_take_the_breach_away(self):
        self._breach_the_late_one()
        self.late.with_user(self.head_a).write(
            {"stage_id": self.env.ref("mp15_grievance.stage_rejected").id, "resolution_note": "Not ours."}
        )
        self.assertEqual((self.late.state, self.late.sla_state), ("rejected", "missed"))
        self.Grade._grade_month(self.month)
        self.assertEqual((self._water().grievance_count, self._water().on_time_percent), (2, 50.0))
        self.assertEqual(self._water().confirmed_percent, 50.0, "a rejection is no citizen's confirmation")

    def test_archiving_a_breached_grievance_does_not_take_the_breach_away(self):
        self._breach_the_late_one()
        self.late.with_user(self.manager).action_archive()
        self.assertFalse(self.late.active)
        self.Grade._grade_month(self.month)
        self.assertEqual((self._water().grievance_count, self._water().on_time_percent), (2, 50.0))

    def test_a_breach_stays_with_the_officer_and_department_responsible_at_the_deadline(self):
        self._breach_the_late_one()
        self.late.with_user(self.head_a).user_id = self.officer_a2  # reassigned after the breach
        self.late.sudo().write({"category_id": self.category_b.id, "department_id": self.department_b.id})
        self.Grade._grade_month(self.month)
        officers = self._rows("officer")
        first = officers.filtered(lambda g: g.user_id == self.officer_a)
        self.assertEqual((first.grievance_count, first.on_time_percent), (2, 50.0), "the breach stays with A")
        self.assertFalse(officers.filtered(lambda g: g.user_id == self.officer_a2), "A2 took it over late")
        self.assertEqual((self._water().grievance_count, self._water().on_time_percent), (2, 50.0))
        works = self._rows().filtered(lambda g: g.department_id == self.department_b)
        self.assertEqual(works.grievance_count, 1, "public works got it after its deadline")
        with self.assertRaises(AccessError):
            self.late.with_user(self.head_a).write({"sla_breach_user_id": self.officer_a2.id})

    def test_weights_come_from_the_settings(self):
        settings = self.env["mp15.grievance.settings"].with_user(self.manager)
        self.assertEqual(settings.default_get(["mp15_grade_weight_confirmed"])["mp15_grade_weight_confirmed"], 60)
        settings.create(
            {
                "mp15_grade_weight_confirmed": 0,
                "mp15_grade_weight_on_time": 100,
                "mp15_grade_weight_quality": 0,
                "mp15_grade_weight_attended": 0,
            }
        ).action_save()
        self.Grade._grade_month(self.month)
        water = self._rows().filtered(lambda g: g.department_id == self.department_a)
        self.assertEqual((water.score, water.grade), (50.0, "C"))
        with self.assertRaises(ValidationError):
            settings.create({"mp15_grade_weight_confirmed": 70})  # 70 + 0 + 0 + 0
