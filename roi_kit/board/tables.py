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

import numpy as np

from roi_kit.case.fields import field_doc, iter_inputs
from roi_kit.case.provenance import WEEKDAYS
from roi_kit.case.schema import PILLAR_LABELS, REVENUE_FIRST, correlation_groups
from roi_kit.model.uncertainty import UncertainInput, uncertain_inputs
from roi_kit.page import fmt
from roi_kit.page.html import Cell, _money_cell, _num_cell, esc, html_table

KIND_LABELS = {"one_time": "One-time", "recurring": "Recurring", "custom": "Custom"}



def not_estimated(case: Any, figure: str) -> str:
    """Why a baseline figure the case cannot compute is missing: shown in its place, never $0."""
    b = case.baseline
    if figure == "fte":
        return "not estimated: no agents or handle time given"
    if figure == "churn_exposure":
        missing = [name for name, value in (("customers", b.customers), ("churn rate", b.churn_rate),
                                            ("annual value per customer", b.annual_value_per_customer),
                                            ("gross margin", b.gross_margin)) if value is None]
        return f"not estimated: no {' or '.join(missing) or 'churn figures'} given"
    if figure == "abandon_exposure":
        if case.levers.abandonment is None:
            return "not estimated: no order value given"
        return "not estimated: no gross margin given"
    return "not estimated"


def _estimated_cell(result: Any, figure: str) -> Cell:
    value = getattr(result.baseline, figure)
    if value is None:
        return Cell(not_estimated(result.case, figure), num=True, cls="note")
    return _money_cell(value, fmt.currency_of(result))


def baseline_table(result: Any) -> str:
    """Today's operation as finance reads it: volumes, unit costs, capacity and revenue at risk.

    Each row names how it is computed (C = handled contacts, a = abandon rate, r = repeat rate).
    A figure the case cannot compute says so ("not estimated: no order value given"), never $0.
    A case of explicit lines only has no baseline, and no table ("").
    """
    b, s, cur = result.baseline, result.summary, fmt.currency_of(result)
    if b is None:
        return ""
    fte = (_num_cell(fmt.number(b.fte, 1 if b.fte % 1 else 0)) if b.fte is not None
           else Cell(not_estimated(result.case, "fte"), num=True, cls="note"))
    known = [f for f in ("churn_exposure", "abandon_exposure") if getattr(b, f) is not None]
    at_risk_how = "churn + abandon exposure" if len(known) == 2 else (
        f"{known[0].replace('_', ' ')} only; the other is not estimated" if known else "churn + abandon exposure")
    at_risk = (_money_cell(b.revenue_at_risk, cur) if b.revenue_at_risk is not None
               else Cell("not estimated", num=True, cls="note"))
    rows: list[tuple[str, list[Cell | str]]] = [
        ("", ["Handled contacts per year", _num_cell(fmt.number(b.contacts)), "C, as given"]),
        ("", ["Offered contacts", _num_cell(fmt.number(b.offered)), "C ÷ (1 − a)"]),
        ("", ["Abandoned contacts", _num_cell(fmt.number(b.abandoned)), "offered × a"]),
        ("", ["Resolutions", _num_cell(fmt.number(b.resolutions)), "C × (1 − r)"]),
        ("", ["Operating cost per year", _money_cell(b.total_cost, cur), "C × cost per contact"]),
        ("", ["Cost per contact", _money_cell(b.cost_per_contact, cur, exact=True), "as given, or built from labour"]),
        ("", ["Cost per resolution", _money_cell(b.cost_per_resolution, cur, exact=True), "operating cost ÷ resolutions"]),
        ("", ["Agent FTEs", fte, "as given, or from workload"]),
        ("", ["Churn exposure per year", _estimated_cell(result, "churn_exposure"), "customers × churn × annual value × margin"]),
        ("", ["Abandon exposure per year", _estimated_cell(result, "abandon_exposure"), "abandoned × conversion × order value × margin"]),
        ("total", ["Revenue at risk per year", at_risk, at_risk_how]),
    ]
    after = [
        ("Cost per contact with the change", "cost_per_contact_after"),
        ("Cost per resolution with the change", "cost_per_resolution_after"),
    ]
    for label, key in after:
        if not fmt.is_missing(s.get(key)):
            rows.append(("sub", [label, _money_cell(s[key], cur, exact=True), "at full run-rate, contact-handling costs only"]))
    return html_table(
        "baseline", ["Measure", "Today", "How it is computed"], rows,
        caption=f"Baseline: {result.case.unit}, per year, {cur}",
    )


def checks_box(result: Any) -> str:
    """The reviewer's checks that did not pass (``Result.warnings``), as a "Checks" box; "" if none."""
    warnings = tuple(getattr(result, "warnings", ()) or ())
    if not warnings:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
    return (f'<aside class="roi-checks" aria-label="Checks"><p class="roi-checks__title">Checks</p>'
            f"<ul>{items}</ul></aside>")


def staffing_table(result: Any) -> str:
    """Agents before and after the handle-time saving, year by year (staffed basis only; else "").

    Scheduled agents = Σ over the week's open half-hours of Erlang C agents × ½ h × 365/7 weeks ÷
    (1 − shrinkage) ÷ paid hours per FTE; the saving counted is the staffed figure, never above the
    linear one (every released hour).
    """
    lines = result.lines
    if lines is None or len(lines) == 0 or "handle_time" not in set(lines["lever"]):
        return ""
    terms = lines.set_index("lever").loc["handle_time", "terms"]
    if terms.get("basis") != "staffed":
        return ""
    cur = fmt.currency_of(result)
    arrays = {k: np.atleast_2d(terms[k])[0] for k in ("agents_before", "agents_after", "staffed", "linear", "capped")}
    rows: list[tuple[str, list[Cell | str]]] = []
    for y in range(arrays["staffed"].size):
        before, after = float(arrays["agents_before"][y]), float(arrays["agents_after"][y])
        rows.append(("", [
            f"Year {y + 1}",
            _num_cell(fmt.number(before, 1)),
            _num_cell(fmt.number(after, 1)),
            _num_cell(fmt.number(before - after, 1)),
            _money_cell(float(arrays["staffed"][y]), cur),
            _money_cell(float(arrays["linear"][y]), cur),
        ]))
    capped = [str(y + 1) for y, c in enumerate(arrays["capped"]) if c]
    counted = (f"the staffed saving, capped at the linear bound in year {', '.join(capped)}" if capped
               else "the staffed saving (below the linear bound every year)")
    header = ["", Cell("Agents before", num=True), Cell("Agents after", num=True), Cell("Released", num=True),
              Cell("Staffed saving", num=True), Cell("Linear bound", num=True)]
    return html_table(
        "staffing", header, rows,
        caption=f"Scheduled agents by year, Erlang C per half-hour, and the handle-time saving, {cur} a year at "
        f"full adoption before risk adjustment; counted: {counted}",
    )


def scenario_table(results_by_scenario: Mapping[str, Any]) -> str:
    """The headline figures side by side for each scenario (conservative, expected, optimistic)."""
    items = list(results_by_scenario.items())
    cur = fmt.currency_of(items[0][1]) if items else "USD"

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
    horizon = int(items[0][1].summary.horizon_months) if items else 0
    return html_table("scenarios", header, rows, caption=f"Scenarios over {horizon} months, {cur}, risk-adjusted")


def _year_columns(frame: Any) -> list[str]:
    return [c for c in frame.columns if str(c).startswith("Year ")]


def cost_table(result: Any) -> str:
    """Every cost line by year (before risk adjustment) with its own risk uplift, and the totals.

    Each line's uplift is its own ``risk_adjustment``, else the case's cost uplift; the risk uplift
    row sums line × uplift, and the adjusted total equals the annual table's costs row.
    """
    cur = fmt.currency_of(result)
    lines = result.cost_lines
    years = _year_columns(lines)
    columns = ["initial", *years, "total"]
    rows: list[tuple[str, list[Cell | str]]] = []
    for _, line in lines.iterrows():
        kind = KIND_LABELS.get(str(line["kind"]), str(line["kind"]))
        rows.append(("", [str(line["name"]), kind, _num_cell(fmt.pct(line["risk_adjustment"], 0)),
                          *(_money_cell(line[c], cur) for c in columns)]))
    subtotal = {c: float(lines[c].sum()) for c in columns}
    uplift = {c: float((lines[c] * lines["risk_adjustment"]).sum()) for c in columns}
    rows.append(("total", ["Total before risk adjustment", "", "", *(_money_cell(subtotal[c], cur) for c in columns)]))
    rows.append(("sub", ["Risk uplift", "", "", *(_money_cell(uplift[c], cur) for c in columns)]))
    rows.append(("total", ["Total, risk-adjusted", "", "", *(_money_cell(subtotal[c] + uplift[c], cur) for c in columns)]))
    header = ["Cost line", "Kind", Cell("Risk uplift", num=True),
              *(Cell(h, num=True) for h in ["Initial", *years, "Total"])]
    return html_table("costs", header, rows, caption=f"Costs by year, {cur}, undiscounted")


def annual_table(result: Any) -> str:
    """The TEI layout: Costs, Benefits by pillar, Net; Initial, Year 1..N, Total, Present value.

    Costs are shown negative so that each column adds down: Net = Total benefits − Costs. The
    risk adjustment inside each (the lines' uplifts and haircuts) is shown as an "of which" row.
    """
    cur = fmt.currency_of(result)
    a = result.annual
    periods = list(a.index)
    pillars = [p for p in REVENUE_FIRST if p in a.columns and float(a[p].abs().sum()) != 0]

    def cells(values: Iterable[float]) -> list[Cell]:
        return [_money_cell(v, cur) for v in values]

    rows: list[tuple[str, list[Cell | str]]] = [
        ("", ["Costs", *cells(-a["costs"].to_numpy(float))]),
    ]
    if float(a["costs_risk_adjustment"].abs().sum()):
        rows.append(("sub", ["of which risk uplift", *cells(-a["costs_risk_adjustment"].to_numpy(float))]))
    rows += [("sub", [PILLAR_LABELS[p], *cells(a[p].to_numpy(float))]) for p in pillars]
    rows.append(("", ["Total benefits", *cells(a["benefits"].to_numpy(float))]))
    if float(a["benefits_risk_adjustment"].abs().sum()):
        rows.append(("sub", ["of which risk haircut", *cells(a["benefits_risk_adjustment"].to_numpy(float))]))
    rows.append(("total", ["Net cash flow", *cells(a["net"].to_numpy(float))]))
    header = ["", *(Cell(str(p), num=True) for p in periods)]
    rate = result.summary.discount_rate
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


def _profile_text(grid: Any) -> str:
    """An interval profile in one line: open hours a week and the busiest hour."""
    shares = np.asarray(grid, dtype=float)
    day, hour = np.unravel_index(int(np.argmax(shares)), shares.shape)
    return (f"{int((shares > 0).sum())} open hours a week; busiest {WEEKDAYS[day]} {hour:02d}:00 "
            f"({fmt.pct(float(shares[day, hour]))} of the week)")


#: Where an input's range comes from, as the register says it.
RANGE_SOURCES = {
    "case": "the case's uncertainty section",
    "scenarios": "from the scenarios",
    "cost overrun": "default cost overrun",
    "baseline": "default baseline range",
}


#: What each correlation group holds, for the register.
GROUP_LABELS = {"delivery": "programme delivery: levers, ramp and costs", "baseline": "baseline inputs"}


def _range_cell(u: UncertainInput | None, unit: str, cur: str) -> Cell:
    """"6.00% – 12.5% (triangular, from the scenarios)", or a muted dash for a fixed input."""
    if u is None:
        return Cell("fixed", cls="note")
    shape = u.distribution if u.distribution != "pert" else "PERT"
    return Cell(f"{fmt.value(u.low, unit, cur)} – {fmt.value(u.high, unit, cur)} "
                f"({shape}, {RANGE_SOURCES.get(u.source, u.source)})")


def assumptions_register(
    case: Any,
    inputs: Iterable[UncertainInput] | None = None,
    correlation: Mapping[str, float] | None = None,
) -> str:
    """Every input of the case: label (and dotted path), value in its unit, unit, range and source note.

    Inputs are grouped under a heading row (``class="group"``) per model and list item, e.g.
    "Levers · Risk · Mis-disclosure fine"; every input keeps its own row. The range is the one the
    tornado and the simulation use (``inputs``, by default :func:`uncertain_inputs`), "fixed"
    where the input is not uncertain; the correlation of each group closes the table.
    """

    cur = fmt.currency_of(case)
    rows_in = iter_inputs(case)
    ranges = {u.path: u for u in (uncertain_inputs(case) if inputs is None else inputs)}
    correlation = correlation_groups(case) if correlation is None else correlation
    names = {r.path.rsplit(".", 1)[0]: str(r.value) for r in rows_in if r.path.endswith(".name")}
    rows: list[tuple[str, list[Cell | str]]] = []
    group = None
    for row in rows_in:
        here = row.path.rsplit(".", 1)[0] if "." in row.path else ""
        if here != group:
            group = here
            rows.append(("group", [Cell(_group_title(here, names), colspan=5)]))
        label = f'{esc(row.label)}<br><code class="note">{esc(row.path)}</code>'
        shown = PILLAR_LABELS.get(row.value, row.value) if isinstance(row.value, str) else row.value
        numeric = isinstance(row.value, int | float) and not isinstance(row.value, bool)
        text = _profile_text(row.value) if row.unit == "profile" else fmt.value(shown, row.unit, cur)
        rows.append(("", [
            Cell(row.label, html_text=label),
            Cell(text, num=not isinstance(row.value, str)),
            fmt.unit_label(row.unit, cur),
            _range_cell(ranges.get(row.path), row.unit, cur) if numeric else Cell("", cls="note"),
            Cell(row.source or "—", cls="" if row.source else "note"),
        ]))
    listed = {r.path for r in rows_in}
    extra = [u for path, u in ranges.items() if path not in listed]  # e.g. a segment's lever override
    if extra:
        rows.append(("group", [Cell("Uncertain inputs set elsewhere", colspan=5)]))
        for u in extra:
            unit = field_doc(u.path).unit
            rows.append(("", [Cell(u.path, html_text=f'<code class="note">{esc(u.path)}</code>'),
                              Cell(fmt.value(u.mode, unit, cur), num=True), fmt.unit_label(unit, cur),
                              _range_cell(u, unit, cur), Cell("—", cls="note")]))
    given = case.uncertainty_correlation
    rows.append(("group", [Cell("Uncertainty · rank correlation within each group", colspan=5)]))
    for name, value in correlation.items():
        stated = given is not None and (name in given if isinstance(given, Mapping) else name == "delivery")
        rows.append(("", [
            Cell(f"{name.capitalize()} group ({GROUP_LABELS.get(name, 'inputs the case puts in it')})"),
            Cell(f"{value:.2g}", num=True), "rank correlation", Cell(""),
            Cell("the case's uncertainty_correlation" if stated else "default", cls="" if stated else "note"),
        ]))
    return html_table(
        "assumptions", ["Input", Cell("Value", num=True), "Unit", "Range drawn", "Source"], rows,
        caption="Assumptions register: every input, the range the tornado and the simulation use, and where it came from",
        repeat_caption=True,  # printed, it runs over several pages: each one titled
    )
