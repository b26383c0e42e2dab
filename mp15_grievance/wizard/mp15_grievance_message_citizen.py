"""The "Message citizen (WhatsApp)" composer: staff write to the citizen on WhatsApp, in the citizen's language."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.mp15_whatsapp_conversation import LANGUAGES
from ..tools import messages


class Mp15GrievanceMessageCitizen(models.TransientModel):
    _name = "mp15.grievance.message.citizen"
    _description = "Message the Citizen on WhatsApp"

    grievance_id = fields.Many2one("mp15.grievance", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(related="grievance_id.partner_id", string="Citizen")
    citizen_lang = fields.Selection(
        LANGUAGES, string="Citizen's language", compute="_compute_conversation", help="Write in this language."
    )
    window_open = fields.Boolean(
        string="Within 24 hours of the citizen's last message",
        compute="_compute_conversation",
        help="WhatsApp lets us send any text only within 24 hours of the citizen's last message.",
    )
    body = fields.Text(string="Message")

    @api.depends("grievance_id")
    def _compute_conversation(self):
        for wizard in self:
            conversation = wizard._conversation()
            wizard.citizen_lang = conversation.lang if conversation else False
            wizard.window_open = bool(conversation) and conversation._window_open()

    def _conversation(self):
        """The citizen's conversation (sudo: staff do not read conversations), once the grievance is theirs to work."""
        self.ensure_one()
        grievance = self.grievance_id
        if not grievance:
            return self.env["mp15.whatsapp.conversation"]
        grievance.check_access("write")
        # No conversation is created just to show the dialog: only when a message is sent.
        return (
            self.env["mp15.whatsapp.conversation"]
            .sudo()
            .search([("partner_id", "=", grievance.partner_id.id), ("account_id.active", "=", True)], limit=1)
            if grievance.partner_id
            else self.env["mp15.whatsapp.conversation"]
        )

    def action_send(self):
        """Queue the text to the citizen on WhatsApp; it appears in the grievance's chatter as it goes."""
        self.ensure_one()
        grievance = self.grievance_id
        grievance.check_access("write")  # only staff who may work the grievance write to its citizen
        text = (self.body or "").strip()
        if not text:
            raise UserError(_("Write the message to the citizen."))
        conversation = self.env["mp15.whatsapp.conversation"].sudo()._for_partner(grievance.partner_id.sudo())
        if not conversation:
            raise UserError(_("%(ref)s: the citizen has no WhatsApp number.", ref=grievance.name))
        Message = self.env["mp15.whatsapp.message"].with_context(mp15_whatsapp_author_id=self.env.user.partner_id.id)
        if conversation._window_open():
            payload = messages.text_message(conversation.phone, messages.clip(text, messages.TEXT_BODY_LIMIT))
            Message._queue(conversation, payload, body=text, grievance=grievance, fallback_template="status_update")
        else:
            payload = conversation._template_payload("status_update", grievance.sudo())
            if not payload:
                raise UserError(
                    _(
                        "The citizen last wrote more than 24 hours ago, so WhatsApp only accepts an approved template, "
                        "and no status-update template is set on the WhatsApp account."
                    )
                )
            # The template carries the reference, the status and the link: the text is on that page.
            grievance.message_post(body=text, message_type="comment", subtype_xmlid="mail.mt_comment")
            Message._queue(conversation, payload, body=text, grievance=grievance)
        Message._wake("mp15_grievance.ir_cron_send_whatsapp")
        return {"type": "ir.actions.act_window_close"}
