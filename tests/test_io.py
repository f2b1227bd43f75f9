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
