"""The methodology appendix: every formula the model used, worked with this case's numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from roi_kit.case.schema import PILLAR_LABELS, PILLARS, Case
from roi_kit.model.inputs import _scalar
from roi_kit.model.uncertainty import latent_correlation
from roi_kit.page import fmt
from roi_kit.page.html import Cell, _money_cell, _num_cell, esc, formula_block, html_table


# Money in the worked formulas is in the house format to the cent ("$4.80", roi_kit.page.fmt);
# rates keep two decimals ("10.00%") so the formula's inputs can be read back exactly.
def _money(x: Any, currency: str) -> str:
    return fmt.money_exact(_scalar(x), currency)


def _num(x: Any) -> str:
    return f"{_scalar(x):,.0f}"


def _pct(x: Any) -> str:
    return f"{_scalar(x):.2%}"


def formula_text(lever: str, terms: Mapping[str, Any], currency: str, segments: int = 1) -> str:
    """How one benefit line was computed, with the numbers the model used (``Result.lines`` terms)."""
    t, cur = terms, currency
    several = f" (summed over {segments} segments)" if segments > 1 else ""
    if lever == "first_contact_resolution":
        c = _num(t["contacts"])
        return (f"({c} − {c} × (1 − {_pct(t['repeat_rate'])}) ÷ (1 − {_pct(t['repeat_rate_after'])})) "
                f"contacts avoided × {_money(t['cost_per_contact'], cur)} per contact{several}")
    if lever == "deflection":
        return (f"{_num(t['contacts'])} contacts × {_pct(t['rate'])} deflected × "
                f"((1 − {_pct(t['leakage'])} leakage) × {_money(t['cost_per_contact'], cur)} − "
                f"{_money(t['automated_cost'], cur)} automated){several}")
    if lever == "handle_time" and t["basis"] == "linear":
        return (f"{_num(t['contacts'])} agent contacts × {_num(t['seconds_saved'])} s ÷ 3600 = "
                f"{_num(t['hours'])} hours released ÷ ({_pct(t['occupancy'])} occupancy × "
                f"(1 − {_pct(t['shrinkage'])} shrinkage)) × {_money(t['hourly_cost'], cur)} per paid hour (linear)")
    if lever == "handle_time":
        capped = [i + 1 for i, c in enumerate(np.atleast_2d(t["capped"])[0]) if c]
        profile = "the case's interval profile" if t.get("custom_profile") else "the default weekly profile"
        before, after = np.atleast_2d(t["agents_before"])[0], np.atleast_2d(t["agents_after"])[0]
        text = (f"{_num(t['hours'])} hours released; Erlang C at {t['target']:.0%} in {t['within']:g} s for each of "
                f"{2 * t['open_hours_per_week']:,.0f} open half-hours a week ({profile}), at each year's volume of "
                f"contacts agents still handle: {before[0]:,.1f} → {after[0]:,.1f} scheduled agents in year 1 "
                f"(÷ (1 − {_pct(t['shrinkage'])} shrinkage)); agent-hours no longer needed × "
                f"{_money(t['hourly_cost'], cur)} per hour = {_money(np.atleast_2d(t['staffed'])[0, 0], cur)} (staffed)")
        if capped:
            years = ", ".join(str(y) for y in capped)
            text += (f"; capped at the linear figure, every released hour ({_money(np.atleast_2d(t['linear'])[0, 0], cur)} "
                     f"in year 1), in year {years}")
        return text
    if lever == "abandonment":
        a = _pct(t["abandon_rate"])
        return (f"{_num(t['contacts'])} ÷ (1 − {a}) offered × ({a} − {_pct(t['abandon_rate_after'])}) recovered × "
                f"({_pct(t['conversion_rate'])} × {_money(t['average_order'], cur)} × {_pct(t['margin'])} margin − "
                f"{_money(t['cost_per_contact'], cur)} handling){several}")
    if lever == "retention":
        part = "half of" if t.get("timing", "mid_year") == "mid_year" else "all of"
        return (f"{_num(t['customers'])} customers × ({_pct(t['churn_rate'])} − {_pct(t['churn_rate_after'])}) "
                f"churn kept each year × {_money(t['value'], cur)} a year × {_pct(t['margin'])} margin: "
                f"one year's kept customers for a full year; they count {part} the year they are kept and carry "
                f"forward, churning at {_pct(t['churn_rate'])} a year{several}")
    if lever == "upsell":
        return (f"{_num(t['contacts'])} contacts agents still handle (after first-contact resolution and deflection, "
                f"with recovered abandons) × {_pct(t['eligible_share'])} eligible × "
                f"{_pct(t['conversion_lift'])} conversion lift × {_money(t['average_value'], cur)} × "
                f"{_pct(t['margin'])} margin{several}")
    if lever == "agent_attrition":
        return (f"{_num(t['agents'])} agents still needed ({_num(t['agents_today'])} today × "
                f"{_pct(t['workload'])} of today's workload) × ({_pct(t['attrition'])} − "
                f"{_pct(t['attrition_after'])}) attrition × {_money(t['cost_per_hire'], cur)} per hire")
    if lever == "risk":
        return (f"({_pct(t['probability_before'])} − {_pct(t['probability_after'])}) annual probability × "
                f"{_money(t['impact'], cur)} impact")
    return "explicit amounts by year, as entered"


def notes(case: Case) -> tuple[str, ...]:
    """The conventions this case was evaluated under, one sentence each (the appendix's closing list)."""
    notes = [
        f"Monthly model over {case.timeline.horizon_months} months; adoption ramps "
        f"{case.timeline.ramp_shape} to full effect in {case.timeline.ramp_months:g} months.",
        "Discounting: " + (
            f"end-of-year at {case.timeline.discount_rate:.1%} (TEI convention); Initial undiscounted."
            if case.timeline.discounting == "annual"
            else f"monthly at {case.timeline.discount_rate:.1%} a year."
        ),
        "Payback: the month after which the cumulative undiscounted net stays non-negative to the end "
        "of the horizon, interpolated; a case whose cumulative net ends below zero does not pay back, "
        "and the simulation's probability of payback uses the same rule.",
        "IRR: " + (
            "on the monthly net cash flows, annualised as (1 + monthly IRR)^12 − 1."
            if case.timeline.discounting == "monthly" else "on the yearly net cash flows (Initial, Year 1 … Year N)."
        ) + " Flows with more than one IRR are flagged in the checks; the one nearest zero is shown.",
        "Amounts by year must fit the horizon (a longer list or a later month is refused); a shorter "
        "list ends after its last year, and run-rate figures are those of the horizon's final year.",
    ]
    lv = case.levers
    if sum(x is not None for x in (lv.first_contact_resolution, lv.deflection, lv.handle_time, lv.abandonment,
                                   lv.upsell, lv.agent_attrition)) > 1:
        notes.append(
            "Levers act in order, each on what the ones before it leave: first-contact resolution, deflection, "
            "handle time (on contacts agents still handle), abandonment (adds recovered contacts), upsell "
            "(on contacts agents still handle), agent attrition (on agents still needed: today's agents × the "
            "workload after the levers ÷ today's, workload = agent contacts × handle time)."
        )
    if lv.handle_time:
        profile = ("the case's interval profile" if case.baseline.interval_profile is not None
                   else "a default profile: open hours_open_per_year ÷ 365 hours a day from 08:00, Monday busiest, "
                        "weekends quieter, peaks late morning")
        notes.append(
            "Handle-time savings count only scheduled agents no longer needed: Erlang C at the service-level "
            f"target for each open half-hour of the week ({profile}), at each year's volume of contacts agents "
            "still handle; agent-hours summed over the week × 365/7 weeks ÷ (1 − shrinkage). Never above the "
            "linear figure (every released hour): capped there, and the line says so."
            if lv.handle_time.basis == "staffed"
            else "Handle-time savings count every released hour (linear basis): an upper bound."
        )
    b = case.baseline
    if b is None:
        notes.append("No baseline: the case is entered as explicit benefit and cost lines, so no operating "
                     "cost, cost per contact or cost per resolution is computed.")
    else:
        if b.cost_per_contact is not None and b.loaded_hourly_cost is not None:
            notes.append("The given cost per contact is used; the labour fields price handle time only.")
        notes.append("Cost per contact and per resolution with the change count contact-handling costs only: "
                     "today's operating cost less the first-contact-resolution, deflection and handle-time "
                     "savings, plus handling recovered abandoned contacts and the running costs (attrition, "
                     "QA and other benefit lines are not contact costs).")
        if any(getattr(case.levers, name) for name in ("abandonment", "retention", "upsell")):
            notes.append(f"Revenue counts at the stated gross margin ({b.gross_margin:.0%}); a revenue lever "
                         "without one is refused, never counted at 100% by default.")
        if b.abandon_rate and case.levers.abandonment is None:
            notes.append("A figure the case cannot compute is shown as not estimated, never as zero (abandon "
                         "exposure needs an order value).")
    if lv.retention:
        notes.append(
            "Retention counts cohorts: the customers kept each year carry into later years and keep churning at "
            "the baseline rate; the year a customer is kept counts "
            + ("half a year (kept mid-year on average)" if lv.retention.timing == "mid_year"
               else "the whole year (kept at the start of the year)")
            + ". The retention run-rate is one year's kept customers for a full year."
        )
    if any(item.seats == "follow_staffing" for item in case.costs.recurring):
        notes.append(
            "Per-seat costs with seats: follow_staffing pay for the agents still needed (today's agents at each "
            "year's volume, falling to the workload after the levers as adoption ramps); other per-seat costs "
            "stay at the seats entered."
        )
    if b is not None and b.segments and any(s.levers for s in case.baseline.segments):
        notes.append(
            "A segment's lever overrides apply to its own contacts and customers; seconds saved and the repeat "
            "rate after are weighted by each segment's contacts. Staffing basis, retention timing and agent "
            "attrition are unit-wide."
        )
    haircuts = case.risk_adjustment.benefits
    own = _own_adjustments(case)
    if any(getattr(haircuts, p) for p in PILLARS) or case.risk_adjustment.costs or own:
        notes.append("Risk-adjusted: benefits cut by " + ", ".join(
            f"{PILLAR_LABELS[p].lower()} {getattr(haircuts, p):.0%}" for p in PILLARS
        ) + f"; costs raised by {case.risk_adjustment.costs:.0%}"
          + (f"; lines with their own risk adjustment: {', '.join(own)}" if own else "")
          + ". A negative benefit is raised by its haircut, so risk adjustment never improves the case.")
    return tuple(notes)


def _own_adjustments(case: Case) -> list[str]:
    """"Licences +15%", "Customers retained −10%": the lines that carry their own risk adjustment."""
    out = []
    levers = case.levers
    for name in ("deflection", "handle_time", "first_contact_resolution", "abandonment", "retention", "upsell",
                 "agent_attrition"):
        lever = getattr(levers, name)
        if lever is not None and lever.risk_adjustment is not None:
            out.append(f"{name.replace('_', ' ')} −{lever.risk_adjustment:.0%}")
    for line in [*levers.risk, *case.benefits]:
        if line.risk_adjustment is not None:
            out.append(f"{line.name} −{line.risk_adjustment:.0%}")
    for line in [*case.costs.one_time, *case.costs.recurring, *case.costs.custom]:
        if line.risk_adjustment is not None:
            out.append(f"{line.name} +{line.risk_adjustment:.0%}")
    return out


def _benefit_lines(result: Any) -> str:
    cur = fmt.currency_of(result)
    lines = result.lines
    if lines is None or len(lines) == 0:
        return ""
    segments = max(1, len(result.case.baseline.segments)) if result.case.baseline is not None else 1
    rows = []
    for _, line in lines.iterrows():
        rows.append(("", [
            str(line["name"]),
            PILLAR_LABELS.get(str(line["pillar"]), str(line["pillar"])),
            _money_cell(line["run_rate"], cur),
            _num_cell(fmt.pct(line["haircut"], 0)),
            _money_cell(line["run_rate_adjusted"], cur),
            Cell(formula_text(str(line["lever"]), line["terms"], cur, segments), cls="formula"),
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
    s, b, cur = result.summary, result.baseline, fmt.currency_of(result)
    m = lambda x: fmt.money(x, cur, compact=False)  # noqa: E731 - local shorthand
    horizon = int(s["horizon_months"])
    rate = s.get("discount_rate")
    items = [
        formula_block(
            "Cost per resolution",
            "operating cost ÷ (handled contacts × (1 − repeat rate))",
            f"{m(b.total_cost)} ÷ {fmt.number(b.resolutions)} = {fmt.money_exact(b.cost_per_resolution, cur)}",
        ),
    ] if b is not None else []
    monthly = result.case.timeline.discounting == "monthly"
    items += [
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
            ("(1 + r)^12 − 1, where r is the monthly rate at which the NPV of the monthly cash flows is zero"
             if monthly else "the annual rate at which the NPV of the yearly cash flows is zero"),
            f"IRR = {fmt.pct(s.get('irr'))}" if not fmt.is_missing(s.get("irr")) else "undefined for these cash flows",
        ),
        formula_block(
            "Payback",
            "the month after which the cumulative undiscounted net cash flow stays non-negative to the end "
            "of the horizon, interpolated; reported as the month during which it happens",
            (f"{fmt.duration(s['payback_months'], 2)} → {fmt.months(s['payback_months'])}"
             if not fmt.is_missing(s.get("payback_months")) else f"not within {horizon} months"),
        ),
    ]
    if mc is not None and getattr(mc, "inputs", ()):
        items.append(_uncertainty(mc))
    listed = "".join(f"<li>{esc(n)}</li>" for n in notes(result.case))
    return (
        '<div class="roi-methodology">'
        f'<dl class="roi-formulas">{"".join(items)}</dl>'
        f"{_benefit_lines(result)}"
        + (f'<ul class="roi-notes">{listed}</ul>' if listed else "")
        + "</div>"
    )
