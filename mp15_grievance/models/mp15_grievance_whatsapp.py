"""Grievance: the citizen's WhatsApp as staff see it — their language, and "Message citizen (WhatsApp)"."""

from datetime import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .mp15_whatsapp_conversation import LANGUAGES


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    citizen_whatsapp_lang = fields.Selection(
        LANGUAGES,
        string="Citizen's WhatsApp language",
        compute="_compute_citizen_whatsapp",
        help="The language the citizen reads the bot in: write to them in it.",
    )
    can_message_citizen = fields.Boolean(
        string="Citizen on WhatsApp",
        compute="_compute_citizen_whatsapp",
        help="The citizen wrote to us on WhatsApp or gave a WhatsApp number.",
    )

    @api.depends("partner_id")
    def _compute_citizen_whatsapp(self):
        # Staff may not read conversations; a grievance they read may show its citizen's language.
        partners = self.partner_id
        conversations = (
            self.env["mp15.whatsapp.conversation"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("account_id.active", "=", True)])
            if partners
            else self.env["mp15.whatsapp.conversation"]
        )
        latest = {}
        for conversation in conversations.sorted(lambda c: c.last_inbound_at or datetime.min):
            latest[conversation.partner_id.id] = conversation
        for grievance in self:
            conversation = latest.get(grievance.partner_id.id)
            grievance.citizen_whatsapp_lang = conversation.lang if conversation else False
            grievance.can_message_citizen = bool(conversation or grievance.partner_id.sudo().mp15_phone)

    def action_open_message_citizen_wizard(self):
        """The composer that writes to the citizen on WhatsApp (not to the followers)."""
        self.ensure_one()
        self.check_access("write")
        if not self.can_message_citizen:
            raise UserError(_("%(ref)s: the citizen has no WhatsApp number.", ref=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": _("Message citizen (WhatsApp) · %(ref)s", ref=self.name),
            "res_model": "mp15.grievance.message.citizen",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_grievance_id": self.id},
        }
