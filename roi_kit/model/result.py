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
* Risk adjustment (TEI): each benefit line is cut by its own ``risk_adjustment`` or else its
  pillar's haircut, each cost line raised by its own or else the case's uplift; a negative benefit
  (a dis-benefit) is raised by its haircut, so risk adjustment never improves a case. Every figure
  of the result is risk-adjusted unless a column says otherwise.
* Discounting: ``annual`` discounts each month's flow at the end of its year,
  1/(1 + rate)^year (TEI); ``monthly`` discounts month m by 1/(1 + rate)^(m/12). Month 0 is not
  discounted.
* Payback is simple payback on the undiscounted monthly net flow: the month after which the
  cumulative net stays non-negative to the end of the horizon, interpolated within the month; a
  case whose cumulative net ends below zero has none.
* IRR is computed on the annual net flows (Initial, Year 1 … Year N) under annual discounting, on
  the monthly net flows (annualised) under monthly discounting; flows with several IRRs are warned.
* Run-rate figures (benefit, cost, "what if we stopped") are those of the horizon's final year for
  explicit amounts by year: a list that ends before the horizon contributes nothing there.
* Cost per contact and per resolution after count contact-handling costs only: today's operating
  cost, less the contact levers' savings (first-contact resolution, deflection, handle time), plus
  the handling of recovered abandoned contacts and the programme's running costs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from roi_kit.case.schema import PILLAR_LABELS, PILLARS, SCENARIOS, Case
from roi_kit.errors import ModelError
from roi_kit.model import checks, finance
from roi_kit.model.baseline import BaselineFigures
from roi_kit.model.cashflows import _Core, _years, compute, headline, risk_adjusted
from roi_kit.model.inputs import _scalar


@dataclass(frozen=True)
class Summary(Mapping[str, Any]):
    """The headline figures of one evaluation: typed, frozen, and also readable by their JSON names.

    Money is in the case's currency, ratios are fractions, ``None`` where a figure is undefined
    (no costs to divide by, no payback within the horizon, no IRR). ``summary.npv`` and
    ``summary["npv"]`` are the same number; iterating gives the JSON field names in order.
    """

    npv: float
    roi: float | None  # NPV / PV(costs)
    simple_roi: float | None  # (total benefits − total costs) / total costs, undiscounted
    irr: float | None
    payback_months: float | None
    pv_benefits: float
    pv_costs: float
    total_benefits: float
    total_costs: float
    initial_investment: float
    run_rate_benefit: float
    run_rate_cost: float
    run_rate_net_benefit: float
    cost_per_contact_before: float | None  # None without a baseline
    cost_per_contact_after: float | None
    cost_per_resolution_before: float | None
    cost_per_resolution_after: float | None
    horizon_months: int
    discount_rate: float

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)


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
    summary: Summary
    baseline: BaselineFigures | None  # None for a case of explicit lines only
    pillars: Mapping[str, float]
    what_if_stopped: Mapping[str, float]
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
        total_cost = self.baseline.total_cost if self.baseline is not None else math.nan
        before = total_cost / 12.0 * c.volume[0]
        discount = c.discount[0]
        data.update(
            benefits_risk_adjustment=benefits - c.benefits_before_adjustment[0],
            costs_risk_adjustment=costs - c.costs_before_adjustment[0],
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
        cols = ["costs", "benefits", "net", *PILLARS, "costs_risk_adjustment", "benefits_risk_adjustment"]
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
        for line, cut in zip(self._core.lines, self._core.line_haircuts, strict=True):
            haircut = _scalar(cut)
            run = _scalar(line.run_rate)
            rows.append({"name": line.name, "pillar": line.pillar, "lever": line.lever, "run_rate": run,
                         "haircut": haircut, "run_rate_adjusted": float(risk_adjusted(run, haircut)),
                         "terms": line.terms})
        return pd.DataFrame(rows, columns=["name", "pillar", "lever", "run_rate", "haircut",
                                           "run_rate_adjusted", "terms"])

    @cached_property
    def cost_lines(self) -> pd.DataFrame:
        years = _years(len(self._core.months) - 1)
        n = int(years.max())
        rows = []
        for (name, kind, monthly), uplift in zip(self._core.cost_lines, self._core.cost_uplifts, strict=True):
            row: dict[str, Any] = {"name": name, "kind": kind, "risk_adjustment": _scalar(uplift),
                                   "initial": float(monthly[0, 0])}
            for y in range(1, n + 1):
                row[f"Year {y}"] = float(monthly[0, years == y].sum())
            row["total"] = float(monthly[0].sum())
            rows.append(row)
        return pd.DataFrame(rows, columns=["name", "kind", "risk_adjustment", "initial",
                                           *[f"Year {y}" for y in range(1, n + 1)], "total"])

    @cached_property
    def segments(self) -> pd.DataFrame:
        """Run-rate benefit by segment and pillar (risk-adjusted); empty without segments."""
        if self.case.baseline is None or not self.case.baseline.segments:
            return pd.DataFrame(columns=["segment", *PILLARS, "total"])
        names = [s.name for s in self.case.baseline.segments]
        shares = {s.name: s.share_of_contacts for s in self.case.baseline.segments}
        table = {name: dict.fromkeys(PILLARS, 0.0) for name in names}
        for line, haircut in zip(self._core.lines, self._core.line_haircuts, strict=True):
            cut = _scalar(haircut)
            if line.by_segment:
                for name, amount in line.by_segment.items():
                    table[name][line.pillar] += float(risk_adjusted(_scalar(amount), cut))
            else:  # unit-wide lines are shared by contact share
                for name in names:
                    table[name][line.pillar] += float(risk_adjusted(_scalar(line.run_rate), cut)) * shares[name]
        frame = pd.DataFrame([{"segment": n, **table[n]} for n in names])
        frame["total"] = frame[list(PILLARS)].sum(axis=1)
        return frame

    @cached_property
    def warnings(self) -> tuple[str, ...]:
        """The reviewer's checks that did not pass, one sentence each with its figures (``checks``)."""
        return checks.run(self)

    @cached_property
    def waterfall(self) -> tuple[WaterfallItem, ...]:
        m = self.monthly
        items = [WaterfallItem(PILLAR_LABELS[p], p, float((m[p] * m["discount_factor"]).sum()), "relative")
                 for p in PILLARS]
        items.append(WaterfallItem("Investment", "investment", -float(self.summary.pv_costs), "relative"))
        items.append(WaterfallItem("Net present value", "net", float(self.summary.npv), "total"))
        return tuple(items)


def _none_if_nan(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


#: Levers whose savings are contact-handling costs (cost per contact after subtracts only these).
CONTACT_LEVERS = ("first_contact_resolution", "deflection", "handle_time")


def _baseline_figures(case: Case, core: _Core) -> BaselineFigures | None:
    """Today's figures per year; a figure the case cannot compute is None (never 0)."""
    b = case.baseline
    if b is None:
        return None
    base = core.base
    C = b.contacts_per_year
    segs = base["segments"]
    total_cost = float(sum(_scalar(s.contacts * s.cpc) for s in segs))
    a = b.abandon_rate
    abandoned = C * a / (1.0 - a)
    resolutions = C * (1.0 - b.repeat_rate)
    margin = b.gross_margin
    segment_values = bool(b.segments) and all(s.annual_value_per_customer is not None for s in b.segments)
    value_known = b.annual_value_per_customer is not None or segment_values
    churn_known = b.customers is not None and b.churn_rate is not None and margin is not None and value_known
    churn_exposure = (float(sum(_scalar(s.customers * s.churn * s.value) for s in segs)) * margin
                      if churn_known else None)
    ab = case.levers.abandonment
    if a == 0:
        abandon_exposure: float | None = 0.0
    elif ab is not None and margin is not None:
        abandon_exposure = abandoned * ab.conversion_rate * ab.average_order * margin
    else:
        abandon_exposure = None
    known = [x for x in (churn_exposure, abandon_exposure) if x is not None]
    agents = base["agents"]
    return BaselineFigures(
        contacts=C, offered=C / (1.0 - a), abandoned=abandoned, resolutions=resolutions, total_cost=total_cost,
        cost_per_contact=total_cost / C, cost_per_resolution=total_cost / resolutions if resolutions else math.nan,
        fte=None if agents is None else _scalar(agents), churn_exposure=churn_exposure,
        abandon_exposure=abandon_exposure, revenue_at_risk=sum(known) if known else None,
        hourly_cost=None if base["hourly"] is None else _scalar(base["hourly"]),
    )


def build_result(case: Case, scenario: str, core: _Core) -> Result:
    """Turn a one-draw computation into a :class:`Result` with its summary."""
    head = headline(core)
    baseline = _baseline_figures(case, core)
    pillars = dict.fromkeys(PILLARS, 0.0)
    contact_savings = 0.0
    for line, cut in zip(core.lines, core.line_haircuts, strict=True):
        amount = float(risk_adjusted(_scalar(line.run_rate), _scalar(cut)))
        pillars[line.pillar] += amount
        if line.lever in CONTACT_LEVERS:
            contact_savings += amount
    run_rate_benefit = sum(pillars.values())
    run_rate_cost = _scalar(core.run_rate_cost)

    flows = core.flows
    net, benefits, costs = head["net"][0], head["benefits"][0], head["costs"][0]
    total_benefits, total_costs = float(benefits.sum()), float(costs.sum())
    if case.timeline.discounting == "monthly":
        irr = finance.irr(net, per_year=12)
    else:
        irr = finance.irr(np.bincount(_years(len(core.months) - 1), weights=net))
    per_contact: dict[str, float | None] = dict.fromkeys(
        ("cost_per_contact_before", "cost_per_contact_after", "cost_per_resolution_before",
         "cost_per_resolution_after"))
    if baseline is not None:
        recovered = _scalar(flows.recovered_contacts)
        contacts_after = _scalar(flows.contacts_after_fcr) + recovered
        r_after = _scalar(flows.repeat_rate_after)
        # contact-handling cost only: today's, less the contact levers' savings, plus handling the
        # recovered contacts and running the programme (attrition, QA or risk lines are not contact costs)
        op_after = (baseline.total_cost - contact_savings + recovered * baseline.cost_per_contact
                    + run_rate_cost)
        per_contact.update(
            cost_per_contact_before=baseline.cost_per_contact,
            cost_per_contact_after=op_after / contacts_after if contacts_after else None,
            cost_per_resolution_before=baseline.cost_per_resolution,
            cost_per_resolution_after=op_after / (contacts_after * (1.0 - r_after)) if contacts_after else None,
        )
    summary = Summary(**{
        "npv": float(head["npv"][0]),
        "roi": _none_if_nan(float(head["roi"][0])),
        "simple_roi": _none_if_nan((total_benefits - total_costs) / total_costs) if total_costs > 0 else None,
        "irr": irr,
        "payback_months": _none_if_nan(float(head["payback_months"][0])),
        "pv_benefits": float(head["pv_benefits"][0]),
        "pv_costs": float(head["pv_costs"][0]),
        "total_benefits": total_benefits,
        "total_costs": total_costs,
        "initial_investment": float(costs[0]),
        "run_rate_benefit": run_rate_benefit,
        "run_rate_cost": run_rate_cost,
        "run_rate_net_benefit": run_rate_benefit - run_rate_cost,
        **per_contact,
        "horizon_months": case.timeline.horizon_months,
        "discount_rate": case.timeline.discount_rate,
    })
    if baseline is not None:
        b = case.baseline
        handle = (b.aht_seconds or 0.0) + b.acw_seconds
        back = _scalar(flows.contained_contacts) + (b.contacts_per_year - _scalar(flows.contacts_after_fcr))
    else:
        handle = back = 0.0
    stopped = {
        "value_lost_per_year": run_rate_benefit - run_rate_cost,
        "contacts_back_to_agents": back,
        "agent_hours_back": back * handle / 3600.0 + _scalar(flows.agent_hours_saved),
    }
    return Result(case, scenario, summary, baseline, pillars, stopped, core)


#: At most one result handed over (:func:`hand_over`) for this process's next evaluation of it.
_HANDED: dict[tuple[str, str], Result] = {}


def hand_over(case: Case, scenario: str, result: Result) -> None:
    """Give the next ``evaluate(case, scenario)`` in this process ``result`` (once), instead of
    computing it again.

    A batch worker evaluates a unit for its summary row, then runs the unit's report notebook on
    its in-process kernel, which evaluates the same case: handed over, the report uses the very
    result the summary row was read from (its checks and annual table already worked out). Only
    a call with an equal case (same input hash) and scenario takes it, and only once; the next
    hand-over replaces one never taken (a report that failed before evaluating).
    """
    _HANDED.clear()
    _HANDED[(case.input_hash, scenario)] = result


def evaluate(case: Case, scenario: str = "expected") -> Result:
    """Evaluate ``case`` under ``scenario`` (conservative, expected or optimistic).

    >>> from roi_kit.case import load_case, EXAMPLE
    >>> r = evaluate(load_case(EXAMPLE))
    >>> round(r.summary.cost_per_contact_before, 2)
    4.8
    """
    if _HANDED:
        handed = _HANDED.pop((case.input_hash, scenario), None)
        if handed is not None:
            return handed
    scenario_case = case.scenario_case(scenario)
    return build_result(scenario_case, scenario, compute(scenario_case))


def evaluate_scenarios(case: Case) -> dict[str, Result]:
    """The case under each scenario, in the order conservative, expected, optimistic."""
    return {name: evaluate(case, name) for name in SCENARIOS}
