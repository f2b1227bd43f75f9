"""The current state: cost per contact, hourly cost, segments, and the baseline figures by year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from roi_kit.case.schema import Case
from roi_kit.model.inputs import _Values


@dataclass(frozen=True)
class BaselineFigures:
    """The current state, per year: what the change is measured against."""

    contacts: float
    offered: float
    abandoned: float
    resolutions: float
    total_cost: float
    cost_per_contact: float
    cost_per_resolution: float
    fte: float | None
    churn_exposure: float | None  # None: not estimated (no churn, customers, value or margin given)
    abandon_exposure: float | None  # None: not estimated (no order value or margin given)
    revenue_at_risk: float | None  # the known exposures' sum; None when neither is known
    hourly_cost: float | None


@dataclass
class _Segment:
    name: str
    contacts: np.ndarray
    customers: np.ndarray
    value: np.ndarray
    churn: np.ndarray
    cpc: np.ndarray
    prefix: str  # where this segment's lever overrides live, "" for the whole unit


def _cost_per_contact(v: _Values) -> np.ndarray:
    """Given cost per contact, or (AHT + ACW)/3600 × hourly cost ÷ (occupancy × (1 − shrinkage))."""
    if v.has("baseline.cost_per_contact"):
        return v("baseline.cost_per_contact")
    handle = v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)
    return handle / 3600.0 * v("baseline.loaded_hourly_cost") / (
        v("baseline.occupancy") * (1.0 - v("baseline.shrinkage"))
    )


def _hourly_cost(v: _Values, cpc: np.ndarray) -> np.ndarray | None:
    """Loaded cost per paid agent hour: given, or implied by cost per contact and handle time."""
    if v.has("baseline.loaded_hourly_cost"):
        return v("baseline.loaded_hourly_cost")
    if not v.has("baseline.aht_seconds"):
        return None
    handle = v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)
    return cpc * 3600.0 * v("baseline.occupancy") * (1.0 - v("baseline.shrinkage")) / handle


def _segments(case: Case, v: _Values, cpc: np.ndarray) -> list[_Segment]:
    contacts = v("baseline.contacts_per_year")
    customers = v("baseline.customers", 0.0)
    value = v("baseline.annual_value_per_customer", 0.0)
    churn = v("baseline.churn_rate", 0.0)
    if not case.baseline.segments:
        return [_Segment("All contacts", contacts, customers, value, churn, cpc, "")]
    out = []
    for i, seg in enumerate(case.baseline.segments):
        p = f"baseline.segments.{i}."
        share_c = v(p + "share_of_contacts")
        share_k = v(p + "share_of_customers") if v.has(p + "share_of_customers") else share_c
        out.append(
            _Segment(
                seg.name,
                contacts * share_c,
                customers * share_k,
                v(p + "annual_value_per_customer") if v.has(p + "annual_value_per_customer") else value,
                v(p + "churn_rate") if v.has(p + "churn_rate") else churn,
                v(p + "cost_per_contact") if v.has(p + "cost_per_contact") else cpc,
                p + "levers.",
            )
        )
    return out
