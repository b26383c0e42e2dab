"""The promise figures per month, department, ward or officer: one place, read from the SLA report's definitions."""

from odoo import api, models
from odoo.tools import SQL

from .mp15_grievance import CORPORATION_TZ

# Each figure is the SLA report's own column (mp15.grievance.report), aggregated as its pivot does:
# averages over the grievances a figure applies to (NULL elsewhere), counts as sums.
FIGURES = (
    "filed",
    "resolved",
    "sla_compliance",
    "first_update_on_time",
    "confirmed_by_citizen",
    "reopened",
    "median_hours",
)
GROUP_KEYS = ("month", "department_id", "ward_id", "user_id")
ACCOUNTABLE_KEYS = {"department_id": "accountable_department_id", "user_id": "accountable_user_id"}


class Mp15PerformanceFigures(models.AbstractModel):
    """Read by the public page's snapshot and by the monthly grading alike, so a figure has one definition."""

    _name = "mp15.performance.figures"
    _description = "Grievance Performance Figures"

    @api.model
    def _figures(self, date_from, date_to, groupby=(), accountable=False):
        """``{group key tuple: {figure: value}}`` for grievances filed in [date_from, date_to) (naive UTC).

        ``groupby`` names keys of GROUP_KEYS; ``month`` is the first day of the month in Sagar (a date).
        ``accountable``: a breached grievance counts for the department and officer responsible when its
        deadline passed (set by the SLA clock), not for whoever holds it now. Figures that apply to no
        grievance of a group are None. Callers decide who may see the result: the figures are read as the system.
        """
        unknown = set(groupby) - set(GROUP_KEYS)
        if unknown:
            raise ValueError(f"Unknown figure grouping: {sorted(unknown)}")
        self.env["mp15.grievance"].flush_model()
        report = self.env["mp15.grievance.report"]
        keys = [
            SQL("date_trunc('month', timezone(%s, timezone('UTC', r.date_filed)))::date", CORPORATION_TZ)
            if key == "month"
            else SQL("r.%s", SQL.identifier(ACCOUNTABLE_KEYS.get(key, key) if accountable else key))
            for key in groupby
        ]
        select_keys = SQL(", ").join([*keys, SQL("1")]) if keys else SQL("1")
        group_by = SQL("GROUP BY %s", SQL(", ").join(keys)) if keys else SQL()
        self.env.cr.execute(
            SQL(
                """
                SELECT %(keys)s,
                       count(*),
                       sum(r.resolved_count),
                       avg(r.sla_compliance),
                       avg(r.first_update_on_time),
                       avg(r.confirmed_by_citizen),
                       avg(r.reopened),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.resolution_hours)
                  FROM %(table)s r
                 WHERE r.date_filed >= %(date_from)s AND r.date_filed < %(date_to)s
                 %(group_by)s
                """,
                keys=select_keys,
                table=SQL.identifier(report._table),
                date_from=date_from,
                date_to=date_to,
                group_by=group_by,
            )
        )
        result = {}
        for row in self.env.cr.fetchall():
            key, values = tuple(row[: len(groupby)]), row[len(groupby) + 1 :]
            figures = dict(zip(FIGURES, values, strict=True))
            for name in FIGURES[2:]:
                if figures[name] is not None:
                    figures[name] = round(float(figures[name]), 1)
            figures["resolved"] = int(figures["resolved"] or 0)
            result[key] = figures
        return result

    @api.model
    def _empty(self):
        """The figures of a group without grievances."""
        return dict.fromkeys(FIGURES) | {"filed": 0, "resolved": 0}
