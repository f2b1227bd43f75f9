"""The methodology appendix: every formula the model used, worked with this case's numbers.
"""

from __future__ import annotations

from typing import Any

from roi_kit.board.tables import _cur
from roi_kit.case.schema import PILLAR_LABELS
from roi_kit.model.uncertainty import latent_correlation
from roi_kit.page import fmt
from roi_kit.page.html import Cell, _money_cell, _num_cell, esc, formula_block, html_table


def _benefit_lines(result: Any) -> str:
    cur = _cur(result)
    lines = result.lines
    if lines is None or len(lines) == 0:
        return ""
    rows = []
    for _, line in lines.iterrows():
        rows.append(("", [
            str(line["name"]),
            PILLAR_LABELS.get(str(line["pillar"]), str(line["pillar"])),
            _money_cell(line["run_rate"], cur),
            _num_cell(fmt.pct(line["haircut"], 0)),
            _money_cell(line["run_rate_adjusted"], cur),
            Cell(str(line.get("formula", "")), cls="formula"),
        ]))
    header = ["Benefit line", "Pillar", Cell("Run-rate per year", num=True), Cell("Haircut", num=True),
              Cell("Risk-adjusted", num=True), "How it is computed"]
    return html_table("lines", header, rows, caption=f"Benefit lines at full adoption, {cur} per year")


def _uncertainty(mc: Any) -> str:
    """How the simulation draws its inputs, with this run's numbers."""
    groups = {u.group for u in mc.inputs}
    shown = "; ".join(
        f"{name}: ρₛ = {rank:.2g} → ρ = {latent_correlation(rank):.3f}, "
        f"{sum(u.group == name for u in mc.inputs)} inputs"
        for name, rank in mc.correlation.items() if name in groups
    )
    return formula_block(
        "Uncertainty",
        "each uncertain input is drawn from its range (triangular, PERT or uniform; the register's "
        "\"Range drawn\"); inputs of a group share one factor F (Gaussian copula): "
        "z = ±(√ρ·F + √(1 − ρ)·ε), value = the input's quantile at Φ(z), ρ = 2·sin(π·ρₛ/6) for the "
        "group's rank correlation ρₛ, the sign making a good draw good for every input",
        f"{fmt.number(mc.draws)} draws, seed {mc.seed}; {shown}",
    )


def methodology(result: Any, mc: Any = None) -> str:
    """The formulas used, with this case's numbers plugged in, the benefit lines, and the notes
    (and, given the Monte Carlo run ``mc``, how its inputs were drawn)."""
    s, b, cur = result.summary, result.baseline, _cur(result)
    m = lambda x: fmt.money(x, cur, compact=False)  # noqa: E731 - local shorthand
    horizon = int(s["horizon_months"])
    rate = s.get("discount_rate")
    items = [
        formula_block(
            "Cost per resolution",
            "operating cost ÷ (handled contacts × (1 − repeat rate))",
            f"{m(b.total_cost)} ÷ {fmt.number(b.resolutions)} = {fmt.money_exact(b.cost_per_resolution, cur)}",
        ),
        formula_block(
            "Present value",
            "PV = Σ cash flow in year t ÷ (1 + i)^t, Initial at t = 0 (undiscounted)",
            f"i = {fmt.pct(rate)}, over {horizon} months" if rate is not None else "",
        ),
        formula_block(
            "Net present value",
            "NPV = PV(benefits) − PV(costs)",
            f"{m(s['pv_benefits'])} − {m(s['pv_costs'])} = {m(s['npv'])}",
        ),
        formula_block(
            "Return on investment (risk-adjusted)",
            "ROI = NPV ÷ PV(costs)",
            f"{m(s['npv'])} ÷ {m(s['pv_costs'])} = {fmt.pct(s['roi'])}",
        ),
        formula_block(
            "Simple ROI",
            "(Σ benefits − Σ costs) ÷ Σ costs, undiscounted",
            f"({m(s['total_benefits'])} − {m(s['total_costs'])}) ÷ {m(s['total_costs'])} = {fmt.pct(s['simple_roi'])}",
        ),
        formula_block(
            "Internal rate of return",
            "the annual rate at which the NPV of the yearly cash flows is zero",
            f"IRR = {fmt.pct(s.get('irr'))}" if not fmt.is_missing(s.get("irr")) else "undefined for these cash flows",
        ),
        formula_block(
            "Payback",
            "the month the cumulative undiscounted net cash flow turns non-negative, interpolated; "
            "reported as the month during which it happens",
            (f"{fmt.duration(s['payback_months'], 2)} → {fmt.months(s['payback_months'])}"
             if not fmt.is_missing(s.get("payback_months")) else f"not within {horizon} months"),
        ),
    ]
    if mc is not None and getattr(mc, "inputs", ()):
        items.append(_uncertainty(mc))
    notes = "".join(f"<li>{esc(n)}</li>" for n in result.notes)
    return (
        '<div class="roi-methodology">'
        f'<dl class="roi-formulas">{"".join(items)}</dl>'
        f"{_benefit_lines(result)}"
        + (f'<ul class="roi-notes">{notes}</ul>' if notes else "")
        + "</div>"
    )
