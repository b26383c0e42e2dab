"""A broadcast from the simulator account goes to the simulated citizens who opted in, at their simulated numbers."""

from odoo import models
from odoo.tools import SQL


class Mp15Broadcast(models.Model):
    _inherit = "mp15.broadcast"

    # Real citizens never get a simulator broadcast, nor simulated ones a real one (they have no mp15_phone).

    def _audience_reachable(self):
        if not self.account_id.is_simulator:
            return super()._audience_reachable()
        return SQL("p.mp15_simulated")

    def _audience_conversation(self):
        """On the simulator account: the simulated citizen's chat number (they have no grievance phone)."""
        if not self.account_id.is_simulator:
            return super()._audience_conversation()
        return SQL("c.phone"), SQL(
            "JOIN mp15_whatsapp_conversation c ON c.account_id = %s AND c.partner_id = p.id", self.account_id.id
        )
