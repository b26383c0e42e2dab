"""Grievances → Settings for system administrators: the grievance settings of the shared mixin."""

from odoo import models


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "mp15.grievance.settings.mixin"]

    def set_values(self):
        old_ratio = self.env["mp15.grievance"]._at_risk_ratio()
        result = super().set_values()
        self._mp15_apply_at_risk_ratio(old_ratio)
        return result
