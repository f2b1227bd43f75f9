"""Each lever's annual run-rate at full adoption, per segment, in the order they interact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from roi_kit.case.schema import Case
from roi_kit.errors import ModelError
from roi_kit.model import staffing
from roi_kit.model.baseline import _Segment
from roi_kit.model.inputs import _Values

INTERVAL_SECONDS = 1800.0  # Erlang C is solved for each open half-hour of the week


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
    # lines that are not run-rate × adoption × volume: monthly amounts from (adoption, years)
    monthly: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None


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
    agents_after: Any = None  # agents still needed after the levers (None: no agents known)
    workload_after: Any = 1.0  # agent workload after the levers ÷ today's


def _lever_lines(case: Case, v: _Values, base: dict[str, Any]) -> tuple[list[_Line], _Flows]:
    """Each lever's annual run-rate at full adoption, computed per segment and summed.

    Each lever acts on what the levers before it leave, in this order:

    FCR          (C − C·(1 − r)/(1 − r'))·c_contact; leaves C₁ = C·(1 − r)/(1 − r') contacts
    deflection   C₁·d·((1 − l)·c_human − c_ai); leaves human contacts H = C₁ − C₁·d·(1 − l)
    handle time  staffed: Σ over years and open half-hours of Erlang C agents before − after on H,
                 × ½ h × weeks ÷ (1 − shrinkage) × hourly cost, capped at the linear figure;
                 linear: H × Δs/3600 ÷ (occupancy × (1 − shrinkage)) × hourly cost
    abandonment  offered·(a − a')·(conversion × order × margin − c_contact); adds recovered R
    retention    cohorts: customers × (churn − churn') kept each year, carried forward at the
                 baseline churn, × value × margin (run-rate: one year's cohort for a full year)
    upsell       (H + R) × eligible × lift × value × margin
    attrition    agents after × (attrition − attrition') × cost per hire, where agents after =
                 agents × workload after ÷ workload today (workload = agent contacts × handle time)
    risk         Σ (p_before − p_after) × impact
    """
    lv = case.levers
    margin = v("baseline.gross_margin", 1.0)
    r = v("baseline.repeat_rate", 0.0)
    a = v("baseline.abandon_rate", 0.0)
    segs: list[_Segment] = base["segments"]
    zero = np.zeros((v.draws, 1))
    handle = (v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)) if v.has("baseline.aht_seconds") else None

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
    resolved_after = zero.copy()  # Σ C₁·(1 − r'): the repeat rate after, weighted by segment
    human_saved = zero.copy()  # Σ H·Δs: seconds saved, weighted by each segment's human contacts
    cohorts: list[tuple[Any, Any, Any, Any]] = []
    for seg in segs:
        c = seg.contacts
        c1 = c
        r_seg_after = r
        if lv.first_contact_resolution:
            r_seg_after = lever(seg, "first_contact_resolution.repeat_rate_after")
            c1 = c * (1.0 - r) / (1.0 - r_seg_after)
            fcr_rows[seg.name] = (c - c1) * seg.cpc
        c1_total = c1_total + c1
        resolved_after = resolved_after + c1 * (1.0 - r_seg_after)
        human_seg = c1
        if lv.deflection:
            d = lever(seg, "deflection.rate")
            leak = lever(seg, "deflection.leakage")
            c_ai = lever(seg, "deflection.automated_cost")
            has_human = v.has("levers.deflection.human_cost") or v.has(seg.prefix + "deflection.human_cost")
            c_h = lever(seg, "deflection.human_cost") if has_human else seg.cpc
            defl_rows[seg.name] = c1 * d * ((1.0 - leak) * c_h - c_ai)
            automated = automated + c1 * d
            contained = contained + c1 * d * (1.0 - leak)
            human_seg = c1 - c1 * d * (1.0 - leak)
        if lv.handle_time and handle is not None:
            human_saved = human_saved + human_seg * np.minimum(lever(seg, "handle_time.seconds_saved"), handle - 1.0)
        recovered = 0.0
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
            # the unit's churn reduction applies to every segment, unless the segment gives its own rate after
            reduction = v("baseline.churn_rate") - v("levers.retention.churn_rate_after")
            if seg.prefix and v.has(seg.prefix + "retention.churn_rate_after"):
                reduction = seg.churn - v(seg.prefix + "retention.churn_rate_after")
            churn_after = seg.churn - reduction
            ret_rows[seg.name] = seg.customers * reduction * seg.value * margin
            cohorts.append((seg.customers, seg.churn, churn_after, seg.value * margin))
        if lv.upsell:
            up_rows[seg.name] = (
                (human_seg + recovered)
                * lever(seg, "upsell.eligible_share")
                * lever(seg, "upsell.conversion_lift")
                * lever(seg, "upsell.average_value")
                * margin
            )
    human = c1_total - contained
    with np.errstate(divide="ignore", invalid="ignore"):
        r_after = np.where(c1_total > 0, 1.0 - resolved_after / np.where(c1_total > 0, c1_total, 1.0), r)
        saved = np.where(human > 0, human_saved / np.where(human > 0, human, 1.0), 0.0)

    def add(name: str, pillar: str, key: str, rows: dict[str, np.ndarray], volume: bool, **terms: Any) -> _Line:
        total = sum(rows.values(), zero)
        line = _Line(name, pillar, key, total, volume, terms, by_segment=rows)
        lines.append(line)
        return line

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
        line, hours_saved = _handle_time_line(case, v, base, human, saved)
        lines.append(line)
    if lv.abandonment:
        add("Recovered abandoned contacts", "revenue_protected", "abandonment", aband_rows, True,
            contacts=C, abandon_rate=a, abandon_rate_after=v("levers.abandonment.abandon_rate_after"),
            conversion_rate=v("levers.abandonment.conversion_rate"),
            average_order=v("levers.abandonment.average_order"), margin=margin, cost_per_contact=cpc)
    if lv.retention:
        timing = lv.retention.timing
        line = add("Customers retained", "revenue_protected", "retention", ret_rows, False,
                   customers=v("baseline.customers", 0), churn_rate=v("baseline.churn_rate", 0),
                   churn_rate_after=v("levers.retention.churn_rate_after"),
                   value=v("baseline.annual_value_per_customer", 0), margin=margin, timing=timing)
        line.monthly = _retention_monthly(cohorts, 0.5 if timing == "mid_year" else 0.0)
    workload = 1.0
    if handle is not None:
        workload = (human * (handle - human_saved / np.where(human > 0, human, 1.0)) + recovered_total * handle) / (C * handle)
    elif lv.deflection or lv.first_contact_resolution or lv.abandonment:
        workload = (human + recovered_total) / C
    agents_after = None if base["agents"] is None else base["agents"] * workload
    if lv.upsell:
        add("Upsell and cross-sell", "revenue_generated", "upsell", up_rows, True,
            contacts=human + recovered_total, eligible_share=v("levers.upsell.eligible_share"),
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
        amount = agents_after * drop * v("levers.agent_attrition.cost_per_hire")
        lines.append(_Line("Lower agent attrition", "cost_savings", "agent_attrition", amount, False,
                           {"agents": agents_after, "agents_today": agents, "workload": workload,
                            "attrition": v("baseline.agent_attrition"),
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
    flows = _Flows(c1_total, human, automated, recovered_total, r_after, contained, hours_saved,
                   agents_after, workload)
    return lines, flows


def _year_means(adoption: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Mean of each row over each year's months: (draws, years + 1), column 0 the Initial month."""
    adoption = np.atleast_2d(adoption)
    n = int(years.max())
    starts = np.arange(n) * 12  # months 1.. are columns 1..; year y starts at column 12·(y − 1) + 1
    sums = np.add.reduceat(adoption[:, 1:], starts, axis=1)
    counts = np.bincount(years[1:], minlength=n + 1)[1:]
    return np.concatenate([np.zeros((adoption.shape[0], 1)), sums / counts], axis=1)


def _retention_monthly(cohorts: list[tuple[Any, Any, Any, Any]], t: float):
    """Retention as cohorts, per segment: N·(c − c')·ā_y customers kept in year y (ā_y the year's
    mean adoption), counted (1 − t) of that year (t = ½ mid-year, 0 start of year); the kept stock
    S carries into later years and keeps churning at the baseline rate c: it counts
    S·(1 − c + c·t) of a year, and S_{y+1} = S_y·(1 − c) + kept_y. Each customer-year is worth
    value × margin. The new cohort's part follows adoption month by month; the stock's is even."""

    def monthly(adoption: np.ndarray, years: np.ndarray) -> np.ndarray:
        adoption = np.atleast_2d(adoption)
        means = _year_means(adoption, years)
        n = means.shape[1] - 1
        new: Any = 0.0  # value of the year's new cohort at full adoption, per year
        stock_columns: list[Any] = [0.0] * (n + 1)  # value of the carried stock, by year
        for customers, churn, churn_after, worth in cohorts:
            kept_rate = customers * (churn - churn_after)  # customers kept per year at full adoption
            new = new + kept_rate * worth * (1.0 - t)
            stock: Any = 0.0
            for y in range(1, n + 1):
                stock_columns[y] = stock_columns[y] + stock * (1.0 - churn + churn * t) * worth
                stock = stock * (1.0 - churn) + kept_rate * means[:, y:y + 1]
        rows = max(np.shape(c)[0] if np.ndim(c) else 1 for c in [*stock_columns, new, adoption])
        table = np.concatenate([np.broadcast_to(np.reshape(c, (-1, 1)), (rows, 1)) for c in stock_columns], axis=1)
        out = np.asarray(new, dtype=float) / 12.0 * adoption + (table / 12.0)[:, years]
        if out.shape != (rows, years.size):
            out = np.array(np.broadcast_to(out, (rows, years.size)))
        out[:, 0] = 0.0
        return out

    return monthly


def _handle_time_line(case: Case, v: _Values, base: dict[str, Any], human: np.ndarray,
                      saved: np.ndarray) -> tuple[_Line, np.ndarray]:
    """Handle-time savings: hours released, and the cash they are worth.

    Hours released = human contacts × Δs / 3600 (seconds to hours), Δs the seconds saved weighted
    by each segment's human contacts. Linear basis: every released hour, grossed up by
    1 ÷ (occupancy × (1 − shrinkage)) to paid hours, at the hourly cost. Staffed basis, for each
    year's volume (contacts × (1 + growth)^(y − 1)) and each open half-hour of the week (its
    share of the week's contacts from the interval profile): Erlang C agents at the service-level
    target before and after; Σ agents × ½ h × 365/7 weeks ÷ (1 − shrinkage) = paid agent-hours a
    year; savings = the hours no longer needed × hourly cost, never above the linear figure.
    """
    if not v.has("baseline.aht_seconds"):
        raise ModelError(f"{case.unit}: levers.handle_time needs baseline.aht_seconds")
    hourly = base["hourly"]
    handle = v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)
    hours = human * saved / 3600.0
    shrink = v("baseline.shrinkage")
    occupancy = v("baseline.occupancy")
    if case.levers.handle_time.basis == "linear":
        amount = hours / (occupancy * (1.0 - shrink)) * hourly
        terms = {"basis": "linear", "contacts": human, "seconds_saved": saved, "hours": hours,
                 "occupancy": occupancy, "shrinkage": shrink, "hourly_cost": hourly}
        return _Line("Agent-assist handle time", "cost_savings", "handle_time", amount, True, terms), hours
    n_years = math.ceil(case.timeline.horizon_months / 12)
    growth = v("baseline.volume_growth", 0.0)
    factor = (1.0 + growth) ** np.arange(n_years, dtype=float)  # (years,) or (draws, years)
    human_y = np.broadcast_to(human * factor, (v.draws, n_years))
    iv = _intervals(case)
    target = float(case.baseline.service_level.target)
    within = float(case.baseline.service_level.answer_within_seconds)
    per_week = human_y / staffing.WEEKS_PER_YEAR
    half_hours_before = staffing.weekly_agent_intervals(per_week, handle, iv, target, within)
    half_hours_after = staffing.weekly_agent_intervals(per_week, handle - saved, iv, target, within)
    paid = 0.5 * staffing.WEEKS_PER_YEAR / (1.0 - shrink)  # agent on one half-hour a week → paid hours a year
    staffed = (half_hours_before - half_hours_after) * paid * hourly
    linear = human_y * saved / 3600.0 / (occupancy * (1.0 - shrink)) * hourly
    amount_y = np.minimum(staffed, linear)
    fte = v("baseline.paid_hours_per_fte")
    table = np.concatenate([np.zeros((v.draws, 1)), amount_y], axis=1)
    terms = {"basis": "staffed", "hours": hours, "target": target, "within": within, "shrinkage": shrink,
             "hourly_cost": hourly, "seconds_saved": saved, "contacts": human,
             "agents_before": half_hours_before * paid / fte, "agents_after": half_hours_after * paid / fte,
             "staffed": staffed, "linear": linear, "capped": staffed > linear,
             "open_hours_per_week": iv.open_hours_per_week, "custom_profile": case.baseline.interval_profile is not None}
    line = _Line("Agent-assist handle time", "cost_savings", "handle_time", amount_y[:, :1], True, terms)
    table = table / 12.0
    line.monthly = lambda adoption, years: table[:, years] * adoption
    return line, hours


def _intervals(case: Case) -> staffing.Intervals:
    """The week's open half-hours and their shares: the case's profile, else the default one."""
    def make() -> staffing.Intervals:
        profile = case.baseline.interval_profile
        if profile is None:
            profile = staffing.default_profile(case.baseline.hours_open_per_year)
        return staffing.Intervals.of(profile)

    return case.memo("intervals", make)


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
