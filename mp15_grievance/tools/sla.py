"""SLA arithmetic: hours, deadlines and the state of the clock. Wall-clock hours, 24x7."""

from datetime import timedelta

DEFAULT_SLA_HOURS = 24
EMERGENCY_SLA_HOURS = 4
DEFAULT_AT_RISK_RATIO = 0.75
# Settings defaults (Grievances → Settings), one home for the settings page and the SLA action.
DEFAULT_PROGRESS_UPDATE_HOURS = 20  # within the 24-hour promise, inside a WhatsApp filing's window
DEFAULT_FEEDBACK_DAYS = 7  # a resolved grievance the citizen says nothing about closes itself
DEFAULT_VERIFICATION_PERCENT = 5  # of yesterday's resolutions checked with the citizen on a call

OPEN_SLA_STATES = ("on_track", "at_risk", "breached")


def sla_hours(category_hours, department_hours, is_emergency):
    """The category's hours, else 4 for an emergency, else the department's, else 24."""
    if category_hours and category_hours > 0:
        return category_hours
    if is_emergency:
        return EMERGENCY_SLA_HOURS
    if department_hours and department_hours > 0:
        return department_hours
    return DEFAULT_SLA_HOURS


def clock(start, hours, at_risk_ratio=DEFAULT_AT_RISK_RATIO):
    """(at risk from, deadline, second escalation) of an SLA of ``hours`` started at ``start``."""
    return (
        start + timedelta(hours=hours * at_risk_ratio),
        start + timedelta(hours=hours),
        start + timedelta(hours=hours * 2),
    )


def open_sla_state(now, at_risk_at, due):
    """``on_track``, ``at_risk`` from ``at_risk_at``, ``breached`` from the deadline."""
    if now >= due:
        return "breached"
    if now >= at_risk_at:
        return "at_risk"
    return "on_track"


def closed_sla_state(due, resolved_at):
    """``met`` when resolved by the deadline, else ``missed``."""
    return "met" if resolved_at <= due else "missed"


def time_left(deadline, now):
    """(overdue, days, hours, minutes) from ``now`` to ``deadline``, rounded down to the minute."""
    seconds = int((deadline - now).total_seconds())
    overdue = seconds < 0
    minutes_total = abs(seconds) // 60
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return overdue, days, hours, minutes
