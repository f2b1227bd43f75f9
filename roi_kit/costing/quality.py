"""Data-quality rules: every row of an export is either used (maybe repaired) or excluded, by reason.

Rules are applied in DuckDB, in ONE pass that stores each source row once (table ``checked``:
cleaned values, dimension codes, a reason code, a byte of repair bits). Exclusion rules are checked in the
order of :data:`EXCLUSIONS`; a row is charged to the first rule it breaks, so
``rows_in = rows_used + Σ excluded`` holds exactly. Duplicates come first: after the pass,
:func:`mark_duplicates` charges every later copy of a row to ``duplicate_row``. Repairs are
counted over the rows that are used (a repaired row may carry several repairs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_kit.costing.load import EARLIER, NO_KEY, RAW_TEXT, ROW, Source

NO_VALUE = "(none)"

#: (reason, what it means) — in the order they are checked.
EXCLUSIONS: tuple[tuple[str, str], ...] = (
    ("duplicate_row", "an exact copy of an earlier row (every canonical field equal); one copy is kept"),
    ("missing_event_key", "an event log's row without the key that names its contact (mapping events.key)"),
    ("earlier_event", "an earlier update of a contact in an event log: its key's last row by "
     "events.order_by is the contact"),
    ("bad_started_at", "started_at missing or not a date-time"),
    ("virtual_contact", "not a contact: the export flags it as virtual (outcome mapped to 'virtual')"),
    ("unknown_outcome", "outcome missing or not handled/abandoned after the mapping's values"),
    ("missing_channel", "channel missing"),
    ("missing_contact_type", "contact_type missing"),
    ("unparseable_duration", "a duration is text that is not a number of seconds"),
    ("missing_talk_time", "a handled contact with no talk_seconds"),
    ("negative_duration", "a queue, talk, hold or after-call duration below zero"),
    ("duration_over_24h", "queue + talk + hold + after-call work above 86,400 seconds"),
    ("stray_started_at", "started_at far outside the bulk of the data: more than the span of its "
     "middle 98% (at least a day) before its 1st or after its 99th percentile (e.g. 1970 or 2099)"),
)

#: (rule, what was done) — counted over used rows.
REPAIRS: tuple[tuple[str, str], ...] = (
    ("contact_id_scientific_notation",
     "contact_id mangled to scientific notation by a spreadsheet (digits lost): set to unknown"),
    ("customer_id_scientific_notation",
     "customer_id mangled to scientific notation (digits lost): treated as an unidentified customer"),
    ("id_decimal_suffix", "an id written as a number with '.0': the suffix removed"),
    ("crossed_midnight", "ended_at before started_at on the same date: moved to the next day"),
    ("missing_duration_zeroed", "an empty queue, hold or after-call duration (or an abandoned "
     "contact's talk) read as 0 seconds"),
    ("abandoned_with_service_time", "a hang-up carrying talk, hold or after-call seconds: "
     "those set to 0 (the outcome is kept; an abandoned contact is not served)"),
    ("handled_without_agent", "a handled contact with no agent_id: priced at its team's rate, "
     "else the default rate"),
)

_SCI = r"[+-]?[0-9]+(\.[0-9]*)?[eE][+-]?[0-9]+"
_DEC = r"[0-9]+\.0+"


def _col(source: Source, name: str, typ: str = "VARCHAR") -> str:
    return name if name in source.present else f"CAST(NULL AS {typ})"


def _id_flags(source: Source, name: str) -> tuple[str, str]:
    """Scientific-notation flag and decimal-suffix flag of an id column (FALSE when absent).

    Read from the id as exported (``<id>__text``), so ten million clean ids are not trimmed for
    it. Cheap tests pick the ids worth matching: a mangled id starts with a space, a sign or a
    digit (ASCII 32, 43..57 covers + - . and the digits) and holds an 'e' or a '.'; only those
    are trimmed and matched against the patterns."""
    if name not in source.present:
        return "FALSE", "FALSE"
    text = f"{name}{RAW_TEXT}"
    numeric = f"(ascii({text}) BETWEEN 43 AND 57 OR ascii({text}) = 32)"
    sci = (f"coalesce(CASE WHEN {numeric} THEN CASE WHEN contains({text}, 'e') OR contains({text}, 'E') "
           f"THEN regexp_full_match(trim({text}), '{_SCI}') END END, FALSE)")
    dec = (f"coalesce(CASE WHEN {numeric} THEN CASE WHEN contains({text}, '.') "
           f"THEN regexp_full_match(trim({text}), '{_DEC}') END END, FALSE)")
    return sci, dec


def repair_bit(rule: str) -> int:
    """The bit of a repair rule in ``checked.repairs`` (bit i for the i-th of :data:`REPAIRS`)."""
    return 1 << [r for r, _ in REPAIRS].index(rule)


def repairs_sql(flags: dict[str, str]) -> str:
    """One UTINYINT of repair bits from a boolean expression per repair rule: seven boolean
    columns cost ten million rows six more columns to store; one byte carries them all."""
    assert set(flags) == {r for r, _ in REPAIRS} and len(REPAIRS) <= 8
    return "(" + " + ".join(f"CASE WHEN {flags[r]} THEN {repair_bit(r)} ELSE 0 END" for r, _ in REPAIRS) + ")::UTINYINT"


def reason_code(rule: str) -> int:
    """The small integer stored for an exclusion rule (its 1-based place in :data:`EXCLUSIONS`)."""
    return [r for r, _ in EXCLUSIONS].index(rule) + 1


#: Canonical fields the row hash covers: nearly unique per contact and cheap to hash. Rows equal in
#: every field are equal in these, so every duplicate is a candidate; candidates are then compared
#: in every field, so covering fewer fields costs only more candidates, never a wrong answer.
#: contact_id is left out on purpose: it is the one field nothing else needs trimmed, and the
#: customer, the start to the microsecond and four durations already tell contacts apart.
HASHED = ("customer_id", "started_at", "ended_at", "queue_seconds", "talk_seconds", "hold_seconds",
          "acw_seconds")


def hashed_columns(source: Source) -> list[str]:
    """The columns of ``canon`` hashed to find duplicate candidates (all of them if none of HASHED)."""
    return [c for c in source.view_columns if c in HASHED] or list(source.view_columns)


def dimension_exprs(source: Source) -> dict[str, str]:
    """The four dimensions over ``canon``; a missing team or segment reads as ``(none)``."""
    return {"channel": "channel", "contact_type": "contact_type",
            "team": f"coalesce({_col(source, 'team')}, '{NO_VALUE}')",
            "segment": f"coalesce({_col(source, 'segment')}, '{NO_VALUE}')"}


def checked_sql(source: Source, *, extra: tuple[str, ...] = (), joins: str = "",
                enums: dict[str, str] | None = None) -> str:
    """SQL over the view ``canon``, ONE row per source row (nothing is copied twice): ``reason``
    (the code of the first exclusion rule broken, NULL when used; duplicates are marked
    afterwards by :func:`mark_duplicates`), ``rowhash`` of every canonical field, cleaned values,
    ``repairs`` (a bit per repair rule, :func:`repair_bit`), and the ``extra`` expressions (costing inputs such as the hourly
    rate, computed in the same pass). ``enums`` names a DuckDB ENUM type per text column
    (channel, contact_type, team, segment) so they are stored as one-byte codes."""
    enums = enums or {}
    p = set(source.present)
    dur = {d: _col(source, d, "DOUBLE") for d in ("queue_seconds", "hold_seconds", "acw_seconds")}
    bad = [f"{d}_bad" for d in ("queue_seconds", "talk_seconds", "hold_seconds", "acw_seconds") if d in p]
    if "ended_at" in p:
        crossed = ("(ended_at < started_at AND ended_at + INTERVAL 1 DAY >= started_at)")
        ended = f"CASE WHEN {crossed} THEN ended_at + INTERVAL 1 DAY ELSE ended_at END"
        bad.append("ended_at_bad")
    else:
        crossed, ended = "FALSE", "CAST(NULL AS TIMESTAMP)"
    if "talk_seconds" in p:
        talk = "talk_seconds"
    else:  # derived: wall-clock time from offer to release, less queue and hold
        talk = (f"(epoch(({ended}) - started_at) - coalesce({dur['queue_seconds']}, 0) "
                f"- coalesce({dur['hold_seconds']}, 0))")
    cid_sci, cid_dec = _id_flags(source, "contact_id")
    cust_sci, cust_dec = _id_flags(source, "customer_id")
    # inner level: each value needed more than once is computed once, by name
    inner = {"_cid_sci": cid_sci, "_cid_dec": cid_dec, "_cust_sci": cust_sci, "_cust_dec": cust_dec,
             "_q": f"coalesce({dur['queue_seconds']}, 0)", "_h": f"coalesce({dur['hold_seconds']}, 0)",
             "_a": f"coalesce({dur['acw_seconds']}, 0)", "_talk": talk,
             "_abandoned": "(outcome = 'abandoned')", "_crossed": f"coalesce({crossed}, FALSE)",
             # an absent column is reported once (Source.missing), not as a repair of every row
             "_nulls": " OR ".join([f"{dur[k]} IS NULL" for k in dur if k in p] + ["(outcome = 'abandoned' AND "
                                                                                  f"{talk} IS NULL)"])}
    cust = ("CASE WHEN _cust_sci THEN NULL WHEN _cust_dec THEN regexp_replace(customer_id, '\\.0+$', '') "
            "ELSE customer_id END") if "customer_id" in p else "CAST(NULL AS VARCHAR)"
    talk0 = "coalesce(_talk, 0)"
    service = f"({talk0} + _h + _a)"
    # a standard talk time the mapping gives every row is no service an abandoned row carried
    served = "(_h + _a)" if "talk_seconds" in source.constants else service
    any_bad = " OR ".join(bad) if bad else "FALSE"
    c = reason_code
    events = (f"WHEN {NO_KEY} THEN {c('missing_event_key')} WHEN {EARLIER} THEN {c('earlier_event')}"
              if source.events else "")
    reason = f"""CASE {events}
        WHEN started_at_bad OR started_at IS NULL THEN {c('bad_started_at')}
        WHEN outcome IS NULL OR outcome NOT IN ('handled', 'abandoned')
        THEN CASE WHEN outcome = 'virtual' THEN {c('virtual_contact')} ELSE {c('unknown_outcome')} END
        WHEN channel IS NULL THEN {c('missing_channel')}
        WHEN contact_type IS NULL THEN {c('missing_contact_type')}
        WHEN {any_bad} THEN {c('unparseable_duration')}
        WHEN outcome = 'handled' AND _talk IS NULL THEN {c('missing_talk_time')}
        WHEN least(_q, {talk0}, _h, _a) < 0 THEN {c('negative_duration')}
        WHEN _q + {service} > 86400 THEN {c('duration_over_24h')}
    END::UTINYINT"""
    agent = _col(source, "agent_id")
    no_agent = f"(outcome = 'handled' AND {agent} IS NULL)" if "agent_id" in p else "FALSE"
    flags = {"contact_id_scientific_notation": "_cid_sci", "customer_id_scientific_notation": "_cust_sci",
             "id_decimal_suffix": "(_cid_dec OR _cust_dec)", "crossed_midnight": "_crossed",
             "missing_duration_zeroed": "(_nulls)", "abandoned_with_service_time": f"(_abandoned AND {served} > 0)",
             "handled_without_agent": no_agent}
    dims = dimension_exprs(source)
    dim_sql = ", ".join(f"CAST({e} AS {enums[d]}) AS {d}" if d in enums else f"{e} AS {d}"
                        for d, e in dims.items())
    return f"""
    SELECT
        {ROW} AS source_row,
        hash({', '.join(hashed_columns(source))}) AS rowhash,
        {reason} AS reason,
        {cust} AS customer_id,
        {dim_sql},
        {agent} AS agent_id,
        started_at,
        outcome = 'handled' AS handled,
        _q AS queue_seconds,
        CASE WHEN _abandoned THEN 0 ELSE {talk0} END AS talk_seconds,
        CASE WHEN _abandoned THEN 0 ELSE _h END AS hold_seconds,
        CASE WHEN _abandoned THEN 0 ELSE _a END AS acw_seconds,
        {repairs_sql(flags)} AS repairs{''.join(', ' + e for e in extra)}
    FROM (SELECT *, {', '.join(f'{v} AS {k}' for k, v in inner.items())} FROM canon {joins})
    """


def mark_duplicates(con, source: Source, *, table: str = "checked") -> int:
    """Mark every later copy of a row (equal in every canonical field) as ``duplicate_row``.

    Candidates are the rows whose ``rowhash`` occurs more than once, found by sorting the hashes
    (numpy's vectorised sort of one integer column beats a hash aggregate with a group per row);
    only those rows are re-read from the source and compared field by field, so a hash collision
    never merges two different rows. Returns the number of copies marked.
    """
    # sorted as signed integers (same bits; only equality matters), which numpy sorts faster
    hashes = np.sort(con.sql(f"SELECT rowhash FROM {table}").fetchnumpy()["rowhash"].view(np.int64))
    repeated = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
    del hashes
    if not len(repeated):
        return 0
    con.register("dup_hashes", pd.DataFrame({"rowhash": repeated.view(np.uint64)}))
    # in an event log only the contacts (each key's last row) may be copies: an earlier update
    # equal to the last one is an earlier update, and the contact is never lost as its "copy"
    contacts_only = " WHERE reason IS NULL" if source.events else ""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE dup_candidates AS
        SELECT source_row FROM {table} SEMI JOIN dup_hashes USING (rowhash){contacts_only}""")
    con.unregister("dup_hashes")
    cols = ", ".join(source.view_columns)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE dup_copies AS
        SELECT {ROW} AS source_row FROM (
            SELECT {ROW}, row_number() OVER (PARTITION BY {cols} ORDER BY {ROW}) AS copy
            FROM (SELECT {source.select_sql} FROM raw_rows
                  SEMI JOIN dup_candidates ON raw_rows.{ROW} = dup_candidates.source_row))
        WHERE copy > 1""")
    con.execute(f"UPDATE {table} SET reason = {reason_code('duplicate_row')} "
                "WHERE source_row IN (SELECT source_row FROM dup_copies)")
    return int(con.execute("SELECT count(*) FROM dup_copies").fetchone()[0])


def mark_stray_timestamps(con, *, table: str = "checked") -> int:
    """Mark as ``stray_started_at`` the used rows that start far outside the bulk of the data.

    The bulk is the span between the 1st and 99th percentiles of the used rows' starts (DuckDB's
    approximate quantiles; at least a day); a start more than that span before or after it is a
    stray (a 1970 or 2099 row in a month of data), so the period is the data's real span. A real
    tail (a week before a month of data) is within the span and kept. Returns the rows marked.
    """
    low, high = con.execute(f"""SELECT approx_quantile(epoch(started_at), 0.01),
        approx_quantile(epoch(started_at), 0.99) FROM {table} WHERE reason IS NULL""").fetchone()
    if low is None or high is None:
        return 0
    span = max(float(high) - float(low), 86400.0)
    marked = con.execute(f"""UPDATE {table} SET reason = {reason_code('stray_started_at')}
        WHERE reason IS NULL AND (epoch(started_at) < ? OR epoch(started_at) > ?)""",
                         [float(low) - span, float(high) + span]).fetchone()
    return int(marked[0]) if marked else 0


def quality_table(con, *, table: str = "checked") -> pd.DataFrame:
    """The data-quality table: one row per rule with its action and the rows it excluded or repaired."""
    counts = ", ".join(f"count(*) FILTER (WHERE reason = {reason_code(r)})" for r, _ in EXCLUSIONS)
    repairs = ", ".join(f"count(*) FILTER (WHERE reason IS NULL AND repairs & {repair_bit(rule)} <> 0)"
                        for rule, _ in REPAIRS)
    found = con.execute(f"SELECT {counts}, {repairs} FROM {table}").fetchone()
    excl = {r: n for (r, _), n in zip(EXCLUSIONS, found, strict=False)}
    rep = found[len(EXCLUSIONS):]
    rows = [{"rule": r, "action": "excluded", "rows": int(excl.get(r, 0)), "meaning": m} for r, m in EXCLUSIONS]
    rows += [{"rule": r, "action": "repaired", "rows": int(n), "meaning": m}
             for (r, m), n in zip(REPAIRS, rep, strict=True)]
    return pd.DataFrame(rows, columns=["rule", "action", "rows", "meaning"])
