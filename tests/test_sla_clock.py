from datetime import datetime, timedelta

import pytest

from mp15_grievance.tools.sla import clock, closed_sla_state, open_sla_state, sla_hours, time_left

FILED = datetime(2026, 6, 1, 4, 30)


@pytest.mark.parametrize(
    ("category", "department", "emergency", "hours"),
    [
        (12, 48, False, 12),
        (0, 48, False, 48),
        (0, 48, True, 4),
        (6, 48, True, 6),
        (0, 0, False, 24),
        (None, None, False, 24),
    ],
)
def test_hours_from_category_then_emergency_then_department_then_24(category, department, emergency, hours):
    assert sla_hours(category, department, emergency) == hours


def test_clock_of_a_24_hour_sla():
    at_risk, due, escalate = clock(FILED, 24)
    assert (at_risk, due, escalate) == (
        datetime(2026, 6, 1, 22, 30),  # 18 h: 75 %
        datetime(2026, 6, 2, 4, 30),
        datetime(2026, 6, 3, 4, 30),
    )
    assert clock(FILED, 24, at_risk_ratio=0.5)[0] == datetime(2026, 6, 1, 16, 30)


def test_state_of_an_open_clock():
    at_risk, due, _escalate = clock(FILED, 24)
    assert open_sla_state(datetime(2026, 6, 1, 22, 29), at_risk, due) == "on_track"
    assert open_sla_state(at_risk, at_risk, due) == "at_risk"
    assert open_sla_state(due, at_risk, due) == "breached"


def test_outcome_at_resolution():
    due = clock(FILED, 24)[1]
    assert closed_sla_state(due, due) == "met"
    assert closed_sla_state(due, datetime(2026, 6, 2, 4, 31)) == "missed"


def test_time_left_in_days_hours_and_minutes():
    now = datetime(2026, 12, 6, 10, 0)
    assert time_left(now + timedelta(hours=3, minutes=20, seconds=59), now) == (False, 0, 3, 20)
    assert time_left(now - timedelta(hours=5, minutes=1), now) == (True, 0, 5, 1)
    assert time_left(now + timedelta(days=2, hours=1), now) == (False, 2, 1, 0)
    assert time_left(now, now) == (False, 0, 0, 0)
