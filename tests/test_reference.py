"""Grievance references as citizens type them, read with the sequence's own prefix."""

import pytest

from mp15_grievance.tools.reference import find_reference, reference_code


@pytest.mark.parametrize(
    "typed",
    ["MP15-2026-000123", "mp15 2026 123", "status of MP15-2026-123?", "MP152026000123", "MP15/2026/123"],
)
def test_a_typed_reference_is_written_out_in_full(typed):
    assert find_reference(typed) == "MP15-2026-000123"


def test_no_reference_in_plain_text():
    assert find_reference("पानी नहीं आ रहा है, वार्ड 12") is None
    assert find_reference("") is None


def test_the_prefix_comes_from_the_sequence():
    assert reference_code("MP15-%(range_year)s-") == "MP15"
    assert reference_code("SMC/%(range_year)s/") == "SMC"
    assert find_reference("smc 2027 7", "SMC/%(range_year)s/", padding=5) == "SMC/2027/00007"
    assert find_reference("MP15-2026-000123", "SMC/%(range_year)s/") is None
