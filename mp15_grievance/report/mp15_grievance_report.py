"""SLA Performance and Staff Workload: one row per grievance with the figures of the promise (an SQL view)."""

from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.mp15_grievance import SLA_STATES
from ..models.mp15_grievance_stage import STAGE_STATES


class Mp15GrievanceReport(models.Model):
    """One row per grievance with the promise figures, NULL where a figure does not apply yet.

    A view, so that averages are over the grievances a figure applies to: an open grievance is not
    counted as 0 % on time, it is not counted at all. Every grievance filed is in it, rejected and
    archived ones included: what staff do to a grievance afterwards does not take it out of the figures.
    """

    _name = "mp15.grievance.report"
    _description = "Grievance SLA Report"
    _auto = False
    _order = "date_filed desc"
    _rec_name = "name"
    _depends = {
        "mp15.grievance": [
            "name",
            "date_filed",
            "department_id",
            "ward_id",
            "category_id",
            "user_id",
            "state",
            "is_open",
            "sla_state",
            "channel",
            "date_resolved",
            "sla_deadline",
            "date_first_update",
            "closure",
            "reopen_count",
            "verification_state",
            "sla_breach_department_id",
            "sla_breach_user_id",
        ],
    }

    grievance_id = fields.Many2one("mp15.grievance", readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    date_filed = fields.Datetime(string="Filed on", readonly=True)
    department_id = fields.Many2one("mp15.department", readonly=True)
    ward_id = fields.Many2one("mp15.ward", readonly=True)
    category_id = fields.Many2one("mp15.grievance.category", readonly=True)
    user_id = fields.Many2one("res.users", string="Officer", readonly=True)
    accountable_department_id = fields.Many2one(
        "mp15.department",
        string="Accountable department",
        readonly=True,
        help="The department responsible when the deadline passed, for a breached grievance; else its department.",
    )
    accountable_user_id = fields.Many2one(
        "res.users",
        string="Accountable officer",
        readonly=True,
        help="The officer responsible when the deadline passed, for a breached grievance; else its officer.",
    )
    state = fields.Selection(STAGE_STATES, string="Status", readonly=True)
    sla_state = fields.Selection(SLA_STATES, string="SLA", readonly=True)
    channel = fields.Char(readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    resolved_count = fields.Integer(string="Resolved", readonly=True)
    on_time_count = fields.Integer(string="Resolved on time", readonly=True)
    breached_count = fields.Integer(string="Breached", readonly=True)
    overdue_count = fields.Integer(string="Overdue", readonly=True, help="Open and past the deadline.")
    sla_compliance = fields.Float(
        string="SLA met (%)",
        readonly=True,
        aggregator="avg",
        help="Grievances resolved by their deadline, out of those resolved or already past their deadline: an "
        "open grievance counts as missed once its deadline has passed, and so does one rejected after it.",
    )
    first_update_on_time = fields.Float(
        string="Updated within 24 h (%)",
        readonly=True,
        aggregator="avg",
        help="Grievances whose citizen heard from us within 24 hours (counted once 24 hours have passed or "
        "an update was sent).",
    )
    confirmed_by_citizen = fields.Float(
        string="Confirmed by citizen (%)",
        readonly=True,
        aggregator="avg",
        help="Closed grievances whose citizen said the problem is solved; closures by staff, rejections and "
        "closures after the citizen's silence count against it.",
    )
    reopened = fields.Float(
        string="Reopened (%)", readonly=True, aggregator="avg", help="Grievances the citizen reopened at least once."
    )
    verified_not_fixed_count = fields.Integer(
        string="Not fixed on verification",
        readonly=True,
        help="Resolutions a verification call found not fixed, counted against the officer who resolved them.",
    )
    resolution_hours = fields.Float(string="Hours to resolve", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %s AS (
                    SELECT g.id, g.id AS grievance_id, g.name, g.date_filed, g.department_id, g.ward_id,
                           g.category_id, g.user_id, g.state, g.sla_state, g.channel,
                           COALESCE(g.sla_breach_department_id, g.department_id) AS accountable_department_id,
                           CASE WHEN g.sla_breach_department_id IS NOT NULL OR g.sla_breach_user_id IS NOT NULL
                                THEN g.sla_breach_user_id ELSE g.user_id END AS accountable_user_id,
                           g.is_open::int AS open_count,
                           (g.date_resolved IS NOT NULL)::int AS resolved_count,
                           (g.date_resolved IS NOT NULL AND g.date_resolved <= g.sla_deadline)::int AS on_time_count,
                           (g.sla_state IN ('breached', 'missed'))::int AS breached_count,
                           (g.is_open AND g.sla_deadline < now() at time zone 'UTC')::int AS overdue_count,
                           CASE WHEN g.date_resolved IS NOT NULL
                                THEN CASE WHEN g.date_resolved <= g.sla_deadline THEN 100.0 ELSE 0.0 END
                                WHEN g.is_open AND g.sla_deadline < now() at time zone 'UTC' THEN 0.0
                                WHEN g.state = 'rejected' AND g.sla_state = 'missed' THEN 0.0
                                ELSE NULL END AS sla_compliance,
                           CASE WHEN g.date_first_update IS NOT NULL
                                     AND g.date_first_update <= g.date_filed + interval '24 hours' THEN 100.0
                                WHEN g.date_first_update IS NOT NULL
                                     OR now() at time zone 'UTC' > g.date_filed + interval '24 hours' THEN 0.0
                                ELSE NULL END AS first_update_on_time,
                           CASE WHEN g.state = 'rejected' THEN 0.0
                                WHEN g.closure IS NULL THEN NULL
                                WHEN g.closure = 'citizen' THEN 100.0 ELSE 0.0 END AS confirmed_by_citizen,
                           CASE WHEN COALESCE(g.reopen_count, 0) > 0 THEN 100.0 ELSE 0.0 END AS reopened,
                           (g.verification_state = 'not_fixed')::int AS verified_not_fixed_count,
                           EXTRACT(EPOCH FROM g.date_resolved - g.date_filed) / 3600.0 AS resolution_hours
                      FROM mp15_grievance g
                )
                """,
                SQL.identifier(self._table),
            )
        )
