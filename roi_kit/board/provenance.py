"""The board report's appendix "Where the baseline comes from": a baseline built from the
center's own export carries its provenance (``baseline_source``) to the board.

One function, :func:`provenance_html`: the export (file name and SHA-256), the period and its
annualisation, the reconciliation (rows in, excluded by reason, used), the stated assumptions and
the plausibility warnings, and the measured channel mix and busiest interval when the baseline has
them. A case whose baseline was typed in gets one sentence saying so. Every text goes through
``esc`` (file names, reasons and warnings come from the export and the mapping).
"""

from __future__ import annotations

from typing import Any

from roi_kit.case.provenance import WEEKDAYS
from roi_kit.page import fmt
from roi_kit.page.html import Cell, esc, html_table

#: Reasons a row is excluded, as a reader says them (the costing run's rule names otherwise).
_REASONS = {
    "duplicate_row": "Exact copies of an earlier row",
    "missing_event_key": "Event rows without a contact key",
    "earlier_event": "Earlier updates of a contact (event log)",
    "bad_started_at": "Start time missing or unreadable",
    "virtual_contact": "Virtual contacts (not a customer contact)",
    "unknown_outcome": "Outcome missing or unknown",
    "missing_channel": "Channel missing",
    "missing_contact_type": "Contact type missing",
    "unparseable_duration": "Duration not a number of seconds",
    "missing_talk_time": "Handled without talk time",
    "negative_duration": "Negative duration",
    "duration_over_24h": "Durations over 24 hours",
}


def _count(n: int, *, minus: bool = False) -> Cell:
    text = fmt.number(n)
    return Cell(f"{fmt.MINUS}{text}" if minus and n else text, num=True)


def provenance_html(case: Any) -> str:
    """The appendix's HTML for ``case`` (escaped; see the module docstring)."""
    src = getattr(case, "baseline_source", None)
    if src is None:
        return ('<p class="roi-lead">This baseline was entered by hand: it carries no record of an '
                "export it was measured from (a case written by <code>roi-kit costs --unit</code> does).</p>")
    used_share = src.rows_used / src.rows_in if src.rows_in else None
    lead = (f"The baseline was measured contact by contact from the center's own export {src.export_file}: "
            f"{fmt.number(src.rows_in)} rows in, {fmt.number(src.rows_used)} used "
            f"({fmt.pct(used_share, 1)}), every other row excluded for a stated reason. "
            f"The period runs {src.period_start} to {src.period_end} ({fmt.number(src.period_days)} days); "
            f"yearly figures are the period's × {src.annualisation_factor:,.4f} (365 ÷ {src.period_days}).")
    rows: list[tuple[str, list[Cell | str]]] = [("total", ["Rows in the export", _count(src.rows_in)])]
    for reason, n in src.excluded.items():
        if n:
            label = f'{esc(_REASONS.get(reason, reason))} <code class="note">{esc(reason)}</code>'
            rows.append(("sub", [Cell(reason, html_text=label), _count(n, minus=True)]))
    rows.append(("total", ["Rows used (handled and abandoned contacts)", _count(src.rows_used)]))
    table = html_table("provenance", ["Reconciliation", Cell("Rows", num=True)], rows,
                       caption="Every row of the export accounted for: rows in = rows used + rows excluded")
    facts = [("Export file", src.export_file), ("SHA-256 of the export", src.sha256),
             ("Period", f"{src.period_start} .. {src.period_end} ({src.period_days} days)"),
             ("Annualisation", f"× {src.annualisation_factor:,.4f}")]
    if src.rates:
        facts.append(("Rates file", src.rates))
    if src.mapping:
        facts.append(("Mapping file", src.mapping))
    if src.generated_by:
        facts.append(("Built by", src.generated_by))
    b = case.baseline
    if b.channel_mix:
        facts.append(("Channel mix (handled)", ", ".join(f"{c.name} {fmt.pct(c.share_of_contacts, 1)}"
                                                         for c in b.channel_mix)))
    if b.interval_profile is not None:
        share, d, hour = max((v, d, h) for d, hours in enumerate(b.interval_profile) for h, v in enumerate(hours))
        facts.append(("Busiest interval", f"{WEEKDAYS[d]} {hour:02d}:00, {fmt.pct(share, 1)} of offered contacts"))
    facts_table = html_table("provenance-facts", ["Source", "Value"],
                             [("", [label, Cell(value, html_text=f"<code>{esc(value)}</code>")
                                    if label.startswith("SHA") else value]) for label, value in facts],
                             caption="The export and how it was read")
    parts = [f'<p class="roi-lead">{esc(lead)}</p>', table, facts_table]
    if src.notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in src.notes)
        parts.append(f'<p class="roi-lead">Stated once for every row:</p><ul class="roi-notes">{items}</ul>')
    if src.warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in src.warnings)
        parts.append(f'<div class="roi-callout"><strong>Plausibility warnings on the data:</strong>'
                     f'<ul class="roi-warnings">{items}</ul></div>')
    else:
        parts.append('<p class="note">No plausibility warning was raised on the data.</p>')
    return "".join(parts)
