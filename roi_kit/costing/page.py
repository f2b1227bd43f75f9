"""``costs.html``: a costing run as one printable, self-contained page for a finance reader.

Built in Python from a :class:`~roi_kit.costing.tables.CostingResult` (no notebook, no kernel):
every fragment here is HTML with all text escaped, the page's structure is the jinja2 template
``templates/costing/costs.html.j2``, and its look is the board report's stylesheet
(``templates/board/static/board.css``, read at render time) plus ``templates/costing/costing.css``.
plotly.js is the report's small finance bundle, inlined once (:func:`roi_kit.page.bundle.plotlyjs`);
the weekday × hour heatmaps are HTML tables (:func:`roi_kit.costing.charts.heatmap_table`) because
that bundle has no heatmap trace. Nothing on the page refers to the network.

Figures are the summary's and the tables' own, formatted through :mod:`roi_kit.page.fmt`: unit costs
to the cent (``$6.71``), totals in whole units (``$2,544,898``), sentences compact (``$2.5M``),
rates as percentages with one decimal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from roi_kit.costing.quality import EXCLUSIONS, NO_VALUE, REPAIRS
from roi_kit.costing.tables import DIMENSIONS, CostingResult
from roi_kit.page import fmt
from roi_kit.page.bundle import plotlyjs
from roi_kit.page.html import Cell, esc, figure_html, formula_block, html_table, kpi_tiles
from roi_kit.page.resources import generation_stamp, template_dir, toolkit_version

PAGE_NAME = "costs.html"
TEMPLATE = "costs.html.j2"
#: Rows a dimension table shows before the rest are summed into one "other" row.
MAX_ROWS = 12
#: Rows of the efficiency table shown (largest variance first); the CSV has them all.
MAX_EFFICIENCY_ROWS = 12
DIMENSION_LABELS = {"channel": "Channel", "type": "Contact type", "team": "Team",
                    "segment": "Customer segment"}


# --- small formatting helpers ----------------------------------------------------------------


def _money(x: float | None, cur: str) -> str:
    """A total in whole currency units: ``$2,544,898``."""
    return fmt.money(x, cur, compact=False)


def _unit(x: float | None, cur: str) -> str:
    """A unit cost to the cent: ``$6.71``."""
    return fmt.money_exact(x, cur)


def _rate(x: float, cur: str) -> str:
    """A rate with the decimals it carries, to four (``$0.012``): cents would round it away."""
    digits = next((d for d in (2, 3, 4) if abs(x * 10**d - round(x * 10**d)) < 1e-9), 4)
    return fmt.currency_symbol(cur) + fmt.number(x, digits)


def _seconds(x: float | None) -> str:
    return fmt.DASH if fmt.is_missing(x) else f"{fmt.number(x)} s"


def _window(days: float) -> str:
    """The repeat window: ``7 days``, ``2.5 days``."""
    return f"{fmt.number(days, 1 if days % 1 else 0)} days"


def _date(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(str(text))


def period_text(summary: dict[str, Any]) -> str:
    """The period the export covers as a reader says it: ``5 Jan – 1 Feb 2026``."""
    first, last = _date(summary.get("period_start")), _date(summary.get("period_end"))
    if first is None or last is None:
        return "no dated contacts"
    if first.date() == last.date():
        return f"{first.day} {first:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def _days(summary: dict[str, Any]) -> str:
    n = int(summary.get("period_days") or 0)
    return f"{n} day{'' if n == 1 else 's'}"


def _name(value: object) -> str:
    """A dimension value as shown: the missing marker reads as "Not recorded"."""
    return "Not recorded" if str(value) == NO_VALUE else str(value)


def _rule_label(rule: str) -> str:
    return rule.replace("_", " ").capitalize()


# --- tables ------------------------------------------------------------------------------------


def _num(text: str, *, negative: bool = False, muted: bool = False) -> Cell:
    return Cell(text, num=True, negative=negative, cls="muted" if muted else "")


def _table(name: str, head: Sequence[Sequence[Cell | str]], rows: Iterable[tuple[str, Sequence[Cell | str]]],
           *, widths: Sequence[int] = ()) -> str:
    """:func:`roi_kit.board.tables.html_table` with the page's class prefix: ``roi-table cost-<name>``."""
    return html_table(name, head, rows, widths=widths, prefix="cost-")


def _share_cell(share: float | None) -> Cell:
    """A share of cost with a small bar beside it (width = the share)."""
    if fmt.is_missing(share):
        return _num(fmt.DASH)
    width = max(0.0, min(1.0, float(share))) * 100
    return Cell(num=True, cls="cost-share", html_text=(
        f'<span class="cost-share__bar"><span style="width:{width:.1f}%"></span></span>'
        f"{esc(fmt.pct(share, 1))}"))


def _other_row(rest: pd.DataFrame) -> dict[str, Any]:
    """The groups past :data:`MAX_ROWS` as one row: sums, and the module formulas over the sums
    (AHT weighted by handled contacts; no percentiles, which do not add up)."""
    handled = float(rest["contacts_handled"].sum())
    cost = float(rest["total_cost"].sum())
    res = float(rest["resolutions"].sum())
    return {"contacts_handled": handled, "total_cost": cost, "share_of_cost": float(rest["share_of_cost"].sum()),
            "aht_seconds": float((rest["aht_seconds"] * rest["contacts_handled"]).sum() / handled) if handled else None,
            "cost_per_contact": cost / handled if handled else None, "cost_p50": None, "cost_p90": None,
            "cost_per_resolution": cost / res if res else None}


def dimension_table(result: CostingResult, dim: str) -> str:
    """Where the money goes along one dimension (``channel``, ``type``, ``team``, ``segment``):
    handled contacts, AHT, total cost, share of cost, cost per contact (mean, P50, P90) and cost per
    resolution, costliest group first, with the run's total underneath."""
    s, cur = result.summary, result.summary["currency"]
    frame = result.tables[f"by_{dim}"]
    column = DIMENSIONS[dim]

    def cells(label: str, row: Any, *, label_cls: str = "") -> list[Cell]:
        return [Cell(label, cls=label_cls), _num(fmt.number(row["contacts_handled"])),
                _num(_seconds(row["aht_seconds"])), _num(_money(row["total_cost"], cur)),
                _share_cell(row["share_of_cost"]), _num(_unit(row["cost_per_contact"], cur)),
                _num(_unit(row["cost_p50"], cur)), _num(_unit(row["cost_p90"], cur)),
                _num(_unit(row["cost_per_resolution"], cur))]

    rows: list[tuple[str, list[Cell]]] = []
    for _, row in frame.head(MAX_ROWS).iterrows():
        name = str(row[column])
        rows.append(("", cells(_name(name), row, label_cls="muted" if name == NO_VALUE else "")))
    if len(frame) > MAX_ROWS:
        rest = frame.iloc[MAX_ROWS:]
        rows.append(("sub", cells(f"{len(rest)} more (in by_{dim}.csv)", _other_row(rest))))
    total = {**s, "share_of_cost": 1.0 if s["total_cost"] > 0 else None}
    rows.append(("total", cells("All contacts", total)))
    head = [[Cell(DIMENSION_LABELS[dim]), Cell("Handled", num=True), Cell("AHT", num=True),
             Cell("Total cost", num=True), Cell("Share of cost", num=True),
             Cell("Cost per contact", num=True, colspan=3, cls="cost-span"),
             Cell("Cost per resolution", num=True)],
            [Cell(""), Cell(""), Cell(""), Cell(""), Cell(""), Cell("Mean", num=True),
             Cell("P50", num=True), Cell("P90", num=True), Cell("")]]
    return _table(f"dim cost-by-{dim}", head, rows, widths=(19, 10, 8, 12, 15, 8, 8, 8, 12))


def efficiency_html(result: CostingResult) -> str:
    """Actual handling cost against standard by type and team, or a sentence saying why not."""
    s, cur = result.summary, result.summary["currency"]
    eff = result.tables["efficiency"]
    if eff.empty:
        if not result.rates.standards:
            return ('<p class="roi-callout">No standards were given, so actual cost is not compared '
                    "against standard. Add a standard handle time or cost per contact type to the "
                    "rates file (for example <code>standards: {billing: {handle_seconds: 300}}</code>) "
                    "to see which types and teams run over it.</p>")
        return ('<p class="roi-callout">Standards were given, but none of them matches a contact type '
                f"in the export ({esc(', '.join(sorted(result.rates.standards)))}).</p>")
    variance, standard = s["cost_variance"], s["standard_cost"]
    over = variance / standard if standard else None
    word = "over" if variance >= 0 else "under"
    lead = (f"Handling cost was {fmt.money(s['actual_handling_cost_vs_standard'], cur)} against a standard of "
            f"{fmt.money(standard, cur)}: {fmt.money(abs(variance), cur)} ({fmt.pct(abs(over) if over is not None else None, 1)}) "
            f"{word} standard on the types that have one.")
    top = eff.iloc[0]
    lead += (f" The largest gap is {_name(top['contact_type'])} in {_name(top['team'])}: "
             f"{fmt.money(top['variance'], cur)}, {_unit(top['variance_per_contact'], cur)} a contact.")
    missing = s.get("types_without_standard") or []
    rows = []
    for _, r in eff.head(MAX_EFFICIENCY_ROWS).iterrows():
        rows.append(("", [Cell(_name(r["contact_type"])), Cell(_name(r["team"])),
                          _num(fmt.number(r["contacts_handled"])), _num(_money(r["actual_cost"], cur)),
                          _num(_money(r["standard_cost"], cur)),
                          _num(_money(r["variance"], cur), negative=r["variance"] > 0),
                          _num(_unit(r["variance_per_contact"], cur), negative=r["variance_per_contact"] > 0),
                          _num(fmt.pct(r["efficiency"], 1))]))
    rows.append(("total", [Cell("All with a standard"), Cell(""), _num(fmt.number(eff["contacts_handled"].sum())),
                           _num(_money(s["actual_handling_cost_vs_standard"], cur)), _num(_money(standard, cur)),
                           _num(_money(variance, cur), negative=variance > 0), Cell(""),
                           _num(fmt.pct(standard / s["actual_handling_cost_vs_standard"], 1)
                                if s["actual_handling_cost_vs_standard"] else fmt.DASH)]))
    head = [[Cell("Contact type"), Cell("Team"), Cell("Handled", num=True), Cell("Actual", num=True),
             Cell("Standard", num=True), Cell("Variance", num=True), Cell("Per contact", num=True),
             Cell("Efficiency", num=True)]]
    note = ""
    if len(eff) > MAX_EFFICIENCY_ROWS:
        note += f"{len(eff) - MAX_EFFICIENCY_ROWS} smaller variances are in efficiency.csv. "
    if missing:
        note += f"Types without a standard: {', '.join(_name(m) for m in missing)}."
    return (f'<p class="roi-lead">{esc(lead)}</p>' + _table("efficiency", head, rows)
            + (f'<p class="roi-note">{esc(note.strip())}</p>' if note else ""))


def reconciliation_html(result: CostingResult) -> str:
    """Every row of the export accounted for: rows in = rows used + excluded by reason."""
    s = result.summary
    meaning = dict(EXCLUSIONS)
    rows: list[tuple[str, list[Cell]]] = [("total cost-first", [Cell("Rows in the export"), Cell(""),
                                                                _num(fmt.number(s["rows_in"]))])]
    for rule, _ in EXCLUSIONS:
        n = int(s["excluded"].get(rule, 0))
        rows.append(("sub", [Cell(html_text=f"{esc(_rule_label(rule))} <code class=\"note\">{esc(rule)}</code>"),
                             Cell(meaning[rule], cls="cost-meaning"),
                             _num(f"{fmt.MINUS}{fmt.number(n)}" if n else "0", muted=not n)]))
    rows.append(("total", [Cell("Rows used"), Cell("priced and counted in every table"),
                           _num(fmt.number(s["rows_used"]))]))
    rows.append(("sub", [Cell("Handled"), Cell(""), _num(fmt.number(s["contacts_handled"]))]))
    rows.append(("sub", [Cell("Abandoned"), Cell(""), _num(fmt.number(s["contacts_abandoned"]))]))
    head = [[Cell("Rows"), Cell("Rule: the row is excluded when it is"), Cell("Rows", num=True)]]
    return _table("reconciliation", head, rows)


def repairs_html(result: CostingResult) -> str:
    """Rows used after a repair, by rule (a row may carry several repairs)."""
    s = result.summary
    rows = []
    for rule, what in REPAIRS:
        n = int(s["repaired"].get(rule, 0))
        rows.append(("", [Cell(html_text=f"{esc(_rule_label(rule))} <code class=\"note\">{esc(rule)}</code>"),
                          Cell(what, cls="cost-meaning"), _num(fmt.number(n), muted=not n)]))
    head = [[Cell("Repair"), Cell("What was found, and what was done"), Cell("Rows", num=True)]]
    return _table("repairs", head, rows)


def rates_html(result: CostingResult) -> str:
    """The rates the run priced contacts with (the rates file, defaults included)."""
    r, cur = result.rates, result.rates.currency
    uplift = r.uplift
    rows: list[tuple[str, list[Cell]]] = [
        ("", [Cell("Loaded cost per paid agent hour"), _num(_unit(r.default_hourly_cost, cur)),
              Cell("default; an agent's or team's rate below wins")]),
    ]
    for team, rate in sorted(r.hourly_cost_by_team.items()):
        rows.append(("sub", [Cell(f"Team {team}"), _num(_unit(rate, cur)), Cell("per paid hour")]))
    if r.hourly_cost_by_agent:
        rows.append(("sub", [Cell("Agents with their own rate"), _num(fmt.number(len(r.hourly_cost_by_agent))),
                             Cell("listed in the rates file")]))
    rows += [
        ("", [Cell("Occupancy"), _num(fmt.pct(r.occupancy, 1)), Cell("share of available time spent on contacts")]),
        ("", [Cell("Shrinkage"), _num(fmt.pct(r.shrinkage, 1)), Cell("share of paid time not available")]),
        ("sub", [Cell("Uplift on handling time"), _num(fmt.multiple(uplift, 3)),
                 Cell(f"1 ÷ ({fmt.pct(r.occupancy, 1)} × (1 − {fmt.pct(r.shrinkage, 1)}))")]),
    ]
    for channel, tech in sorted(r.technology.items()):
        parts = [f"{_rate(tech.per_minute, cur)} per minute"] if tech.per_minute else []
        if tech.per_contact:
            parts.append(f"{_rate(tech.per_contact, cur)} per contact")
        rows.append(("", [Cell(f"Technology: {channel}"), _num(" + ".join(parts) or "none"),
                          Cell("per minute of queue, talk and hold; per contact offered")]))
    if not r.technology:
        rows.append(("", [Cell("Technology"), _num("none"), Cell("no channel has a technology rate")]))
    ovh = r.overhead
    parts = ([f"{fmt.pct(ovh.share_of_labour, 1)} of labour"] if ovh.share_of_labour else []) + (
        [f"{_rate(ovh.per_contact, cur)} per contact"] if ovh.per_contact else [])
    rows.append(("", [Cell("Overhead"), _num(" + ".join(parts) or "none"),
                      Cell("share of labour, plus an amount per handled contact")]))
    for ctype, std in sorted(r.standards.items()):
        value = (_seconds(std.handle_seconds) if std.handle_seconds is not None
                 else _unit(std.cost_per_contact, cur))
        rows.append(("sub", [Cell(f"Standard: {ctype}"), _num(value),
                             Cell("handle seconds, priced like actual labour" if std.handle_seconds is not None
                                  else "cost per handled contact")]))
    rows.append(("", [Cell("Repeat window"), _num(_window(r.repeat_window_days)),
                      Cell("same customer and type, between start times")]))
    rows.append(("", [Cell("Paid hours per FTE-year"), _num(fmt.number(r.paid_hours_per_fte)),
                      Cell("agent FTEs = handled hours a year × the uplift ÷ these hours")]))
    rows.append(("", [Cell("Currency"), _num(cur), Cell("")]))
    head = [[Cell("Rate"), Cell("Value", num=True), Cell("How it is used")]]
    return _table("rates", head, rows)


# --- methodology -----------------------------------------------------------------------------


def methodology_html(result: CostingResult) -> str:
    """The formulas of :mod:`roi_kit.costing.tables`, each with this run's numbers where it has one."""
    s, r, cur = result.summary, result.rates, result.summary["currency"]
    uplift = r.uplift
    identified = s["contacts_handled"] - s["unidentified_contacts"]
    offered = s["contacts_handled"] + s["contacts_abandoned"]
    items = [
        formula_block("Hourly rate h", "the agent's rate, else the team's, else the default loaded cost per paid hour",
                 f"default {_unit(r.default_hourly_cost, cur)}"),
        formula_block("Labour", "(talk + hold + after-call seconds) ÷ 3,600 × h ÷ occupancy ÷ (1 − shrinkage); "
                 "abandoned contacts carry none",
                 f"uplift 1 ÷ ({fmt.pct(r.occupancy, 1)} × (1 − {fmt.pct(r.shrinkage, 1)})) = {fmt.multiple(uplift, 3)}; "
                 f"Σ labour {_money(s['labour_cost'], cur)}"),
        formula_block("Technology", "per-minute rate of the channel × (queue + talk + hold) ÷ 60 + its per-contact "
                 "rate, on every offered contact", f"Σ technology {_money(s['technology_cost'], cur)}"),
        formula_block("Overhead", "share of labour × labour + per-contact amount (handled contacts)",
                 f"Σ overhead {_money(s['overhead_cost'], cur)}"),
        formula_block("Cost of a contact", "labour + technology + overhead",
                 f"{_money(s['labour_cost'], cur)} + {_money(s['technology_cost'], cur)} + "
                 f"{_money(s['overhead_cost'], cur)} = {_money(s['total_cost'], cur)}"),
        formula_block("Cost per contact", "Σ cost (handled and abandoned) ÷ handled contacts",
                 f"{_money(s['total_cost'], cur)} ÷ {fmt.number(s['contacts_handled'])} = "
                 f"{_unit(s['cost_per_contact'], cur)}"),
        formula_block("P50, P90 and the top decile", "percentiles of handled contacts' own costs (linear "
                 "interpolation); top-decile share = cost of the costliest ⌈n ÷ 10⌉ handled contacts ÷ "
                 "their total cost",
                 f"P50 {_unit(s['cost_p50'], cur)}, P90 {_unit(s['cost_p90'], cur)}, "
                 f"top decile {fmt.pct(s['top_decile_cost_share'], 1)}"),
        formula_block("Repeat rate", f"handled contacts whose customer had a handled contact of the same type in the "
                 f"previous {_window(s['repeat_window_days'])} "
                 "÷ handled contacts with an identified customer (contacts without one are assumed to repeat "
                 "at that rate)",
                 f"{fmt.number(s['repeats'])} ÷ {fmt.number(identified)} = {fmt.pct(s['repeat_rate'], 1)}"),
        formula_block("Cost per resolution", "Σ cost ÷ (handled × (1 − repeat rate))",
                 f"{_money(s['total_cost'], cur)} ÷ {fmt.number(s['resolutions'])} = "
                 f"{_unit(s['cost_per_resolution'], cur)}"),
        formula_block("Abandon rate", "abandoned ÷ offered (handled + abandoned)",
                 f"{fmt.number(s['contacts_abandoned'])} ÷ {fmt.number(offered)} = {fmt.pct(s['abandon_rate'], 1)}"),
        formula_block("Engagement share", "Σ talk seconds ÷ 3,600 × h ÷ Σ cost: paid time spent talking with the "
                 "customer; the rest is hold, after-call work, idle and shrinkage time, technology and overhead",
                 f"{fmt.pct(s['engagement_share'], 1)} of cost"),
        formula_block("Standard cost and variance", "the type's standard cost per contact, or its standard handle "
                 "seconds priced like labour (with overhead); variance = labour + overhead − standard",
                 (f"{_money(s['actual_handling_cost_vs_standard'], cur)} − {_money(s['standard_cost'], cur)} = "
                  f"{_money(s['cost_variance'], cur)}") if r.standards else "no standards given"),
        formula_block("Agent FTEs", "handled hours (talk + hold + after-call) × 365 ÷ days ÷ occupancy ÷ "
                 "(1 − shrinkage) ÷ paid hours per FTE-year; the agent ids in the export are counted beside it",
                 f"{fmt.number(s['agent_ftes'], 2)} FTEs ({fmt.number(r.paid_hours_per_fte)} h each); "
                 f"{fmt.number(s['agent_ids_seen'])} agent ids seen"),
        formula_block("Per year (the baseline)", "handled contacts × 365 ÷ days in the period",
                 f"{fmt.number(s['contacts_handled'])} × 365 ÷ {fmt.number(s['period_days'])} = "
                 f"{fmt.number(result.baseline.get('contacts_per_year'))}" if result.baseline else ""),
    ]
    return f'<dl class="roi-formulas">{"".join(items)}</dl>'


# --- headline ---------------------------------------------------------------------------------


def kpis(result: CostingResult) -> list[tuple[str, str, str]]:
    """The eight figures read first: (label, value, note), formatted as the tables format them."""
    s, cur = result.summary, result.summary["currency"]
    offered = s["contacts_handled"] + s["contacts_abandoned"]
    per_year = result.baseline.get("contacts_per_year")
    return [
        ("Cost per contact", _unit(s["cost_per_contact"], cur),
         f"P50 {_unit(s['cost_p50'], cur)} · P90 {_unit(s['cost_p90'], cur)}"),
        ("Cost per resolution", _unit(s["cost_per_resolution"], cur),
         f"{fmt.number(s['resolutions'])} resolutions"),
        ("Repeat rate", fmt.pct(s["repeat_rate"], 1),
         f"same customer and type within {_window(s['repeat_window_days'])}"),
        ("Abandon rate", fmt.pct(s["abandon_rate"], 1),
         f"{fmt.number(s['contacts_abandoned'])} of {fmt.number(offered)} offered"),
        ("Top-decile share", fmt.pct(s["top_decile_cost_share"], 1), "of cost, in the costliest 10% of contacts"),
        ("Engagement share", fmt.pct(s["engagement_share"], 1), "of cost spent talking with customers"),
        ("Contacts handled", fmt.number(s["contacts_handled"]),
         f"{fmt.number(per_year, compact=True)} contacts a year" if per_year else ""),
        ("Period", _days(s), period_text(s)),
    ]


def kpi_strip(result: CostingResult) -> str:
    """:func:`kpis` as the board report's tiles, four to a row."""
    return kpi_tiles(kpis(result), cls="cost-kpis")


def buildup_html(result: CostingResult) -> str:
    """Total cost by component (labour, technology, overhead): over the period, as a share, per
    handled contact and per year (× 365 ÷ days in the period, as the baseline annualises)."""
    s, cur = result.summary, result.summary["currency"]
    handled, factor, total = s["contacts_handled"], s["annualisation_factor"], s["total_cost"]
    rows = []
    for label, key, note in (("Labour", "labour_cost", "handling time at the loaded rate, uplifted"),
                             ("Technology", "technology_cost", "channel minutes and per-contact charges"),
                             ("Overhead", "overhead_cost", "share of labour and per-contact amounts"),
                             ("Total cost", "total_cost", "")):
        x = s[key]
        rows.append(("total" if key == "total_cost" else "", [
            Cell(label), Cell(note, cls="cost-meaning"), _num(_money(x, cur)),
            _num(fmt.pct(x / total, 1) if total else fmt.DASH),
            _num(_unit(x / handled, cur) if handled else fmt.DASH),
            _num(_money(x * factor, cur) if factor else fmt.DASH)]))
    head = [[Cell("Cost"), Cell(""), Cell(f"Over {_days(s)}", num=True), Cell("Share", num=True),
             Cell("Per handled contact", num=True), Cell("Per year", num=True)]]
    return _table("buildup", head, rows, widths=(16, 30, 15, 10, 15, 14))


def headline(result: CostingResult) -> str:
    """One sentence: what contacts cost over the period, per contact and per resolution."""
    s, cur = result.summary, result.summary["currency"]
    if not s["contacts_handled"]:
        return f"No handled contacts in {Path(result.source).name}: nothing to cost."
    return (f"Over {_days(s)}, {fmt.number(s['contacts_handled'])} handled contacts cost "
            f"{fmt.money(s['total_cost'], cur)}: {_unit(s['cost_per_contact'], cur)} a contact and "
            f"{_unit(s['cost_per_resolution'], cur)} a resolution, with {fmt.pct(s['repeat_rate'], 1)} of "
            f"contacts repeating within {_window(s['repeat_window_days'])}.")


def where_lead(result: CostingResult) -> str:
    """The sentence over the breakdown: the channel carrying most cost, the type dearest to resolve."""
    cur = result.summary["currency"]
    parts = []
    ch = result.tables["by_channel"]
    if len(ch):
        top = ch.iloc[0]
        parts.append(f"{_name(top['channel']).capitalize()} carries {fmt.pct(top['share_of_cost'], 0)} of cost "
                     f"at {_unit(top['cost_per_contact'], cur)} a contact")
    ty = result.tables["by_type"].dropna(subset=["cost_per_resolution"])
    if len(ty):
        dear = ty.sort_values("cost_per_resolution", ascending=False).iloc[0]
        parts.append(f"{_name(dear['contact_type'])} contacts are the dearest to resolve, at "
                     f"{_unit(dear['cost_per_resolution'], cur)}")
    return ("; ".join(parts) + ".") if parts else ""


def spread_lead(result: CostingResult) -> str:
    s, cur = result.summary, result.summary["currency"]
    if fmt.is_missing(s["cost_p50"]):
        return ""
    ratio = s["cost_p90"] / s["cost_p50"] if s["cost_p50"] else None
    return (f"The typical handled contact costs {_unit(s['cost_p50'], cur)} (P50); one in ten costs more than "
            f"{_unit(s['cost_p90'], cur)} (P90), {fmt.multiple(ratio)} the typical one. The mean, "
            f"{_unit(s['cost_per_contact'], cur)}, sits above the median because a few long contacts cost a lot.")


def demand_lead(result: CostingResult) -> str:
    hours = result.tables["abandon_by_hour"]
    if hours.empty:
        return ""
    busiest = hours.sort_values("offered", ascending=False).iloc[0]
    busy = hours[hours["offered"] >= hours["offered"].quantile(0.25)]
    worst = busy.sort_values("abandon_rate", ascending=False).iloc[0]
    return (f"The busiest hour is {busiest['weekday']} {int(busiest['hour']):02d}:00 with "
            f"{fmt.number(busiest['offered'])} contacts offered over the period; among the busier hours, "
            f"{worst['weekday']} {int(worst['hour']):02d}:00 loses the most, "
            f"{fmt.pct(worst['abandon_rate'], 1)} abandoned.")


def quality_lead(result: CostingResult) -> str:
    s = result.summary
    excluded = s["rows_in"] - s["rows_used"]
    repaired = sum(s["repaired"].values())
    text = (f"Of {fmt.number(s['rows_in'])} rows, {fmt.number(s['rows_used'])} were used "
            f"({fmt.pct(s['rows_used'] / s['rows_in'], 1) if s['rows_in'] else fmt.DASH}) and "
            f"{fmt.number(excluded)} excluded, each for the first rule it breaks; "
            f"{fmt.number(repaired)} repairs were made to rows that were kept.")
    if s["missing_columns"]:
        text += f" Columns not in the export: {', '.join(s['missing_columns'])}."
    return text


# --- the page ---------------------------------------------------------------------------------


def _templates() -> Path:

    return template_dir()


@cache
def _environment(folder: str):
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _figures(result: CostingResult) -> dict[str, str]:
    from roi_kit.costing import charts

    if not result.summary["contacts_handled"]:  # nothing to plot: say so instead of empty axes
        note = '<p class="roi-callout">No handled contacts in the export, so there is nothing to chart.</p>'
        return dict.fromkeys(("cost-concentration", "cost-per-resolution-by-type"), note)
    return {name: figure_html(fig, name) for name, fig in charts.figures(result).items()}


def context(result: CostingResult, *, generated_at: datetime | None = None) -> dict[str, Any]:
    """Everything the template shows: plain strings (the template escapes them) and ``Markup``
    fragments built and escaped here."""
    from markupsafe import Markup

    from roi_kit.costing.charts import heatmap_table

    s = result.summary
    figs = _figures(result)
    frag = {
        "kpis": kpi_strip(result),
        "buildup": buildup_html(result),
        "chart_resolution": figs["cost-per-resolution-by-type"],
        "chart_concentration": figs["cost-concentration"],
        "tables": {dim: dimension_table(result, dim) for dim in DIMENSIONS},
        "efficiency": efficiency_html(result),
        "volume_heatmap": heatmap_table(result, "offered"),
        "abandon_heatmap": heatmap_table(result, "abandon_rate"),
        "reconciliation": reconciliation_html(result),
        "repairs": repairs_html(result),
        "rates": rates_html(result),
        "methodology": methodology_html(result),
        "plotlyjs": plotlyjs(),
    }
    marked = {k: ({d: Markup(v) for d, v in f.items()} if isinstance(f, dict) else Markup(f))
              for k, f in frag.items()}
    return {
        **marked,
        "source_name": Path(result.source).name,
        "period": period_text(s),
        "days": _days(s),
        "currency": s["currency"],
        "rows_in": fmt.number(s["rows_in"]),
        "offered": fmt.number(s["contacts_handled"] + s["contacts_abandoned"]),
        "headline": headline(result),
        "where_lead": where_lead(result),
        "spread_lead": spread_lead(result),
        "demand_lead": demand_lead(result),
        "quality_lead": quality_lead(result),
        "warnings": list(s["warnings"]),
        "notes": list(s["notes"]),
        "ftes": f"handled hours ÷ occupancy ÷ (1 − shrinkage) ÷ {fmt.number(s['paid_hours_per_fte'])} "
                f"h per FTE-year = {fmt.number(s['agent_ftes'], 2)}",
        "agent_ids": fmt.number(s["agent_ids_seen"]),
        "dimension_labels": DIMENSION_LABELS,
        "baseline_yaml": result.baseline_yaml(),
        "has_baseline": bool(result.baseline),
        **generation_stamp(generated_at),
        "toolkit_version": toolkit_version(),
        "board_css": Markup(_css("board/static/board.css")),
        "costing_css": Markup(_css("costing/costing.css")),
    }


def _css(relative: str) -> str:
    """A stylesheet of the templates folder, safe inside ``<style>`` (no early ``</style``)."""
    text = (_templates() / relative).read_text(encoding="utf-8")
    return text.replace("</", "<\\/")


def render(result: CostingResult, *, generated_at: datetime | None = None) -> str:
    """The costing page as one self-contained HTML string (see the module docstring)."""
    folder = _templates()
    template = _environment(str(folder)).get_template(f"costing/{TEMPLATE}")
    return template.render(**context(result, generated_at=generated_at))


def write_page(result: CostingResult, path: str | os.PathLike[str], *,
               generated_at: datetime | None = None) -> Path:
    """Render the page and write it to ``path`` atomically (temporary file, then rename)."""
    from roi_kit._io import write_atomic

    return write_atomic(Path(path), render(result, generated_at=generated_at))


__all__ = ["PAGE_NAME", "dimension_table", "headline", "kpis", "period_text", "render", "write_page"]
