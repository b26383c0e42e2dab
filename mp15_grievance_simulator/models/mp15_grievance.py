"""Grievances filed on the simulator never hand a real citizen's number to a simulated citizen."""

from odoo import models


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    def _adopt_phone_for_citizen(self):
        """A simulated citizen keeps no number: the next real message from it must find the real citizen."""
        return super(Mp15Grievance, self.filtered(lambda g: not g.partner_id.mp15_simulated))._adopt_phone_for_citizen()
