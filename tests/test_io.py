"""Atomic writes, safe slugs and spreadsheet-safe cells."""

from __future__ import annotations

import os
import stat

import pytest

from roi_kit._io import atomic_path, csv_safe, slugify, write_atomic


def test_write_atomic_replaces_whole_and_is_readable(tmp_path):
    target = tmp_path / "out" / "report.html"
    write_atomic(target, "old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.html"
    write_atomic(target, "old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


@pytest.mark.parametrize(("text", "slug"), [
    ("EMEA Retail Support", "emea-retail-support"),
    ("../../etc/passwd", "etc-passwd"),
    ("Zürich — Énergie", "zurich-energie"),
    ("///", "unit"),
    ("<script>alert(1)</script>", "script-alert-1-script"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("plain", "plain"), (-12.5, -12.5), (None, None),
])
def test_csv_safe(cell, safe):
    assert csv_safe(cell) == safe


@pytest.mark.parametrize(("text", "slug"), [
    ("CON", "con-unit"), ("nul", "nul-unit"), ("Com1", "com1-unit"), ("LPT9", "lpt9-unit"),
    ("aux", "aux-unit"), ("prn", "prn-unit"), ("console", "console"), ("con-tact", "con-tact"),
])
def test_slugify_never_gives_a_reserved_windows_name(text, slug):
    """CON, PRN, AUX, NUL, COM1-9 and LPT1-9 name devices on Windows, whatever the extension."""
    assert slugify(text) == slug


@pytest.mark.parametrize(("cell", "safe"), [
    ("\r=2", "\n'=2"),  # a bare carriage return: a line of its own that starts a formula
    ("a\r=HYPERLINK(1).yaml", "a\n'=HYPERLINK(1).yaml"),
    ("ok\n+SUM(A1)", "ok\n'+SUM(A1)"),
    ("x\r\n@cmd\r\n-1", "x\n'@cmd\n'-1"),
    ("two\nplain lines", "two\nplain lines"),
])
def test_csv_safe_neutralises_every_line(cell, safe):
    """Each line that starts a formula gets its quote; CR and CRLF become LF (one kind of break)."""
    assert csv_safe(cell) == safe


def test_a_cell_with_a_line_break_is_quoted_and_reads_back_as_one_cell(tmp_path):
    """pandas quotes a cell holding LF but not one holding a bare CR, which a spreadsheet reads
    as a new row beginning ``=2``: after csv_safe every break is LF, so the cell is quoted."""
    import csv

    import pandas as pd

    frame = pd.DataFrame({"team": ["\r=2", "plain"], "cost": [1.5, 2.0]})
    frame["team"] = frame["team"].map(csv_safe)
    frame.to_csv(tmp_path / "t.csv", index=False)
    raw = (tmp_path / "t.csv").read_bytes()
    assert b"\r" not in raw and b'"\n\'=2"' in raw
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows == [["team", "cost"], ["\n'=2", "1.5"], ["plain", "2.0"]]
    assert not any(line.startswith(("=", "+", "-", "@")) for line in raw.decode().splitlines())


def test_summary_csv_of_a_unit_file_named_with_a_carriage_return_starts_no_row_with_a_formula(tmp_path):
    """Issue 17: a unit file named ``a\\r=HYPERLINK(1).yaml`` wrote a row beginning ``=HYPERLINK``
    into the batch's summary.csv; the batch writes through csv_safe, so the fix reaches it."""
    import csv

    from roi_kit.batch.manifest import COLUMNS, write_summary

    row = {c: None for c in COLUMNS} | {"source": "units/a\r=HYPERLINK(1).yaml", "unit": "\r@SUM(1)"}
    write_summary(tmp_path, [row])
    raw = (tmp_path / "summary.csv").read_bytes()
    assert b"\r" not in raw
    assert not any(line.startswith(("=", "+", "-", "@")) for line in raw.decode().splitlines())
    with open(tmp_path / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    assert rows[0]["source"] == "units/a\n'=HYPERLINK(1).yaml" and rows[0]["unit"] == "\n'@SUM(1)"


def test_gc_paused_restores_the_collector_as_it_was():
    import gc

    from roi_kit._io import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause holds
    assert gc.isenabled()
    try:
        with gc_paused():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()
