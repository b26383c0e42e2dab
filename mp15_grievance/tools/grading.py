"""The monthly grading, CM Helpline 181 style: components, weights, score out of 100, grade and rank."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    """One published component: its key, its 181 counterpart and the figure of ours it reads."""

    key: str
    default_weight: int
    helpline_181: str
    figure: str


# Weights as 181 publishes them; each component reads one figure of the SLA report (a percentage).
COMPONENTS = (
    Component("confirmed", 60, "Closed with the citizen's satisfaction", "Confirmed by citizen (%)"),
    Component("on_time", 20, "Long-pending complaints satisfactorily disposed", "SLA met (%)"),
    Component("quality", 10, "Low-quality closures (counted against)", "100 − Reopened (%)"),
    Component("attended", 10, "Complaints not attended (counted against)", "Updated within 24 h (%)"),
)
COMPONENT_KEYS = tuple(component.key for component in COMPONENTS)
DEFAULT_WEIGHTS = {component.key: component.default_weight for component in COMPONENTS}
# Lowest score of each grade, best first; below the last, D.
GRADE_THRESHOLDS = (("A", 80.0), ("B", 60.0), ("C", 40.0))
LOWEST_GRADE = "D"


def components_from_figures(figures):
    """The four component percentages (None where no grievance is counted yet) from report figures.

    ``figures`` holds the report's averages: ``confirmed_by_citizen``, ``sla_compliance``, ``reopened``
    and ``first_update_on_time`` (each a percentage or None).
    """
    reopened = figures.get("reopened")
    return {
        "confirmed": figures.get("confirmed_by_citizen"),
        "on_time": figures.get("sla_compliance"),
        "quality": None if reopened is None else 100.0 - reopened,
        "attended": figures.get("first_update_on_time"),
    }


def score(components, weights):
    """Σ weight × percentage ÷ Σ weight over the components that apply, rounded to 2 places; None if none does.

    A component without any grievance counted (nobody closed yet, say) is left out and the others
    carry its weight, rather than counting as 0 or as full marks.
    """
    applicable = [(weights.get(key, 0), value) for key, value in components.items() if value is not None]
    total_weight = sum(weight for weight, _value in applicable)
    if not applicable or total_weight <= 0:
        return None
    return round(sum(weight * value for weight, value in applicable) / total_weight, 2)


def grade(value):
    """A for 80 and above, B for 60, C for 40, D below; None for an ungraded row."""
    if value is None:
        return None
    for letter, lowest in GRADE_THRESHOLDS:
        if value >= lowest:
            return letter
    return LOWEST_GRADE


def ranks(scores):
    """Competition ranks (1, 2, 2, 4) for a list of scores, best first; None scores get no rank."""
    ordered = sorted((value for value in scores if value is not None), reverse=True)
    return [None if value is None else ordered.index(value) + 1 for value in scores]


def formula(components, weights):
    """The computation as a reader can redo it: ``(60×85.0 + 20×90.0 + 10×n/a …) ÷ 90 = 86.67``."""
    parts = []
    for key in COMPONENT_KEYS:
        value = components.get(key)
        shown = "n/a" if value is None else f"{value:.1f}"
        parts.append(f"{weights.get(key, 0)}×{shown}")
    result = score(components, weights)
    divisor = sum(weights.get(key, 0) for key in COMPONENT_KEYS if components.get(key) is not None)
    return f"({' + '.join(parts)}) ÷ {divisor} = {'—' if result is None else f'{result:.2f}'}"


def check_weights(weights):
    """An error text for weights that cannot make a score out of 100, else None."""
    if any(weights.get(key, 0) < 0 for key in COMPONENT_KEYS):
        return "negative"
    if sum(weights.get(key, 0) for key in COMPONENT_KEYS) != 100:
        return "sum"
    return None
