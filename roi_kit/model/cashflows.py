"""Monthly cash flows over the horizon: adoption, growth, costs, risk adjustment and discounting.

Risk adjustment (TEI): a benefit line is cut by its own ``risk_adjustment`` when it carries one,
else by its pillar's haircut; a negative amount (a dis-benefit) is raised by the same share, so a
haircut never improves a case. A cost line is raised by its own ``risk_adjustment``, else by the
case's cost uplift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from roi_kit.case.schema import PILLARS, Case
from roi_kit.errors import ModelError
from roi_kit.model import finance
from roi_kit.model.baseline import _cost_per_contact, _hourly_cost, _segments
from roi_kit.model.inputs import Params, _Values, flatten
from roi_kit.model.levers import _by_year, _Flows, _lever_lines, _Line

#: The benefit levers whose line is one lever of ``case.levers`` (its ``risk_adjustment`` there).
_ONE_LINE_LEVERS = ("deflection", "handle_time", "first_contact_resolution", "abandonment", "retention",
                    "upsell", "agent_attrition")


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
    run_rate_cost: np.ndarray  # risk-adjusted, in the horizon's final year
    line_haircuts: list[np.ndarray | float]  # per benefit line (its own, else its pillar's)
    cost_uplifts: list[np.ndarray | float]  # per cost line (its own, else the case's)
    benefits_before_adjustment: np.ndarray  # (draws, H+1)
    costs_before_adjustment: np.ndarray  # (draws, H+1)
    line_flows: list[np.ndarray] = field(default_factory=list)  # per line of ``lines``: risk-adjusted monthly


def risk_adjusted(amount: np.ndarray | float, haircut: np.ndarray | float) -> np.ndarray:
    """A benefit after its haircut: cut when positive, raised (made more negative) when negative.

    >>> risk_adjusted(np.array([100.0, -100.0]), 0.25).tolist()
    [75.0, -125.0]
    """
    amount = np.asarray(amount, dtype=float)
    return amount - np.abs(amount) * haircut


def _final_year(per_year: list[float], years: int) -> float:
    """The amount of the horizon's final year: a list shorter than the horizon has ended (0)."""
    return per_year[years - 1] if len(per_year) >= years else 0.0


@dataclass(frozen=True)
class MonthlyOverrides:
    """Months the model is told instead of computing them (benefits tracking's hook into :func:`compute`).

    Each array has one value per month 0..H; ``nan`` keeps the model's own value for that month.

    * ``realised``: per lever (``deflection``, ``handle_time``, …), the share of its full effect
      realised in each month; it replaces the adoption curve for that lever's line (and, for
      deflection, for the automated contacts priced per contact).
    * ``volume``: the volume factor of each month (handled contacts ÷ the baseline's monthly contacts).
    * ``spend``: per cost line name, the amount spent in each month, final: it replaces the line's
      risk-adjusted amount (the cost uplift is for forecasts, not for money already spent).
    """

    realised: Mapping[str, np.ndarray] = field(default_factory=dict)
    volume: np.ndarray | None = None
    spend: Mapping[str, np.ndarray] = field(default_factory=dict)


def _told(model: np.ndarray, told: np.ndarray | None) -> np.ndarray:
    """The model's monthly values with the months ``told`` gives (not nan) replaced."""
    if told is None:
        return model
    told = np.asarray(told, dtype=float)
    return np.where(np.isnan(told), model, told)


def compute(case: Case, params: Params | None = None, draws: int = 1, *,
            overrides: MonthlyOverrides | None = None) -> _Core:
    """Run the model over ``draws`` sets of inputs (``params`` arrays replace the case's numbers);
    ``overrides`` replaces months of adoption, volume or spend with what happened (one draw)."""
    told = overrides or MonthlyOverrides()
    v = _Values(params if params is not None else flatten(case), draws)
    H = case.timeline.horizon_months
    months = np.arange(H + 1)
    years = _years(H)

    n_years = int(years.max())
    if case.baseline is None:  # explicit lines only: nothing is derived from a baseline
        cpc = segs = hourly = agents = None
    else:
        cpc = _cost_per_contact(v)
        segs = _segments(case, v, cpc)
        hourly = _hourly_cost(v, cpc)
    if case.baseline is None:
        agents = None
    elif v.has("baseline.agents"):
        agents = v("baseline.agents")
    elif v.has("baseline.aht_seconds"):
        handle = v("baseline.aht_seconds") + v("baseline.acw_seconds", 0.0)
        agents = (v("baseline.contacts_per_year") * handle / 3600.0
                  / (v("baseline.occupancy") * (1.0 - v("baseline.shrinkage")))
                  / v("baseline.paid_hours_per_fte"))
    else:
        agents = None
    base = {"cpc": cpc, "segments": segs, "hourly": hourly, "agents": agents}
    if case.baseline is None:
        zero = np.zeros((draws, 1))
        flows = _Flows(zero, zero, zero, zero, zero, zero, zero)
        lines = []
        for i, benefit in enumerate(case.benefits):
            per_year, run = _by_year(benefit.per_year, v, f"benefits.{i}.per_year")
            lines.append(_Line(benefit.name, benefit.pillar, "custom", run, False,
                               per_year=per_year, initial=float(benefit.initial)))
    else:
        lines, flows = _lever_lines(case, v, base)
    for line in lines:  # an explicit list's run-rate is its amount in the horizon's final year
        if line.lever == "custom" and line.per_year is not None:
            line.run_rate = _final_year(line.per_year, n_years)

    ramp = v("timeline.ramp_months")
    adoption = adoption_curve(months, ramp, case.timeline.ramp_shape)
    growth = v("baseline.volume_growth", 0.0)
    volume = np.where(months == 0, 0.0, (1.0 + growth) ** np.maximum(years - 1, 0))
    volume = _told(volume, told.volume)

    haircuts = {p: v(f"risk_adjustment.benefits.{p}", 0.0) for p in PILLARS}
    uplift = v("risk_adjustment.costs", 0.0)
    pillar_flows = {p: np.zeros((draws, H + 1)) for p in PILLARS}
    benefits_raw = np.zeros((draws, H + 1))
    line_haircuts = _line_haircuts(case, v, lines, haircuts)
    line_flows = []
    for line, cut in zip(lines, line_haircuts, strict=True):
        if line.lever == "custom":
            monthly = _explicit_monthly(line.per_year, line.run_rate, line.initial, years, draws)
        elif line.monthly is not None:  # by-year amounts (staffed handle time, retention cohorts)
            monthly = line.monthly(_told(adoption, told.realised.get(line.lever)), years)
        else:
            realised = _told(adoption, told.realised.get(line.lever))
            monthly = line.run_rate / 12.0 * realised * (volume if line.volume_driven else (months > 0))
        benefits_raw = benefits_raw + monthly
        line_flows.append(_rows(risk_adjusted(monthly, cut), draws, H))
        pillar_flows[line.pillar] = pillar_flows[line.pillar] + line_flows[-1]

    cost_lines: list[tuple[str, str, np.ndarray]] = []
    cost_uplifts: list[np.ndarray | float] = []
    run_rate_cost = np.zeros((draws, 1))
    for i, item in enumerate(case.costs.one_time):
        p = f"costs.one_time.{i}."
        amount = v(p + "amount") if item.amount is not None else v(p + "hours") * v(p + "hourly_cost")
        monthly = np.where(months == item.month, 1.0, 0.0) * amount  # the case refuses months past H
        cost_lines.append((item.name, "one_time", _rows(monthly, draws, H)))
        cost_uplifts.append(_own(v, p + "risk_adjustment", uplift))
    automated_monthly = flows.automated_contacts / 12.0 * _told(adoption, told.realised.get("deflection")) * volume
    for i, item in enumerate(case.costs.recurring):
        steady = 0.0
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
            elif item.seats == "follow_staffing":
                if flows.agents_after is None:
                    raise ModelError(
                        f"{case.unit}: costs.recurring.{i}.seats = follow_staffing needs baseline.agents "
                        "(or aht_seconds to derive them)"
                    )
                # seats follow the agents still needed: today's agents at each year's volume, moving
                # to the agents left after the levers as adoption ramps
                price = v(p + "per_seat_per_month")
                seats = base["agents"] * volume * (1.0 - adoption * (1.0 - flows.workload_after))
                seats = np.where(months == 0, base["agents"], seats)
                per_month = price * seats
                steady = price * flows.agents_after * 12.0
            else:
                per_month = v(p + "per_seat_per_month") * v(p + "seats")
            monthly = per_month * active
            if item.seats != "follow_staffing":
                steady = per_month * 12.0
        lift = _own(v, p + "risk_adjustment", uplift)
        run_rate_cost = run_rate_cost + steady * (1.0 + lift)
        cost_lines.append((item.name, "recurring", _rows(monthly, draws, H)))
        cost_uplifts.append(lift)
    for i, item in enumerate(case.costs.custom):
        p = f"costs.custom.{i}."
        per_year, steady = _by_year(item.per_year, v, p + "per_year")
        if per_year is not None:
            steady = _final_year(per_year, n_years)
        monthly = _explicit_monthly(per_year, steady, 0.0, years, draws)
        monthly = monthly + np.where(months == 0, 1.0, 0.0) * v(p + "initial", 0.0)
        lift = _own(v, p + "risk_adjustment", uplift)
        run_rate_cost = run_rate_cost + steady * (1.0 + lift)
        cost_lines.append((item.name, "custom", _rows(monthly, draws, H)))
        cost_uplifts.append(lift)

    # month 0 is the Initial investment whatever the line's kind; later months run the programme
    initial = months == 0
    zeros = np.zeros((draws, H + 1))
    costs_raw = sum((m for _, _, m in cost_lines), zeros)
    all_costs = sum((m * (1.0 + u) for (_, _, m), u in zip(cost_lines, cost_uplifts, strict=True)), zeros)
    one_time_later = sum((m * (1.0 + u) for (_, k, m), u in zip(cost_lines, cost_uplifts, strict=True)
                          if k == "one_time"), zeros)
    one_time = np.where(initial, all_costs, one_time_later)
    recurring = all_costs - one_time
    for name, kind, monthly in cost_lines:  # money spent replaces the line's risk-adjusted plan
        if name in told.spend:
            extra = _told(monthly * (1.0 + uplift), told.spend[name]) - monthly * (1.0 + uplift)
            if kind == "one_time":
                one_time = one_time + extra
            else:
                recurring = recurring + extra

    rate = v("timeline.discount_rate")
    if case.timeline.discounting == "monthly":
        discount = (1.0 + rate) ** (-months / 12.0)
    else:
        discount = (1.0 + rate) ** (-years.astype(float))
    adoption, volume, discount = (_rows(x, draws, H) for x in (adoption, volume, discount))
    return _Core(months, adoption, volume, pillar_flows, one_time, recurring, discount, lines, flows,
                 base, cost_lines, haircuts, uplift, run_rate_cost, line_haircuts, cost_uplifts,
                 benefits_raw, costs_raw, line_flows)


def _line_haircuts(case: Case, v: _Values, lines: list[_Line],
                   haircuts: dict[str, np.ndarray | float]) -> list[np.ndarray | float]:
    """Each benefit line's haircut: the line's own ``risk_adjustment``, else its pillar's."""
    counters = {"risk": 0, "custom": 0}
    out = []
    for line in lines:
        if line.lever in counters:
            i = counters[line.lever]
            counters[line.lever] += 1
            path = f"levers.risk.{i}.risk_adjustment" if line.lever == "risk" else f"benefits.{i}.risk_adjustment"
        elif line.lever in _ONE_LINE_LEVERS:
            path = f"levers.{line.lever}.risk_adjustment"
        else:
            path = ""
        out.append(_own(v, path, haircuts[line.pillar]) if path else haircuts[line.pillar])
    return out


def _own(v: _Values, path: str, default: np.ndarray | float) -> np.ndarray | float:
    """A line's own risk adjustment where it gives one, else the default it overrides."""
    return v(path) if v.has(path) else default


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
