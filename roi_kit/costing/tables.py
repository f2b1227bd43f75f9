"""Cost every contact bottom-up and build the costing tables (DuckDB in, pandas out).

Formulas (per contact; seconds from the cleaned row, rates from :class:`~roi_kit.costing.schema.Rates`):

- **hourly rate** ``h`` = the agent's rate, else the team's, else ``default_hourly_cost``.
- **labour** = (talk + hold + acw) / 3600 × h ÷ occupancy ÷ (1 − shrinkage).
  ``h`` is a loaded cost per *paid* hour. Agents spend only (1 − shrinkage) of paid hours
  available, and only ``occupancy`` of available time on contacts, so one hour of handling costs
  h / (occupancy · (1 − shrinkage)) of paid time. This is the case format's own reading of
  ``loaded_hourly_cost``, ``occupancy`` and ``shrinkage``, so the emitted baseline is consistent.
  Abandoned contacts have no labour (their service seconds are zeroed by the quality rules).
- **technology** = per_minute(channel) × (queue + talk + hold) / 60 + per_contact(channel): the
  line or session is held while queued, talking and holding (not during after-call work); the
  per-contact charge applies to every offered contact, abandoned ones included.
- **overhead** = share_of_labour × labour + per_contact (handled contacts only).
- **cost** = labour + technology + overhead.
- **direct** (engagement) = talk / 3600 × h: paid time actually spent talking with the customer.
  Engagement share = Σ direct ÷ Σ cost; the rest is hold, after-call work, idle and
  shrinkage time, technology and overhead.
- **handling cost** = labour + overhead: the part process, training and tooling control.
  **Standard cost** of a handled contact = the type's ``cost_per_contact``, or its
  ``handle_seconds`` priced like actual labour: s / 3600 × h ÷ occupancy ÷ (1 − shrinkage)
  × (1 + share_of_labour) + per_contact overhead. Variance = handling − standard.

Aggregates (per group and overall):

- cost per contact = Σ cost (handled and abandoned) ÷ handled contacts (the case's definition:
  total cost = contacts × cost per contact); P50/P90 are of handled contacts' own costs
  (linear interpolation, as numpy); top-decile share = cost of the costliest ⌈n/10⌉ handled
  contacts ÷ cost of all n handled contacts.
- a handled contact is a **repeat** when the same identified customer had a handled contact of the
  same type in the previous ``repeat_window_days`` (≤, measured between start times).
  repeat rate = repeats ÷ handled contacts with an identified customer; unidentified contacts
  cannot be linked, so they are assumed to repeat at that same rate (and counted in
  ``unidentified_contacts``). resolutions = handled × (1 − repeat rate);
  cost per resolution = Σ cost ÷ resolutions.
- abandon rate = abandoned ÷ offered (handled + abandoned).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from roi_kit.costing.load import canonical_view, connect, open_source
from roi_kit.costing.quality import EXCLUSIONS, REPAIRS, checked_sql, quality_table
from roi_kit.costing.schema import Mapping, Rates, load_mapping, load_rates

DIMENSIONS = {"channel": "channel", "type": "contact_type", "team": "team", "segment": "segment"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NO_VALUE = "(none)"


@dataclass(frozen=True)
class CostingResult:
    """Everything one costing run found. Tables are pandas frames; ``summary`` is the JSON contract."""

    source: str
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(repr=False)
    baseline: dict[str, Any]
    rates: Rates
    missing_columns: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The one JSON object ``roi-kit costs --json`` prints."""
        out = dict(self.summary)
        for name in ("by_channel", "by_type", "by_team", "by_segment"):
            out[name] = _records(self.tables[name])
        out["efficiency"] = _records(self.tables["efficiency"])
        out["baseline"] = dict(self.baseline)
        return out

    def baseline_yaml(self) -> str:
        """The ``baseline:`` section as YAML, with comments saying where each figure came from."""
        import yaml

        s = self.summary
        head = [
            f"# Built bottom-up by roi_kit.costing from {Path(self.source).name}",
            f"# period {s['period_start']} .. {s['period_end']} ({s['period_days']} days), "
            f"annualised ×{s['annualisation_factor']:.4f}; rows used {s['rows_used']} of {s['rows_in']}",
            "# occupancy and shrinkage are the rates file's; cost_per_contact includes technology "
            "and overhead, so it wins over the labour fields",
        ]
        if self.missing_columns:
            head.append(f"# columns not in the export: {', '.join(self.missing_columns)}")
        body = yaml.safe_dump({"baseline": self.baseline}, sort_keys=False, allow_unicode=True)
        return "\n".join(head) + "\n" + body


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _num(value: Any) -> float:
    """A float, with NULL / NaN (an empty group) read as 0."""
    return 0.0 if value is None or pd.isna(value) else float(value)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _rate_tables(con: duckdb.DuckDBPyConnection, rates: Rates) -> None:
    """Create the small rate tables that the contacts are joined to."""
    from roi_kit.costing.load import sql_str

    def table(name: str, columns: str, rows: list[tuple]) -> None:
        con.execute(f"CREATE OR REPLACE TABLE {name} ({columns})")
        if rows:
            values = ", ".join("(" + ", ".join("NULL" if v is None else sql_str(v) if isinstance(v, str)
                                               else repr(float(v)) for v in row) + ")" for row in rows)
            con.execute(f"INSERT INTO {name} VALUES {values}")

    table("agent_rates", "agent_id VARCHAR, rate DOUBLE", list(rates.hourly_cost_by_agent.items()))
    table("team_rates", "team VARCHAR, rate DOUBLE", list(rates.hourly_cost_by_team.items()))
    table("tech_rates", "channel VARCHAR, per_minute DOUBLE, per_contact DOUBLE",
          [(c, t.per_minute, t.per_contact) for c, t in rates.technology.items()])
    table("std_rates", "contact_type VARCHAR, handle_seconds DOUBLE, cost_per_contact DOUBLE",
          [(k, v.handle_seconds, v.cost_per_contact) for k, v in rates.standards.items()])


def _contacts_sql(rates: Rates) -> str:
    uplift = 1.0 / (rates.occupancy * (1.0 - rates.shrinkage))
    share, ovh = rates.overhead.share_of_labour, rates.overhead.per_contact
    window = rates.repeat_window_days
    return f"""
    CREATE OR REPLACE TABLE contacts AS
    WITH c AS (
        SELECT k.customer_id, k.channel, k.contact_type,
            coalesce(k.team, '{NO_VALUE}') AS team, coalesce(k.segment, '{NO_VALUE}') AS segment,
            k.agent_id, k.started_at, k.outcome = 'handled' AS handled,
            k.queue_seconds, k.talk_seconds, k.hold_seconds, k.acw_seconds, k.contact_id,
            coalesce(a.rate, t.rate, {rates.default_hourly_cost}) AS rate,
            coalesce(x.per_minute, 0) AS tech_minute, coalesce(x.per_contact, 0) AS tech_contact,
            s.handle_seconds AS std_seconds, s.cost_per_contact AS std_cost_given
        FROM checked k
        LEFT JOIN agent_rates a ON a.agent_id = k.agent_id
        LEFT JOIN team_rates t ON t.team = k.team
        LEFT JOIN tech_rates x ON x.channel = k.channel
        LEFT JOIN std_rates s ON s.contact_type = k.contact_type
        WHERE k.exclude_reason IS NULL
    ), p AS (
        SELECT *,
            (talk_seconds + hold_seconds + acw_seconds) / 3600.0 * rate * {uplift!r} AS labour,
            tech_minute * (queue_seconds + talk_seconds + hold_seconds) / 60.0 + tech_contact AS tech,
            talk_seconds / 3600.0 * rate AS direct
        FROM c
    ), q AS (
        SELECT *,
            {share!r} * labour + CASE WHEN handled THEN {ovh!r} ELSE 0 END AS overhead,
            CASE WHEN NOT handled THEN NULL
                 WHEN std_cost_given IS NOT NULL THEN std_cost_given
                 WHEN std_seconds IS NOT NULL
                 THEN std_seconds / 3600.0 * rate * {uplift!r} * (1 + {share!r}) + {ovh!r}
            END AS standard
        FROM p
    )
    SELECT customer_id, channel, contact_type, team, segment, agent_id, started_at, handled,
        queue_seconds, talk_seconds, hold_seconds, acw_seconds, rate, labour, tech, overhead, direct,
        labour + tech + overhead AS cost, labour + overhead AS handling, standard,
        CASE WHEN handled AND customer_id IS NOT NULL THEN
            coalesce(started_at - lag(started_at) OVER (
                PARTITION BY customer_id, contact_type, handled ORDER BY started_at)
                <= to_microseconds(CAST({round(window * 86400e6)} AS BIGINT)), FALSE)
            ELSE FALSE END AS is_repeat
    FROM q
    """


_GROUP_AGGS = """
    count(*) FILTER (WHERE handled) AS contacts_handled,
    count(*) FILTER (WHERE NOT handled) AS contacts_abandoned,
    sum(cost) AS total_cost,
    sum(labour) AS labour_cost, sum(tech) AS technology_cost, sum(overhead) AS overhead_cost,
    sum(direct) AS direct_cost,
    avg(talk_seconds + hold_seconds) FILTER (WHERE handled) AS aht_seconds,
    avg(acw_seconds) FILTER (WHERE handled) AS acw_seconds,
    sum(cost) FILTER (WHERE handled) AS handled_cost,
    count(*) FILTER (WHERE handled AND customer_id IS NOT NULL) AS identified,
    count(*) FILTER (WHERE is_repeat) AS repeats
"""


def quantile(sorted_desc: np.ndarray, q: float) -> float:
    """Linear-interpolation quantile (numpy's default) of values sorted in descending order."""
    n = len(sorted_desc)
    if n == 0:
        return float("nan")
    h = (n - 1) * q  # position in ascending order
    lo, hi = math.floor(h), math.ceil(h)
    a, b = sorted_desc[n - 1 - lo], sorted_desc[n - 1 - hi]
    return float(a + (h - lo) * (b - a))


def top_decile_cost(sorted_desc: np.ndarray) -> float:
    """Cost of the costliest ⌈n/10⌉ contacts, from costs sorted in descending order."""
    return float(sorted_desc[: math.ceil(len(sorted_desc) / 10)].sum())


def _distribution(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, np.ndarray]:
    """P50, P90 and top-decile cost per group from ONE sort of handled contacts by cost.

    The costs come back sorted (descending) with each dimension as a small integer code; a
    group's costs are then a boolean mask of the sorted array, still sorted, so each group's
    quantiles and top decile are exact without a sort per group.
    """
    cols = list(DIMENSIONS.values())
    levels = {c: [r[0] for r in con.execute(
        f"SELECT DISTINCT {c} FROM contacts WHERE handled ORDER BY 1").fetchall()] for c in cols}
    codes = ", ".join(
        f"list_position({_list_literal(levels[c])}, {c})::SMALLINT AS {c}" for c in cols)
    data = con.execute(
        f"SELECT cost, {codes} FROM contacts WHERE handled ORDER BY cost DESC").fetchnumpy()
    cost = np.asarray(data["cost"], dtype=float)
    rows = []
    for col in cols:
        code = np.asarray(data[col])
        for i, value in enumerate(levels[col], start=1):
            part = cost[code == i]
            rows.append({"dim": col, "key": value, "cost_p50": quantile(part, 0.5),
                         "cost_p90": quantile(part, 0.9), "top_decile_cost": top_decile_cost(part)})
    rows.append({"dim": "__all__", "key": None, "cost_p50": quantile(cost, 0.5),
                 "cost_p90": quantile(cost, 0.9), "top_decile_cost": top_decile_cost(cost)})
    return pd.DataFrame(rows), cost


def _list_literal(values: list[str]) -> str:
    from roi_kit.costing.load import sql_str

    return "[" + ", ".join(sql_str(v) for v in values) + "]::VARCHAR[]"


def _group_frame(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """All groups' sums in one pass (GROUPING SETS), plus the distribution figures per group."""
    cols = list(DIMENSIONS.values())
    sets = ", ".join(f"({c})" for c in cols) + ", ()"
    frame = con.execute(f"""
        SELECT {', '.join(cols)}, {_GROUP_AGGS}
        FROM contacts GROUP BY GROUPING SETS ({sets})
    """).df()
    dist, cost = _distribution(con)
    return frame, dist, cost


def _finish(rows: pd.DataFrame) -> pd.DataFrame:
    """Derived per-group metrics from the sums (formulas in the module docstring)."""
    out = rows.copy()
    handled = out["contacts_handled"].astype(float)
    offered = handled + out["contacts_abandoned"]
    out["abandon_rate"] = (out["contacts_abandoned"] / offered.where(offered > 0)).fillna(0.0)
    out["cost_per_contact"] = out["total_cost"] / handled.where(handled > 0)
    ident = out["identified"].astype(float)
    out["repeat_rate"] = (out["repeats"] / ident.where(ident > 0)).fillna(0.0)
    out["unidentified_contacts"] = out["contacts_handled"] - out["identified"]
    out["resolutions"] = handled * (1 - out["repeat_rate"])
    out["cost_per_resolution"] = out["total_cost"] / out["resolutions"].where(out["resolutions"] > 0)
    out["top_decile_cost_share"] = out["top_decile_cost"] / out["handled_cost"].where(out["handled_cost"] > 0)
    out["engagement_share"] = out["direct_cost"] / out["total_cost"].where(out["total_cost"] > 0)
    total = out["total_cost"].sum()
    out["share_of_cost"] = out["total_cost"] / total if total > 0 else 0.0
    order = ["contacts_handled", "contacts_abandoned", "abandon_rate", "aht_seconds", "acw_seconds",
             "total_cost", "labour_cost", "technology_cost", "overhead_cost", "share_of_cost",
             "cost_per_contact", "cost_p50", "cost_p90", "top_decile_cost_share", "repeats",
             "repeat_rate", "unidentified_contacts", "resolutions", "cost_per_resolution",
             "engagement_share"]
    return out[[c for c in out.columns if c not in order] + order]


def _dimension_tables(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, pd.DataFrame], pd.Series, np.ndarray]:
    frame, tops, cost = _group_frame(con)
    cols = list(DIMENSIONS.values())
    tables: dict[str, pd.DataFrame] = {}
    for label, col in DIMENSIONS.items():
        others = [c for c in cols if c != col]
        part = frame[frame[col].notna() & frame[others].isna().all(axis=1)].drop(columns=others)
        top = tops[tops["dim"] == col].rename(columns={"key": col}).drop(columns="dim")
        part = part.merge(top, on=col, how="left")
        part = _finish(part).drop(columns=["handled_cost", "identified", "direct_cost", "top_decile_cost"])
        tables[f"by_{label}"] = part.sort_values("total_cost", ascending=False, ignore_index=True)
    total = frame[frame[cols].isna().all(axis=1)].drop(columns=cols)
    if total.empty or pd.isna(total["contacts_handled"].iloc[0]):
        total = pd.DataFrame([{c: 0 for c in total.columns}])
    overall = tops[tops["dim"] == "__all__"].iloc[0]
    total = total.assign(**{k: overall[k] for k in ("cost_p50", "cost_p90", "top_decile_cost")})
    return tables, _finish(total.reset_index(drop=True)).iloc[0], cost


def _efficiency(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Actual handling cost against standard cost by type and team, largest variance first."""
    frame = con.execute("""
        SELECT contact_type, team, count(*) AS contacts_handled,
               sum(handling) AS actual_cost, sum(standard) AS standard_cost
        FROM contacts WHERE handled AND standard IS NOT NULL GROUP BY 1, 2
    """).df()
    frame["variance"] = frame["actual_cost"] - frame["standard_cost"]
    frame["variance_per_contact"] = frame["variance"] / frame["contacts_handled"]
    frame["efficiency"] = frame["standard_cost"] / frame["actual_cost"].where(frame["actual_cost"] > 0)
    gross = frame["variance"].abs().sum()
    frame["share_of_variance"] = frame["variance"].abs() / gross if gross > 0 else 0.0
    return frame.sort_values("variance", key=abs, ascending=False, ignore_index=True)


def _abandon_by_hour(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = con.execute("""
        SELECT isodow(started_at) AS weekday_number, hour(started_at) AS hour,
               count(*) AS offered, count(*) FILTER (WHERE NOT handled) AS abandoned
        FROM contacts GROUP BY 1, 2 ORDER BY 1, 2
    """).df()
    frame.insert(0, "weekday", [WEEKDAYS[d - 1] for d in frame["weekday_number"]])
    frame["abandon_rate"] = frame["abandoned"] / frame["offered"]
    return frame


def concentration(sorted_desc: np.ndarray, points: int = 100) -> pd.DataFrame:
    """Cost concentration curve: share of handled cost carried by the costliest x% of contacts."""
    n = len(sorted_desc)
    total = float(sorted_desc.sum()) if n else 0.0
    if n == 0 or total <= 0:
        return pd.DataFrame({"share_of_contacts": [0.0, 1.0], "share_of_cost": [0.0, 1.0]})
    counts = np.unique(np.ceil(np.arange(1, points + 1) * n / points).astype(np.int64))
    cum = np.cumsum(sorted_desc)[counts - 1] / total
    return pd.DataFrame({"share_of_contacts": np.r_[0.0, counts / n], "share_of_cost": np.r_[0.0, cum]})


def _period(con: duckdb.DuckDBPyConnection) -> tuple[Any, Any, int, int]:
    first, last, hours, agents = con.execute("""
        SELECT min(started_at), max(started_at),
               count(DISTINCT date_trunc('hour', started_at)),
               count(DISTINCT agent_id) FILTER (WHERE handled)
        FROM contacts
    """).fetchone()
    return first, last, int(hours or 0), int(agents or 0)


def _baseline(total: pd.Series, rates: Rates, factor: float, hours: int, agents: int,
              present: tuple[str, ...], weighted_rate: float | None) -> dict[str, Any]:
    """Measured baseline fields, named as the case format names them (per year where annual)."""
    b: dict[str, Any] = {
        "contacts_per_year": round(float(total["contacts_handled"]) * factor),
        "cost_per_contact": round(float(total["cost_per_contact"]), 4),
        "aht_seconds": round(float(total["aht_seconds"]), 2),
        "acw_seconds": round(float(total["acw_seconds"]), 2),
        "loaded_hourly_cost": round(weighted_rate if weighted_rate else rates.default_hourly_cost, 4),
        "shrinkage": rates.shrinkage,
        "occupancy": rates.occupancy,
        "repeat_rate": round(float(total["repeat_rate"]), 6),
        "abandon_rate": round(float(total["abandon_rate"]), 6),
    }
    if "agent_id" in present and agents:
        b["agents"] = agents
    if hours:
        b["hours_open_per_year"] = round(min(hours * factor, 8784.0), 1)
    return b


def analyse(contacts: str | os.PathLike[str], rates: Rates | dict | str | os.PathLike[str],
            mapping: Mapping | dict | str | os.PathLike[str] | None = None, *,
            threads: int | None = None, memory_limit: str | None = None,
            temp_directory: str | None = None) -> CostingResult:
    """Cost every contact in an export and build all tables; see the module docstring for formulas.

    Raises :class:`~roi_kit.errors.CostingError` for an unreadable file, a missing required
    column, or bad rates / mapping.
    """
    rates, mapping = load_rates(rates), load_mapping(mapping)
    path = Path(contacts)
    con = connect(threads=threads, memory_limit=memory_limit, temp_directory=temp_directory)
    try:
        source = canonical_view(con, path, open_source(con, path), mapping)
        con.execute(f"CREATE TABLE checked AS {checked_sql(source)}")
        quality = quality_table(con)
        _rate_tables(con, rates)
        con.execute(_contacts_sql(rates))
        return _assemble(con, source, rates, quality, path)
    except duckdb.Error as e:
        from roi_kit.errors import CostingError

        first = str(e).strip().splitlines()[0]
        raise CostingError(f"{path}: cannot process the contacts ({first})") from None
    finally:
        con.close()


def _assemble(con, source, rates, quality, path) -> CostingResult:
    tables, total, cost = _dimension_tables(con)
    tables["efficiency"] = _efficiency(con)
    tables["abandon_by_hour"] = _abandon_by_hour(con)
    tables["concentration"] = concentration(cost)
    tables["data_quality"] = quality
    first, last, hours, agents = _period(con)
    days = (last.date() - first.date()).days + 1 if first is not None else 0
    factor = 365.0 / days if days else 0.0
    weighted = con.execute("""
        SELECT sum((talk_seconds + hold_seconds + acw_seconds) * rate)
               / nullif(sum(talk_seconds + hold_seconds + acw_seconds), 0)
        FROM contacts WHERE handled""").fetchone()[0]
    rows_in = int(con.execute("SELECT coalesce(sum(duplicates + 1), 0) FROM checked").fetchone()[0])
    excluded = {r: int(n) for r, n in zip(quality["rule"], quality["rows"], strict=True)
                if r in dict(EXCLUSIONS)}
    repaired = {r: int(n) for r, n in zip(quality["rule"], quality["rows"], strict=True)
                if r in dict(REPAIRS)}
    eff = tables["efficiency"]
    handled = int(total["contacts_handled"])
    summary: dict[str, Any] = {
        "source": str(path),
        "currency": rates.currency,
        "rows_in": rows_in,
        "rows_used": handled + int(total["contacts_abandoned"]),
        "excluded": excluded,
        "repaired": repaired,
        "missing_columns": list(source.missing),
        "period_start": str(first) if first is not None else None,
        "period_end": str(last) if last is not None else None,
        "period_days": days,
        "annualisation_factor": factor,
        "contacts_handled": handled,
        "contacts_abandoned": int(total["contacts_abandoned"]),
        "abandon_rate": _num(total["abandon_rate"]),
        "aht_seconds": _plain(total["aht_seconds"]),
        "acw_seconds": _plain(total["acw_seconds"]),
        "total_cost": _num(total["total_cost"]),
        "labour_cost": _num(total["labour_cost"]),
        "technology_cost": _num(total["technology_cost"]),
        "overhead_cost": _num(total["overhead_cost"]),
        "cost_per_contact": _plain(total["cost_per_contact"]),
        "cost_p50": _plain(total["cost_p50"]),
        "cost_p90": _plain(total["cost_p90"]),
        "top_decile_cost_share": _plain(total["top_decile_cost_share"]),
        "repeats": int(total["repeats"]),
        "repeat_rate": _num(total["repeat_rate"]),
        "repeat_window_days": rates.repeat_window_days,
        "unidentified_contacts": int(total["unidentified_contacts"]),
        "resolutions": _num(total["resolutions"]),
        "cost_per_resolution": _plain(total["cost_per_resolution"]),
        "engagement_share": _plain(total["engagement_share"]),
        "standard_cost": float(eff["standard_cost"].sum()),
        "actual_handling_cost_vs_standard": float(eff["actual_cost"].sum()),
        "cost_variance": float(eff["variance"].sum()),
        "types_without_standard": sorted(
            set(tables["by_type"]["contact_type"]) - set(rates.standards)),
        "rates": rates.model_dump(),
    }
    baseline = _baseline(total, rates, factor, hours, agents, source.present, weighted) if handled else {}
    return CostingResult(source=str(path), summary=summary, tables=tables, baseline=baseline,
                         rates=rates, missing_columns=source.missing)
