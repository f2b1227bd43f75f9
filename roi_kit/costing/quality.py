"""Data-quality rules: every row of an export is either used (maybe repaired) or excluded, by reason.

Rules are applied in DuckDB. Exclusion rules are checked in the order of :data:`EXCLUSIONS`; a row
is charged to the first rule it breaks, so ``rows_in = rows_used + Σ excluded`` holds exactly.
Repairs are counted over the rows that are used (a repaired row may carry several repairs).
"""

from __future__ import annotations

import pandas as pd

from roi_kit.costing.load import Source

#: (reason, what it means) — in the order they are checked.
EXCLUSIONS: tuple[tuple[str, str], ...] = (
    ("duplicate_row", "an exact copy of an earlier row (every canonical field equal); one copy is kept"),
    ("bad_started_at", "started_at missing or not a date-time"),
    ("unknown_outcome", "outcome missing or not handled/abandoned after the mapping's values"),
    ("missing_channel", "channel missing"),
    ("missing_contact_type", "contact_type missing"),
    ("unparseable_duration", "a duration is text that is not a number of seconds"),
    ("missing_talk_time", "a handled contact with no talk_seconds"),
    ("negative_duration", "a queue, talk, hold or after-call duration below zero"),
    ("duration_over_24h", "queue + talk + hold + after-call work above 86,400 seconds"),
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


def _id(source: Source, name: str) -> tuple[str, str, str]:
    """Cleaned id expression, scientific-notation flag and decimal-suffix flag."""
    if name not in source.present:
        return "CAST(NULL AS VARCHAR)", "FALSE", "FALSE"
    sci = f"coalesce(regexp_full_match({name}, '{_SCI}'), FALSE)"
    dec = f"coalesce(regexp_full_match({name}, '{_DEC}'), FALSE)"
    fixed = f"CASE WHEN {sci} THEN NULL WHEN {dec} THEN regexp_replace({name}, '\\.0+$', '') ELSE {name} END"
    return fixed, sci, dec


def checked_sql(source: Source) -> str:
    """SQL over the view ``canon``: one row per distinct row with ``copies``, cleaned values,
    ``exclude_reason`` (NULL when used) and one boolean per repair rule."""
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
    cid, cid_sci, cid_dec = _id(source, "contact_id")
    cust, cust_sci, cust_dec = _id(source, "customer_id")
    q, h, a = (f"coalesce({dur[k]}, 0)" for k in ("queue_seconds", "hold_seconds", "acw_seconds"))
    service = f"(coalesce({talk}, 0) + {h} + {a})"
    any_bad = " OR ".join(bad) if bad else "FALSE"
    negative = f"(least({q}, coalesce({talk}, 0), {h}, {a}) < 0)"
    abandoned = "(outcome = 'abandoned')"
    reason = f"""CASE
        WHEN started_at_bad OR started_at IS NULL THEN 'bad_started_at'
        WHEN outcome IS NULL OR outcome NOT IN ('handled', 'abandoned') THEN 'unknown_outcome'
        WHEN channel IS NULL THEN 'missing_channel'
        WHEN contact_type IS NULL THEN 'missing_contact_type'
        WHEN {any_bad} THEN 'unparseable_duration'
        WHEN outcome = 'handled' AND {talk} IS NULL THEN 'missing_talk_time'
        WHEN {negative} THEN 'negative_duration'
        WHEN {q} + {service} > 86400 THEN 'duration_over_24h'
    END"""
    nulls = " OR ".join(
        [f"{dur[k]} IS NULL" for k in dur]
        + [f"({abandoned} AND {talk} IS NULL)"]
    )
    agent = _col(source, "agent_id")
    no_agent = f"(outcome = 'handled' AND {agent} IS NULL)" if "agent_id" in p else "FALSE"
    all_columns = ", ".join(source.view_columns)
    return f"""
    WITH h AS (SELECT *, hash({all_columns}) AS rowhash FROM canon),
    dupkeys AS (SELECT rowhash FROM h GROUP BY rowhash HAVING count(*) > 1),
    d AS (
        SELECT * EXCLUDE (rowhash), 1 AS copies_seen FROM h ANTI JOIN dupkeys USING (rowhash)
        UNION ALL  -- rows sharing a hash: exact duplicates are found by comparing every column
        SELECT * EXCLUDE (rowhash), count(*) AS copies_seen
        FROM (SELECT * FROM h SEMI JOIN dupkeys USING (rowhash)) GROUP BY ALL
    )
    SELECT
        copies_seen - 1 AS duplicates,
        {reason} AS exclude_reason,
        {cid} AS contact_id,
        {cust} AS customer_id,
        channel, contact_type, outcome, started_at,
        {ended} AS ended_at,
        {agent} AS agent_id,
        {_col(source, 'team')} AS team,
        {_col(source, 'segment')} AS segment,
        {q} AS queue_seconds,
        CASE WHEN {abandoned} THEN 0 ELSE coalesce({talk}, 0) END AS talk_seconds,
        CASE WHEN {abandoned} THEN 0 ELSE {h} END AS hold_seconds,
        CASE WHEN {abandoned} THEN 0 ELSE {a} END AS acw_seconds,
        {cid_sci} AS contact_id_scientific_notation,
        {cust_sci} AS customer_id_scientific_notation,
        ({cid_dec} OR {cust_dec}) AS id_decimal_suffix,
        coalesce({crossed}, FALSE) AS crossed_midnight,
        ({nulls}) AS missing_duration_zeroed,
        ({abandoned} AND {service} > 0) AS abandoned_with_service_time,
        {no_agent} AS handled_without_agent
    FROM d
    """


def quality_table(con, *, table: str = "checked") -> pd.DataFrame:
    """The data-quality table: one row per rule with its action and the rows it excluded or repaired."""
    excl = dict(con.execute(
        f"SELECT exclude_reason, count(*) FROM {table} WHERE exclude_reason IS NOT NULL GROUP BY 1"
    ).fetchall())
    excl["duplicate_row"] = int(con.execute(f"SELECT coalesce(sum(duplicates), 0) FROM {table}").fetchone()[0])
    sums = ", ".join(f"count(*) FILTER (WHERE {rule})" for rule, _ in REPAIRS)
    rep = con.execute(f"SELECT {sums} FROM {table} WHERE exclude_reason IS NULL").fetchone()
    rows = [{"rule": r, "action": "excluded", "rows": int(excl.get(r, 0)), "meaning": m} for r, m in EXCLUSIONS]
    rows += [{"rule": r, "action": "repaired", "rows": int(n), "meaning": m}
             for (r, m), n in zip(REPAIRS, rep, strict=True)]
    return pd.DataFrame(rows, columns=["rule", "action", "rows", "meaning"])
