"""The report's sentences, computed from results: no number in this module is typed by hand.

Every function returns **plain text** (not HTML): user text such as the case title or a benefit
line's name appears as written, and whoever puts a sentence into HTML escapes it
(:mod:`roi_kit.board.tables` and the report pipeline use ``html.escape``). Figures are formatted with
:mod:`roi_kit.page.fmt`, so a sentence says exactly what the tables and charts say.

The story leads with revenue, as boards respond to it (seed 001): revenue protected, revenue
generated, revenue at risk; then cost savings and risk avoided as supporting evidence. Payback is
phrased as the month during which it happens (``fmt.months``: 8.3 → "month 9"). Amounts are the
risk-adjusted figures the engine reports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from roi_kit.board.tables import not_estimated
from roi_kit.page import fmt


def _subject(result: Any) -> str:
    title = (getattr(result.case, "title", "") or "").strip()
    return title or "The programme"


def _name(text: str) -> str:
    """A line name inside a sentence: first letter lowered unless it starts an acronym ("AI …")."""
    text = str(text).strip()
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def headline(result: Any) -> str:
    """One sentence with the NPV, the risk-adjusted ROI, the payback month and the run-rate value.

    ROI = NPV / PV(costs); the run-rate figure is ``run_rate_net_benefit`` (annual benefit at full
    adoption, net of running costs). A negative NPV or a missing payback is said plainly.
    """
    s, cur = result.summary, fmt.currency_of(result)
    horizon = int(s["horizon_months"])
    npv, roi, pb = s["npv"], s["roi"], s.get("payback_months")
    run_net = s.get("run_rate_net_benefit")
    who = _subject(result)
    npv_t, roi_t = fmt.money(npv, cur), fmt.pct(roi, 0)
    if fmt.is_missing(pb):
        payback = f"does not pay back within {horizon} months"
    else:
        payback = f"pays back in {fmt.months(pb)}"
    if run_net is None:
        run_rate = ""
    elif run_net >= 0:
        run_rate = f" and is worth {fmt.money(run_net, cur)} a year at full run-rate, net of running costs"
    else:
        run_rate = (
            f"; at full run-rate its running costs exceed its benefits by "
            f"{fmt.money(-run_net, cur)} a year"
        )
    if npv < 0 and run_net is not None and run_net >= 0:
        run_rate = f", although at full run-rate it nets {fmt.money(run_net, cur)} a year after running costs"
    has_roi = not fmt.is_missing(roi) and math.isfinite(float(roi))  # undefined without costs
    if npv >= 0:
        roi_clause = f" — a {roi_t} risk-adjusted ROI —" if has_roi else ","
        return (
            f"{who} returns a net present value of {npv_t} over {horizon} months"
            f"{roi_clause} {payback}{run_rate}."
        )
    roi_clause = f" (a {roi_t} risk-adjusted ROI)" if has_roi else ""
    return (
        f"{who} does not pay for itself: its net present value over {horizon} months is {npv_t}"
        f"{roi_clause}; it {payback}{run_rate}."
    )


def _lines_of(result: Any, pillar: str) -> list[tuple[str, float]]:
    lines = result.lines
    if lines is None or len(lines) == 0:
        return []
    rows = lines[lines["pillar"] == pillar].sort_values("run_rate_adjusted", ascending=False)
    return [(str(n), float(v)) for n, v in zip(rows["name"], rows["run_rate_adjusted"], strict=True) if v]


def _from_lines(result: Any, pillar: str, *, most: int = 3) -> str:
    """" from customers retained ($794k) and recovered abandoned contacts ($137k)"."""
    cur = fmt.currency_of(result)
    lines = _lines_of(result, pillar)
    if not lines:
        return ""
    shown = [f"{_name(n)} ({fmt.money(v, cur)})" for n, v in lines[:most]]
    if len(lines) > most:
        rest = len(lines) - most
        shown.append(f"{rest} more line{'s' if rest > 1 else ''}")
    if len(lines) == 1:
        return f" from {_name(lines[0][0])}"
    return " from " + _join(shown)


def pillars(result: Any) -> list[str]:
    """The value story, revenue first: protected, generated, at risk; then cost savings, risk avoided.

    Each pillar is its annual run-rate at full adoption, risk-adjusted (``result.pillars``), with
    the benefit lines behind it. Revenue at risk is today's exposure from
    ``result.baseline.revenue_at_risk`` (churn plus abandoned contacts), with the share of it the
    programme protects = revenue protected / revenue at risk.
    """
    cur = fmt.currency_of(result)
    p = result.pillars
    b = result.baseline
    s = result.summary
    out: list[str] = []

    protected = float(p.get("revenue_protected", 0.0))
    if protected:
        out.append(
            f"Revenue protected: {fmt.money(protected, cur)} a year at full run-rate,"
            f"{_from_lines(result, 'revenue_protected')}.".replace(",.", ".")
        )
    else:
        out.append("Revenue protected: none claimed — the case has no retention or abandonment lever.")

    generated = float(p.get("revenue_generated", 0.0))
    if generated:
        out.append(
            f"Revenue generated: {fmt.money(generated, cur)} a year"
            f"{_from_lines(result, 'revenue_generated')}."
        )
    else:
        out.append("Revenue generated: none claimed — the case has no upsell or cross-sell lever.")

    at_risk = getattr(b, "revenue_at_risk", None) if b is not None else None
    if at_risk:
        parts, unknown = [], []
        for figure, what in (("churn_exposure", "customer churn"), ("abandon_exposure", "abandoned contacts")):
            value = getattr(b, figure)
            if value is None:
                unknown.append(f"{what} {not_estimated(result.case, figure)}")
            elif value:
                parts.append(f"{fmt.money(value, cur)} to {what}")
        detail = f" — {_join(parts)}" if parts else ""
        share = protected / at_risk if at_risk else 0.0
        gaps = f" ({_join(unknown)})" if unknown else ""
        out.append(
            f"Revenue at risk: {fmt.money(at_risk, cur)} a year is exposed today{detail}{gaps}; "
            f"this programme protects {fmt.pct(share)} of it."
        )
    elif b is not None and at_risk is None:
        out.append("Revenue at risk: not estimated — the case gives no churn figures and no order value.")
    else:
        out.append("Revenue at risk: not measured — the case gives no churn or abandonment baseline.")

    savings = float(p.get("cost_savings", 0.0))
    if savings:
        before, after = s.get("cost_per_resolution_before"), s.get("cost_per_resolution_after")
        per_resolution = ""
        if not fmt.is_missing(before) and not fmt.is_missing(after):
            per_resolution = (
                f"; cost per resolution moves from {fmt.money_exact(before, cur)} "
                f"to {fmt.money_exact(after, cur)}"
            )
        out.append(
            f"Cost savings: {fmt.money(savings, cur)} a year"
            f"{_from_lines(result, 'cost_savings')}{per_resolution}."
        )
    risk = float(p.get("risk_avoided", 0.0))
    if risk:
        out.append(
            f"Risk avoided: {fmt.money(risk, cur)} a year of expected losses"
            f"{_from_lines(result, 'risk_avoided').replace(' from ', ': ', 1)}."
        )
    return out


def what_if_stopped(result: Any) -> str:
    """"What if we stopped": the run-rate value lost and the work that returns to agents."""
    cur = fmt.currency_of(result)
    w = result.what_if_stopped
    lost = w.get("value_lost_per_year")
    contacts = w.get("contacts_back_to_agents") or 0
    hours = w.get("agent_hours_back") or 0
    text = f"If the programme were switched off, the business would give up {fmt.money(lost, cur)} a year of net value"
    if contacts:
        text += f", and {fmt.number(contacts, compact=True)} contacts a year would return to agents"
        if hours:
            text += f" ({fmt.number(hours, compact=True)} agent hours)"
    return text + "."


def scenario_sentence(results_by_scenario: Mapping[str, Any]) -> str:
    """NPV range and payback range over the scenarios, and whether the worst one still pays."""
    items = list(results_by_scenario.items())
    if not items:
        return ""
    cur = fmt.currency_of(items[0][1])
    horizon = int(items[0][1].summary.horizon_months)
    by_npv = sorted(items, key=lambda kv: kv[1].summary.npv)
    (lo_name, lo), (hi_name, hi) = by_npv[0], by_npv[-1]
    npv_lo, npv_hi = lo.summary.npv, hi.summary.npv
    if len(items) == 1:
        return f"Only the {lo_name} scenario was evaluated: NPV {fmt.money(npv_lo, cur)}."
    text = (
        f"Net present value ranges from {fmt.money(npv_lo, cur)} ({lo_name}) "
        f"to {fmt.money(npv_hi, cur)} ({hi_name})"
    )
    if "expected" in results_by_scenario and "expected" not in (lo_name, hi_name):
        text += f", {fmt.money(results_by_scenario['expected'].summary['npv'], cur)} expected"
    paybacks = [r.summary.payback_months for _, r in items]
    known = [p for p in paybacks if not fmt.is_missing(p)]
    negatives = [n for n, r in items if r.summary.npv < 0]
    if npv_lo >= 0 and len(known) == len(items):
        first, last = min(known), max(known)
        if fmt.payback_month(first) == fmt.payback_month(last):
            span = f"every scenario pays back in {fmt.months(first)}"
        else:
            span = f"payback falls between {fmt.months(first)} and {fmt.months(last)}"
        return f"{text}; every scenario is positive and {span}."
    never = [n for n, r in items if fmt.is_missing(r.summary.payback_months)]
    if len(negatives) == len(items) and len(never) == len(items):
        return f"{text}; NPV is negative in every scenario and none pays back within {horizon} months."
    parts = []
    if len(negatives) == len(items):
        parts.append("NPV is negative in every scenario")
    elif negatives:
        parts.append(f"NPV is negative in the {_join(negatives)} scenario{'s' if len(negatives) > 1 else ''}")
    if never:
        parts.append(
            f"the {_join(never)} scenario{'s do' if len(never) > 1 else ' does'} "
            f"not pay back within {horizon} months"
        )
    return f"{text}; {'; '.join(parts)}." if parts else f"{text}."


def _chance(p: float) -> str:
    """A probability that never rounds to a false "0%" or "100%": "under 1%", "over 99%", "37%"."""
    if p < 0.01:
        return "under 1%"
    if p > 0.99:
        return "over 99%"
    return fmt.pct(p, 0)


def uncertainty(mc: Any, results_by_scenario: Mapping[str, Any]) -> str:
    """The simulation in one sentence: the P10–P90 band, the chance of a loss and of payback.

    Loss = NPV below zero over the draws (``mc.npv``); payback = ``mc.p_payback`` within the
    horizon. "None"/"every" only when the draws say so *and* no scenario on the page disagrees: a
    scenario that loses money or does not pay back makes it "under 1%"/"over 99%", named.
    """
    items = list(results_by_scenario.items())
    cur = fmt.currency_of(items[0][1]) if items else "USD"
    horizon = int(mc.horizon_months)
    p = mc.percentiles["npv"]
    delivery = getattr(mc, "correlation", {}).get("delivery")
    together = (
        f", the programme's delivery inputs moving together (rank correlation {delivery:.2g})"
        if delivery else ""
    )
    text = (
        f"Over {fmt.number(mc.draws)} simulated cases{together}, net present value lies between "
        f"{fmt.money(p['p10'], cur)} (P10) and {fmt.money(p['p90'], cur)} (P90), {fmt.money(p['p50'], cur)} "
        f"at the median"
    )
    losing = [n for n, r in items if r.summary["npv"] < 0]
    never = [n for n, r in items if fmt.is_missing(r.summary.get("payback_months"))]
    p_loss = float((mc.npv < 0).mean())
    if p_loss <= 0.0 and not losing:
        loss = "none of them makes a loss"
    elif p_loss <= 0.0:
        loss = (f"the chance of a loss is under 1%, although the {_join(losing)} "
                f"scenario{'s lose' if len(losing) > 1 else ' loses'} money")
    else:
        loss = f"the chance of a loss is {_chance(p_loss)}"
    paid = float(mc.p_payback)
    if paid >= 1.0 and not never:
        payback = f"every one pays back within {horizon} months"
    elif paid >= 1.0:
        payback = (f"the chance of paying back within {horizon} months is over 99%, although the "
                   f"{_join(never)} scenario{'s do' if len(never) > 1 else ' does'} not")
    elif paid <= 0.0:
        payback = f"none pays back within {horizon} months"
    else:
        payback = f"the chance of paying back within {horizon} months is {_chance(paid)}"
    return f"{text}; {loss}, and {payback}."
