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
              out: str | os.PathLike[str] | None = None, engine: dict | None = None,
              unit: str | None = None, init_mapping: bool = False) -> str:
    """Cost ``contacts`` and return what the command prints; write the outputs when ``out`` is given
    (and ``case.yaml``, a starter case, when ``unit`` names the business unit). ``init_mapping``
    prints a starter mapping guessed from the export instead. ``engine`` holds
    :func:`~roi_kit.costing.analyse`'s DuckDB settings (threads, memory_limit, temp_directory)."""
    if init_mapping:
        from roi_kit.costing.guess import init_mapping as guess

        return guess(contacts)
    if rates is None:
        raise CostingError("no rates given: pass --rates RATES.yaml (it may be as small as "
                           "'default_hourly_cost: 30')")
    if unit is not None and not unit.strip():
        raise CostingError("--unit is empty: give the business unit's name, e.g. --unit 'Retail Support'")
    if unit is not None and out is None:
        raise CostingError(f"--unit {unit!r} needs --out DIR: the starter case is written as DIR/case.yaml")
    result = analyse(Path(contacts), rates, mapping, **(engine or {}))
    written = write_outputs(result, out, unit=unit, rates_name=_name(rates), mapping_name=_name(mapping)) \
        if out is not None else []
    if as_json:
        return json.dumps(result.to_json(), indent=2, default=str)
    return summary_text(result, written)


def _name(source: object) -> str:
    return Path(source).name if isinstance(source, str | os.PathLike) else ""


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
    lines.append(f"  agent FTEs {s['agent_ftes']:,.2f} from paid hours (handled hours ÷ occupancy ÷ "
                 f"(1 − shrinkage) ÷ {s['paid_hours_per_fte']:,.0f} h per FTE-year); "
                 f"{s['agent_ids_seen']:,} agent ids seen")
    if s["missing_columns"]:
        lines.append(f"  columns not in the export: {', '.join(s['missing_columns'])}")
    lines += [f"  note: {n}" for n in s["notes"]]
    lines += [f"  warning: {w}" for w in s["warnings"]]
    for path in written or []:
        lines.append(f"  wrote {path}")
    return "\n".join(lines)
