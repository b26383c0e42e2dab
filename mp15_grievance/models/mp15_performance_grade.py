"""The monthly grading (CM Helpline 181 style): one kept row per department and per officer and month."""

from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from ..tools import grading
from .mp15_grievance import CORPORATION_TZ

GRADES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]
WEIGHT_PARAMETERS = {key: f"mp15_grievance.grade_weight_{key}" for key in grading.COMPONENT_KEYS}
GRADING_DAY_PARAMETER = "mp15_grievance.grading_day"
# The 8th: by then the month's last grievances are past their deadline, their 24-hour update and the
# citizen's 7-day feedback window, so the month is graded on settled figures and then kept.
DEFAULT_GRADING_DAY = 8


class Mp15PerformanceGrade(models.Model):
    """Written once for a month by the grading (the scheduled action on the grading day, the 8th by default,
    or the commissioner's button once the month is over), never again and never by the grievances' later
    moves: the month's published grades stay as published."""

    _name = "mp15.performance.grade"
    _description = "Monthly Grade"
    _order = "month desc, scope, rank, id"
    _rec_name = "month"

    month = fields.Date(required=True, readonly=True, index=True, help="The first day of the graded month.")
    scope = fields.Selection(
        [("department", "Department"), ("officer", "Officer")], required=True, readonly=True, index=True
    )
    department_id = fields.Many2one("mp15.department", readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Officer", readonly=True, index=True, ondelete="cascade")
    grievance_count = fields.Integer(string="Grievances filed", readonly=True)
    confirmed_percent = fields.Float(string="Confirmed by citizen (%)", readonly=True, digits=(5, 1))
    on_time_percent = fields.Float(string="SLA met (%)", readonly=True, digits=(5, 1))
    quality_percent = fields.Float(string="Not reopened (%)", readonly=True, digits=(5, 1))
    attended_percent = fields.Float(string="Updated within 24 h (%)", readonly=True, digits=(5, 1))
    score = fields.Float(readonly=True, digits=(5, 2), aggregator="avg", help="Out of 100.")
    grade = fields.Selection(GRADES, readonly=True, help="A from 80, B from 60, C from 40, D below.")
    rank = fields.Integer(readonly=True, help="Among the departments (or the officers) graded that month.")
    formula = fields.Char(
        readonly=True,
        help="The score as computed: each component's weight times its percentage, divided by the weights "
        "that applied (n/a: no grievance counted for it yet).",
    )
    date_computed = fields.Datetime(string="Graded on", readonly=True)

    # Two servers' scheduled actions, or one and the commissioner's wizard, grading the same month at once:
    # each checked "not graded yet" in its own snapshot; the second to commit is refused here.
    _sql_constraints = [
        (
            "graded_once",
            "UNIQUE NULLS NOT DISTINCT (month, scope, department_id, user_id)",
            "This month is already graded: its published grades stay as published.",
        )
    ]

    # ------------------------------------------------------------------ grading

    @api.model
    def _weights(self):
        """The weights in Settings (181's by default)."""
        parameters = self.env["ir.config_parameter"].sudo()
        weights = {}
        for key, parameter in WEIGHT_PARAMETERS.items():
            try:
                weights[key] = int(parameters.get_param(parameter) or grading.DEFAULT_WEIGHTS[key])
            except ValueError:
                weights[key] = grading.DEFAULT_WEIGHTS[key]
        return weights

    @api.model
    def _grading_day(self):
        """The day of the month on which last month is graded (Settings, 1 to 28; the 8th by default)."""
        day = self.env["mp15.grievance"]._setting("grading_day", DEFAULT_GRADING_DAY)
        return day if 1 <= day <= 28 else DEFAULT_GRADING_DAY

    @api.model
    def _month_bounds(self, month):
        """The first day of ``month`` and [start, end) of it in Sagar, as naive UTC datetimes."""
        first = month.replace(day=1)
        tz = pytz.timezone(CORPORATION_TZ)

        def utc(day):
            return tz.localize(datetime.combine(day, time(0))).astimezone(pytz.utc).replace(tzinfo=None)

        return first, utc(first), utc(first + relativedelta(months=1))

    @api.model
    def _last_month(self):
        today = self.env["mp15.grievance"]._local_date()
        return today.replace(day=1) - relativedelta(months=1)

    @api.model
    def _check_gradable(self, month):
        """A month is graded once, after it has ended: never on partial figures, never rewritten."""
        first = month.replace(day=1)
        label = format_date(self.env, first, date_format="MMMM y")
        if first > self._last_month():
            raise UserError(_("%(month)s has not ended yet: a month is graded once it is over.", month=label))
        if self.sudo().search_count([("month", "=", first)], limit=1):
            raise UserError(_("%(month)s is already graded: its published grades stay as published.", month=label))

    @api.model
    def _grade_month(self, month):
        """Grade ``month`` (a date in it, over and not yet graded) as the system; the new rows.

        Callers check who asks: the scheduled action, or the commissioner through the compute wizard.
        Departments and officers are graded by who answered for each grievance (the figures' ``accountable``
        grouping): a breach stays with whoever was responsible at the deadline, whatever moves after.
        """
        self._check_gradable(month)
        first, start, end = self._month_bounds(month)
        grades = self.sudo()
        weights = self._weights()
        Figures = self.env["mp15.performance.figures"]
        now = fields.Datetime.now()
        vals_list = []
        for scope, groupby in (("department", ("department_id",)), ("officer", ("department_id", "user_id"))):
            rows = []
            for key, figures in Figures._figures(start, end, groupby, accountable=True).items():
                if not key[0] or (scope == "officer" and not key[1]):
                    continue  # not yet routed, or not yet assigned: nobody to grade
                components = grading.components_from_figures(figures)
                score = grading.score(components, weights)
                rows.append(
                    {
                        "month": first,
                        "scope": scope,
                        "department_id": key[0],
                        "user_id": key[1] if scope == "officer" else False,
                        "grievance_count": figures["filed"],
                        "confirmed_percent": components["confirmed"] or 0.0,
                        "on_time_percent": components["on_time"] or 0.0,
                        "quality_percent": components["quality"] or 0.0,
                        "attended_percent": components["attended"] or 0.0,
                        "score": score or 0.0,
                        "grade": grading.grade(score),
                        "formula": grading.formula(components, weights),
                        "date_computed": now,
                        "_score": score,
                    }
                )
            for row, rank in zip(rows, grading.ranks([row["_score"] for row in rows]), strict=True):
                row["rank"] = rank or 0
                del row["_score"]
            vals_list.extend(rows)
        return grades.create(vals_list)

    @api.model
    def _cron_grade_last_month(self):
        """Daily: grade last month once, on the grading day (or the first run after it), never again."""
        if self.env["mp15.grievance"]._local_date().day < self._grading_day():
            return
        month = self._last_month()
        if not self.sudo().search_count([("month", "=", month)], limit=1):
            self._grade_month(month)

    @api.model
    def _published(self):
        """The latest graded month's department rows, as the public page shows them (as the system)."""
        latest = self.sudo().search([("scope", "=", "department")], order="month desc", limit=1)
        if not latest:
            return self.browse()
        return self.sudo().search([("scope", "=", "department"), ("month", "=", latest.month)], order="rank, id")


class Mp15PerformanceGradeCompute(models.TransientModel):
    """The commissioner grades a month on demand, with the same code as the scheduled action."""

    _name = "mp15.performance.grade.compute"
    _description = "Grade a Month"

    def _default_month(self):
        return self.env["mp15.performance.grade"]._last_month()

    month = fields.Date(
        required=True,
        default=_default_month,
        help="Any day of the month to grade: a month that is over and not yet graded.",
    )

    def action_compute(self):
        self.ensure_one()
        if not self.env.user.has_group("mp15_grievance.group_manager"):
            raise AccessError(_("Only the commissioner may grade a month."))
        first = self.env["mp15.performance.grade"]._grade_month(self.month)[:1].month or self.month.replace(day=1)
        action = self.env["ir.actions.act_window"]._for_xml_id("mp15_grievance.mp15_performance_grade_action")
        action["domain"] = [("month", "=", fields.Date.to_string(first))]
        return action
