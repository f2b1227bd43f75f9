"""A complete starter case from a costing run: ``roi-kit costs ... --unit NAME --out DIR`` writes
``DIR/case.yaml``.

The case validates as it stands: the unit, the rates file's currency, the baseline measured from
the export (volumes, costs, repeat and abandon rates, FTEs from paid hours, channel mix, interval
profile, segments when mapped), a source note per measured field for the assumptions register,
and ``baseline_source``: the export's file name, SHA-256, period and annualisation, rows in /
excluded by reason / used, the stated assumptions and the plausibility warnings. Levers and costs
are left as commented examples to fill in: the data says where the centre starts, not what a
change will do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from roi_kit import __version__
from roi_kit.case import load_case
from roi_kit.costing.tables import CostingResult
from roi_kit.errors import CaseError, CostingError

CASE_NAME = "case.yaml"

#: Measured baseline fields and how each was measured (the assumptions register's source note).
_HOW = {
    "contacts_per_year": "handled contacts in the export, annualised",
    "cost_per_contact": "Σ cost (labour, technology, overhead) ÷ handled contacts, built per contact",
    "aht_seconds": "mean talk + hold of handled contacts",
    "acw_seconds": "mean after-call work of handled contacts",
    "loaded_hourly_cost": "the rates file's hourly costs, weighted by handled seconds",
    "shrinkage": "the rates file",
    "occupancy": "the rates file",
    "repeat_rate": "same customer and type within the repeat window, of identified handled contacts",
    "abandon_rate": "abandoned ÷ offered contacts",
    "agents": "FTEs from paid hours: handled hours a year ÷ occupancy ÷ (1 − shrinkage) ÷ paid hours per FTE",
    "paid_hours_per_fte": "the rates file (paid_hours_per_fte)",
    "hours_open_per_year": "clock hours with at least one contact, annualised",
    "channel_mix": "handled contacts by channel",
    "segments": "handled contacts and cost per contact by segment",
}

_EXAMPLES = """\
# ---------------------------------------------------------------------------------------------
# To fill in: the change and what it costs. The baseline above is measured; these are not.
# Uncomment, set your own figures (see templates/cases/example.yaml for every lever), then
#   roi-kit report {case} -o report.html
#
# levers:
#   deflection: {{rate: 10%, automated_cost: 0.20, leakage: 15%}}
#   handle_time: {{seconds_saved: 30, basis: staffed}}
#   first_contact_resolution: {{repeat_rate_after: {repeat_after}}}      # today {repeat_now}
#   abandonment: {{abandon_rate_after: {abandon_after}, conversion_rate: 12%, average_order: 240}}   # today {abandon_now}
# costs:
#   one_time:
#     - {{name: Platform setup and integration, amount: 450000}}
#   recurring:
#     - {{name: Licences, per_seat_per_month: 85, seats: {seats}}}
"""


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def starter_data(result: CostingResult, unit: str, *, rates: str = "", mapping: str = "") -> dict[str, Any]:
    """The starter case as plain data (see the module docstring)."""
    s, b = result.summary, dict(result.baseline)
    if not b:
        raise CostingError(f"{result.source}: no handled contacts, so no baseline and no case can be built")
    name = Path(result.source).name
    sources = {f"baseline.{k}": f"{how} ({name}, {s['period_days']} days)" for k, how in _HOW.items() if k in b}
    source = {
        "export_file": name,
        "sha256": s["sha256"],
        "period_start": s["period_start"],
        "period_end": s["period_end"],
        "period_days": s["period_days"],
        "annualisation_factor": round(s["annualisation_factor"], 6),
        "rows_in": s["rows_in"],
        "excluded": {k: v for k, v in s["excluded"].items() if v},
        "rows_used": s["rows_used"],
        "notes": list(s["notes"]),
        "warnings": list(s["warnings"]),
        "rates": rates,
        "mapping": mapping,
        "generated_by": f"roi-kit costs {__version__}",
    }
    return {"unit": unit, "title": f"Starter case from {name}", "currency": result.rates.currency,
            "baseline": b, "sources": sources, "baseline_source": source}


def starter_case_yaml(result: CostingResult, unit: str, *, rates: str = "", mapping: str = "") -> str:
    """The starter case as YAML with the commented examples; refused (CostingError) unless it
    validates as a case."""
    data = starter_data(result, unit, rates=rates, mapping=mapping)
    try:
        load_case(data)
    except CaseError as error:
        raise CostingError(f"the starter case for {unit!r} does not validate: {error.problems[0]}") from None
    b = data["baseline"]
    head = (f"# Starter case built by roi-kit costs from {data['baseline_source']['export_file']} "
            f"(sha256 {data['baseline_source']['sha256'][:12]}…).\n"
            "# Every baseline figure is measured from the export (see sources: and baseline_source:);\n"
            "# warnings found in the data are listed under baseline_source.warnings.\n")
    # short lists and rows in flow style ({name: voice, share_of_contacts: 0.6}); the notes in block style
    body = "".join(yaml.safe_dump({k: v}, sort_keys=False, allow_unicode=True, width=200,
                                  default_flow_style=None if k == "baseline" else False)
                   for k, v in data.items())
    tail = _EXAMPLES.format(
        case=CASE_NAME, repeat_now=_pct(b["repeat_rate"]), repeat_after=_pct(b["repeat_rate"] * 0.8),
        abandon_now=_pct(b["abandon_rate"]), abandon_after=_pct(b["abandon_rate"] * 0.7),
        seats=max(1, round(b.get("agents") or 1)))
    return head + body + tail
