"""Grievance: what its followers may subscribe to — stage changes and resolution (mail.message.subtype)."""

from odoo import models


class Mp15Grievance(models.Model):
    _inherit = "mp15.grievance"

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values:
            if self.state == "resolved":
                return self.env.ref("mp15_grievance.mt_grievance_resolved")
            return self.env.ref("mp15_grievance.mt_grievance_stage")
        return super()._track_subtype(init_values)
