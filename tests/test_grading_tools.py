"""The monthly grading's formula in tools/grading.py: weights, left-out components, grades and ranks."""

from mp15_grievance.tools import grading


def test_default_weights_are_181s():
    assert grading.DEFAULT_WEIGHTS == {"confirmed": 60, "on_time": 20, "quality": 10, "attended": 10}
    assert grading.check_weights(grading.DEFAULT_WEIGHTS) is None


def test_components_from_report_figures():
    components = grading.components_from_figures(
        {"confirmed_by_citizen": 80.0, "sla_compliance": 50.0, "reopened": 25.0, "first_update_on_time": None}
    )
    assert components == {"confirmed": 80.0, "on_time": 50.0, "quality": 75.0, "attended": None}


def test_score_weights_the_components():
    components = {"confirmed": 100.0, "on_time": 50.0, "quality": 100.0, "attended": 0.0}
    assert grading.score(components, grading.DEFAULT_WEIGHTS) == 80.0  # 60 + 10 + 10 + 0


def test_score_leaves_out_what_does_not_apply():
    components = {"confirmed": None, "on_time": 50.0, "quality": 100.0, "attended": 100.0}
    assert grading.score(components, grading.DEFAULT_WEIGHTS) == 75.0  # (10 + 10 + 10) / 40 × 100
    assert grading.score(dict.fromkeys(grading.COMPONENT_KEYS), grading.DEFAULT_WEIGHTS) is None


def test_grades():
    assert [grading.grade(v) for v in (100, 80, 79.99, 60, 40, 39.9, 0, None)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "D",
        "D",
        None,
    ]


def test_ranks_share_ties():
    assert grading.ranks([70.0, 90.0, 70.0, None, 10.0]) == [2, 1, 2, None, 4]


def test_formula_can_be_redone_by_hand():
    components = {"confirmed": 85.0, "on_time": None, "quality": 100.0, "attended": 90.0}
    assert (
        grading.formula(components, grading.DEFAULT_WEIGHTS) == "(60×85.0 + 20×n/a + 10×100.0 + 10×90.0) ÷ 80 = 87.50"
    )


def test_weights_must_add_up_to_100():
    assert grading.check_weights({"confirmed": 50, "on_time": 20, "quality": 10, "attended": 10}) == "sum"
    assert grading.check_weights({"confirmed": 110, "on_time": -10, "quality": 0, "attended": 0}) == "negative"
