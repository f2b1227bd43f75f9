"""From a case to cash flows and a result: the model's one computation.

The computation is written once, over numpy arrays with a leading *draw* axis: a deterministic
evaluation is one draw, a Monte Carlo run or a sensitivity sweep is many draws of the same
formulas (``roi_kit.uncertainty``). The case fixes the structure (which levers, which cost lines,
the horizon); :func:`flatten` turns its numbers into a mapping of dotted paths, and any of those
may be replaced by an array of draws.

Conventions (each one is also printed in the report's methodology appendix):

* Monthly grain over ``timeline.horizon_months``; month 0 is the TEI "Initial" period and holds
  one-time costs only. Lever benefits are annual run-rates at full adoption, spread evenly over the
  months and scaled by adoption (linear, or the smoothstep S-curve 3x² − 2x³, reaching 1 at
  ``ramp_months``) and, for volume-driven levers, by volume growth stepped per year:
  volume in year y = contacts × (1 + growth)^(y − 1).
* Levers interact in this order so nothing is counted twice: first-contact resolution shrinks the
  contacts (issues stay the same: C' = C·(1 − r)/(1 − r')); deflection applies to those; handle
  time applies to the contacts still handled by agents; abandonment adds recovered contacts.
* Risk adjustment (TEI): each benefit pillar is cut by its haircut, every cost raised by the
  uplift. Every figure of the result is risk-adjusted unless a column says otherwise.
* Discounting: ``annual`` discounts each month's flow at the end of its year,
  1/(1 + rate)^year (TEI); ``monthly`` discounts month m by 1/(1 + rate)^(m/12). Month 0 is not
  discounted.
* Payback is simple payback on the undiscounted monthly net flow, interpolated within the month.
* IRR is computed on the annual net flows (Initial, Year 1 … Year N).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from roi_kit import finance, staffing
from roi_kit.case import PILLAR_LABELS, PILLARS, SCENARIOS, Case
from roi_kit.errors import ModelError

INTERVAL_SECONDS = 1800.0  # Erlang C is solved for the average half-hour of the opening hours

Params = Mapping[str, Any]


# --------------------------------------------------------------------------------------------
# Flattening a case into numbers
# --------------------------------------------------------------------------------------------


def flatten(case: Case) -> dict[str, float]:
    """Every numeric input of ``case`` by dotted path (lists by index), the model's only inputs.

    >>> from roi_kit.case import load_case, EXAMPLE
    >>> flatten(load_case(EXAMPLE))["levers.deflection.rate"]
    0.1
    """
    return case.memo("flat", lambda: _flatten(case)).copy()


def _flatten(case: Case) -> dict[str, float]:
    out: dict[str, float] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, f"{prefix}{key}.")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{prefix}{i}.")
        elif isinstance(node, int | float) and not isinstance(node, bool):
            out[prefix[:-1]] = float(node)

    walk(case.model_dump(mode="python", exclude={"scenarios", "measurement_plan", "sources"}), "")
    return out


class _Values:
    """Reads inputs by path as arrays shaped (draws, 1), so they broadcast over months."""

    def __init__(self, params: Params, draws: int):
        self.params = params
        self.draws = draws
        self._seen: dict[str, np.ndarray] = {}

    def __call__(self, path: str, default: float | None = None) -> np.ndarray | float:
        """A drawn input as a (draws, 1) array; a fixed one as a plain float (it broadcasts)."""
        value = self.params.get(path, default)
        if value is None:
            raise ModelError(f"{path} is needed by the model but the case does not give it")
        if isinstance(value, np.ndarray) and value.ndim:
            seen = self._seen.get(path)
            if seen is None:
                seen = self._seen[path] = value.astype(float, copy=False).reshape(-1, 1)
            return seen
        return float(value)

    def has(self, path: str) -> bool:
        return self.params.get(path) is not None


# --------------------------------------------------------------------------------------------
# Baseline
# --------------------------------------------------------------------------------------------


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
    churn_exposure: float
    abandon_exposure: float
    revenue_at_risk: float
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


# --------------------------------------------------------------------------------------------
# Levers
# --------------------------------------------------------------------------------------------


@dataclass
class _Line:
    """One benefit line: an annual run-rate at full adoption (or explicit amounts by year)."""

    name: str
    pillar: str
    lever: str
    run_rate: np.ndarray  # (draws, 1), before risk adjustment
    volume_driven: bool
    formula: str = ""
    by_segment: dict[str, np.ndarray] = field(default_factory=dict)
    per_year: list[float] | None = None  # explicit lines: amounts for year 1..N
    initial: float = 0.0


def _money(x: np.ndarray | float, currency: str) -> str:
    value = float(np.asarray(x).ravel()[0])
    sign = "−" if value < 0 else ""
    return f"{sign}{currency} {abs(value):,.2f}"


def _num(x: np.ndarray | float) -> str:
    return f"{float(np.asarray(x).ravel()[0]):,.0f}"


def _pct(x: np.ndarray | float) -> str:
    return f"{float(np.asarray(x).ravel()[0]):.2%}"


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
    cur = case.currency
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

    def add(name: str, pillar: str, key: str, rows: dict[str, np.ndarray], volume: bool, formula: str) -> None:
        total = sum(rows.values(), zero)
        lines.append(_Line(name, pillar, key, total, volume, formula, by_segment=rows))

    C = v("baseline.contacts_per_year")
    cpc = base["cpc"]
    several = f" (summed over {len(segs)} segments)" if len(segs) > 1 else ""
    if lv.first_contact_resolution:
        ra = v("levers.first_contact_resolution.repeat_rate_after")
        add("First-contact resolution", "cost_savings", "first_contact_resolution", fcr_rows, True,
            f"({_num(C)} − {_num(C)} × (1 − {_pct(r)}) ÷ (1 − {_pct(ra)})) contacts avoided × "
            f"{_money(cpc, cur)} per contact{several}")
    if lv.deflection:
        add("AI self-service deflection", "cost_savings", "deflection", defl_rows, True,
            f"{_num(c1_total)} contacts × {_pct(v('levers.deflection.rate'))} deflected × "
            f"((1 − {_pct(v('levers.deflection.leakage'))} leakage) × {_money(cpc, cur)} − "
            f"{_money(v('levers.deflection.automated_cost'), cur)} automated){several}")
    hours_saved = zero
    if lv.handle_time:
        line, hours_saved = _handle_time_line(case, v, base, human)
        lines.append(line)
    if lv.abandonment:
        add("Recovered abandoned contacts", "revenue_protected", "abandonment", aband_rows, True,
            f"{_num(C)} ÷ (1 − {_pct(a)}) offered × ({_pct(a)} − "
            f"{_pct(v('levers.abandonment.abandon_rate_after'))}) recovered × "
            f"({_pct(v('levers.abandonment.conversion_rate'))} × "
            f"{_money(v('levers.abandonment.average_order'), cur)} × {_pct(margin)} margin − "
            f"{_money(cpc, cur)} handling){several}")
    if lv.retention:
        add("Customers retained", "revenue_protected", "retention", ret_rows, False,
            f"{_num(v('baseline.customers', 0))} customers × ({_pct(v('baseline.churn_rate', 0))} − "
            f"{_pct(v('levers.retention.churn_rate_after'))}) churn × "
            f"{_money(v('baseline.annual_value_per_customer', 0), cur)} a year × {_pct(margin)} margin{several}")
    if lv.upsell:
        add("Upsell and cross-sell", "revenue_generated", "upsell", up_rows, True,
            f"{_num(C)} contacts × {_pct(v('levers.upsell.eligible_share'))} eligible × "
            f"{_pct(v('levers.upsell.conversion_lift'))} conversion lift × "
            f"{_money(v('levers.upsell.average_value'), cur)} × {_pct(margin)} margin{several}")
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
                           f"{_num(agents)} agents × ({_pct(v('baseline.agent_attrition'))} − "
                           f"{_pct(v('levers.agent_attrition.attrition_after'))}) attrition × "
                           f"{_money(v('levers.agent_attrition.cost_per_hire'), cur)} per hire"))
    for i, event in enumerate(lv.risk):
        p = f"levers.risk.{i}."
        amount = (v(p + "probability_before") - v(p + "probability_after")) * v(p + "impact")
        lines.append(_Line(event.name, "risk_avoided", "risk", amount, False,
                           f"({_pct(v(p + 'probability_before'))} − {_pct(v(p + 'probability_after'))}) "
                           f"annual probability × {_money(v(p + 'impact'), cur)} impact"))
    for i, benefit in enumerate(case.benefits):
        per_year, run = _by_year(benefit.per_year, v, f"benefits.{i}.per_year")
        lines.append(_Line(benefit.name, benefit.pillar, "custom", run, False,
                           "explicit amounts by year, as entered",
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
    cur = case.currency
    if not v.has("baseline.aht_seconds"):
        raise ModelError(f"{case.unit}: levers.handle_time needs baseline.aht_seconds")
    hourly = base["hourly"]
    handle = v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)
    saved = np.minimum(v("levers.handle_time.seconds_saved"), handle - 1.0)
    hours = human * saved / 3600.0
    shrink = v("baseline.shrinkage")
    if case.levers.handle_time.basis == "linear":
        amount = hours / (v("baseline.occupancy") * (1.0 - shrink)) * hourly
        formula = (f"{_num(human)} agent contacts × {_num(saved)} s ÷ 3600 = {_num(hours)} hours released ÷ "
                   f"({_pct(v('baseline.occupancy'))} occupancy × (1 − {_pct(shrink)} shrinkage)) × "
                   f"{_money(hourly, cur)} per paid hour (linear)")
        return _Line("Agent-assist handle time", "cost_savings", "handle_time", amount, True, formula), hours
    open_hours = v("baseline.hours_open_per_year")
    calls = human / open_hours * (INTERVAL_SECONDS / 3600.0)
    target = float(case.baseline.service_level.target)
    within = float(case.baseline.service_level.answer_within_seconds)
    before = _agents(calls, handle, target, within)
    after = _agents(calls, handle - saved, target, within)
    delta_scheduled = (before - after) / (1.0 - shrink)
    amount = delta_scheduled * open_hours * hourly
    formula = (f"{_num(hours)} hours released; Erlang C at {target:.0%} in {within:g} s needs "
               f"{_num(before)} → {_num(after)} agents per half-hour, ÷ (1 − {_pct(shrink)} shrinkage) = "
               f"{_scalar(delta_scheduled):,.1f} scheduled agents × {_num(open_hours)} hours open × "
               f"{_money(hourly, cur)} per hour (staffed)")
    return _Line("Agent-assist handle time", "cost_savings", "handle_time", amount, True, formula), hours


def _agents(calls: np.ndarray, aht: np.ndarray, target: float, within: float) -> np.ndarray:
    """Agents the average interval needs (Erlang C): scalar search for one draw, vectorised for many."""
    calls_b, aht_b = np.broadcast_arrays(calls, aht)
    if calls_b.size == 1:
        need = staffing.agents_for(float(calls_b.ravel()[0]), float(aht_b.ravel()[0]), INTERVAL_SECONDS, target, within)
        return np.full(np.shape(calls_b), float(need.agents))
    need = staffing.agents_needed(calls_b.ravel(), aht_b.ravel(), INTERVAL_SECONDS, target, within)
    return np.asarray(need, dtype=float).reshape(calls_b.shape)


# --------------------------------------------------------------------------------------------
# Time: adoption, growth, discounting
# --------------------------------------------------------------------------------------------


def adoption_curve(months: np.ndarray, ramp_months: np.ndarray, shape: str) -> np.ndarray:
    """Share of full effect reached in each month: linear m/R, or smoothstep 3x² − 2x³ of x = m/R.

    >>> adoption_curve(np.arange(0, 7), np.array([[6.0]]), "linear").round(3).tolist()
    [[0.0, 0.167, 0.333, 0.5, 0.667, 0.833, 1.0]]
    """
    ramp = np.asarray(ramp_months, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.where(ramp > 0, months / np.where(ramp > 0, ramp, 1.0), 1.0)
    x = np.clip(x, 0.0, 1.0)
    x = np.where(months == 0, 0.0, x)
    return x if shape == "linear" else x * x * (3.0 - 2.0 * x)


@lru_cache(maxsize=32)
def _years(horizon: int) -> np.ndarray:
    """Year of each month 0..horizon (0 for the Initial month), computed once per horizon."""
    months = np.arange(horizon + 1)
    years = np.where(months == 0, 0, (months - 1) // 12 + 1)
    years.flags.writeable = False
    return years


def _rows(x: np.ndarray | float, draws: int, horizon: int) -> np.ndarray:
    """``x`` as a (draws, months) array: a view, not a copy."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1 and draws == 1:
        return x[None, :]
    return np.broadcast_to(x, (draws, horizon + 1))


# --------------------------------------------------------------------------------------------
# The computation
# --------------------------------------------------------------------------------------------


@dataclass
class _Core:
    months: np.ndarray
    adoption: np.ndarray
    volume: np.ndarray
    pillar_flows: dict[str, np.ndarray]  # risk-adjusted, (draws, H+1)
    one_time: np.ndarray
    recurring: np.ndarray
    discount: np.ndarray
    lines: list[_Line]
    flows: _Flows
    base: dict[str, Any]
    cost_lines: list[tuple[str, str, np.ndarray]]  # name, kind, raw monthly (draws, H+1)
    haircuts: dict[str, np.ndarray]
    uplift: np.ndarray
    run_rate_cost: np.ndarray


def compute(case: Case, params: Params | None = None, draws: int = 1) -> _Core:
    """Run the model over ``draws`` sets of inputs (``params`` arrays replace the case's numbers)."""
    v = _Values(params if params is not None else flatten(case), draws)
    H = case.timeline.horizon_months
    months = np.arange(H + 1)
    years = _years(H)

    cpc = _cost_per_contact(v)
    segs = _segments(case, v, cpc)
    hourly = _hourly_cost(v, cpc)
    if v.has("baseline.agents"):
        agents = v("baseline.agents")
    elif v.has("baseline.aht_seconds"):
        handle = v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)
        agents = (v("baseline.contacts_per_year") * handle / 3600.0
                  / (v("baseline.occupancy") * (1.0 - v("baseline.shrinkage")))
                  / v("baseline.paid_hours_per_fte"))
    else:
        agents = None
    base = {"cpc": cpc, "segments": segs, "hourly": hourly, "agents": agents}
    lines, flows = _lever_lines(case, v, base)

    ramp = v("timeline.ramp_months")
    adoption = adoption_curve(months, ramp, case.timeline.ramp_shape)
    growth = v("baseline.volume_growth", 0.0)
    volume = np.where(months == 0, 0.0, (1.0 + growth) ** np.maximum(years - 1, 0))

    haircuts = {p: v(f"risk_adjustment.benefits.{p}", 0.0) for p in PILLARS}
    uplift = v("risk_adjustment.costs", 0.0)
    pillar_flows = {p: np.zeros((draws, H + 1)) for p in PILLARS}
    for line in lines:
        if line.lever == "custom":
            monthly = _explicit_monthly(line.per_year, line.run_rate, line.initial, years, draws)
        else:
            monthly = line.run_rate / 12.0 * adoption * (volume if line.volume_driven else (months > 0))
        pillar_flows[line.pillar] = pillar_flows[line.pillar] + monthly * (1.0 - haircuts[line.pillar])

    cost_lines: list[tuple[str, str, np.ndarray]] = []
    run_rate_cost = np.zeros((draws, 1))
    for i, item in enumerate(case.costs.one_time):
        p = f"costs.one_time.{i}."
        amount = v(p + "amount") if item.amount is not None else v(p + "hours") * v(p + "hourly_cost")
        monthly = np.where(months == min(item.month, H), 1.0, 0.0) * amount
        cost_lines.append((item.name, "one_time", _rows(monthly, draws, H)))
    automated_monthly = flows.automated_contacts / 12.0 * adoption * volume
    for i, item in enumerate(case.costs.recurring):
        p = f"costs.recurring.{i}."
        active = months >= item.start_month
        if item.per_automated_contact is not None:
            monthly = automated_monthly * v(p + "per_automated_contact") * active
            steady = flows.automated_contacts * v(p + "per_automated_contact")
        else:
            if item.per_year is not None:
                per_month = v(p + "per_year") / 12.0
            elif item.per_month is not None:
                per_month = v(p + "per_month")
            else:
                per_month = v(p + "per_seat_per_month") * v(p + "seats")
            monthly = per_month * active
            steady = per_month * 12.0
        run_rate_cost = run_rate_cost + steady
        cost_lines.append((item.name, "recurring", _rows(monthly, draws, H)))
    for i, item in enumerate(case.costs.custom):
        p = f"costs.custom.{i}."
        per_year, steady = _by_year(item.per_year, v, p + "per_year")
        monthly = _explicit_monthly(per_year, steady, 0.0, years, draws)
        monthly = monthly + np.where(months == 0, 1.0, 0.0) * v(p + "initial", 0.0)
        run_rate_cost = run_rate_cost + steady
        cost_lines.append((item.name, "custom", _rows(monthly, draws, H)))

    # month 0 is the Initial investment whatever the line's kind; later months run the programme
    initial = months == 0
    all_costs = sum((m for _, _, m in cost_lines), np.zeros((draws, H + 1))) * (1.0 + uplift)
    one_time_later = sum((m for _, k, m in cost_lines if k == "one_time"), np.zeros((draws, H + 1)))
    one_time = np.where(initial, all_costs, one_time_later * (1.0 + uplift))
    recurring = all_costs - one_time

    rate = v("timeline.discount_rate")
    if case.timeline.discounting == "monthly":
        discount = (1.0 + rate) ** (-months / 12.0)
    else:
        discount = (1.0 + rate) ** (-years.astype(float))
    adoption, volume, discount = (_rows(x, draws, H) for x in (adoption, volume, discount))
    return _Core(months, adoption, volume, pillar_flows, one_time, recurring, discount, lines, flows,
                 base, cost_lines, haircuts, uplift, run_rate_cost * (1.0 + uplift))


def _by_year(entered: Any, v: _Values, path: str) -> tuple[list[float] | None, np.ndarray | float]:
    """Explicit amounts as (amounts by year, run-rate): a list is year 1, 2, … and its last year
    is the run-rate; one amount is the same every year (a draw may vary it) and gives no list."""
    if isinstance(entered, list):
        per_year = [float(x) for x in entered]
        return per_year, per_year[-1] if per_year else 0.0
    return None, v(path)


def _explicit_monthly(per_year: list[float] | None, run: np.ndarray | float, initial: float,
                      years: np.ndarray, draws: int) -> np.ndarray:
    """Amounts by year (else ``run`` every year) spread evenly over each year's months (no ramp, no growth)."""
    if per_year is not None:
        table = np.array([0.0, *per_year, *([0.0] * max(0, int(years.max()) - len(per_year)))])
        monthly = np.broadcast_to(table[years] / 12.0, (draws, years.size)).copy()
    else:
        monthly = np.where(years > 0, 1.0, 0.0) * run / 12.0
        monthly = np.broadcast_to(monthly, (draws, years.size)).copy()
    monthly[:, 0] += initial
    return monthly


def headline(core: _Core) -> dict[str, np.ndarray]:
    """NPV, PVs, ROI and payback for every draw (vectorised)."""
    benefits = sum(core.pillar_flows.values())
    costs = core.one_time + core.recurring
    net = benefits - costs
    pv_b = (benefits * core.discount).sum(axis=1)
    pv_c = (costs * core.discount).sum(axis=1)
    npv = pv_b - pv_c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        roi = np.where(pv_c > 0, npv / pv_c, np.nan)
    return {"npv": npv, "pv_benefits": pv_b, "pv_costs": pv_c, "roi": roi,
            "payback_months": finance.payback_many(net), "net": net, "benefits": benefits, "costs": costs}


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaterfallItem:
    label: str
    pillar: str
    amount: float
    measure: str  # "relative" or "total"


@dataclass(frozen=True)
class Result:
    """A case evaluated under one scenario: immutable, with tables built on first use."""

    case: Case
    scenario: str
    summary: Mapping[str, Any]
    baseline: BaselineFigures
    pillars: Mapping[str, float]
    what_if_stopped: Mapping[str, float]
    notes: tuple[str, ...]
    _core: _Core = field(repr=False, compare=False)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        c = self._core
        data: dict[str, Any] = {
            "month": c.months,
            "year": _years(len(c.months) - 1),
            "adoption": c.adoption[0],
            "volume_factor": c.volume[0],
        }
        for p in PILLARS:
            data[p] = c.pillar_flows[p][0]
        benefits = sum(c.pillar_flows[p][0] for p in PILLARS)
        costs = c.one_time[0] + c.recurring[0]
        net = benefits - costs
        before = self.baseline.total_cost / 12.0 * c.volume[0]
        discount = c.discount[0]
        data.update(
            benefits=benefits,
            costs_one_time=c.one_time[0],
            costs_recurring=c.recurring[0],
            costs=costs,
            net=net,
            cumulative_net=np.cumsum(net),
            discount_factor=discount,
            pv_benefits=benefits * discount,
            pv_costs=costs * discount,
            pv_net=net * discount,
            cumulative_pv_net=np.cumsum(net * discount),
            operating_cost_before=before,
            operating_cost_after=before - c.pillar_flows["cost_savings"][0] + c.recurring[0],
        )
        frame = pd.DataFrame(data)
        frame.index.name = "period"
        return frame

    @cached_property
    def annual(self) -> pd.DataFrame:
        m = self.monthly
        cols = ["costs", "benefits", "net", *PILLARS]
        grouped = m.groupby("year")[cols].sum()
        labels = ["Initial", *[f"Year {y}" for y in grouped.index[1:]]]
        table = grouped.set_axis(labels)
        if 0 not in grouped.index:  # pragma: no cover - month 0 always exists
            raise ModelError("monthly table lacks month 0")
        total = table.sum()
        pv = (m[cols].mul(m["discount_factor"], axis=0)).sum()
        table.loc["Total"] = total
        table.loc["Present value"] = pv
        table.index.name = "period"
        return table

    @cached_property
    def lines(self) -> pd.DataFrame:
        rows = []
        for line in self._core.lines:
            haircut = _scalar(self._core.haircuts[line.pillar])
            run = _scalar(line.run_rate)
            rows.append({"name": line.name, "pillar": line.pillar, "lever": line.lever, "run_rate": run,
                         "haircut": haircut, "run_rate_adjusted": run * (1.0 - haircut),
                         "formula": line.formula})
        return pd.DataFrame(rows, columns=["name", "pillar", "lever", "run_rate", "haircut",
                                           "run_rate_adjusted", "formula"])

    @cached_property
    def cost_lines(self) -> pd.DataFrame:
        years = _years(len(self._core.months) - 1)
        n = int(years.max())
        rows = []
        for name, kind, monthly in self._core.cost_lines:
            row: dict[str, Any] = {"name": name, "kind": kind, "initial": float(monthly[0, 0])}
            for y in range(1, n + 1):
                row[f"Year {y}"] = float(monthly[0, years == y].sum())
            row["total"] = float(monthly[0].sum())
            rows.append(row)
        return pd.DataFrame(rows, columns=["name", "kind", "initial", *[f"Year {y}" for y in range(1, n + 1)], "total"])

    @cached_property
    def segments(self) -> pd.DataFrame:
        """Run-rate benefit by segment and pillar (risk-adjusted); empty without segments."""
        if not self.case.baseline.segments:
            return pd.DataFrame(columns=["segment", *PILLARS, "total"])
        names = [s.name for s in self.case.baseline.segments]
        shares = {s.name: s.share_of_contacts for s in self.case.baseline.segments}
        table = {name: dict.fromkeys(PILLARS, 0.0) for name in names}
        for line in self._core.lines:
            cut = 1.0 - _scalar(self._core.haircuts[line.pillar])
            if line.by_segment:
                for name, amount in line.by_segment.items():
                    table[name][line.pillar] += _scalar(amount) * cut
            else:  # unit-wide lines are shared by contact share
                for name in names:
                    table[name][line.pillar] += _scalar(line.run_rate) * cut * shares[name]
        frame = pd.DataFrame([{"segment": n, **table[n]} for n in names])
        frame["total"] = frame[list(PILLARS)].sum(axis=1)
        return frame

    @cached_property
    def waterfall(self) -> tuple[WaterfallItem, ...]:
        m = self.monthly
        items = [WaterfallItem(PILLAR_LABELS[p], p, float((m[p] * m["discount_factor"]).sum()), "relative")
                 for p in PILLARS]
        items.append(WaterfallItem("Investment", "investment", -float(self.summary["pv_costs"]), "relative"))
        items.append(WaterfallItem("Net present value", "net", float(self.summary["npv"]), "total"))
        return tuple(items)


def _scalar(x: Any) -> float:
    return float(np.asarray(x).ravel()[0])


def _none_if_nan(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def build_result(case: Case, scenario: str, core: _Core) -> Result:
    """Turn a one-draw computation into a :class:`Result` with its summary."""
    head = headline(core)
    base = core.base
    C = case.baseline.contacts_per_year
    b = case.baseline
    segs = base["segments"]
    total_cost = float(sum(_scalar(s.contacts * s.cpc) for s in segs))
    cpc = total_cost / C
    a = b.abandon_rate
    offered = C / (1.0 - a)
    abandoned = C * a / (1.0 - a)
    resolutions = C * (1.0 - b.repeat_rate)
    margin = b.gross_margin
    churn_exposure = float(sum(_scalar(s.customers * s.churn * s.value) for s in segs)) * margin
    ab = case.levers.abandonment
    abandon_exposure = abandoned * ab.conversion_rate * ab.average_order * margin if ab else 0.0
    agents = base["agents"]
    baseline = BaselineFigures(
        contacts=C, offered=offered, abandoned=abandoned, resolutions=resolutions, total_cost=total_cost,
        cost_per_contact=cpc, cost_per_resolution=total_cost / resolutions if resolutions else math.nan,
        fte=None if agents is None else _scalar(agents), churn_exposure=churn_exposure,
        abandon_exposure=abandon_exposure, revenue_at_risk=churn_exposure + abandon_exposure,
        hourly_cost=None if base["hourly"] is None else _scalar(base["hourly"]),
    )
    pillars = dict.fromkeys(PILLARS, 0.0)
    for line in core.lines:
        pillars[line.pillar] += _scalar(line.run_rate) * (1.0 - _scalar(core.haircuts[line.pillar]))
    run_rate_benefit = sum(pillars.values())
    run_rate_cost = _scalar(core.run_rate_cost)

    flows = core.flows
    contacts_after = _scalar(flows.contacts_after_fcr + flows.recovered_contacts)
    r_after = _scalar(flows.repeat_rate_after)
    op_after = total_cost - pillars["cost_savings"] + run_rate_cost
    net, benefits, costs = head["net"][0], head["benefits"][0], head["costs"][0]
    total_benefits, total_costs = float(benefits.sum()), float(costs.sum())
    annual_net = np.bincount(_years(len(core.months) - 1), weights=net)
    summary = {
        "npv": float(head["npv"][0]),
        "roi": _none_if_nan(float(head["roi"][0])),
        "simple_roi": (total_benefits - total_costs) / total_costs if total_costs > 0 else None,
        "irr": finance.irr(annual_net),
        "payback_months": _none_if_nan(float(head["payback_months"][0])),
        "pv_benefits": float(head["pv_benefits"][0]),
        "pv_costs": float(head["pv_costs"][0]),
        "total_benefits": total_benefits,
        "total_costs": total_costs,
        "initial_investment": float(costs[0]),
        "run_rate_benefit": run_rate_benefit,
        "run_rate_cost": run_rate_cost,
        "run_rate_net_benefit": run_rate_benefit - run_rate_cost,
        "cost_per_contact_before": cpc,
        "cost_per_contact_after": op_after / contacts_after if contacts_after else None,
        "cost_per_resolution_before": baseline.cost_per_resolution,
        "cost_per_resolution_after": op_after / (contacts_after * (1.0 - r_after)) if contacts_after else None,
        "horizon_months": case.timeline.horizon_months,
        "discount_rate": case.timeline.discount_rate,
    }
    handle = (b.aht_seconds or 0.0) + b.acw_seconds
    back = _scalar(flows.contained_contacts) + (C - _scalar(flows.contacts_after_fcr))
    stopped = {
        "value_lost_per_year": run_rate_benefit - run_rate_cost,
        "contacts_back_to_agents": back,
        "agent_hours_back": back * handle / 3600.0 + _scalar(flows.agent_hours_saved),
    }
    return Result(case, scenario, summary, baseline, pillars, stopped, _notes(case, core), core)


def _notes(case: Case, core: _Core) -> tuple[str, ...]:
    notes = [
        f"Monthly model over {case.timeline.horizon_months} months; adoption ramps "
        f"{case.timeline.ramp_shape} to full effect in {case.timeline.ramp_months:g} months.",
        "Discounting: " + (
            f"end-of-year at {case.timeline.discount_rate:.1%} (TEI convention); Initial undiscounted."
            if case.timeline.discounting == "annual"
            else f"monthly at {case.timeline.discount_rate:.1%} a year."
        ),
        "Payback: first month the cumulative undiscounted net turns non-negative, interpolated.",
    ]
    if case.levers.handle_time:
        notes.append(
            "Handle-time savings count only scheduled agents no longer needed (Erlang C at the "
            "service-level target)." if case.levers.handle_time.basis == "staffed"
            else "Handle-time savings count every released hour (linear basis): an upper bound."
        )
    if case.baseline.cost_per_contact is not None and case.baseline.loaded_hourly_cost is not None:
        notes.append("The given cost per contact is used; the labour fields price handle time only.")
    haircuts = case.risk_adjustment.benefits
    if any(getattr(haircuts, p) for p in PILLARS) or case.risk_adjustment.costs:
        notes.append("Risk-adjusted: benefits cut by " + ", ".join(
            f"{PILLAR_LABELS[p].lower()} {getattr(haircuts, p):.0%}" for p in PILLARS
        ) + f"; costs raised by {case.risk_adjustment.costs:.0%}.")
    return tuple(notes)


def evaluate(case: Case, scenario: str = "expected") -> Result:
    """Evaluate ``case`` under ``scenario`` (conservative, expected or optimistic).

    >>> from roi_kit.case import load_case, EXAMPLE
    >>> r = evaluate(load_case(EXAMPLE))
    >>> round(r.summary["cost_per_contact_before"], 2)
    4.8
    """
    scenario_case = case.scenario_case(scenario)
    return build_result(scenario_case, scenario, compute(scenario_case))


def evaluate_scenarios(case: Case) -> dict[str, Result]:
    """The case under each scenario, in the order conservative, expected, optimistic."""
    return {name: evaluate(case, name) for name in SCENARIOS}
