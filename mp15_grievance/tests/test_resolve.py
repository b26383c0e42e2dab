"""Resolving in one step: the Resolve / Reject dialog, its rights, the late case, and the resolve reminder."""

import base64
import io
from datetime import datetime, timedelta

from freezegun import freeze_time
from PIL import Image

from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import Mp15Case

T0 = datetime(2026, 6, 1, 4, 30, 0)  # 10:00 in Sagar
CITIZEN_PHONE = "+919111100007"
# The tours (static/tests/tours/resolve_tour.js) type these.
TOUR_NOTE = "Pipe joint replaced near the water tank; supply is back."
TOUR_LATE_NOTE = "Main valve replaced after the part arrived."
TOUR_DELAY = "The valve had to come from Bhopal."


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 120, 200)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())


class ResolveCase(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context={**cls.env.context, "tracking_disable": False})
        cls.citizen.partner_id.mp15_phone = CITIZEN_PHONE
        cls.resolve_type = cls.env.ref("mp15_grievance.mail_activity_type_resolve")
        cls.weather = cls.env.ref("mp15_grievance.delay_reason_weather")

    @classmethod
    def file(cls, at=None, **values):
        """A 12-hour grievance of the water department, filed on WhatsApp at ``at`` (window open)."""
        at = at or datetime.now() - timedelta(hours=1)
        with freeze_time(at):
            grievance = cls._grievance(cls.category_a, phone=CITIZEN_PHONE, **values)
        conversation = cls.env["mp15.whatsapp.conversation"]._for_partner(grievance.partner_id)
        conversation.last_inbound_at = at
        return grievance

    def dialog(self, grievance, user, mode="resolve"):
        """The dialog as the button opens it, for ``user``."""
        method = "action_open_resolve_wizard" if mode == "resolve" else "action_open_reject_wizard"
        action = getattr(grievance.with_user(user), method)()
        self.assertEqual((action["res_model"], action["target"]), ("mp15.grievance.resolve", "new"))
        return Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))

    def citizen_messages(self, grievance):
        return self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("direction", "=", "out"), ("phone", "=", CITIZEN_PHONE)]
        )

    def reminders(self, grievance):
        return grievance.activity_ids.filtered(lambda a: a.activity_type_id == self.resolve_type)


@tagged("post_install", "-at_install", "mp15_resolve")
class TestResolve(ResolveCase):
    def test_officer_resolves_on_time_with_a_photo_in_one_step(self):
        grievance = self.file(at=T0)
        with freeze_time(T0 + timedelta(hours=3)):
            grievance.user_id = self.officer_a
            dialog = self.dialog(grievance, self.officer_a)
            self.assertFalse(dialog.is_late)
            dialog.resolution_note = "Pipe joint replaced; water is back."
            dialog.resolution_image = photo()
            dialog.save().action_confirm()
        self.assertEqual((grievance.state, grievance.sla_state), ("resolved", "met"))
        self.assertEqual(grievance.date_resolved, T0 + timedelta(hours=3))
        self.assertTrue(grievance.resolution_image)
        self.assertFalse(grievance.delay_reason_id)
        self.assertFalse(self.reminders(grievance), "resolving ends the reminder")
        sent = self.citizen_messages(grievance).sorted("id")
        self.assertIn("Pipe joint replaced; water is back.", sent[-2].body)
        self.assertEqual(sent[-1].message_type, "interactive", "the feedback question follows")

    def test_the_dialog_keeps_what_was_already_written(self):
        grievance = self.file(resolution_note="Valve opened.")
        dialog = self.dialog(grievance, self.head_a)
        self.assertEqual(dialog.resolution_note, "Valve opened.")
        dialog.save().action_confirm()
        self.assertEqual(grievance.state, "resolved")

    def test_a_late_grievance_needs_the_reason_for_delay_in_the_dialog(self):
        grievance = self.file(at=T0)
        with freeze_time(T0 + timedelta(hours=13)):  # past the 12-hour deadline, before any scheduled run
            self.assertTrue(self.dialog(grievance, self.officer_a).is_late)
            wizard = (
                self.env["mp15.grievance.resolve"]
                .with_user(self.officer_a)
                .create({"grievance_id": grievance.id, "resolution_note": "Valve replaced."})
            )
            with self.assertRaisesMessage(ValidationError, "missed its deadline: choose a reason for delay"):
                wizard.action_confirm()
            self.assertEqual(grievance.state, "new")
            wizard.delay_reason_id = self.weather
            with self.assertRaisesMessage(ValidationError, "reason for delay"):
                wizard.action_confirm()
            wizard.delay_reason = "Two days of heavy rain flooded the valve chamber."
            wizard.action_confirm()
        self.assertEqual((grievance.state, grievance.sla_state), ("resolved", "missed"))
        self.assertEqual(grievance.delay_reason_id, self.weather)
        self.assertEqual(grievance.delay_reason, "Two days of heavy rain flooded the valve chamber.")

    def test_the_dialog_form_requires_the_reason_only_when_late(self):
        on_time = self.file()
        self.assertFalse(self.dialog(on_time, self.officer_a).is_late)
        late = self.file(at=datetime.now() - timedelta(hours=13))
        late_dialog = self.dialog(late, self.officer_a)
        late_dialog.resolution_note = "Valve replaced."
        with self.assertRaises(AssertionError):  # the form refuses to save without the required reason
            late_dialog.save()
        late_dialog.delay_reason_id = self.weather
        late_dialog.delay_reason = "Rain."
        late_dialog.save().action_confirm()
        self.assertEqual(late.state, "resolved")

    def test_escalated_grievance_is_late_even_if_the_deadline_moved(self):
        grievance = self.file()
        grievance.escalation_level = 1
        self.assertTrue(self.dialog(grievance, self.head_a).is_late)

    def test_reject_with_a_reason(self):
        grievance = self.file()
        dialog = self.dialog(grievance, self.officer_a, mode="reject")
        self.assertEqual(dialog.mode, "reject")
        dialog.resolution_note = "This is a private plot: the corporation cannot work there."
        dialog.save().action_confirm()
        self.assertEqual(grievance.state, "rejected")
        self.assertEqual(grievance.resolution_note, "This is a private plot: the corporation cannot work there.")
        self.assertFalse(grievance.date_resolved)
        self.assertFalse(self.reminders(grievance))

    def test_a_note_is_always_needed(self):
        grievance = self.file()
        wizard = (
            self.env["mp15.grievance.resolve"]
            .with_user(self.officer_a)
            .create({"grievance_id": grievance.id, "mode": "reject", "resolution_note": "   "})
        )
        with self.assertRaisesMessage(ValidationError, "Write why the grievance is rejected"):
            wizard.action_confirm()
        self.assertEqual(grievance.state, "new")

    def test_only_open_grievances_are_resolved(self):
        grievance = self.file()
        wizard = (
            self.env["mp15.grievance.resolve"]
            .with_user(self.officer_a)
            .create({"grievance_id": grievance.id, "resolution_note": "Done."})
        )
        wizard.action_confirm()
        with self.assertRaisesMessage(UserError, "no longer open"):
            grievance.with_user(self.officer_a).action_open_resolve_wizard()
        again = (
            self.env["mp15.grievance.resolve"]
            .with_user(self.officer_a)
            .create({"grievance_id": grievance.id, "resolution_note": "Done twice."})
        )
        with self.assertRaisesMessage(UserError, "no longer open"):
            again.action_confirm()

    def test_outside_the_department_nobody_resolves(self):
        grievance = self.file()
        for outsider in (self.officer_b, self.head_b, self.councillor_1, self.internal_user):
            with self.subTest(user=outsider.login), self.assertRaises(AccessError):
                wizard = (
                    self.env["mp15.grievance.resolve"]
                    .with_user(outsider)
                    .create({"grievance_id": grievance.id, "resolution_note": "Not mine, resolved anyway."})
                )
                wizard.action_confirm()
        with self.assertRaises(AccessError):
            grievance.with_user(self.officer_b).action_open_resolve_wizard()
        self.assertEqual(grievance.state, "new")

    def test_an_assigned_officer_of_another_department_may_resolve_what_is_theirs(self):
        grievance = self.file()
        grievance.user_id = self.officer_b
        dialog = self.dialog(grievance, self.officer_b)
        dialog.resolution_note = "Pothole filled on the way back."
        dialog.save().action_confirm()
        self.assertEqual(grievance.state, "resolved")

    def test_mark_done_on_the_reminder_of_an_open_grievance_offers_the_dialog(self):
        grievance = self.file()
        grievance.user_id = self.officer_a
        reminder = self.reminders(grievance)
        self.assertEqual(len(reminder), 1)
        as_officer = reminder.with_user(self.officer_a)
        for attempt in (as_officer.action_done, as_officer.action_feedback, as_officer.action_feedback_schedule_next):
            with self.subTest(attempt=attempt.__name__), self.assertRaises(RedirectWarning) as caught:
                attempt()
            _message, action, _button, _context = caught.exception.args
            self.assertEqual(action["res_model"], "mp15.grievance.resolve")
            self.assertEqual(action["context"]["default_grievance_id"], grievance.id)
        with self.assertRaises(RedirectWarning):
            as_officer.unlink()  # "Cancel" does not drop it either
        self.assertTrue(reminder.exists(), "the SLA reminder stays")
        self.assertTrue(grievance.is_open)
        wizard = (
            self.env["mp15.grievance.resolve"]
            .with_user(self.officer_a)
            .create({"grievance_id": grievance.id, "resolution_note": "Leak fixed."})
        )
        wizard.action_confirm()
        self.assertFalse(reminder.exists(), "resolving marks it done")
        done = grievance.message_ids.filtered(lambda m: m.mail_activity_type_id == self.resolve_type)
        self.assertTrue(done, "and says so in the chatter")

    def test_other_activities_are_marked_done_as_usual(self):
        grievance = self.file()
        todo = grievance.activity_schedule("mail.mail_activity_data_todo", user_id=self.officer_a.id)
        todo.with_user(self.officer_a).action_done()
        self.assertFalse(todo.exists())

    def test_the_activity_view_shows_grievance_activity_types(self):
        self.file()
        data = self.env["mail.activity"].with_user(self.head_a).get_activity_data("mp15.grievance", [])
        types = self.env["mail.activity.type"].browse([t["id"] for t in data["activity_types"]])
        self.assertIn(self.resolve_type, types)
        self.assertEqual(set(types.mapped("res_model")), {"mp15.grievance"})


@tagged("post_install", "-at_install", "mp15_resolve")
class TestResolveTour(HttpCase, ResolveCase):
    """The dialog in a real browser: on an officer's phone, and for a late grievance."""

    def test_tour_officer_resolves_with_a_photo_on_a_phone(self):
        grievance = self.file()
        grievance.user_id = self.officer_a
        self.browser_size = "390x844"
        self.touch_enabled = True
        self.start_tour(
            f"/odoo/action-mp15_grievance.mp15_grievance_action/{grievance.id}",
            "mp15_resolve_on_a_phone",
            login=self.officer_a.login,
        )
        self.env.invalidate_all()
        self.assertEqual(grievance.state, "resolved")
        self.assertEqual(grievance.resolution_note, TOUR_NOTE)
        self.assertTrue(grievance.resolution_image)
        self.assertFalse(grievance.delay_reason_id)

    def test_tour_late_grievance_asks_for_the_reason_for_delay(self):
        grievance = self.file(at=datetime.now() - timedelta(hours=13))
        self.start_tour(
            "/odoo/action-mp15_grievance.mp15_grievance_action",  # the board: its cards render, Resolve on a card
            "mp15_resolve_late",
            login=self.officer_a.login,
        )
        self.env.invalidate_all()
        self.assertEqual((grievance.state, grievance.sla_state), ("resolved", "missed"))
        self.assertEqual(grievance.delay_reason_id, self.weather)
        self.assertEqual(grievance.delay_reason, TOUR_DELAY)
