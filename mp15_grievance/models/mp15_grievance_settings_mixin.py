"""The grievance settings and their rules, shared by Settings (administrators) and the commissioner's form."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import sla

# The corporation's control room, given with the emergency numbers ({control_room} in the bot texts).
# The demo's number is a placeholder until the corporation enters its own in Settings.
PLACEHOLDER_CONTROL_ROOM = "07582-220000"


class Mp15GrievanceSettingsMixin(models.AbstractModel):
    """Each field names the ir.config_parameter it is stored in (``config_parameter``, as in res.config.settings)."""

    _name = "mp15.grievance.settings.mixin"
    _description = "Grievance Settings (shared fields and rules)"

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

    mp15_control_room_phone = fields.Char(
        string="Control room number",
        config_parameter="mp15_grievance.control_room_phone",
        default=PLACEHOLDER_CONTROL_ROOM,
        help="Given to citizens who report an emergency, beside 112, 101 and 108 ({control_room} in bot texts).",
    )
    mp15_control_room_is_placeholder = fields.Boolean(
        string="Placeholder control room number", compute="_compute_mp15_control_room_is_placeholder"
    )

    @api.depends("mp15_control_room_phone")
    def _compute_mp15_control_room_is_placeholder(self):
        for settings in self:
            settings.mp15_control_room_is_placeholder = (settings.mp15_control_room_phone or "").strip() in (
                "",
                PLACEHOLDER_CONTROL_ROOM,
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

    def _valid_field_parameter(self, field, name):
        return name == "config_parameter" or super()._valid_field_parameter(field, name)

    @api.model
    def _mp15_parameter_fields(self):
        """The fields of this mixin, by name: each stored in its ``config_parameter``."""
        mixin_fields = self.env[Mp15GrievanceSettingsMixin._name]._fields
        return {
            name: self._fields[name] for name, field in mixin_fields.items() if getattr(field, "config_parameter", None)
        }

    @api.model
    def _mp15_apply_at_risk_ratio(self, old_ratio):
        """After saving: a changed at-risk percentage moves the amber threshold of every open grievance.

        Call only once the caller may change the settings: the grievances are recomputed as the system.
        """
        grievances = self.env["mp15.grievance"].sudo()
        if grievances._at_risk_ratio() != old_ratio:
            grievances._recompute_sla_thresholds()
