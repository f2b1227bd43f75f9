"""Monthly cash flows over the horizon: adoption, growth, costs, risk adjustment and discounting.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from roi_kit.case.schema import PILLARS, Case
from roi_kit.errors import ModelError
from roi_kit.model import finance
from roi_kit.model.baseline import _cost_per_contact, _hourly_cost, _segments
from roi_kit.model.inputs import Params, _Values, flatten
from roi_kit.model.levers import _by_year, _Flows, _lever_lines, _Line


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
        elif line.monthly is not None:  # by-year amounts (staffed handle time, retention cohorts)
            monthly = line.monthly(adoption, years)
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
