"""What each measurable input means for tracking: the lever it drives, its value before the change,
which way is good, and its unit (:data:`roi_kit.case.schema.MEASURABLE` lists the paths)."""

from __future__ import annotations

from dataclasses import dataclass

from roi_kit.case.schema import MEASURABLE, Case


@dataclass(frozen=True)
class Measure:
    path: str
    lever: str | None  # the lever whose effect it reports; None for contact volume
    before: str | None  # the baseline input it improves on ("after" values); None: the effect starts at 0
    higher_is_better: bool
    unit: str  # "rate", "seconds", "contacts/year", "contacts/month"


MEASURES: dict[str, Measure] = {m.path: m for m in (
    Measure("levers.deflection.rate", "deflection", None, True, "rate"),
    Measure("levers.handle_time.seconds_saved", "handle_time", None, True, "seconds"),
    Measure("levers.first_contact_resolution.repeat_rate_after", "first_contact_resolution",
            "baseline.repeat_rate", False, "rate"),
    Measure("levers.abandonment.abandon_rate_after", "abandonment", "baseline.abandon_rate", False, "rate"),
    Measure("levers.retention.churn_rate_after", "retention", "baseline.churn_rate", False, "rate"),
    Measure("levers.upsell.conversion_lift", "upsell", None, True, "rate"),
    Measure("levers.agent_attrition.attrition_after", "agent_attrition", "baseline.agent_attrition", False, "rate"),
    Measure("baseline.contacts_per_year", None, None, True, "contacts/year"),
)}

#: The actuals' own metric for handled contacts in a month (benefits that scale with volume follow it).
CONTACTS = Measure("contacts", None, None, True, "contacts/month")

assert set(MEASURES) == set(MEASURABLE), "every measurable input needs its tracking meaning"


def value_at(case: Case, path: str) -> float | None:
    """The case's value of a dotted input path (``levers.deflection.rate``), None when not given."""
    node: object = case
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return float(node)  # type: ignore[arg-type]
