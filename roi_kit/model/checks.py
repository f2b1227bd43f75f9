"""The checks a finance reviewer runs before reading a number, run for them (``Result.warnings``).

Each check returns one sentence with its figures, or nothing. They flag what the model cannot
refuse but a reviewer would question: inputs that disagree with each other, cash flows with more
than one IRR, a unit cost counted twice, a scenario that had to be held inside an input's range,
amounts by year that end before the horizon, and material inputs without a source note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from roi_kit.case.fields import iter_inputs
from roi_kit.case.schema import SCENARIOS, Case, _default_scenario
from roi_kit.model import finance
from roi_kit.model.uncertainty import sensitivity

if TYPE_CHECKING:
    from roi_kit.model.result import Result

#: Cost per contact given vs built from the labour fields: warned beyond this relative gap.
COST_PER_CONTACT_GAP = 0.15
#: Agents given vs the workload's FTEs: warned beyond this relative gap.
AGENTS_GAP = 0.25
#: How many of the unsourced inputs that move NPV most are named.
MATERIAL_NAMED = 3

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def _money(x: float, currency: str, *, cents: bool = False) -> str:
    """$4.80 / $1,200,000 (a currency without a symbol is written as its code: CHF 4.80)."""
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    sign = "−" if x < 0 else ""
    return f"{sign}{symbol}{abs(x):,.{2 if cents else 0}f}"


def _pct(x: float, places: int = 0) -> str:
    return f"{x * 100:.{places}f}%".replace("-", "−")


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def cost_per_contact(case: Case) -> str | None:
    """Cost per contact given vs built from AHT + ACW, hourly cost, occupancy and shrinkage."""
    b = case.baseline
    if b is None or b.cost_per_contact is None or b.aht_seconds is None or b.loaded_hourly_cost is None:
        return None
    handle = b.aht_seconds + b.acw_seconds
    built = handle / 3600.0 * b.loaded_hourly_cost / (b.occupancy * (1.0 - b.shrinkage))
    if built <= 0:
        return None
    gap = abs(b.cost_per_contact - built) / built
    if gap <= COST_PER_CONTACT_GAP:
        return None
    cur = case.currency
    return (f"Cost per contact given ({_money(b.cost_per_contact, cur, cents=True)}) is {_pct(gap)} away from the "
            f"one built from the labour fields ({_money(built, cur, cents=True)}: {handle:g} s at "
            f"{_money(b.loaded_hourly_cost, cur, cents=True)} an hour, {_pct(b.occupancy)} occupancy, "
            f"{_pct(b.shrinkage)} shrinkage); the given figure is used.")


def agents(case: Case) -> str | None:
    """Agents given vs the FTEs the workload needs (contacts × handle time, occupancy, shrinkage)."""
    b = case.baseline
    if b is None or b.agents is None or b.aht_seconds is None or not b.agents:
        return None
    handle = b.aht_seconds + b.acw_seconds
    workload = b.contacts_per_year * handle / 3600.0 / (b.occupancy * (1.0 - b.shrinkage)) / b.paid_hours_per_fte
    if workload <= 0:
        return None
    gap = abs(b.agents - workload) / workload
    if gap <= AGENTS_GAP:
        return None
    return (f"Agents given ({b.agents:,.0f}) are {_pct(gap)} away from the workload's FTEs ({workload:,.1f}: "
            f"{b.contacts_per_year:,.0f} contacts × {handle:g} s at {_pct(b.occupancy)} occupancy, "
            f"{_pct(b.shrinkage)} shrinkage, {b.paid_hours_per_fte:,.0f} paid hours a year).")


def several_irrs(flows: np.ndarray, per_year: int) -> str | None:
    """Flows that change sign more than once can have more than one IRR."""
    roots = finance.irr_roots(flows, per_year=per_year)
    if len(roots) < 2:
        return None
    shown = min(roots, key=abs)
    return (f"The net cash flows change sign more than once and have {len(roots)} IRRs "
            f"({_and([_pct(r, 1) for r in roots])}); the IRR shown ({_pct(shown, 1)}) is the one nearest "
            "zero, so judge the case by its NPV.")


def counted_twice(case: Case) -> str | None:
    """The automated contact's unit cost on the deflection lever and on a cost line."""
    deflection = case.levers.deflection
    if deflection is None or not deflection.automated_cost:
        return None
    lines = [c for c in case.costs.recurring if c.per_automated_contact]
    if not lines:
        return None
    cur = case.currency
    named = _and([f"“{c.name}” ({_money(c.per_automated_contact, cur, cents=True)})" for c in lines])
    return (f"The automated contact's unit cost is counted twice: levers.deflection.automated_cost "
            f"({_money(deflection.automated_cost, cur, cents=True)}) and the per-automated-contact cost "
            f"line {named}.")


def _scaled(case: Case, factor: float) -> list[tuple[str, float, float, float]]:
    """The lever fields ``scale_levers = factor`` takes outside their range: path, value, lo, hi."""
    lv, b = case.levers, case.baseline
    out: list[tuple[str, float, float, float]] = []

    def check(path: str, value: float, hi: float = 1.0) -> None:
        if value < 0 or value > hi:
            out.append((path, value, 0.0, hi))

    def toward(before: float | None, after: float) -> float | None:
        return None if before is None else before - factor * (before - after)

    if lv.deflection:
        check("levers.deflection.rate", lv.deflection.rate * factor)
    if lv.upsell:
        check("levers.upsell.conversion_lift", lv.upsell.conversion_lift * factor)
    pairs = []
    if lv.first_contact_resolution:
        pairs.append(("levers.first_contact_resolution.repeat_rate_after", b.repeat_rate,
                      lv.first_contact_resolution.repeat_rate_after, 0.999))
    if lv.abandonment:
        pairs.append(("levers.abandonment.abandon_rate_after", b.abandon_rate, lv.abandonment.abandon_rate_after, 0.999))
    if lv.retention:
        pairs.append(("levers.retention.churn_rate_after", b.churn_rate, lv.retention.churn_rate_after, 1.0))
    if lv.agent_attrition:
        pairs.append(("levers.agent_attrition.attrition_after", b.agent_attrition, lv.agent_attrition.attrition_after, 1.0))
    for i, event in enumerate(lv.risk):
        pairs.append((f"levers.risk.{i}.probability_after", event.probability_before, event.probability_after, 1.0))
    for path, before, after, hi in pairs:
        value = toward(before, after)
        if value is not None:
            check(path, value, hi)
    return out


def scenario_ranges(case: Case) -> str | None:
    """A scenario (and so the uncertainty range it spans) that takes an input outside its range."""
    if case.baseline is None:
        return None
    found = []
    for name in SCENARIOS:
        overrides = case.scenarios.get(name)
        if overrides is None:
            overrides = {} if name == "expected" else _default_scenario(case, name)
        factor = overrides.get("scale_levers")
        if factor is None:
            continue
        for path, value, lo, hi in _scaled(case, float(factor)):
            held = min(max(value, lo), hi)
            found.append(f"the {name} scenario's scale_levers {factor:g} takes {path} to {_pct(value, 1)}, outside "
                         f"{_pct(lo)}–{_pct(hi, 1 if hi < 1 else 0)} (held at {_pct(held, 1)})")
    if not found:
        return None
    text = _and(found)
    return f"{text[0].upper()}{text[1:]}; the scenario and the uncertainty range it spans use the held value."


def short_lists(case: Case) -> str | None:
    """Amounts by year that end before the horizon (nothing is counted after their last year)."""
    years = -(-case.timeline.horizon_months // 12)
    lines = [(f"benefits[{i}]", b.name, b.per_year) for i, b in enumerate(case.benefits)]
    lines += [(f"costs.custom[{i}]", c.name, c.per_year) for i, c in enumerate(case.costs.custom)]
    short = [f"{where} “{name}” ({len(amounts)} of {years} years)" for where, name, amounts in lines
             if isinstance(amounts, list) and len(amounts) < years]
    if not short:
        return None
    return (f"Amounts by year end before the {years}-year horizon: {_and(short)}; nothing is counted "
            "after a list's last year, so its run-rate is zero.")


def unsourced(case: Case, npv_swing: Callable[[], Any]) -> str | None:
    """Inputs without a source note: the count, and those among them that move NPV most."""
    rows = iter_inputs(case)
    missing = {r.path for r in rows if not r.source}
    if not missing:
        return None
    text = f"{len(missing)} of the case's {len(rows)} inputs have no source note"
    frame = npv_swing()
    frame = frame[frame["path"].isin(missing)].head(MATERIAL_NAMED)
    if len(frame):
        cur = case.currency
        named = _and([f"{label[:1].lower()}{label[1:]} ({_money(swing, cur)})"
                      for label, swing in zip(frame["label"], frame["swing"], strict=True)])
        text += f"; among them, moving across its uncertainty range moves NPV most in {named}"
    return text + "."


def run(result: Result) -> tuple[str, ...]:
    """Every check on one result, in a fixed order; an empty tuple when all pass."""
    case = result.case
    monthly = case.timeline.discounting == "monthly"
    net = result.monthly["net"].to_numpy(float)
    flows = net if monthly else result.annual["net"].to_numpy(float)[:-2]
    found = [
        cost_per_contact(case),
        agents(case),
        several_irrs(flows, 12 if monthly else 1),
        counted_twice(case),
        # a scenario's case already carries its overrides: the ranges are the expected case's to check
        scenario_ranges(case) if result.scenario == "expected" else None,
        short_lists(case),
        unsourced(case, lambda: sensitivity(case)),
    ]
    return tuple(text for text in found if text)
