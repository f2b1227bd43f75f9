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
  same type in the previous ``repeat_window_days`` (≤, measured between start times; of contacts
  starting at the same instant, the first in channel, team, segment order is not the repeat).
  repeat rate = repeats ÷ handled contacts with an identified customer; unidentified contacts
  cannot be linked, so they are assumed to repeat at that same rate (and counted in
  ``unidentified_contacts``). resolutions = handled × (1 − repeat rate);
  cost per resolution = Σ cost ÷ resolutions.
- abandon rate = abandoned ÷ offered (handled + abandoned).
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from roi_kit.case.provenance import WEEKDAYS
from roi_kit.costing.load import canonical_view, connect, open_source, sql_str
from roi_kit.costing.quality import (
    EXCLUSIONS,
    REPAIRS,
    checked_sql,
    dimension_exprs,
    mark_duplicates,
    mark_stray_timestamps,
    quality_table,
)
from roi_kit.costing.schema import Mapping, Rates, load_mapping, load_rates

DIMENSIONS = {"channel": "channel", "type": "contact_type", "team": "team", "segment": "segment"}

@contextmanager
def _stage(name: str):
    """Log a stage's wall and CPU seconds to stderr when ``ROI_KIT_COSTING_PROFILE`` is set."""
    if not os.environ.get("ROI_KIT_COSTING_PROFILE"):
        yield
        return
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    print(f"costing {name:>14}: {time.perf_counter() - wall:6.2f} s wall {time.process_time() - cpu:6.2f} s cpu",
          file=sys.stderr)


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
            f"# money is in {self.rates.currency} (the rates file's currency): the case's currency: must match; "
            "--unit NAME writes a complete case.yaml instead",
        ]
        if self.missing_columns:
            head.append(f"# columns not in the export: {', '.join(self.missing_columns)}")
        head += [f"# note: {n}" for n in s.get("notes", [])]
        head += [f"# warning: {w}" for w in s.get("warnings", [])]
        head.append(f"# agents: FTEs from paid hours (handled hours ÷ occupancy ÷ (1 − shrinkage) ÷ "
                    f"{s.get('paid_hours_per_fte', 2080):g} h), beside {s.get('agent_ids_seen', 0)} agent ids seen")
        # short lists and rows in flow style (the interval profile is one line per weekday)
        body = yaml.safe_dump({"baseline": self.baseline}, sort_keys=False, allow_unicode=True,
                              default_flow_style=None, width=200)
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


def _levels(con: duckdb.DuckDBPyConnection, source) -> dict[str, list[str]]:
    """Distinct values of each dimension, cheaply: the distinct combinations of the four raw
    low-cardinality columns (a few hundred) are found first, and only those are canonicalised."""
    from roi_kit.costing.load import ident

    exprs = dimension_exprs(source)
    texts = {name: (expr, src) for name, expr, src in source.text_sql if name in exprs}
    raw = ", ".join(dict.fromkeys(ident(src) for _, src in texts.values() if src is not None)) or "1"
    canon = ", ".join(f"{expr} AS {name}" for name, (expr, _) in texts.items()) or "NULL AS none"
    found = con.execute(f"SELECT DISTINCT {', '.join(exprs.values())} FROM "
                        f"(SELECT {canon} FROM (SELECT DISTINCT {raw} FROM raw))").fetchall()
    return {d: sorted({row[i] for row in found if row[i] is not None}) for i, d in enumerate(exprs)}


def _enum_types(con: duckdb.DuckDBPyConnection, levels: dict[str, list[str]]) -> dict[str, str]:
    """One DuckDB ENUM per dimension, so each is stored and grouped as a one-byte code."""
    names = {}
    for dim, values in levels.items():
        names[dim] = f"{dim}_levels"
        con.execute(f"CREATE TYPE {names[dim]} AS ENUM ({', '.join(sql_str(v) for v in values)})")
    return names


class Params(dict):
    """Named SQL parameters (``$name``): every rate value reaches DuckDB bound, never as text."""

    def add(self, name: str, value: Any) -> str:
        """Bind ``value`` under a fresh ``$name_i``; return the placeholder."""
        key = f"{name}_{len(self)}"
        self[key] = value
        return f"${key}"


def _by_code(column: str, levels: list[str], values: dict[str, float | None], params: Params) -> str:
    """``values[level]`` for the level of an ENUM column, as a CASE over its codes (NULL if none)."""
    whens = " ".join(f"WHEN {i} THEN {params.add(column, float(values[v]))}::DOUBLE" for i, v in enumerate(levels)
                     if values.get(v) is not None)
    return f"(CASE enum_code({column}) {whens} END)" if whens else "CAST(NULL AS DOUBLE)"


def _rate_sql(con: duckdb.DuckDBPyConnection, source, rates: Rates,
              params: Params) -> tuple[str | None, str]:
    """The hourly-rate expression for the checking pass (None when every contact has the default
    rate) and the join it needs: agent's rate, else team's, else ``default_hourly_cost``."""
    parts, joins = [], ""
    if rates.hourly_cost_by_agent and "agent_id" in source.present:
        con.execute("CREATE TABLE agent_rates (agent_key VARCHAR, agent_rate DOUBLE)")
        con.executemany("INSERT INTO agent_rates VALUES (?, ?)", list(rates.hourly_cost_by_agent.items()))
        joins = "LEFT JOIN agent_rates ON agent_rates.agent_key = canon.agent_id"
        parts.append("agent_rate")
    if rates.hourly_cost_by_team and "team" in source.present:
        whens = " ".join(f"WHEN {params.add('team', str(k))} THEN {params.add('team_rate', float(v))}::DOUBLE"
                         for k, v in rates.hourly_cost_by_team.items())
        parts.append(f"(CASE team {whens} END)")
    if not parts:
        return None, ""
    return f"coalesce({', '.join(parts)}, {params.add('default_rate', float(rates.default_hourly_cost))}::DOUBLE)", joins


@dataclass(frozen=True)
class Priced:
    """The used rows of ``checked`` with each contact's cost (module formulas), as a subquery and
    its bound rate values: DuckDB keeps no parameters in a view, so each query that reads the
    priced contacts says ``FROM {priced.sql}`` and passes ``priced.params``."""

    sql: str
    params: dict[str, Any]


def _priced(rates: Rates, levels: dict[str, list[str]], has_rate: bool) -> Priced:
    """The priced contacts (:class:`Priced`). Rate-table lookups are CASE expressions over the
    one-byte dimension codes, so pricing costs no join and nothing is stored twice."""
    p = Params()
    uplift = p.add("uplift", float(rates.uplift))
    share = p.add("share", float(rates.overhead.share_of_labour))
    ovh = p.add("overhead_per_contact", float(rates.overhead.per_contact))
    tech_minute = _by_code("channel", levels["channel"], {k: t.per_minute for k, t in rates.technology.items()}, p)
    tech_contact = _by_code("channel", levels["channel"], {k: t.per_contact for k, t in rates.technology.items()}, p)
    std_seconds = _by_code("contact_type", levels["contact_type"],
                           {k: v.handle_seconds for k, v in rates.standards.items()}, p)
    std_given = _by_code("contact_type", levels["contact_type"],
                         {k: v.cost_per_contact for k, v in rates.standards.items()}, p)
    rate = "rate" if has_rate else p.add("default_rate", float(rates.default_hourly_cost))
    sql = f"""(
    WITH c AS (
        SELECT customer_id, channel, contact_type, team, segment, agent_id, started_at, handled,
            queue_seconds, talk_seconds, hold_seconds, acw_seconds, {rate}::DOUBLE AS rate,
            coalesce({tech_minute}, 0) AS tech_minute, coalesce({tech_contact}, 0) AS tech_contact,
            {uplift}::DOUBLE AS uplift, {share}::DOUBLE AS share, {ovh}::DOUBLE AS ovh
        FROM checked WHERE reason IS NULL
    ), p AS (
        SELECT *,
            (talk_seconds + hold_seconds + acw_seconds) / 3600.0 * rate * uplift AS labour,
            tech_minute * (queue_seconds + talk_seconds + hold_seconds) / 60.0 + tech_contact AS tech
        FROM c
    ), q AS (
        SELECT *,
            share * labour + CASE WHEN handled THEN ovh ELSE 0 END AS overhead,
            CASE WHEN NOT handled THEN NULL
                 WHEN {std_given} IS NOT NULL THEN {std_given}
                 WHEN {std_seconds} IS NOT NULL
                 THEN {std_seconds} / 3600.0 * rate * uplift * (1 + share) + ovh
            END AS standard
        FROM p
    )
    SELECT customer_id, channel, contact_type, team, segment, agent_id, started_at, handled,
        queue_seconds, talk_seconds, hold_seconds, acw_seconds, rate, labour, tech, overhead,
        labour + tech + overhead AS cost, labour + overhead AS handling, standard
    FROM q
    ) AS contacts"""
    return Priced(sql, dict(p))


_COMBO_AGGS = """
    count(*) FILTER (WHERE handled) AS contacts_handled,
    count(*) FILTER (WHERE NOT handled) AS contacts_abandoned,
    sum((talk_seconds + hold_seconds + acw_seconds) * rate) AS rated_seconds,
    sum(talk_seconds + hold_seconds + acw_seconds) AS service_seconds,
    sum(talk_seconds * rate) AS rated_talk,
    sum(queue_seconds + talk_seconds + hold_seconds) AS line_seconds,
    sum(queue_seconds + talk_seconds + hold_seconds) FILTER (WHERE handled) AS handled_line_seconds,
    sum(talk_seconds + hold_seconds) FILTER (WHERE handled) AS aht_sum,
    sum(acw_seconds) FILTER (WHERE handled) AS acw_sum,
    count(*) FILTER (WHERE handled AND customer_id IS NOT NULL) AS identified
"""
_COUNTS = ("contacts_handled", "contacts_abandoned", "identified", "repeats")


def _combo_costs(sums: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    """Cost sums of each combination from its second sums, by the module formulas summed.

    Within a combination the channel is fixed, so the technology rates are constants, and
    abandoned contacts carry no service seconds; hence Σ labour = Σ(service × rate) / 3600 ×
    uplift, Σ tech = per_minute × Σ(queue + talk + hold) / 60 + per_contact × offered, Σ overhead
    = share × Σ labour + per_contact × handled, Σ direct = Σ(talk × rate) / 3600.
    """
    uplift = rates.uplift
    share, ovh = rates.overhead.share_of_labour, rates.overhead.per_contact
    tech = {k: (t.per_minute, t.per_contact) for k, t in rates.technology.items()}
    minute = sums["channel"].map(lambda c: tech.get(c, (0.0, 0.0))[0]).astype(float)
    contact = sums["channel"].map(lambda c: tech.get(c, (0.0, 0.0))[1]).astype(float)
    out = sums.copy()
    handled = out["contacts_handled"].astype(float)
    out["labour_cost"] = out["rated_seconds"] / 3600.0 * uplift
    out["technology_cost"] = (minute * out["line_seconds"] / 60.0
                              + contact * (handled + out["contacts_abandoned"]))
    out["overhead_cost"] = share * out["labour_cost"] + ovh * handled
    out["total_cost"] = out["labour_cost"] + out["technology_cost"] + out["overhead_cost"]
    out["direct_cost"] = out["rated_talk"] / 3600.0
    out["handled_cost"] = (out["labour_cost"] + minute * out["handled_line_seconds"] / 60.0
                           + contact * handled + out["overhead_cost"])
    return out.drop(columns=["rated_talk", "line_seconds", "handled_line_seconds"])


def _combos(con: duckdb.DuckDBPyConnection, priced: Priced, rates: Rates, repeats: pd.DataFrame) -> pd.DataFrame:
    """Sums per combination of the four dimensions (a few hundred rows at most), with the
    ``repeats`` of each combination (from :func:`_repeats`) merged in."""
    cols = list(DIMENSIONS.values())
    # grouped by the one-byte codes; only the few result rows are turned back into text
    keys = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in cols)
    group = ", ".join(cols)
    sums = con.execute(f"SELECT {keys}, * EXCLUDE ({group}) FROM ("
                       f"SELECT {group}, {_COMBO_AGGS} FROM {priced.sql} GROUP BY {group})", priced.params).df()
    sums = _combo_costs(sums, rates)
    out = sums.merge(repeats, on=cols, how="left")
    out["repeats"] = out["repeats"].fillna(0).astype("int64")
    return out


def _repeats(con: duckdb.DuckDBPyConnection, rates: Rates) -> pd.DataFrame:
    """Repeats per combination of the four dimensions.

    A handled contact is a repeat when the previous handled contact of the same identified
    customer and type started at most ``repeat_window_days`` before it (a window over the used,
    handled, identified rows only, carrying nothing but the keys and the dimension codes).
    Contacts of one customer and type that start at the same instant are taken in channel, team
    and segment order, so which of them is the repeat, and so every table, does not depend on
    the order the rows were read in (which varies with the threads).
    """
    cols = list(DIMENSIONS.values())
    keys = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in cols)
    group = ", ".join(cols)
    micros = round(rates.repeat_window_days * 86400e6)
    return con.execute(f"""
        SELECT {keys}, repeats FROM (
            SELECT {group}, count(*) AS repeats FROM (
                SELECT {group},
                    started_at - lag(started_at) OVER (PARTITION BY customer_id, contact_type
                                                     ORDER BY started_at, channel, team, segment)
                        <= to_microseconds($window::BIGINT) AS is_repeat
                FROM checked WHERE reason IS NULL AND handled AND customer_id IS NOT NULL)
            WHERE is_repeat GROUP BY {group})""", {"window": micros}).df()


def _rollup(combos: pd.DataFrame) -> pd.DataFrame:
    """Per-dimension groups and the overall row (other dimensions NaN), as GROUPING SETS would give.

    Counts add up; sums of an empty set stay NaN (SQL's NULL); averages are sums ÷ handled."""
    cols = list(DIMENSIONS.values())
    values = [c for c in combos.columns if c not in cols]
    sums = [c for c in values if c not in _COUNTS]
    parts = []
    for col in cols:
        g = combos.groupby(col, sort=False)
        part = pd.concat([g[list(_COUNTS)].sum(), g[sums].sum(min_count=1)], axis=1).reset_index()
        parts.append(part)
    total = {c: [combos[c].sum()] for c in _COUNTS} | {c: [combos[c].sum(min_count=1)] for c in sums}
    frame = pd.concat([*parts, pd.DataFrame(total)], ignore_index=True)
    handled = frame["contacts_handled"].astype(float).where(frame["contacts_handled"] > 0)
    frame["aht_seconds"] = frame["aht_sum"] / handled
    frame["acw_seconds"] = frame["acw_sum"] / handled
    return frame[cols + [c for c in frame.columns if c not in cols]]


def _distribution(con: duckdb.DuckDBPyConnection, priced: Priced,
                  levels: dict[str, list[str]]) -> tuple[pd.DataFrame, np.ndarray]:
    """P50, P90 and top-decile cost per group, exact, from handled contacts' costs.

    Costs come with each dimension's one-byte code. Only the overall costs are sorted (the
    concentration curve needs their whole order); a group needs just five order statistics (the
    two neighbours of each quantile and the top decile's edge), which a selection
    (``numpy.partition``, linear time) finds exactly, several times faster than a sort. Groups
    run on DuckDB's thread count (numpy releases the GIL while it selects and sorts).
    """
    from concurrent.futures import ThreadPoolExecutor

    cols = list(DIMENSIONS.values())
    codes = ", ".join(f"enum_code({c}) AS {c}" for c in cols)
    # through Arrow: a parameterised relation's fetchnumpy takes a slow row-wise path (×40)
    table = con.execute(f"SELECT cost, {codes} FROM {priced.sql} WHERE handled", priced.params).to_arrow_table()
    data = {name: table.column(name).to_numpy() for name in table.column_names}
    cost = np.asarray(data["cost"], dtype=float)
    groups = [(col, i) for col in cols
              for i in np.flatnonzero(np.bincount(np.asarray(data[col]), minlength=len(levels[col])))]

    def figures(group: tuple[str, int] | None) -> tuple[dict[str, Any], np.ndarray | None]:
        if group is None:
            part = np.sort(cost)[::-1]
            p50, p90, top = quantile(part, 0.5), quantile(part, 0.9), top_decile_cost(part)
        else:
            part = None
            p50, p90, top = order_figures(cost[np.asarray(data[group[0]]) == group[1]])
        dim, key = ("__all__", None) if group is None else (group[0], levels[group[0]][group[1]])
        return {"dim": dim, "key": key, "cost_p50": p50, "cost_p90": p90, "top_decile_cost": top}, part

    workers = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    with ThreadPoolExecutor(max(1, workers)) as pool:
        done = list(pool.map(figures, [None, *groups]))
    rows = [row for row, _ in done[1:]] + [done[0][0]]
    return pd.DataFrame(rows), done[0][1]


def _ranks(n: int, q: float) -> tuple[float, int, int]:
    """Where quantile ``q`` of ``n`` values falls in ascending order: its position and the two
    ranks it lies between (linear interpolation, numpy's default)."""
    h = (n - 1) * q
    return h, math.floor(h), math.ceil(h)


def _interpolated(value_at: Callable[[int], float], n: int, q: float) -> float:
    """Quantile ``q`` of ``n`` values from the value at each ascending rank."""
    h, lo, hi = _ranks(n, q)
    a, b = value_at(lo), value_at(hi)
    return float(a + (h - lo) * (b - a))


def quantile(sorted_desc: np.ndarray, q: float) -> float:
    """Linear-interpolation quantile (numpy's default) of values sorted in descending order."""
    n = len(sorted_desc)
    if n == 0:
        return float("nan")
    return _interpolated(lambda rank: sorted_desc[n - 1 - rank], n, q)


def order_figures(values: np.ndarray) -> tuple[float, float, float]:
    """P50, P90 and top-decile cost of unsorted ``values``, as :func:`quantile` and
    :func:`top_decile_cost` give them from a sort, by one selection: ``numpy.partition`` puts
    the value of every asked rank in its sorted place, and everything above the top decile's edge
    after it, so those ranks' values are exact and the top decile is the same set of contacts."""
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), 0.0
    edge = n - math.ceil(n / 10)  # ascending rank of the top decile's first contact
    ranks = {edge} | {r for q in (0.5, 0.9) for r in _ranks(n, q)[1:]}
    part = np.partition(values, sorted(ranks))
    return (_interpolated(part.__getitem__, n, 0.5), _interpolated(part.__getitem__, n, 0.9),
            float(part[edge:].sum()))


def top_decile_cost(sorted_desc: np.ndarray) -> float:
    """Cost of the costliest ⌈n/10⌉ contacts, from costs sorted in descending order."""
    return float(sorted_desc[: math.ceil(len(sorted_desc) / 10)].sum())


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


#: Sums the tables are derived from but do not show.
_HELPERS = ("handled_cost", "identified", "direct_cost", "top_decile_cost", "aht_sum", "acw_sum",
            "rated_seconds", "service_seconds")


def _dimension_tables(frame: pd.DataFrame, tops: pd.DataFrame
                      ) -> tuple[dict[str, pd.DataFrame], pd.Series]:
    cols = list(DIMENSIONS.values())
    tables: dict[str, pd.DataFrame] = {}
    for label, col in DIMENSIONS.items():
        others = [c for c in cols if c != col]
        part = frame[frame[col].notna() & frame[others].isna().all(axis=1)].drop(columns=others)
        top = tops[tops["dim"] == col].rename(columns={"key": col}).drop(columns="dim")
        part = part.merge(top, on=col, how="left")
        part = _finish(part).drop(columns=list(_HELPERS))
        tables[f"by_{label}"] = part.sort_values("total_cost", ascending=False, ignore_index=True)
    total = frame[frame[cols].isna().all(axis=1)].drop(columns=cols)
    if total.empty or pd.isna(total["contacts_handled"].iloc[0]):
        total = pd.DataFrame([{c: 0 for c in total.columns}])
    overall = tops[tops["dim"] == "__all__"].iloc[0]
    total = total.assign(**{k: overall[k] for k in ("cost_p50", "cost_p90", "top_decile_cost")})
    return tables, _finish(total.reset_index(drop=True)).iloc[0]


def _efficiency(con: duckdb.DuckDBPyConnection, priced: Priced) -> pd.DataFrame:
    """Actual handling cost against standard cost by type and team, largest variance first."""
    frame = con.execute(f"""
        SELECT CAST(contact_type AS VARCHAR) AS contact_type, CAST(team AS VARCHAR) AS team, * EXCLUDE (contact_type, team)
        FROM (SELECT contact_type, team, count(*) AS contacts_handled,
                     sum(handling) AS actual_cost, sum(standard) AS standard_cost
              FROM {priced.sql} WHERE handled AND standard IS NOT NULL GROUP BY 1, 2)
    """, priced.params).df()
    frame["variance"] = frame["actual_cost"] - frame["standard_cost"]
    frame["variance_per_contact"] = frame["variance"] / frame["contacts_handled"]
    frame["efficiency"] = frame["standard_cost"] / frame["actual_cost"].where(frame["actual_cost"] > 0)
    gross = frame["variance"].abs().sum()
    frame["share_of_variance"] = frame["variance"].abs() / gross if gross > 0 else 0.0
    return frame.sort_values("variance", key=abs, ascending=False, ignore_index=True)


def _hourly(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Offered and abandoned contacts and first / last start per clock hour (``bucket`` = whole
    hours since 1970): one integer key per row instead of a weekday and an hour to extract."""
    return con.execute("""
        SELECT CAST(floor(epoch_us(started_at) / 3600e6) AS BIGINT) AS bucket, count(*) AS offered,
               count(*) FILTER (WHERE NOT handled) AS abandoned,
               min(started_at) AS first, max(started_at) AS last
        FROM checked WHERE reason IS NULL GROUP BY 1
    """).df()


def _abandon_by_hour(hourly: pd.DataFrame) -> pd.DataFrame:
    """Offered, abandoned and abandon rate by weekday (ISO: Monday = 1) and hour of day."""
    start = pd.to_datetime(hourly["bucket"].to_numpy(dtype="int64") * 3600, unit="s")
    keys = pd.DataFrame({"weekday_number": (start.day_of_week + 1).astype("int64"),
                         "hour": start.hour.astype("int64")})
    frame = (pd.concat([keys, hourly[["offered", "abandoned"]].astype("int64")], axis=1)
             .groupby(["weekday_number", "hour"], as_index=False).sum())
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


def _period(con: duckdb.DuckDBPyConnection, hourly: pd.DataFrame) -> tuple[Any, Any, int, dict[str, Any]]:
    """First and last start, clock hours with a contact (hours open), and the agent ids seen on
    handled contacts: how many, and the one handling the most (its id and its contacts)."""
    seen, top, top_n = con.execute("""
        SELECT count(*), arg_max(agent_id, n), max(n) FROM (
            SELECT agent_id, count(*) AS n FROM checked
            WHERE reason IS NULL AND handled AND agent_id IS NOT NULL
            GROUP BY agent_id)""").fetchone()
    agents = {"seen": int(seen or 0), "top": top, "top_contacts": int(top_n or 0)}
    if hourly.empty:
        return None, None, 0, agents
    return (hourly["first"].min().to_pydatetime(), hourly["last"].max().to_pydatetime(),
            len(hourly), agents)


def paid_ftes(handled_seconds: float, factor: float, rates: Rates) -> float:
    """Agent FTEs the handled time needs: handled hours a year ÷ occupancy ÷ (1 − shrinkage) ÷
    paid hours per FTE-year (the rates file's ``paid_hours_per_fte``, default 2,080)."""
    return handled_seconds / 3600.0 * factor * rates.uplift / rates.paid_hours_per_fte


#: Plausibility limits (each broken one is a one-line warning in --json, the page and the case).
REPEAT_RATE_LIMIT = 0.40
UNIDENTIFIED_LIMIT = 0.5
AHT_LIMITS = (20.0, 3600.0)
MIN_DAYS = 60
#: one agent id carrying more than max(20 %, 3 ÷ ids seen) of handled contacts, with 5 ids or more
AGENT_SHARE_LIMIT, AGENT_MIN_IDS = 0.20, 5


def plausibility(summary: dict[str, Any]) -> list[str]:
    """One-line warnings on figures a real centre rarely shows (limits above): usually a code the
    mapping should name (``missing:``), an event log read as contacts, or too short a period."""
    s, out = summary, []
    handled = s["contacts_handled"]
    if not handled:
        return ["no handled contacts: no baseline can be built"]
    if s["repeat_rate"] > REPEAT_RATE_LIMIT:
        out.append(f"repeat rate {s['repeat_rate']:.1%} is above {REPEAT_RATE_LIMIT:.0%}: check that "
                   "customer_id names one customer (a code for 'not identified' belongs under mapping missing:)")
    if s["unidentified_contacts"] > UNIDENTIFIED_LIMIT * handled:
        out.append(f"{s['unidentified_contacts']:,} of {handled:,} handled contacts "
                   f"({s['unidentified_contacts'] / handled:.1%}) have no customer id: the repeat rate is "
                   "measured on the rest only")
    aht = s["aht_seconds"] or 0.0
    if aht < AHT_LIMITS[0] or aht > AHT_LIMITS[1]:
        out.append(f"average handle time {aht:,.1f} s is outside {AHT_LIMITS[0]:g} s .. {AHT_LIMITS[1]:,.0f} s: "
                   "check the talk and hold columns' unit (seconds) and the mapping")
    if s["period_days"] < MIN_DAYS:
        out.append(f"the export covers {s['period_days']} days (under {MIN_DAYS}), annualised "
                   f"×{s['annualisation_factor']:.2f}: seasonality is not in the yearly figures")
    seen, top_n = s["agent_ids_seen"], s["top_agent_contacts"]
    if seen >= AGENT_MIN_IDS and top_n > max(AGENT_SHARE_LIMIT, 3 / seen) * handled:
        out.append(f"agent id {s['top_agent_id']!r} handled {top_n / handled:.1%} of handled contacts "
                   f"({seen:,} ids seen): a code meaning 'no agent' belongs under mapping missing:")
    return out


def absent_notes(source) -> list[str]:
    """What an absent optional column (or a mapping constant) means for every row, said once."""
    labels = {"queue_seconds": "queue time", "hold_seconds": "hold", "acw_seconds": "after-call work"}
    notes = [f"no {label} column: counted as 0 s" for col, label in labels.items() if col in source.missing]
    if "agent_id" in source.missing:
        notes.append("no agent_id column: contacts priced at their team's rate, else the default rate")
    if "team" in source.missing:
        notes.append("no team column: team rates do not apply")
    if "customer_id" in source.missing:
        notes.append("no customer_id column: no repeat can be found (repeat rate 0)")
    if "talk_seconds" in source.missing:
        notes.append("no talk_seconds column: talk is ended_at − started_at − queue − hold")
    for name in source.constants:
        notes.append(f"no {name} column: the mapping's constant is used for every row")
    return notes


def _profile(by_hour: pd.DataFrame) -> dict[str, list[float]]:
    """Share of offered contacts by weekday (Mon..Sun) and hour of day (0..23)."""
    total = float(by_hour["offered"].sum())
    grid = {day: [0.0] * 24 for day in WEEKDAYS}
    for day, hour, n in zip(by_hour["weekday_number"], by_hour["hour"], by_hour["offered"], strict=True):
        grid[WEEKDAYS[int(day) - 1]][int(hour)] = round(float(n) / total, 6) if total else 0.0
    return grid


def _shares(frame: pd.DataFrame, col: str, cost: bool = False) -> list[dict[str, Any]]:
    """Each group's share of handled contacts (and its cost per contact), largest first."""
    handled = float(frame["contacts_handled"].sum())
    rows = []
    for _, row in frame.sort_values("contacts_handled", ascending=False).iterrows():
        item: dict[str, Any] = {"name": str(row[col]),
                                "share_of_contacts": round(float(row["contacts_handled"]) / handled, 6)}
        if cost and row["contacts_handled"] > 0 and not pd.isna(row["cost_per_contact"]):
            item["cost_per_contact"] = round(float(row["cost_per_contact"]), 4)
        rows.append(item)
    return rows


def _baseline(total: pd.Series, rates: Rates, factor: float, hours: int, ftes: float,
              weighted_rate: float | None) -> dict[str, Any]:
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
    if ftes:
        b["agents"] = round(ftes, 2)
        b["paid_hours_per_fte"] = rates.paid_hours_per_fte
    if hours:
        b["hours_open_per_year"] = round(min(hours * factor, 8784.0), 1)
    return b


def analyse(contacts: str | os.PathLike[str], rates: Rates | dict | str | os.PathLike[str],
            mapping: Mapping | dict | str | os.PathLike[str] | None = None, *,
            threads: int | None = None, memory_limit: str | None = None,
            temp_directory: str | None = None) -> CostingResult:
    """Cost every contact in an export and build all tables; see the module docstring for formulas.

    The export is read once into one compact table (``checked``: one row per source row, the
    dimensions as one-byte ENUM codes, the quality verdict as a small integer); every table is
    then a small GROUP BY over it or over its used rows priced (:class:`Priced`), and only
    those small results become pandas frames. ``threads``, ``memory_limit`` and
    ``temp_directory`` are DuckDB's settings (a memory limit makes large runs spill to disk
    instead of failing). With ``ROI_KIT_COSTING_PROFILE=1`` each stage's wall and CPU seconds go
    to stderr.

    Raises :class:`~roi_kit.errors.CostingError` for an unreadable file, a missing required
    column, or bad rates / mapping.
    """
    from concurrent.futures import ThreadPoolExecutor

    rates, mapping = load_rates(rates), load_mapping(mapping)
    path = Path(contacts)
    con = connect(threads=threads, memory_limit=memory_limit, temp_directory=temp_directory)
    hasher = ThreadPoolExecutor(1)  # the export's SHA-256 for the provenance, beside the engine
    try:
        digest = hasher.submit(file_sha256, path) if path.is_file() else None
        source = canonical_view(con, path, open_source(con, path), mapping)
        with _stage("levels"):
            levels = _levels(con, source)
            enums = _enum_types(con, levels)
        params = Params()
        rate, joins = _rate_sql(con, source, rates, params)
        with _stage("checked"):
            extra = (f"{rate} AS rate",) if rate else ()
            con.execute("CREATE TABLE checked AS "
                        + checked_sql(source, extra=extra, joins=joins, enums=enums), params)
        with _stage("duplicates"):
            mark_duplicates(con, source)
            mark_stray_timestamps(con)
        with _stage("quality"):
            quality = quality_table(con)
        priced = _priced(rates, levels, has_rate=rate is not None)
        return _assemble(con, source, rates, priced, quality, path, levels, digest.result() if digest else "")
    except duckdb.Error as e:
        from roi_kit.errors import CostingError

        first = str(e).strip().splitlines()[0]
        hint = ("; allow more with --memory-limit, or give --temp-dir on a disk with room to spill"
                if isinstance(e, duckdb.OutOfMemoryException) else "")
        raise CostingError(f"{path}: cannot process the contacts ({first}){hint}") from None
    finally:
        hasher.shutdown(wait=True)
        con.close()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 4 MB blocks (hashlib releases the GIL on them)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(4 << 20):
            digest.update(block)
    return digest.hexdigest()


def _assemble(con, source, rates, priced: Priced, quality, path, levels, sha256: str) -> CostingResult:
    from concurrent.futures import ThreadPoolExecutor

    # The repeat window (one DuckDB query, short of two busy cores at times) runs on its own
    # cursor while the sums, the numpy sorts and the small queries run here; all only read.
    with ThreadPoolExecutor(1) as pool, _stage("overlapped"):
        window = con.cursor()
        pending = pool.submit(_repeats, window, rates)
        try:
            small: dict[str, pd.DataFrame] = {}
            with _stage("distribution"):
                tops, cost = _distribution(con, priced, levels)
            with _stage("small tables"):
                small["efficiency"] = _efficiency(con, priced)
                hourly = _hourly(con)
                small["abandon_by_hour"] = _abandon_by_hour(hourly)
                small["concentration"] = concentration(cost)
                small["data_quality"] = quality
                first, last, hours, agents = _period(con, hourly)
                rows_in = int(con.execute("SELECT count(*) FROM checked").fetchone()[0])
            with _stage("groups"):
                combos = _combos(con, priced, rates, pending.result())
        finally:
            pending.exception()  # on an error here, let the window finish before its cursor closes
            window.close()
    tables, total = _dimension_tables(_rollup(combos), tops)
    tables |= small
    days = (last.date() - first.date()).days + 1 if first is not None else 0
    factor = 365.0 / days if days else 0.0
    den = float(combos["service_seconds"].sum())
    weighted = float(combos["rated_seconds"].sum()) / den if den else None
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
    ftes = paid_ftes(den, factor, rates)
    summary |= {"agent_ids_seen": agents["seen"], "top_agent_id": agents["top"],
                "top_agent_contacts": agents["top_contacts"], "agent_ftes": ftes,
                "paid_hours_per_fte": rates.paid_hours_per_fte, "notes": absent_notes(source)}
    summary["warnings"] = plausibility(summary)
    summary["sha256"] = sha256
    baseline = _baseline(total, rates, factor, hours, ftes, weighted) if handled else {}
    if handled:
        baseline["channel_mix"] = _shares(tables["by_channel"], "channel")
        if "segment" in source.present:
            baseline["segments"] = _shares(tables["by_segment"], "segment", cost=True)
        baseline["interval_profile"] = {"shares": _profile(small["abandon_by_hour"])}
    return CostingResult(source=str(path), summary=summary, tables=tables, baseline=baseline,
                         rates=rates, missing_columns=source.missing)
