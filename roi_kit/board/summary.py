"""The headline figures of a result as JSON (for machines) and as text (for a terminal)."""

from __future__ import annotations

import math
from typing import Any

from roi_kit.case.schema import PILLAR_LABELS, PILLARS
from roi_kit.model.result import Result
from roi_kit.page import fmt

JSON_KEYS = (
    "npv", "roi", "simple_roi", "irr", "payback_months", "pv_benefits", "pv_costs",
    "total_benefits", "total_costs", "initial_investment", "run_rate_benefit", "run_rate_cost",
    "run_rate_net_benefit", "cost_per_contact_before", "cost_per_contact_after",
    "cost_per_resolution_before", "cost_per_resolution_after", "horizon_months", "discount_rate",
)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def summary_json(result: Result) -> dict[str, Any]:
    """One JSON-ready object: ratios as fractions, money in the case's currency, nulls for undefined.

    ``annual`` rows follow the TEI layout (Initial, Year 1 … Year N, Total, Present value) with
    costs as positive amounts; ``warnings`` lists the reviewer's checks that did not pass, one
    sentence each (``Result.warnings``), empty when all pass.
    """
    out: dict[str, Any] = {
        "unit": result.case.unit,
        "title": result.case.title,
        "scenario": result.scenario,
        "currency": result.case.currency,
    }
    out.update({key: _clean(result.summary[key]) for key in JSON_KEYS})
    out["pillars"] = {p: _clean(result.pillars[p]) for p in PILLARS}
    out["annual"] = [
        {"period": period, "costs": _clean(float(row["costs"])), "benefits": _clean(float(row["benefits"])),
         "net": _clean(float(row["net"]))}
        for period, row in result.annual.iterrows()
    ]
    out["warnings"] = list(result.warnings)
    out["input_hash"] = result.case.input_hash
    return out


def summary_text(result: Result) -> str:
    """A terminal summary a finance reader can check line by line."""
    s = result.summary
    cur = result.case.currency

    def money(x: float | None) -> str:
        return fmt.money(x, cur, compact=False)

    payback = s["payback_months"]
    lines = [
        f"{result.case.unit} — {result.case.title or 'ROI case'} ({result.scenario} scenario)",
        f"  NPV                      {money(s['npv'])}",
        f"  ROI (NPV / PV costs)     {fmt.pct(s['roi'])}",
        f"  Simple ROI               {fmt.pct(s['simple_roi'])}",
        f"  IRR                      {fmt.pct(s['irr'])}",
        f"  Payback                  {'never within the horizon' if payback is None else f'{payback:.1f} months ({fmt.months(payback)})'}",
        f"  PV benefits / PV costs   {money(s['pv_benefits'])} / {money(s['pv_costs'])}",
        f"  Run-rate net benefit     {money(s['run_rate_net_benefit'])} a year",
        f"  Cost per contact         {fmt.money_exact(s['cost_per_contact_before'], cur)} → "
        f"{fmt.money_exact(s['cost_per_contact_after'], cur)}" if s["cost_per_contact_after"] is not None else "",
        f"  Cost per resolution      {fmt.money_exact(s['cost_per_resolution_before'], cur)} → "
        f"{fmt.money_exact(s['cost_per_resolution_after'], cur)}" if s["cost_per_resolution_after"] is not None else "",
    ]
    lines += [f"  {PILLAR_LABELS[p]:<25}{money(result.pillars[p])} a year" for p in PILLARS]
    lines += [f"  Check: {warning}" for warning in result.warnings]
    return "\n".join(line for line in lines if line)
