"""The report's tables and appendices as HTML fragments, built from results and cases.

Every function returns a string of HTML that is safe to insert as is: all text — user text such
as the unit, line and metric names, source notes, and every formatted figure — goes through
``html.escape``. Fragments carry no headings (the report template owns the page structure), only
a ``<caption>`` that says what the figures are.

Styling contract (the report's stylesheet relies on it): tables have ``class="roi-table"`` plus one
``roi-<name>`` class; numeric cells ``class="num"`` (right-aligned, tabular numerals), negative
ones also ``neg``; total rows ``class="total"``; indented sub-rows ``class="sub"``; muted notes
``class="note"``.

Money in tables is in whole currency units (``$3,861,947``) or cents for unit prices
(``$5.58``), via :mod:`roi_kit.page.fmt`; charts and sentences use the compact form of the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from roi_kit.case.fields import iter_inputs
from roi_kit.case.schema import PILLAR_LABELS
from roi_kit.page import fmt
from roi_kit.page.html import Cell, _money_cell, _num_cell, esc, html_table

PILLAR_ORDER = ("revenue_protected", "revenue_generated", "cost_savings", "risk_avoided")


KIND_LABELS = {"one_time": "One-time", "recurring": "Recurring", "custom": "Custom"}


def _cur(obj: Any) -> str:
    case = getattr(obj, "case", obj)
    return getattr(case, "currency", None) or "USD"


def baseline_table(result: Any) -> str:
    """Today's operation as finance reads it: volumes, unit costs, capacity and revenue at risk.

    Each row names how it is computed (C = handled contacts, a = abandon rate, r = repeat rate).
    """
    b, s, cur = result.baseline, result.summary, _cur(result)
    rows: list[tuple[str, list[Cell | str]]] = [
        ("", ["Handled contacts per year", _num_cell(fmt.number(b.contacts)), "C, as given"]),
        ("", ["Offered contacts", _num_cell(fmt.number(b.offered)), "C ÷ (1 − a)"]),
        ("", ["Abandoned contacts", _num_cell(fmt.number(b.abandoned)), "offered × a"]),
        ("", ["Resolutions", _num_cell(fmt.number(b.resolutions)), "C × (1 − r)"]),
        ("", ["Operating cost per year", _money_cell(b.total_cost, cur), "C × cost per contact"]),
        ("", ["Cost per contact", _money_cell(b.cost_per_contact, cur, exact=True), "as given, or built from labour"]),
        ("", ["Cost per resolution", _money_cell(b.cost_per_resolution, cur, exact=True), "operating cost ÷ resolutions"]),
        ("", ["Agent FTEs", _num_cell(fmt.number(b.fte, 1 if b.fte % 1 else 0)), "as given, or from workload"]),
        ("", ["Churn exposure per year", _money_cell(b.churn_exposure, cur), "customers × churn × annual value × margin"]),
        ("", ["Abandon exposure per year", _money_cell(b.abandon_exposure, cur), "abandoned × conversion × order value × margin"]),
        ("total", ["Revenue at risk per year", _money_cell(b.revenue_at_risk, cur), "churn + abandon exposure"]),
    ]
    after = [
        ("Cost per contact with the change", "cost_per_contact_after"),
        ("Cost per resolution with the change", "cost_per_resolution_after"),
    ]
    for label, key in after:
        if not fmt.is_missing(s.get(key)):
            rows.append(("sub", [label, _money_cell(s[key], cur, exact=True), "at full run-rate"]))
    return html_table(
        "baseline", ["Measure", "Today", "How it is computed"], rows,
        caption=f"Baseline: {result.case.unit}, per year, {cur}",
    )


def scenario_table(results_by_scenario: Mapping[str, Any]) -> str:
    """The headline figures side by side for each scenario (conservative, expected, optimistic)."""
    items = list(results_by_scenario.items())
    cur = _cur(items[0][1]) if items else "USD"

    def row(label: str, cell_of: Any, cls: str = "") -> tuple[str, list[Cell | str]]:
        return cls, [label, *(cell_of(r.summary) for _, r in items)]

    def payback(s: Mapping[str, Any]) -> Cell:
        p = s.get("payback_months")
        if fmt.is_missing(p):
            return Cell(f"not within {int(s['horizon_months'])} months", num=True, negative=True)
        return _num_cell(f"{fmt.months(p)} ({fmt.duration(p)})")

    rows = [
        row("Net present value", lambda s: _money_cell(s["npv"], cur), "total"),
        row("ROI, risk-adjusted (NPV ÷ PV of costs)", lambda s: _num_cell(fmt.pct(s["roi"]), s["roi"])),
        row("Simple ROI, undiscounted", lambda s: _num_cell(fmt.pct(s["simple_roi"]), s["simple_roi"])),
        row("IRR, annual", lambda s: _num_cell(fmt.pct(s.get("irr")), s.get("irr"))),
        row("Payback", payback),
        row("Present value of benefits", lambda s: _money_cell(s["pv_benefits"], cur)),
        row("Present value of costs", lambda s: _money_cell(s["pv_costs"], cur)),
        row(fmt.RUN_RATE_NET_BENEFIT, lambda s: _money_cell(s.get("run_rate_net_benefit"), cur)),
    ]
    header = ["", *(Cell(n.capitalize(), num=True) for n, _ in items)]
    horizon = int(items[0][1].summary["horizon_months"]) if items else 0
    return html_table("scenarios", header, rows, caption=f"Scenarios over {horizon} months, {cur}, risk-adjusted")


def _year_columns(frame: Any) -> list[str]:
    return [c for c in frame.columns if str(c).startswith("Year ")]


def cost_table(result: Any) -> str:
    """Every cost line by year (before risk adjustment), the risk uplift, and the adjusted total.

    Risk uplift = subtotal × the case's cost uplift; the adjusted total equals the annual table's
    costs row.
    """
    cur = _cur(result)
    lines = result.cost_lines
    years = _year_columns(lines)
    columns = ["initial", *years, "total"]
    uplift = float(getattr(getattr(result.case, "risk_adjustment", None), "costs", 0.0) or 0.0)
    rows: list[tuple[str, list[Cell | str]]] = []
    for _, line in lines.iterrows():
        kind = KIND_LABELS.get(str(line["kind"]), str(line["kind"]))
        rows.append(("", [str(line["name"]), kind, *(_money_cell(line[c], cur) for c in columns)]))
    subtotal = {c: float(lines[c].sum()) for c in columns}
    rows.append(("total", ["Total before risk adjustment", "", *(_money_cell(subtotal[c], cur) for c in columns)]))
    rows.append(("sub", [f"Risk uplift ({fmt.pct(uplift, 0)})", "", *(_money_cell(subtotal[c] * uplift, cur) for c in columns)]))
    rows.append(("total", ["Total, risk-adjusted", "", *(_money_cell(subtotal[c] * (1 + uplift), cur) for c in columns)]))
    header = ["Cost line", "Kind", *(Cell(h, num=True) for h in ["Initial", *years, "Total"])]
    return html_table("costs", header, rows, caption=f"Costs by year, {cur}, undiscounted")


def annual_table(result: Any) -> str:
    """The TEI layout: Costs, Benefits by pillar, Net; Initial, Year 1..N, Total, Present value.

    Costs are shown negative so that each column adds down: Net = Total benefits − Costs.
    """
    cur = _cur(result)
    a = result.annual
    periods = list(a.index)
    pillars = [p for p in PILLAR_ORDER if p in a.columns and float(a[p].abs().sum()) != 0]

    def cells(values: Iterable[float]) -> list[Cell]:
        return [_money_cell(v, cur) for v in values]

    rows: list[tuple[str, list[Cell | str]]] = [
        ("", ["Costs", *cells(-a["costs"].to_numpy(float))]),
    ]
    rows += [("sub", [PILLAR_LABELS[p], *cells(a[p].to_numpy(float))]) for p in pillars]
    rows.append(("", ["Total benefits", *cells(a["benefits"].to_numpy(float))]))
    rows.append(("total", ["Net cash flow", *cells(a["net"].to_numpy(float))]))
    header = ["", *(Cell(str(p), num=True) for p in periods)]
    rate = result.summary.get("discount_rate")
    caption = f"Cash flows by year, {cur}, risk-adjusted"
    if rate is not None:
        caption += f"; present value at {fmt.pct(rate, 0)} a year"
    return html_table("annual", header, rows, caption=caption)


def measurement_plan(case: Any) -> str:
    """The outcome metrics to track, each with its owner, data source, cadence and decision trigger."""
    rows = [("", [m.metric, m.owner, m.source, m.cadence, m.trigger]) for m in case.measurement_plan]
    return html_table(
        "measurement", ["Metric", "Owner", "Data source", "Cadence", "Decision trigger"], rows,
        caption="How the results will be measured",
    )


def _group_title(group: str, names: Mapping[str, str]) -> str:
    """"levers.risk.0" → "Levers · Risk · Mis-disclosure fine" (a list item by its name)."""
    if not group:
        return "Case"
    parts = group.split(".")
    words = []
    for i, part in enumerate(parts):
        if part.isdigit():
            words.append(names.get(".".join(parts[: i + 1]), f"item {int(part) + 1}"))
        else:
            words.append(part.replace("_", " ").capitalize())
    return " · ".join(words)


def assumptions_register(case: Any) -> str:
    """Every input of the case: label (and dotted path), value in its unit, unit, and source note.

    Inputs are grouped under a heading row (``class="group"``) per model and list item, e.g.
    "Levers · Risk · Mis-disclosure fine"; every input keeps its own row.
    """

    cur = _cur(case)
    inputs = iter_inputs(case)
    names = {r.path.rsplit(".", 1)[0]: str(r.value) for r in inputs if r.path.endswith(".name")}
    rows: list[tuple[str, list[Cell | str]]] = []
    group = None
    for row in inputs:
        here = row.path.rsplit(".", 1)[0] if "." in row.path else ""
        if here != group:
            group = here
            rows.append(("group", [Cell(_group_title(here, names), colspan=4)]))
        label = f'{esc(row.label)}<br><code class="note">{esc(row.path)}</code>'
        shown = PILLAR_LABELS.get(row.value, row.value) if isinstance(row.value, str) else row.value
        rows.append(("", [
            Cell(row.label, html_text=label),
            Cell(fmt.value(shown, row.unit, cur), num=not isinstance(row.value, str)),
            fmt.unit_label(row.unit, cur),
            Cell(row.source or "—", cls="" if row.source else "note"),
        ]))
    return html_table(
        "assumptions", ["Input", Cell("Value", num=True), "Unit", "Source"], rows,
        caption="Assumptions register: every input and where it came from",
    )
