"""From a case to cash flows and a result: the model's one computation.

The computation is written once, over numpy arrays with a leading *draw* axis: a deterministic
evaluation is one draw, a Monte Carlo run or a sensitivity sweep is many draws of the same
formulas (``roi_kit.model.uncertainty``). The case fixes the structure (which levers, which cost lines,
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
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from roi_kit.case.schema import PILLAR_LABELS, PILLARS, SCENARIOS, Case
from roi_kit.errors import ModelError
from roi_kit.model import finance
from roi_kit.model.baseline import BaselineFigures
from roi_kit.model.cashflows import _Core, _years, compute, headline
from roi_kit.model.inputs import _scalar


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
        "simple_roi": _none_if_nan((total_benefits - total_costs) / total_costs) if total_costs > 0 else None,
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
