"""Simulator conversations talk for simulated citizens, never for the real contact of that number."""

from odoo import _, models


class Mp15WhatsappConversation(models.Model):
    _inherit = "mp15.whatsapp.conversation"

    def _first_contact_partner(self, message):
        """On the simulator account: a simulated citizen of its own, even for a number a real citizen files from.

        Whoever types on the chat page may pick any number; finding the real contact by it would
        show them that citizen's grievances and let them file, track and answer in their name.
        """
        self.ensure_one()
        if not self.account_id.is_simulator:
            return super()._first_contact_partner(message)
        name = message.profile_name or self.phone
        quiet = self.env["res.partner"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        return quiet.create({"name": _("%(name)s (simulated)", name=name), "mp15_simulated": True})
