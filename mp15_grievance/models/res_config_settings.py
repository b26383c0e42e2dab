"""Grievances → Settings: SLA thresholds, citizen updates, feedback, verification calls, escalation."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import sla


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mp15_sla_at_risk_percent = fields.Integer(
        string="At risk after (% of the SLA)",
        config_parameter="mp15_grievance.sla_at_risk_percent",
        default=round(sla.DEFAULT_AT_RISK_RATIO * 100),
    )
    mp15_progress_update_hours = fields.Integer(
        string="Progress update after (hours)",
        config_parameter="mp15_grievance.progress_update_hours",
        default=sla.DEFAULT_PROGRESS_UPDATE_HOURS,
        help="Citizens who heard nothing since filing get a progress update this many hours after filing.",
    )
    mp15_feedback_days = fields.Integer(
        string="Close without feedback after (days)",
        config_parameter="mp15_grievance.feedback_days",
        default=sla.DEFAULT_FEEDBACK_DAYS,
    )
    mp15_commissioner_id = fields.Many2one(
        "res.users",
        string="Commissioner",
        config_parameter="mp15_grievance.commissioner_id",
        domain=[("share", "=", False)],
        help="Receives the second escalation level: grievances twice past their deadline.",
    )
    mp15_verification_percent = fields.Integer(
        string="Verification calls (% of resolutions)",
        config_parameter="mp15_grievance.verification_percent",
        default=sla.DEFAULT_VERIFICATION_PERCENT,
        help="Each day this share of the grievances resolved the day before (at least one per department) "
        "is checked with the citizen on a call.",
    )
    mp15_verifier_id = fields.Many2one(
        "res.users",
        string="Verifier",
        config_parameter="mp15_grievance.verifier_id",
        domain=[("share", "=", False)],
        help="Makes the verification calls; the commissioner's office stands in for grievances the verifier resolved.",
    )

    @api.constrains(
        "mp15_sla_at_risk_percent", "mp15_progress_update_hours", "mp15_feedback_days", "mp15_verification_percent"
    )
    def _check_mp15_numbers(self):
        for settings in self:
            if not 0 < settings.mp15_sla_at_risk_percent < 100:
                raise ValidationError(_("The at-risk threshold is a percentage between 1 and 99."))
            if not 0 < settings.mp15_progress_update_hours < 24:
                raise ValidationError(_("The progress update must go out within 24 hours of filing."))
            if not 0 <= settings.mp15_verification_percent <= 100:
                raise ValidationError(_("The share of verification calls is a percentage between 0 and 100."))
            if settings.mp15_feedback_days < 1:
                raise ValidationError(_("Wait at least one day for the citizen's feedback."))

    def set_values(self):
        old_ratio = self.env["mp15.grievance"]._at_risk_ratio()
        result = super().set_values()
        if self.env["mp15.grievance"]._at_risk_ratio() != old_ratio:
            self.env["mp15.grievance"]._recompute_sla_thresholds()
        return result
