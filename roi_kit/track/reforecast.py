"""The approved case set against its actuals: status per metric, realised against planned net
benefit to date, the bridge between them, and the re-forecast.

Rules (each is also stated on the tracking page):

* **Plan of a metric** in month m: its input's effect times the case's adoption ramp,
  ``before + (value − before) × adoption(m)``, where ``before`` is 0 for an effect (a deflection
  rate, seconds saved, a conversion lift) and the baseline's figure for an "after" value (repeat,
  abandon, churn and attrition rates). Contact volume: the baseline's contacts × volume growth
  (``contacts``: a month's; ``baseline.contacts_per_year``: a year's).
* **Status** from the metric's latest actual: ``triggered`` when it is on the adverse side of its
  threshold (``direction: below`` fires below it); else ``off_track`` when it is more than 10% adverse
  to plan (below plan for an effect, above it for an "after" rate); else ``on_track``; ``no_data``
  without actuals.
* **Re-forecast**: the case re-evaluated month by month. A measured lever's realised share of its
  full effect in a month with an actual is ``(actual − before) ÷ (value − before)``; it replaces the
  adoption ramp for that lever's line. Each month after the latest actual (and a month without
  one) keeps the latest actual's ratio to plan, ``(actual − before) ÷ (plan − before)``, on the
  plan's ramp: once the ramp is complete that is the latest actual value held. Contacts set the
  volume factor the same way. Money spent replaces a cost line's risk-adjusted plan in its month;
  months without a spend figure keep the plan. Benefit haircuts still apply (benefits are still
  estimated from the measured inputs); the cost uplift does not apply to money spent.
* **To date**: months 0 (the initial investment) to the latest month with an actual, undiscounted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from roi_kit.case.schema import PILLARS, Case
from roi_kit.model.cashflows import MonthlyOverrides, _Core, compute
from roi_kit.model.result import Summary, build_result
from roi_kit.track.actuals import SPEND, Actuals
from roi_kit.track.measures import CONTACTS, MEASURES, Measure, value_at

#: Adverse deviation from plan beyond which a metric is off track.
OFF_TRACK = 0.10
#: The months of the rolling view.
ROLLING = 12
STATUSES = ("triggered", "off_track", "on_track", "no_data")


@dataclass(frozen=True)
class MetricTrack:
    """One metric against its plan, month by month (arrays over months 0..H; nan where none)."""

    key: str
    name: str
    measures: str | None
    unit: str
    higher_is_better: bool
    threshold: float | None
    direction: str | None
    trigger: str
    owner: str
    plan: np.ndarray | None
    actual: np.ndarray
    status: str
    latest_month: int | None
    latest: float | None
    plan_latest: float | None

    @property
    def rolling_actual(self) -> np.ndarray:
        """Average of the actuals in the 12 months to each month (nan before the first one)."""
        return _rolling(self.actual)

    @property
    def rolling_plan(self) -> np.ndarray | None:
        """The plan averaged over the same months as :attr:`rolling_actual`."""
        if self.plan is None:
            return None
        return _rolling(np.where(np.isnan(self.actual), np.nan, self.plan))

    @property
    def deviation(self) -> float | None:
        """Latest actual against plan, as a fraction of plan (negative = below plan)."""
        if self.latest is None or self.plan_latest in (None, 0):
            return None
        return self.latest / self.plan_latest - 1.0


@dataclass(frozen=True)
class BridgeStep:
    label: str
    amount: float
    kind: str  # "plan", "volume", "lever", "spend", "realised"


@dataclass(frozen=True)
class Tracking:
    case: Case
    actuals: Actuals
    months_elapsed: int
    metrics: tuple[MetricTrack, ...]
    plan: Summary
    reforecast: Summary
    plan_core: _Core = field(repr=False)
    reforecast_core: _Core = field(repr=False)
    bridge: tuple[BridgeStep, ...]
    continuing: tuple[str, ...]  # the stated rule per measured input for the months to come

    @property
    def as_of(self) -> str:
        return self.actuals.calendar(self.months_elapsed) if self.months_elapsed else self.case.timeline.start

    def _to_date(self, x: np.ndarray) -> float:
        return _sum_to(x, self.months_elapsed)

    @property
    def planned_net_to_date(self) -> float:
        return self._to_date(_net(self.plan_core))

    @property
    def actual_net_to_date(self) -> float:
        return self._to_date(_net(self.reforecast_core))

    def by_lever(self) -> list[dict[str, Any]]:
        """Benefit to date per line (risk-adjusted): planned, realised, difference."""
        rows = []
        for line, p, r in zip(self.plan_core.lines, self.plan_core.line_flows,
                              self.reforecast_core.line_flows, strict=True):
            planned, realised = self._to_date(p[0]), self._to_date(r[0])
            rows.append({"name": line.name, "lever": line.lever, "pillar": line.pillar,
                         "planned": planned, "realised": realised, "difference": realised - planned})
        return rows

    def by_pillar(self) -> list[dict[str, Any]]:
        rows = []
        for p in PILLARS:
            planned = self._to_date(self.plan_core.pillar_flows[p][0])
            realised = self._to_date(self.reforecast_core.pillar_flows[p][0])
            rows.append({"pillar": p, "planned": planned, "realised": realised, "difference": realised - planned})
        return rows

    def costs_to_date(self) -> tuple[float, float]:
        """(planned, actual) costs to date, risk-adjusted plan and money spent."""
        return (self._to_date(_costs(self.plan_core)), self._to_date(_costs(self.reforecast_core)))

    def spend(self) -> list[dict[str, Any]]:
        """Per cost line with spend actuals: planned and spent over the months given."""
        out = []
        uplift = float(np.asarray(self.plan_core.uplift).ravel()[0])
        for name, _, monthly in self.plan_core.cost_lines:
            series = self.actuals.values.get(SPEND + name)
            if not series:
                continue
            planned = sum(float(monthly[0, m]) * (1.0 + uplift) for m in series)
            spent = sum(series.values())
            out.append({"name": name, "months": len(series), "planned": planned, "spent": spent,
                        "difference": spent - planned})
        return out


def _sum_to(x: np.ndarray, month: int) -> float:
    """Σ of a monthly series (one draw) over months 0..``month``."""
    return float(np.asarray(x).reshape(-1)[: month + 1].sum())


def _net(core: _Core) -> np.ndarray:
    return sum(core.pillar_flows.values()) - _costs(core)


def _costs(core: _Core) -> np.ndarray:
    return core.one_time + core.recurring


def _rolling(x: np.ndarray) -> np.ndarray:
    out = np.full(x.shape, np.nan)
    for m in range(len(x)):
        window = x[max(0, m - ROLLING + 1): m + 1]
        window = window[~np.isnan(window)]
        if window.size and not np.isnan(x[: m + 1]).all():
            out[m] = window.mean()
    return out


def _series(values: Mapping[int, float] | None, horizon: int) -> np.ndarray:
    out = np.full(horizon + 1, np.nan)
    for m, v in (values or {}).items():
        out[m] = v
    return out


def _plan_of(measure: Measure, case: Case, adoption: np.ndarray, volume: np.ndarray) -> tuple[np.ndarray, float]:
    """(plan by month, the before value) of a measured input."""
    if measure.path == CONTACTS.path:
        return case.baseline.contacts_per_year / 12.0 * volume, 0.0
    if measure.lever is None:  # baseline.contacts_per_year: a year's contacts at the month's rate
        return case.baseline.contacts_per_year * volume, 0.0
    full = value_at(case, measure.path)
    before = value_at(case, measure.before) if measure.before else 0.0
    if full is None or before is None:
        return np.full(adoption.shape, np.nan), 0.0
    plan = before + (full - before) * adoption
    plan[0] = np.nan  # month 0 is the initial investment: nothing to measure
    return plan, before


def _ratio(actual: np.ndarray, plan: np.ndarray, before: float) -> np.ndarray:
    """Actual ÷ plan of the effect, measured months; later months carry the latest ratio forward."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isnan(actual) | (plan - before == 0), np.nan, (actual - before) / (plan - before))
    last = np.nan
    for m in range(len(ratio)):
        if np.isnan(ratio[m]):
            ratio[m] = last
        else:
            last = ratio[m]
    return ratio


def _status(actual: np.ndarray, plan: np.ndarray | None, measure: Measure | None, threshold: float | None,
            direction: str | None) -> tuple[str, int | None, float | None, float | None]:
    months = np.flatnonzero(~np.isnan(actual))
    if not months.size:
        return "no_data", None, None, None
    m = int(months[-1])
    latest = float(actual[m])
    planned = None if plan is None or np.isnan(plan[m]) else float(plan[m])
    if threshold is not None and ((direction == "below" and latest < threshold)
                                  or (direction == "above" and latest > threshold)):
        return "triggered", m, latest, planned
    if planned is not None and measure is not None:
        adverse = planned - latest if measure.higher_is_better else latest - planned
        if adverse > OFF_TRACK * abs(planned):
            return "off_track", m, latest, planned
    return "on_track", m, latest, planned


def track(case: Case, actuals: Actuals) -> Tracking:
    """Set ``actuals`` against the approved (expected-scenario) ``case`` and re-forecast it."""
    case = case.scenario_case("expected")
    H = case.timeline.horizon_months
    plan_core = compute(case)
    adoption, volume = plan_core.adoption[0], plan_core.volume[0]
    k = actuals.months_elapsed
    metrics: list[MetricTrack] = []
    realised: dict[str, np.ndarray] = {}
    told_volume: np.ndarray | None = None
    continuing: list[str] = []

    def add(key: str, name: str, measure: Measure | None, item: Any) -> None:
        nonlocal told_volume
        actual = _series(actuals.values.get(key), H)
        plan = None
        if measure is not None:
            plan, before = _plan_of(measure, case, adoption, volume)
            ratio = _ratio(actual, plan, before)
            if not np.isnan(ratio).all():
                # the realised share of the full effect (or volume factor) in every month
                if measure.lever is not None:
                    full = value_at(case, measure.path)
                    if full is not None and full != before:
                        realised[measure.lever] = adoption * ratio
                else:
                    told_volume = volume * ratio
                latest_ratio = float(ratio[~np.isnan(ratio)][-1])
                continuing.append(f"{key} ({measure.path}): {latest_ratio:.1%} of plan from month {k + 1}")
        threshold = getattr(item, "threshold", None)
        direction = getattr(item, "direction", None)
        status, month, latest, planned = _status(actual, plan, measure, threshold, direction)
        metrics.append(MetricTrack(
            key=key, name=name, measures=measure.path if measure else None,
            unit=measure.unit if measure else "number", higher_is_better=measure.higher_is_better if measure else True,
            threshold=threshold, direction=direction, trigger=getattr(item, "trigger", ""),
            owner=getattr(item, "owner", ""), plan=plan, actual=actual, status=status, latest_month=month,
            latest=latest, plan_latest=planned))

    for item in case.measurement_plan:
        if item.key:
            add(item.key, item.metric, MEASURES[item.measures] if item.measures else None, item)
    if CONTACTS.path in actuals.values:
        add(CONTACTS.path, "Handled contacts", CONTACTS, None)

    spend = {name[len(SPEND):]: _series(series, H) for name, series in actuals.values.items()
             if name.startswith(SPEND)}
    full = MonthlyOverrides(realised=realised, volume=told_volume, spend=spend)
    reforecast_core = compute(case, overrides=full)

    # the bridge: plan → volume → each measured lever → each cost line's spend, one driver at a time
    steps = [BridgeStep("Planned net benefit to date", _sum_to(_net(plan_core), k), "plan")]
    stages: list[tuple[str, str, MonthlyOverrides]] = []
    if told_volume is not None:
        stages.append(("Contact volume", "volume", MonthlyOverrides(volume=told_volume)))
    lines = {line.lever: line.name for line in plan_core.lines}
    done: dict[str, np.ndarray] = {}
    for lever, share in realised.items():
        done = {**done, lever: share}
        stages.append((lines.get(lever, lever), "lever", MonthlyOverrides(realised=done, volume=told_volume)))
    spent: dict[str, np.ndarray] = {}
    for name, series in spend.items():
        spent = {**spent, name: series}
        stages.append((f"Spend: {name}", "spend", MonthlyOverrides(realised=realised, volume=told_volume,
                                                                     spend=spent)))
    previous = steps[0].amount
    for label, kind, told in stages:
        now = _sum_to(_net(compute(case, overrides=told)), k)
        steps.append(BridgeStep(label, now - previous, kind))
        previous = now
    steps.append(BridgeStep("Realised net benefit to date", _sum_to(_net(reforecast_core), k), "realised"))

    return Tracking(case, actuals, k, tuple(metrics), build_result(case, "expected", plan_core).summary,
                    build_result(case, "expected", reforecast_core).summary, plan_core, reforecast_core,
                    tuple(steps), tuple(continuing))


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def tracking_json(t: Tracking) -> dict[str, Any]:
    """The tracking as one JSON-ready object (``roi-kit track --json``)."""
    planned_costs, actual_costs = t.costs_to_date()
    return {
        "unit": t.case.unit,
        "currency": t.case.currency,
        "as_of": t.as_of,
        "months_elapsed": t.months_elapsed,
        "plan_npv": t.plan.npv,
        "reforecast_npv": t.reforecast.npv,
        "plan_roi": _num(t.plan.roi),
        "reforecast_roi": _num(t.reforecast.roi),
        "plan_payback_months": _num(t.plan.payback_months),
        "reforecast_payback_months": _num(t.reforecast.payback_months),
        "planned_net_to_date": t.planned_net_to_date,
        "actual_net_to_date": t.actual_net_to_date,
        "planned_costs_to_date": planned_costs,
        "actual_costs_to_date": actual_costs,
        "metrics": [{"key": m.key, "metric": m.name, "measures": m.measures, "status": m.status,
                     "latest": m.latest, "latest_month": t.actuals.calendar(m.latest_month) if m.latest_month else None,
                     "plan": m.plan_latest, "threshold": m.threshold, "direction": m.direction}
                    for m in t.metrics],
        "by_pillar": t.by_pillar(),
        "by_lever": t.by_lever(),
        "spend": t.spend(),
        "bridge": [{"label": s.label, "amount": s.amount, "kind": s.kind} for s in t.bridge],
        "continuing": list(t.continuing),
    }
