"""The flag that keeps the simulator's citizens apart from real ones."""

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    mp15_simulated = fields.Boolean(
        string="Simulated citizen",
        readonly=True,
        copy=False,
        help="Created by the WhatsApp simulator for a chat from its page; never a real citizen.",
    )
