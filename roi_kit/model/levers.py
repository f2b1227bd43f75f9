"""Each lever's annual run-rate at full adoption, per segment, in the order they interact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from roi_kit.case.schema import Case
from roi_kit.errors import ModelError
from roi_kit.model import staffing
from roi_kit.model.baseline import _Segment
from roi_kit.model.inputs import _Values

INTERVAL_SECONDS = 1800.0  # Erlang C is solved for the average half-hour of the opening hours


@dataclass
class _Line:
    """One benefit line: an annual run-rate at full adoption (or explicit amounts by year)."""

    name: str
    pillar: str
    lever: str
    run_rate: np.ndarray  # (draws, 1), before risk adjustment
    volume_driven: bool
    terms: dict[str, Any] = field(default_factory=dict)  # the numbers its formula uses, by name
    by_segment: dict[str, np.ndarray] = field(default_factory=dict)
    per_year: list[float] | None = None  # explicit lines: amounts for year 1..N
    initial: float = 0.0




@dataclass
class _Flows:
    """Volumes the levers pass on to each other, per year at full adoption."""

    contacts_after_fcr: np.ndarray
    human_contacts: np.ndarray
    automated_contacts: np.ndarray
    recovered_contacts: np.ndarray
    repeat_rate_after: np.ndarray
    contained_contacts: np.ndarray
    agent_hours_saved: np.ndarray


def _lever_lines(case: Case, v: _Values, base: dict[str, Any]) -> tuple[list[_Line], _Flows]:
    """Each lever's annual run-rate at full adoption, computed per segment and summed.

    deflection   C₁·d·((1 − l)·c_human − c_ai), on contacts left after first-contact resolution
    handle time  staffed: Δ scheduled agents (Erlang C) × hours open × hourly cost;
                 linear: human contacts × Δs/3600 ÷ (occupancy × (1 − shrinkage)) × hourly cost
    FCR          (C − C·(1 − r)/(1 − r'))·c_contact
    abandonment  offered·(a − a')·(conversion × order × margin − c_contact)
    retention    customers × (churn − churn') × value × margin
    upsell       C × eligible × lift × value × margin
    attrition    agents × (attrition − attrition') × cost per hire
    risk         Σ (p_before − p_after) × impact
    """
    lv = case.levers
    margin = v("baseline.gross_margin", 1.0)
    r = v("baseline.repeat_rate", 0.0)
    a = v("baseline.abandon_rate", 0.0)
    segs: list[_Segment] = base["segments"]
    zero = np.zeros((v.draws, 1))

    def lever(seg: _Segment, path: str) -> np.ndarray:
        """A lever input, the segment's override when it gives one."""
        if seg.prefix and v.has(seg.prefix + path):
            return v(seg.prefix + path)
        return v("levers." + path)

    lines: list[_Line] = []
    fcr_rows, defl_rows, aband_rows, ret_rows, up_rows = {}, {}, {}, {}, {}
    c1_total = zero.copy()
    automated = zero.copy()
    contained = zero.copy()
    recovered_total = zero.copy()
    r_after = r
    for seg in segs:
        c = seg.contacts
        c1 = c
        if lv.first_contact_resolution:
            r_after = lever(seg, "first_contact_resolution.repeat_rate_after")
            c1 = c * (1.0 - r) / (1.0 - r_after)
            fcr_rows[seg.name] = (c - c1) * seg.cpc
        c1_total = c1_total + c1
        if lv.deflection:
            d = lever(seg, "deflection.rate")
            leak = lever(seg, "deflection.leakage")
            c_ai = lever(seg, "deflection.automated_cost")
            has_human = v.has("levers.deflection.human_cost") or v.has(seg.prefix + "deflection.human_cost")
            c_h = lever(seg, "deflection.human_cost") if has_human else seg.cpc
            defl_rows[seg.name] = c1 * d * ((1.0 - leak) * c_h - c_ai)
            automated = automated + c1 * d
            contained = contained + c1 * d * (1.0 - leak)
        if lv.abandonment:
            a_after = lever(seg, "abandonment.abandon_rate_after")
            offered = c / (1.0 - a)
            recovered = offered * (a - a_after)
            conv = lever(seg, "abandonment.conversion_rate")
            order = lever(seg, "abandonment.average_order")
            aband_rows[seg.name] = recovered * (conv * order * margin - seg.cpc)
            recovered_total = recovered_total + recovered
        if lv.retention:
            if not v.has("baseline.churn_rate") or not v.has("baseline.customers"):
                raise ModelError(
                    f"{case.unit}: levers.retention needs baseline.customers, baseline.churn_rate "
                    "and baseline.annual_value_per_customer"
                )
            reduction = v("baseline.churn_rate") - v("levers.retention.churn_rate_after")
            if seg.prefix and v.has(seg.prefix + "retention.churn_rate_after"):
                reduction = seg.churn - v(seg.prefix + "retention.churn_rate_after")
            ret_rows[seg.name] = seg.customers * reduction * seg.value * margin
        if lv.upsell:
            up_rows[seg.name] = (
                c
                * lever(seg, "upsell.eligible_share")
                * lever(seg, "upsell.conversion_lift")
                * lever(seg, "upsell.average_value")
                * margin
            )
    human = c1_total - contained

    def add(name: str, pillar: str, key: str, rows: dict[str, np.ndarray], volume: bool, **terms: Any) -> None:
        total = sum(rows.values(), zero)
        lines.append(_Line(name, pillar, key, total, volume, terms, by_segment=rows))

    C = v("baseline.contacts_per_year")
    cpc = base["cpc"]
    if lv.first_contact_resolution:
        ra = v("levers.first_contact_resolution.repeat_rate_after")
        add("First-contact resolution", "cost_savings", "first_contact_resolution", fcr_rows, True,
            contacts=C, repeat_rate=r, repeat_rate_after=ra, cost_per_contact=cpc)
    if lv.deflection:
        add("AI self-service deflection", "cost_savings", "deflection", defl_rows, True,
            contacts=c1_total, rate=v("levers.deflection.rate"), leakage=v("levers.deflection.leakage"),
            cost_per_contact=cpc, automated_cost=v("levers.deflection.automated_cost"))
    hours_saved = zero
    if lv.handle_time:
        line, hours_saved = _handle_time_line(case, v, base, human)
        lines.append(line)
    if lv.abandonment:
        add("Recovered abandoned contacts", "revenue_protected", "abandonment", aband_rows, True,
            contacts=C, abandon_rate=a, abandon_rate_after=v("levers.abandonment.abandon_rate_after"),
            conversion_rate=v("levers.abandonment.conversion_rate"),
            average_order=v("levers.abandonment.average_order"), margin=margin, cost_per_contact=cpc)
    if lv.retention:
        add("Customers retained", "revenue_protected", "retention", ret_rows, False,
            customers=v("baseline.customers", 0), churn_rate=v("baseline.churn_rate", 0),
            churn_rate_after=v("levers.retention.churn_rate_after"),
            value=v("baseline.annual_value_per_customer", 0), margin=margin)
    if lv.upsell:
        add("Upsell and cross-sell", "revenue_generated", "upsell", up_rows, True,
            contacts=C, eligible_share=v("levers.upsell.eligible_share"),
            conversion_lift=v("levers.upsell.conversion_lift"),
            average_value=v("levers.upsell.average_value"), margin=margin)
    if lv.agent_attrition:
        agents = base["agents"]
        if agents is None or not v.has("baseline.agent_attrition"):
            raise ModelError(
                f"{case.unit}: levers.agent_attrition needs baseline.agent_attrition and "
                "baseline.agents (or aht_seconds to derive them)"
            )
        drop = v("baseline.agent_attrition") - v("levers.agent_attrition.attrition_after")
        amount = agents * drop * v("levers.agent_attrition.cost_per_hire")
        lines.append(_Line("Lower agent attrition", "cost_savings", "agent_attrition", amount, False,
                           {"agents": agents, "attrition": v("baseline.agent_attrition"),
                            "attrition_after": v("levers.agent_attrition.attrition_after"),
                            "cost_per_hire": v("levers.agent_attrition.cost_per_hire")}))
    for i, event in enumerate(lv.risk):
        p = f"levers.risk.{i}."
        amount = (v(p + "probability_before") - v(p + "probability_after")) * v(p + "impact")
        lines.append(_Line(event.name, "risk_avoided", "risk", amount, False,
                           {"probability_before": v(p + "probability_before"),
                            "probability_after": v(p + "probability_after"), "impact": v(p + "impact")}))
    for i, benefit in enumerate(case.benefits):
        per_year, run = _by_year(benefit.per_year, v, f"benefits.{i}.per_year")
        lines.append(_Line(benefit.name, benefit.pillar, "custom", run, False,
                           per_year=per_year, initial=float(benefit.initial)))
    flows = _Flows(c1_total, human, automated, recovered_total, r_after, contained, hours_saved)
    return lines, flows


def _handle_time_line(case: Case, v: _Values, base: dict[str, Any], human: np.ndarray) -> tuple[_Line, np.ndarray]:
    """Handle-time savings: hours released, and the cash they are worth.

    Hours released = human contacts × Δs / 3600 (seconds to hours). Staffed basis: Erlang C finds
    the agents the average half-hour needs at the service-level target before and after, each
    divided by (1 − shrinkage) to scheduled agents; savings = Δ scheduled × hours open × hourly
    cost. Linear basis: every released hour, grossed up by 1 ÷ (occupancy × (1 − shrinkage)) to
    paid hours, at the hourly cost.
    """
    if not v.has("baseline.aht_seconds"):
        raise ModelError(f"{case.unit}: levers.handle_time needs baseline.aht_seconds")
    hourly = base["hourly"]
    handle = v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)
    saved = np.minimum(v("levers.handle_time.seconds_saved"), handle - 1.0)
    hours = human * saved / 3600.0
    shrink = v("baseline.shrinkage")
    if case.levers.handle_time.basis == "linear":
        amount = hours / (v("baseline.occupancy") * (1.0 - shrink)) * hourly
        terms = {"basis": "linear", "contacts": human, "seconds_saved": saved, "hours": hours,
                 "occupancy": v("baseline.occupancy"), "shrinkage": shrink, "hourly_cost": hourly}
        return _Line("Agent-assist handle time", "cost_savings", "handle_time", amount, True, terms), hours
    open_hours = v("baseline.hours_open_per_year")
    calls = human / open_hours * (INTERVAL_SECONDS / 3600.0)
    target = float(case.baseline.service_level.target)
    within = float(case.baseline.service_level.answer_within_seconds)
    before = _agents(calls, handle, target, within)
    after = _agents(calls, handle - saved, target, within)
    delta_scheduled = (before - after) / (1.0 - shrink)
    amount = delta_scheduled * open_hours * hourly
    terms = {"basis": "staffed", "hours": hours, "target": target, "within": within, "agents_before": before,
             "agents_after": after, "shrinkage": shrink, "scheduled_agents_saved": delta_scheduled,
             "hours_open": open_hours, "hourly_cost": hourly}
    return _Line("Agent-assist handle time", "cost_savings", "handle_time", amount, True, terms), hours


def _agents(calls: np.ndarray, aht: np.ndarray, target: float, within: float) -> np.ndarray:
    """Agents the average interval needs (Erlang C): scalar search for one draw, vectorised for many."""
    calls_b, aht_b = np.broadcast_arrays(calls, aht)
    if calls_b.size == 1:
        need = staffing.agents_for(float(calls_b.ravel()[0]), float(aht_b.ravel()[0]), INTERVAL_SECONDS, target, within)
        return np.full(np.shape(calls_b), float(need.agents))
    need = staffing.agents_needed(calls_b.ravel(), aht_b.ravel(), INTERVAL_SECONDS, target, within)
    return np.asarray(need, dtype=float).reshape(calls_b.shape)


def _by_year(entered: Any, v: _Values, path: str) -> tuple[list[float] | None, np.ndarray | float]:
    """Explicit amounts as (amounts by year, run-rate): a list is year 1, 2, … and its last year
    is the run-rate; one amount is the same every year (a draw may vary it) and gives no list."""
    if isinstance(entered, list):
        per_year = [float(x) for x in entered]
        return per_year, per_year[-1] if per_year else 0.0
    return None, v(path)
