"""Open an interaction export in DuckDB and present it as canonical contact rows.

The file is never loaded into Python: Parquet is read by DuckDB straight from disk, CSV is parsed
once by DuckDB into a table (which spills to the temp directory when larger than the memory
limit); Excel, which DuckDB cannot stream, goes through pandas (such files are small by nature: a
sheet holds at most 1,048,576 rows). Every row carries its source row number (``ROW``), so the
few candidates for duplicates can be re-read and compared exactly. CSV is read as text so that
ids keep the exact form the spreadsheet gave them (``1.23457E+11`` stays visible to the quality
rules instead of being silently parsed to a number).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from roi_kit.costing.schema import CANONICAL, DURATIONS, REQUIRED, Mapping
from roi_kit.errors import CostingError

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
TEXT_COLUMNS = ("contact_id", "customer_id", "channel", "contact_type", "agent_id", "team", "outcome", "segment")
#: Column of ``canon`` numbering the source rows (never hashed: it tells copies apart).
ROW = "__source_row"
#: Ids whose exported text ``canon`` also carries, untrimmed, as ``<id>__text`` (not a canonical
#: field: the quality rules look there for a spreadsheet's mangling without trimming every id).
ID_COLUMNS = ("contact_id", "customer_id")
RAW_TEXT = "__text"
#: Columns of ``canon`` for an event log: the row is not its key's last, the row has no key.
EARLIER, NO_KEY = "__earlier_event", "__no_event_key"
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
            "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


@dataclass(frozen=True)
class Source:
    """An opened export: its path, its source columns and types, and which canonical columns it has."""

    path: Path
    columns: dict[str, str]
    present: tuple[str, ...]
    missing: tuple[str, ...]
    view_columns: tuple[str, ...] = ()
    select_sql: str = ""  # the canonical fields over ``raw_rows`` (``canon`` less the id texts)
    text_sql: tuple[tuple[str, str, str | None], ...] = ()  # (canonical name, its expression, source column)
    constants: tuple[str, ...] = ()  # canonical columns the mapping gives one value for every row
    events: bool = False  # an event log: ``canon`` carries EARLIER and NO_KEY per row


def connect(*, threads: int | None = None, memory_limit: str | None = None,
            temp_directory: str | None = None) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB connection; limits let large runs spill to disk instead of failing."""
    con = duckdb.connect(":memory:")
    settings = {"threads": (threads, "a whole number of threads, 1 or more"),
                "memory_limit": (memory_limit, "a size such as 2GB or 500MB"),
                "temp_directory": (temp_directory, "a folder path")}
    for name, (value, accepted) in settings.items():
        if value is None or value == "":
            continue
        try:
            con.execute(f"SET {name} = {int(value) if name == 'threads' else sql_str(value)}")
        except (duckdb.Error, ValueError):
            con.close()
            raise CostingError(f"engine setting {name} = {value!r} is not accepted ({accepted})") from None
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    return con


def sql_str(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(EXCEL_SUFFIXES):
        return "excel"
    accepted = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES + EXCEL_SUFFIXES)
    raise CostingError(f"{path}: unknown file type (accepted: {accepted})")


def open_source(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> dict[str, str]:
    """Create the view ``raw`` over the export at ``path`` (and ``raw_rows``: the same with a row
    number); return its columns and DuckDB types."""
    p = Path(path)
    kind = _kind(p)
    if not p.is_file():
        raise CostingError(f"{p}: no such file (give a CSV, Parquet or Excel export of contacts)")
    if p.stat().st_size == 0:
        raise CostingError(f"{p}: the file is empty (give an export with a header row and a row per contact)")
    try:
        plain = f"read_parquet({sql_str(str(p))})" if kind == "parquet" else ""
        numbered = kind == "parquet" and "file_row_number" not in {
            row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {plain}").fetchall()}
        if numbered:  # read straight from disk; the reader numbers the rows
            scan = f"read_parquet({sql_str(str(p))}, file_row_number = true)"
            con.execute(f"CREATE OR REPLACE VIEW raw AS SELECT * EXCLUDE (file_row_number) FROM {scan}")
            con.execute(f"CREATE OR REPLACE VIEW raw_rows AS SELECT *, file_row_number AS {ROW} FROM {scan}")
        else:  # parsed once into a table: CSV parsing is the slow part, and rows get a number
            if kind == "parquet":  # a column of its own is named file_row_number
                con.execute(f"CREATE OR REPLACE TABLE raw_table AS SELECT * FROM {plain}")
            elif kind == "csv":
                con.execute(f"CREATE OR REPLACE TABLE raw_table AS SELECT * FROM read_csv({sql_str(str(p))}, "
                            "all_varchar = true, header = true)")
            else:
                import pandas as pd

                frame = pd.read_excel(p, dtype=str)
                con.register("raw_excel", frame)
                con.execute("CREATE OR REPLACE TABLE raw_table AS SELECT * FROM raw_excel")
                con.unregister("raw_excel")
            con.execute("CREATE OR REPLACE VIEW raw AS SELECT * FROM raw_table")
            con.execute(f"CREATE OR REPLACE VIEW raw_rows AS SELECT *, rowid AS {ROW} FROM raw_table")
        described = con.execute("DESCRIBE raw").fetchall()
        if con.execute("SELECT count(*) FROM (SELECT 1 FROM raw LIMIT 1)").fetchone()[0] == 0:
            raise CostingError(f"{p}: the file has a header row but no contacts (nothing to cost)")
    except CostingError:
        raise
    except Exception as e:  # duckdb / pandas / openpyxl all raise their own types
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CostingError(f"{p}: cannot read the {kind} file ({first})") from None
    return {row[0]: row[1] for row in described}


def _raw_text(expr: str, typ: str) -> str:
    return expr if typ == "VARCHAR" else f"CAST({expr} AS VARCHAR)"


def _text(expr: str, typ: str) -> str:
    """Text with surrounding spaces removed; empty text is NULL.

    TRIM copies every string it touches; testing the two ends first lets the (nearly all) clean
    values through untouched, which halves the cost on a column of ten million distinct ids."""
    base = _raw_text(expr, typ)
    return (f"NULLIF(CASE WHEN starts_with({base}, ' ') OR ends_with({base}, ' ') "
            f"THEN TRIM({base}) ELSE {base} END, '')")


def _mapped(expr: str, codes: dict[str, str]) -> str:
    """Codes translated; a code mapped to ``""`` means unknown (NULL)."""
    if not codes:
        return expr
    whens = " ".join(f"WHEN {sql_str(k)} THEN {sql_str(v) if v != '' else 'NULL'}" for k, v in codes.items())
    return f"(CASE {expr} {whens} ELSE {expr} END)"


def _unknown(expr: str, codes: list[str]) -> str:
    """Text with the mapping's "unknown" codes (``missing:``) read as NULL."""
    if not codes:
        return expr
    return f"(CASE WHEN {expr} IN ({', '.join(sql_str(c) for c in codes)}) THEN NULL ELSE {expr} END)"


def _codes(mapping: Mapping, name: str) -> list[str]:
    """The codes meaning unknown for canonical column ``name`` (its own and ``"*"``'s)."""
    return list(dict.fromkeys([*mapping.missing.get(name, []), *mapping.missing.get("*", [])]))


def _timestamp(con_cols: dict[str, str], spec, path: Path, name: str,
               unknown: list[str] = ()) -> tuple[str, str]:
    """Expression and 'unparseable' flag for a timestamp built by a mapping spec."""
    for col in (spec.date, spec.time):
        if col is not None and col not in con_cols:
            raise CostingError(f"{path}: column {col!r} for {name} not found "
                               f"(columns: {', '.join(con_cols)})")
    text = _unknown(_text(ident(spec.date), con_cols[spec.date]), list(unknown))
    if spec.time is not None:
        text = f"({text} || ' ' || {_unknown(_text(ident(spec.time), con_cols[spec.time]), list(unknown))})"
    parsed = (f"try_strptime({text}, {sql_str(spec.format)})" if spec.format
              else f"TRY_CAST({text} AS TIMESTAMP)")
    return parsed, f"({text} IS NOT NULL AND {parsed} IS NULL)"


def canonical_view(con: duckdb.DuckDBPyConnection, path: Path, columns: dict[str, str],
                   mapping: Mapping) -> Source:
    """Create the view ``canon``: canonical typed columns plus ``<col>_bad`` flags for unparseable text.

    Names come from ``mapping.columns`` (canonical → source), else the canonical name itself;
    codes are translated by ``mapping.values``; ``started_at``/``ended_at`` may be built from a
    date and a time column. A required column that is absent raises :class:`CostingError`.
    """
    for canon, src in mapping.columns.items():
        if src not in columns:
            raise CostingError(f"{path}: mapping columns.{canon} names column {src!r}, which the file "
                               f"does not have (columns: {', '.join(columns)})")
    exprs: list[str] = []
    present: list[str] = []
    texts: list[tuple[str, str, str]] = []
    raw_texts: list[str] = []
    for name, value in mapping.constants.items():
        if mapping.columns.get(name, name) in columns:
            raise CostingError(f"{path}: mapping constants.{name} = {value!r}, but the file has a column "
                               f"{mapping.columns.get(name, name)!r} for it too; give one of the two")
    for name in CANONICAL:
        src = mapping.columns.get(name, name)
        unknown = _codes(mapping, name)
        if name in mapping.timestamps:
            parsed, bad = _timestamp(columns, mapping.timestamps[name], path, name, unknown)
            exprs += [f"{parsed} AS {name}", f"{bad} AS {name}_bad"]
            present.append(name)
            continue
        if name in mapping.constants:
            value = mapping.constants[name]
            present.append(name)
            if name in DURATIONS:  # bound, not written into the view's text (a view keeps no parameters)
                con.execute(f"CREATE OR REPLACE TABLE constant_{name} AS SELECT $v::DOUBLE AS v", {"v": float(value)})
                exprs += [f"(SELECT v FROM constant_{name}) AS {name}", f"FALSE AS {name}_bad"]
            else:
                text = sql_str(str(value).lower() if name == "outcome" else str(value))
                exprs.append(f"CAST({text} AS VARCHAR) AS {name}")
                texts.append((name, f"CAST({text} AS VARCHAR)", None))  # no source column
                if name in ID_COLUMNS:
                    raw_texts.append(f"CAST({text} AS VARCHAR) AS {name}{RAW_TEXT}")
            continue
        if src not in columns:
            continue
        present.append(name)
        col, typ = ident(src), columns[src]
        if name in TEXT_COLUMNS:
            if name in ID_COLUMNS:  # the text as exported, for the id-mangling checks
                raw_texts.append(f"{_raw_text(col, typ)} AS {name}{RAW_TEXT}")
            text = _mapped(_unknown(_text(col, typ), unknown), mapping.values.get(name, {}))
            if name == "outcome":
                text = f"lower({text})"
            exprs.append(f"{text} AS {name}")
            texts.append((name, text, src))
        elif name in DURATIONS:
            if typ.startswith(_NUMERIC) and not unknown:
                exprs += [f"CAST({col} AS DOUBLE) AS {name}", f"FALSE AS {name}_bad"]
            else:
                t = _unknown(_text(col, typ), unknown)
                exprs += [f"TRY_CAST({t} AS DOUBLE) AS {name}",
                          f"({t} IS NOT NULL AND TRY_CAST({t} AS DOUBLE) IS NULL) AS {name}_bad"]
        else:  # started_at / ended_at given as one column
            if typ.startswith("TIMESTAMP") or typ == "DATE":
                exprs += [f"CAST({col} AS TIMESTAMP) AS {name}", f"FALSE AS {name}_bad"]
            else:
                t = _unknown(_text(col, typ), unknown)
                exprs += [f"TRY_CAST({t} AS TIMESTAMP) AS {name}",
                          f"({t} IS NOT NULL AND TRY_CAST({t} AS TIMESTAMP) IS NULL) AS {name}_bad"]
    have = set(present)
    if "talk_seconds" not in have and "ended_at" in have:
        have.add("talk_seconds")  # derived from ended_at by the quality rules
    lacking = [c for c in REQUIRED if c not in have]
    if lacking:
        raise CostingError(
            f"{path}: required column {lacking[0]!r} not found (columns: {', '.join(columns)}; "
            f"required: {', '.join(REQUIRED)}; map other names with --mapping)")
    select_sql = f"{', '.join(exprs)}, {ROW}"
    extra = raw_texts + (_event_columns(columns, mapping, path) if mapping.events else [])
    con.execute(f"CREATE OR REPLACE VIEW canon AS SELECT {', '.join([*exprs, *extra])}, {ROW} FROM raw_rows")
    missing = tuple(c for c in CANONICAL if c not in present)
    names = tuple(e.rsplit(" AS ", 1)[1] for e in exprs)
    return Source(path=path, columns=columns, present=tuple(present), missing=missing, view_columns=names,
                  select_sql=select_sql, text_sql=tuple(texts), constants=tuple(mapping.constants),
                  events=mapping.events is not None)


def _event_columns(columns: dict[str, str], mapping: Mapping, path: Path) -> list[str]:
    """For an event log: whether a row is an earlier update of its key (the last row by
    ``order_by``, as a number when it reads as one, else as text, ties to the later row of the
    file, is the contact), and whether it has no key at all."""
    spec = mapping.events
    for what, col in (("key", spec.key), ("order_by", spec.order_by)):
        if col not in columns:
            raise CostingError(f"{path}: mapping events.{what} names column {col!r}, which the file "
                               f"does not have (columns: {', '.join(columns)})")
    key = _unknown(_text(ident(spec.key), columns[spec.key]), _codes(mapping, "*"))
    order = _text(ident(spec.order_by), columns[spec.order_by])
    window = (f"row_number() OVER (PARTITION BY {key} ORDER BY TRY_CAST({order} AS DOUBLE) DESC NULLS LAST, "
              f"{order} DESC NULLS LAST, {ROW} DESC) > 1")
    return [f"({key} IS NOT NULL AND {window}) AS {EARLIER}", f"({key} IS NULL) AS {NO_KEY}"]
