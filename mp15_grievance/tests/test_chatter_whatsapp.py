"""WhatsApp in the chatter: every message to and from the citizen as an internal note, and the composer."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import Mp15Case
from .whatsapp_common import new_wamid

PHONE = "+919111100002"


@tagged("post_install", "-at_install", "mp15_chatter_whatsapp")
class TestChatterWhatsapp(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context={**cls.env.context, "tracking_disable": False})
        cls.citizen.partner_id.mp15_phone = PHONE  # the number they write to us from
        cls.note = cls.env.ref("mail.mt_note")
        cls.bot = cls.env.ref("base.partner_root")

    def file(self, last_inbound_at=None):
        """A grievance of a citizen who wrote on WhatsApp (by default just now: their window is open)."""
        grievance = self._grievance(self.category_a, phone=PHONE)
        conversation = self.env["mp15.whatsapp.conversation"]._for_partner(grievance.partner_id)
        conversation.last_inbound_at = last_inbound_at or fields.Datetime.now()
        return grievance, conversation

    def outbound(self, grievance):
        return self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("direction", "=", "out")], order="id"
        )

    def assertInternalNote(self, note, grievance):
        self.assertEqual((note.model, note.res_id), (grievance._name, grievance.id))
        self.assertEqual(note.subtype_id, self.note)
        self.assertTrue(note.is_internal, "never shown on the portal")
        self.assertNotIn(note, grievance.sudo()._public_messages())
        self.assertFalse(note.notification_ids, "nobody is notified of it (no e-mail to followers)")

    def test_a_stage_change_message_is_an_internal_note_in_the_chatter_once(self):
        grievance, _conversation = self.file()
        grievance.stage_id = self.stage_in_progress
        message = self.outbound(grievance)
        self.assertEqual(len(message), 1)
        note = message.chatter_message_id
        self.assertInternalNote(note, grievance)
        self.assertEqual(note.author_id, self.bot)
        self.assertIn("WhatsApp to the citizen", note.body)
        self.assertIn(grievance.name, note.body)
        self.assertIn("queued", note.body)
        notes = grievance.message_ids.filtered(lambda m: "WhatsApp to the citizen" in (m.body or ""))
        self.assertEqual(notes, note, "posted once")
        portal_messages = grievance.message_ids.filtered_domain(self.env["mail.message"]._get_search_domain_share())
        self.assertNotIn(note, portal_messages)

    def test_delivery_statuses_update_the_note(self):
        grievance, _conversation = self.file()
        grievance.stage_id = self.stage_in_progress
        message = self.outbound(grievance)
        wamid = new_wamid()
        message.write({"state": "sent", "wa_message_id": wamid})
        self.assertIn("✓ sent", message.chatter_message_id.body)
        status = self.env["mp15.whatsapp.status"].create(
            {"wa_message_id": wamid, "account_id": message.account_id.id, "status": "delivered"}
        )
        status._apply()
        self.assertEqual(message.state, "delivered")
        self.assertIn("✓✓ delivered", message.chatter_message_id.body)
        self.assertNotIn("✓ sent", message.chatter_message_id.body)
        message.write({"state": "failed", "error_message": "(#131026) Message undeliverable"})
        self.assertIn("✗ failed: (#131026) Message undeliverable", message.chatter_message_id.body)
        self.assertEqual(len(grievance.message_ids.filtered(lambda m: "WhatsApp to the citizen" in (m.body or ""))), 1)

    def test_messages_without_a_grievance_stay_out_of_every_chatter(self):
        _grievance, conversation = self.file()
        before = self.env["mail.message"].search_count([("model", "=", "mp15.grievance")])
        message = self.env["mp15.whatsapp.message"]._queue(
            conversation, {"type": "text", "text": {"body": "Menu"}}, body="Menu"
        )
        self.assertFalse(message.chatter_message_id)
        self.assertEqual(self.env["mail.message"].search_count([("model", "=", "mp15.grievance")]), before)

    def test_inbound_messages_are_the_citizens_notes_and_their_own_comments_are_not_doubled(self):
        grievance, conversation = self.file()
        Message = self.env["mp15.whatsapp.message"]
        values = {
            "account_id": conversation.account_id.id,
            "direction": "in",
            "state": "received",
            "phone": PHONE,
            "partner_id": conversation.partner_id.id,
            "conversation_id": conversation.id,
            "message_type": "text",
        }
        pin = Message.create({**values, "wa_message_id": new_wamid(), "body": "📍 23.950000, 78.950000"})
        pin.grievance_id = grievance
        self.assertInternalNote(pin.chatter_message_id, grievance)
        self.assertEqual(pin.chatter_message_id.author_id, self.citizen.partner_id)
        self.assertIn("WhatsApp from the citizen", pin.chatter_message_id.body)
        pin.grievance_id = grievance
        self.assertEqual(
            len(grievance.message_ids.filtered(lambda m: "WhatsApp from the citizen" in (m.body or ""))), 1
        )
        # The bot posts a citizen's note after filing as their own comment: that comment is its entry.
        note = Message.create({**values, "wa_message_id": new_wamid(), "body": "Still no water today"})
        comment = grievance.message_post(
            body=note.body,
            author_id=self.citizen.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        note.write({"grievance_id": grievance.id, "chatter_message_id": comment.id})
        self.assertEqual(note.chatter_message_id, comment)
        self.assertEqual(len(grievance.message_ids.filtered(lambda m: "Still no water today" in (m.body or ""))), 1)

    def test_the_composer_sends_to_the_citizen_in_their_language_and_logs_it(self):
        grievance, conversation = self.file()
        conversation.lang = "en"
        grievance = grievance.with_user(self.officer_a)
        self.assertEqual(grievance.citizen_whatsapp_lang, "en")
        self.assertTrue(grievance.can_message_citizen)
        action = grievance.action_open_message_citizen_wizard()
        wizard = (
            self.env["mp15.grievance.message.citizen"]
            .with_user(self.officer_a)
            .with_context(**action["context"])
            .create({"body": "The tanker reaches your lane at 4 pm."})
        )
        self.assertEqual(wizard.citizen_lang, "en")
        self.assertTrue(wizard.window_open)
        wizard.action_send()
        message = self.outbound(grievance)
        self.assertEqual(len(message), 1)
        self.assertEqual((message.phone, message.message_type), (PHONE, "text"))
        self.assertIn("The tanker reaches your lane at 4 pm.", message.payload)
        self.assertInternalNote(message.chatter_message_id, grievance)
        self.assertEqual(message.chatter_message_id.author_id, self.officer_a.partner_id, "who wrote it")
        self.assertIn("The tanker reaches your lane at 4 pm.", message.chatter_message_id.body)

    def test_outside_the_window_the_composer_sends_the_template_and_shows_the_text_on_the_portal(self):
        grievance, _conversation = self.file(last_inbound_at=fields.Datetime.now() - timedelta(hours=30))
        wizard = (
            self.env["mp15.grievance.message.citizen"]
            .with_user(self.officer_a)
            .create({"grievance_id": grievance.id, "body": "Pipeline repair needs two more days."})
        )
        self.assertFalse(wizard.window_open)
        wizard.action_send()
        message = self.outbound(grievance)
        self.assertEqual(message.message_type, "template")
        self.assertIn("approved template", message.chatter_message_id.body)
        self.assertEqual(grievance._last_public_note(), "Pipeline repair needs two more days.")

    def test_an_officer_outside_the_department_cannot_use_the_composer(self):
        grievance, _conversation = self.file()
        with self.assertRaises(AccessError):
            grievance.with_user(self.officer_b).action_open_message_citizen_wizard()
        with self.assertRaises(AccessError):
            wizard = (
                self.env["mp15.grievance.message.citizen"]
                .with_user(self.officer_b)
                .create({"grievance_id": grievance.id, "body": "Not my department."})
            )
            wizard.action_send()
        self.assertFalse(self.outbound(grievance))
