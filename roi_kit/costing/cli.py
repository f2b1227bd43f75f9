"""The body of ``roi-kit costs``: run the costing and render its text or JSON (no typer here)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from roi_kit.costing.output import write_outputs
from roi_kit.costing.tables import CostingResult, analyse
from roi_kit.errors import CostingError


def run_costs(contacts: str | os.PathLike[str], *, rates: str | os.PathLike[str] | None = None,
              mapping: str | os.PathLike[str] | None = None, as_json: bool = False,
              out: str | os.PathLike[str] | None = None, engine: dict | None = None) -> str:
    """Cost ``contacts`` and return what the command prints; write the outputs when ``out`` is given.
    ``engine`` holds :func:`~roi_kit.costing.analyse`'s DuckDB settings (threads, memory_limit,
    temp_directory)."""
    if rates is None:
        raise CostingError("no rates given: pass --rates RATES.yaml (it may be as small as "
                           "'default_hourly_cost: 30')")
    result = analyse(Path(contacts), rates, mapping, **(engine or {}))
    written = write_outputs(result, out) if out is not None else []
    if as_json:
        return json.dumps(result.to_json(), indent=2, default=str)
    return summary_text(result, written)


def _money(value: float | None, currency: str) -> str:
    return "n/a" if value is None else f"{currency} {value:,.2f}"


def summary_text(result: CostingResult, written: list[Path] | None = None) -> str:
    """A short plain-text summary of a costing run."""
    s, cur = result.summary, result.summary["currency"]
    excluded = ", ".join(f"{k} {v}" for k, v in s["excluded"].items() if v) or "none"
    repaired = ", ".join(f"{k} {v}" for k, v in s["repaired"].items() if v) or "none"
    lines = [
        f"{s['source']}: {s['rows_in']:,} rows in, {s['rows_used']:,} used "
        f"({s['period_start']} .. {s['period_end']})",
        f"  excluded: {excluded}",
        f"  repaired: {repaired}",
        f"  handled {s['contacts_handled']:,}, abandoned {s['contacts_abandoned']:,} "
        f"({s['abandon_rate']:.1%} of offered)",
        f"  total cost {_money(s['total_cost'], cur)}; per contact {_money(s['cost_per_contact'], cur)} "
        f"(P50 {_money(s['cost_p50'], cur)}, P90 {_money(s['cost_p90'], cur)}); "
        f"per resolution {_money(s['cost_per_resolution'], cur)}",
        f"  repeat rate {s['repeat_rate']:.1%} within {s['repeat_window_days']:g} days "
        f"({s['unidentified_contacts']:,} contacts without a customer id)",
        f"  costliest 10% of contacts carry {(s['top_decile_cost_share'] or 0):.1%} of cost; "
        f"engagement share {(s['engagement_share'] or 0):.1%}",
    ]
    if s["missing_columns"]:
        lines.append(f"  columns not in the export: {', '.join(s['missing_columns'])}")
    for path in written or []:
        lines.append(f"  wrote {path}")
    return "\n".join(lines)
