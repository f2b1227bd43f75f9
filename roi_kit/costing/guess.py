"""``roi-kit costs --init-mapping EXPORT``: a starter mapping guessed from an export's header and
its first rows, printed as commented YAML for a person to check (nothing here is applied
silently: the guess is only ever a file the user reads, edits and passes back with --mapping).

Guesses, each said in a comment: canonical columns by name (exact, then known synonyms such as
``ser_time`` → talk_seconds, ``server`` → agent_id); a timestamp built from a date and a time
column with the first strptime format that parses the sample (two-digit years ``990201`` and
unpadded hours ``0:05:09`` included); outcome codes with their likely meaning; codes that usually
mean unknown (``0`` as an id, ``?``, ``NO_SERVER``); a constant for an absent required column;
and an ``events`` section when the id column repeats (an event log).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from roi_kit.costing.load import connect, ident, open_source, sql_str
from roi_kit.costing.schema import CANONICAL

SAMPLE_ROWS = 2000

#: Source names (lower case, compared after removing spaces, dots and dashes) per canonical column,
#: most specific first; a header equal to one wins over a header containing one.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "contact_id": ("contact_id", "call_id", "callid", "interaction_id", "ticket_id", "case_id", "number",
                   "incident", "id"),
    "customer_id": ("customer_id", "customer", "caller_id", "caller", "account", "client"),
    "channel": ("channel", "media", "medium"),
    "contact_type": ("contact_type", "type", "reason", "category", "skill", "queue"),
    "started_at": ("started_at", "opened_at", "start_time", "call_start", "date", "created", "start", "opened"),
    "ended_at": ("ended_at", "end_time", "closed_at", "call_end", "end"),
    "queue_seconds": ("queue_seconds", "q_time", "queue_time", "wait_time", "wait"),
    "talk_seconds": ("talk_seconds", "ser_time", "talk_time", "handle_time", "talk", "duration"),
    "hold_seconds": ("hold_seconds", "hold_time", "hold"),
    "acw_seconds": ("acw_seconds", "after_call", "wrap_up", "wrap", "acw"),
    "agent_id": ("agent_id", "agent", "server", "assigned_to", "login"),
    "team": ("team", "assignment_group", "group"),
    "outcome": ("outcome", "disposition", "result", "call_result"),
    "segment": ("segment", "tier", "priority"),
}
#: Time-of-day columns that may complete a date column, most likely first.
TIME_NAMES = ("start_time", "vru_entry", "q_start", "time", "entry", "start")
FORMATS = ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
           "%y%m%d %H:%M:%S", "%Y%m%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%y%m%d")
OUTCOME_WORDS = {"handled": ("agent", "answered", "handled", "resolved", "closed", "served", "completed"),
                 "abandoned": ("hang", "abandon", "dropped", "lost"),
                 "virtual": ("phantom", "virtual", "test")}
UNKNOWN_CODES = ("0", "?", "NO_SERVER", "N/A", "NULL", "-", "UNKNOWN")


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace(".", "_").replace("-", "_")


def guess_columns(columns: list[str]) -> dict[str, str]:
    """Canonical name → source column, by exact name then synonym (each source column used once)."""
    found: dict[str, str] = {}
    used: set[str] = set()
    norm = {c: _norm(c) for c in columns}
    for exact in (True, False):
        for canon, names in SYNONYMS.items():
            if canon in found:
                continue
            for syn in names:
                hit = next((c for c in columns if c not in used and (
                    norm[c] == syn if exact else (len(syn) > 3 and syn in norm[c]))), None)
                if hit is not None:
                    found[canon] = hit
                    used.add(hit)
                    break
    return found


def _parses(con, sample: str, expr: str, fmt: str | None) -> float:
    parsed = f"try_strptime({expr}, {sql_str(fmt)})" if fmt else f"TRY_CAST({expr} AS TIMESTAMP)"
    ok, n = con.execute(f"SELECT count({parsed}), count({expr}) FROM {sample}").fetchone()
    return ok / n if n else 0.0


def init_mapping(path: str | os.PathLike[str]) -> str:
    """The starter mapping for the export at ``path``, as commented YAML (see the module docstring)."""
    p = Path(path)
    con = connect(threads=1)
    try:
        columns = list(open_source(con, p))
        con.execute(f"CREATE TABLE sample AS SELECT * FROM raw LIMIT {SAMPLE_ROWS}")
        n = con.execute("SELECT count(*) FROM sample").fetchone()[0]
        cols = guess_columns(columns)
        comments: list[str] = []
        mapping: dict = {"columns": {k: v for k, v in cols.items() if k != v}}
        text = {c: f"NULLIF(TRIM(CAST({ident(c)} AS VARCHAR)), '')" for c in columns}
        # timestamps: as they are, else a date (+ a time column) with the first format that parses
        timestamps = {}
        for canon in ("started_at", "ended_at"):
            src = cols.get(canon)
            if src is None or _parses(con, "sample", text[src], None) > 0.95:
                continue
            time_col = next((c for t in TIME_NAMES for c in columns
                             if c != src and c not in cols.values() and t in _norm(c)), None) if canon == "started_at" else None
            expr = f"({text[src]} || ' ' || {text[time_col]})" if time_col else text[src]
            fmt = next((f for f in FORMATS if _parses(con, "sample", expr, f) > 0.95), None)
            if fmt is None:
                comments.append(f"{canon}: no format parses {src!r}; give timestamps.{canon}.format")
                continue
            timestamps[canon] = {"date": src, **({"time": time_col} if time_col else {}), "format": fmt}
            mapping["columns"].pop(canon, None)
        if timestamps:
            mapping["timestamps"] = timestamps
        # outcome codes and their likely meaning
        if "outcome" in cols:
            codes = [r[0] for r in con.execute(f"SELECT {text[cols['outcome']]} AS v, count(*) FROM sample "
                                               "GROUP BY v ORDER BY 2 DESC LIMIT 12").fetchall() if r[0]]
            values = {}
            for code in codes:
                meaning = next((m for m, words in OUTCOME_WORDS.items() if any(w in code.lower() for w in words)), None)
                if meaning and code != meaning:
                    values[str(code)] = meaning
            if values:
                mapping["values"] = {"outcome": values}
            comments.append(f"outcome codes seen in the first {n:,} rows: {', '.join(map(str, codes))}")
        # codes that usually mean unknown
        missing: dict[str, list[str]] = {}
        everywhere = 0
        for canon, src in cols.items():
            seen = [code for code in UNKNOWN_CODES if con.execute(
                f"SELECT count(*) FROM sample WHERE {text[src]} = {sql_str(code)}").fetchone()[0]]
            if canon not in ("customer_id", "agent_id", "contact_id", "team", "segment"):
                seen = [code for code in seen if code != "0"]  # 0 s is a real duration
            if "?" in seen:
                everywhere += 1
            if seen:
                missing[canon] = seen
        if everywhere >= 2:
            missing = {"*": ["?"], **{k: [c for c in v if c != "?"] for k, v in missing.items()}}
            missing = {k: v for k, v in missing.items() if v}
        if missing:
            mapping["missing"] = missing
        # an absent required column: a constant to give
        constants = {}
        if "channel" not in cols:
            constants["channel"] = "voice"
            comments.append("no channel column: constants.channel assumed voice; change it if not")
        if "outcome" not in cols:
            constants["outcome"] = "handled"
            comments.append("no outcome column: every row counted handled (constants.outcome)")
        if "talk_seconds" not in cols and "ended_at" not in cols:
            constants["talk_seconds"] = 600
            comments.append("no handle time: constants.talk_seconds 600 is a placeholder; give your standard")
        if constants:
            mapping["constants"] = constants
        # an event log: the id repeats
        key = cols.get("contact_id")
        if key is not None:
            dup = con.execute(f"SELECT count(*) - count(DISTINCT {text[key]}) FROM sample").fetchone()[0]
            if dup > 0.1 * n:
                order = next((c for c in columns if any(t in _norm(c) for t in ("mod_count", "updated", "seq"))), key)
                mapping["events"] = {"key": key, "order_by": order}
                comments.append(f"{key!r} repeats ({dup:,} of {n:,} sample rows): read as an event log, "
                                f"one contact per {key}, its last row by {order}")
        absent = [c for c in CANONICAL if c not in cols and c not in timestamps and c not in constants]
        if absent:
            comments.append(f"not found (optional unless required): {', '.join(absent)}")
    finally:
        con.close()
    if not mapping["columns"]:
        del mapping["columns"]
    head = [f"# Starter mapping guessed from {p.name}: check every line, then pass it with --mapping.",
            *[f"# {c}" for c in comments]]
    body = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)
    return "\n".join(head) + "\n" + body
