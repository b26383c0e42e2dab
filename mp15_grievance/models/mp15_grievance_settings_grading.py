"""The monthly grading's weights in the grievance settings (Settings and the commissioner's form alike)."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import grading
from .mp15_performance_grade import DEFAULT_GRADING_DAY, GRADING_DAY_PARAMETER, WEIGHT_PARAMETERS


class Mp15GrievanceSettingsMixin(models.AbstractModel):
    _inherit = "mp15.grievance.settings.mixin"

    mp15_grade_weight_confirmed = fields.Integer(
        string="Weight: confirmed by citizen",
        config_parameter=WEIGHT_PARAMETERS["confirmed"],
        default=grading.DEFAULT_WEIGHTS["confirmed"],
        help="181: closed with the citizen's satisfaction (60). Ours: closed grievances the citizen confirmed.",
    )
    mp15_grade_weight_on_time = fields.Integer(
        string="Weight: SLA met",
        config_parameter=WEIGHT_PARAMETERS["on_time"],
        default=grading.DEFAULT_WEIGHTS["on_time"],
        help="181: long-pending complaints satisfactorily disposed (20). Ours: resolved within the SLA.",
    )
    mp15_grade_weight_quality = fields.Integer(
        string="Weight: not reopened",
        config_parameter=WEIGHT_PARAMETERS["quality"],
        default=grading.DEFAULT_WEIGHTS["quality"],
        help="181: low-quality closures, counted against (10). Ours: grievances the citizen did not reopen.",
    )
    mp15_grade_weight_attended = fields.Integer(
        string="Weight: updated within 24 h",
        config_parameter=WEIGHT_PARAMETERS["attended"],
        default=grading.DEFAULT_WEIGHTS["attended"],
        help="181: complaints not attended, counted against (10). Ours: the citizen heard from us within 24 hours.",
    )

    mp15_grading_day = fields.Integer(
        string="Grading day",
        config_parameter=GRADING_DAY_PARAMETER,
        default=DEFAULT_GRADING_DAY,
        help="The day of the month (1 to 28) on which last month is graded and published. By the 8th the "
        "month's last grievances are past their deadline, their 24-hour update and the citizen's 7-day "
        "feedback window; a graded month is kept as published.",
    )

    @api.constrains("mp15_grading_day")
    def _check_mp15_grading_day(self):
        for settings in self:
            if not 1 <= settings.mp15_grading_day <= 28:
                raise ValidationError(_("The grading day is a day of the month from 1 to 28."))

    @api.constrains(
        "mp15_grade_weight_confirmed",
        "mp15_grade_weight_on_time",
        "mp15_grade_weight_quality",
        "mp15_grade_weight_attended",
    )
    def _check_mp15_grade_weights(self):
        for settings in self:
            problem = grading.check_weights(
                {key: settings[f"mp15_grade_weight_{key}"] for key in grading.COMPONENT_KEYS}
            )
            if problem:
                raise ValidationError(_("The four grading weights are whole numbers from 0 that add up to 100."))
