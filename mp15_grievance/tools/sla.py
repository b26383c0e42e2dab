"""SLA arithmetic: hours, deadlines and the state of the clock. Wall-clock hours, 24x7."""

from datetime import timedelta

DEFAULT_SLA_HOURS = 24
EMERGENCY_SLA_HOURS = 4
DEFAULT_AT_RISK_RATIO = 0.75

OPEN_SLA_STATES = ("on_track", "at_risk", "breached")


def sla_hours(category_hours, department_hours, is_emergency):
    """The category's hours, else the department's, else 24 (4 for an emergency)."""
    if category_hours and category_hours > 0:
        return category_hours
    if is_emergency:
        return EMERGENCY_SLA_HOURS
    if department_hours and department_hours > 0:
        return department_hours
    return DEFAULT_SLA_HOURS


def deadline(start, hours):
    return start + timedelta(hours=hours)


def open_sla_state(start, due, now, at_risk_ratio=DEFAULT_AT_RISK_RATIO):
    """``on_track``, ``at_risk`` past ``at_risk_ratio`` of the time, ``breached`` past the deadline."""
    if now >= due:
        return "breached"
    if now >= start + (due - start) * at_risk_ratio:
        return "at_risk"
    return "on_track"


def closed_sla_state(due, resolved_at):
    """``met`` when resolved by the deadline, else ``missed``."""
    return "met" if resolved_at <= due else "missed"
