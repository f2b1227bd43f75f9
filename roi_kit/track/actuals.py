"""Monthly actuals: a long table ``month,metric,value`` read from CSV or Excel and checked against a case.

``month`` is ``YYYY-MM`` (month 1 is ``timeline.start``); ``metric`` is a measurement-plan ``key``,
``spend:<cost line name>`` (money spent on that line that month) or ``contacts`` (handled contacts
that month); ``value`` is a number, rates as fractions or ``"8%"`` as in the case. Every problem is
reported, one line each, naming the file and row, the value and what is accepted; nothing is
dropped or guessed.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from roi_kit.case.schema import Case
from roi_kit.errors import Problem, TrackError
from roi_kit.track.measures import CONTACTS, MEASURES

COLUMNS = ("month", "metric", "value")
SPEND = "spend:"


@dataclass(frozen=True)
class Actuals:
    """Checked actuals: ``values[metric][month] = value`` with months as model months (1 = go-live)."""

    source: str
    values: dict[str, dict[int, float]]
    start: str  # timeline.start, YYYY-MM

    @property
    def months_elapsed(self) -> int:
        """The latest month any actual is given for (0 when there are none)."""
        return max((m for series in self.values.values() for m in series), default=0)

    def calendar(self, month: int) -> str:
        """Model month ``month`` as YYYY-MM."""
        return calendar_month(self.start, month)


def month_index(start: str, text: str) -> int:
    """Model month of calendar month ``text`` (YYYY-MM), month 1 being ``start``.

    >>> month_index("2026-01", "2026-06"), month_index("2026-11", "2027-02")
    (6, 4)
    """
    y0, m0 = (int(p) for p in start.split("-"))
    y, m = (int(p) for p in text.split("-"))
    return (y - y0) * 12 + (m - m0) + 1


def calendar_month(start: str, month: int) -> str:
    """Calendar month (YYYY-MM) of model month ``month``.

    >>> calendar_month("2026-11", 4)
    '2027-02'
    """
    y0, m0 = (int(p) for p in start.split("-"))
    k = y0 * 12 + (m0 - 1) + (month - 1)
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def known_metrics(case: Case) -> dict[str, str]:
    """Metric names an actuals file may use, each with what it is (for messages)."""
    out = {m.key: f"plan metric {m.metric!r}" for m in case.measurement_plan if m.key}
    for item in (*case.costs.one_time, *case.costs.recurring, *case.costs.custom):
        out[SPEND + item.name] = f"spend on cost line {item.name!r}"
    out[CONTACTS.path] = "handled contacts in the month"
    return out


def _read(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(path, dtype=object)
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise TrackError(f"{path}: no such actuals file") from None
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise TrackError(f"{path}: cannot be read as a CSV or Excel table ({' '.join(str(error).split())})") from None


def _month_text(raw: object) -> str | None:
    """YYYY-MM from a cell: the text ``2026-03``, or an Excel date (its month)."""
    if isinstance(raw, datetime | date | pd.Timestamp):
        return f"{raw.year:04d}-{raw.month:02d}"
    text = str(raw).strip()
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return text
    return None


def _number(raw: object) -> float | None:
    """A finite number from a cell: ``0.08``, ``"8%"``, ``1,200``; None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace(" ", "").replace(",", "")
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        try:
            value = float(text) * scale
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _unit_of(case: Case, metric: str) -> str:
    if metric == CONTACTS.path:
        return CONTACTS.unit
    for m in case.measurement_plan:
        if m.key == metric and m.measures:
            return MEASURES[m.measures].unit
    return "money" if metric.startswith(SPEND) else "number"


def read_actuals(path: str | os.PathLike[str], case: Case) -> Actuals:
    """Read and check the actuals at ``path`` against ``case``; raise :class:`TrackError` listing
    every problem (one line each) if any."""
    path = Path(path)
    name = path.name
    if not case.timeline.start:
        raise TrackError(f"{case.unit}: timeline.start is not given; tracking needs the calendar month of "
                         "month 1, go-live (e.g. timeline: {start: 2026-01})")
    frame = _read(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise TrackError(f"{name}: has columns {', '.join(map(str, frame.columns)) or 'none'}; "
                         f"needs {', '.join(COLUMNS)} (one row per month and metric), missing {', '.join(missing)}")
    known = known_metrics(case)
    horizon = case.timeline.horizon_months
    last = calendar_month(case.timeline.start, horizon)
    problems: list[Problem] = []
    values: dict[str, dict[int, float]] = {}
    seen: dict[tuple[str, int], int] = {}

    def bad(row: int, message: str) -> None:
        problems.append(Problem(case.unit, f"{name} row {row}:", message))

    for i, (raw_month, raw_metric, raw_value) in enumerate(frame[list(COLUMNS)].itertuples(index=False)):
        row = i + 2  # the header is row 1
        if all(str(x).strip() in {"", "nan", "None"} for x in (raw_month, raw_metric, raw_value)):
            continue  # a blank line: nothing to read
        metric = str(raw_metric).strip()
        text = _month_text(raw_month)
        if metric not in known:
            close = difflib.get_close_matches(metric, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else f"; accepted: {', '.join(known)}"
            bad(row, f"metric = {metric!r} is not a plan metric key, spend:<cost line> or contacts{hint}")
            continue
        if text is None:
            bad(row, f"month = {str(raw_month).strip()!r} is not a month; write YYYY-MM, e.g. {case.timeline.start}")
            continue
        month = month_index(case.timeline.start, text)
        if month < 1:
            bad(row, f"month = {text} is before timeline.start {case.timeline.start} (month 1, go-live)")
            continue
        if month > horizon:
            bad(row, f"month = {text} is past the horizon ({horizon} months, to {last})")
            continue
        value = _number(raw_value)
        if value is None:
            bad(row, f"value = {str(raw_value).strip()!r} for {metric} in {text} is not a number "
                     "(write 0.08 or \"8%\" for a rate, 1200 for an amount)")
            continue
        unit = _unit_of(case, metric)
        if unit == "rate" and not 0.0 <= value <= 1.0:
            bad(row, f"value = {str(raw_value).strip()} for {metric} in {text} is not a fraction between 0 and 1 "
                     f"(write {value / 100:g} or \"{value:g}%\")")
            continue
        if unit in {"contacts/month", "contacts/year", "seconds"} and value < 0:
            bad(row, f"value = {str(raw_value).strip()} for {metric} in {text} is negative; {unit} are 0 or more")
            continue
        if (metric, month) in seen:
            bad(row, f"{metric} in {text} is given twice (rows {seen[(metric, month)]} and {row}); keep one")
            continue
        seen[(metric, month)] = row
        values.setdefault(metric, {})[month] = value
    volume_metrics = [m.key for m in case.measurement_plan if m.measures == "baseline.contacts_per_year"]
    if CONTACTS.path in values and volume_metrics:
        problems.append(Problem(case.unit, f"{name}:", f"gives both contacts and {volume_metrics[0]} "
                                "(baseline.contacts_per_year); contact volume must come from one of them"))
    names = [item.name for item in (*case.costs.one_time, *case.costs.recurring, *case.costs.custom)]
    for metric in values:
        if metric.startswith(SPEND) and names.count(metric[len(SPEND):]) > 1:
            problems.append(Problem(case.unit, f"{name}:", f"{metric} is ambiguous: {names.count(metric[len(SPEND):])} "
                                    "cost lines have that name; rename them in the case"))
    if problems:
        raise TrackError("\n".join(str(p) for p in problems))
    return Actuals(str(path), values, case.timeline.start)
