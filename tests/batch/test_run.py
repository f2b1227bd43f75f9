"""roi-kit batch: units in, a report per unit, failures recorded, reruns skipped, Ctrl-C safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from roi_kit.batch.manifest import write_summary
from roi_kit.batch.plan import plan
from roi_kit.batch.run import BatchResult, run_batch
from roi_kit.batch.units import Unit, read_units
from roi_kit.case import read_case_file
from roi_kit.cli import app
from roi_kit.errors import BatchError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "templates" / "cases" / "example.yaml"
NOTEBOOK = ROOT / "notebooks" / "roi_case.ipynb"


def _case(unit: str, **changes) -> dict:
    data = read_case_file(EXAMPLE)
    data["unit"] = unit
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return data


def _write(folder: Path, name: str, data: dict | str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    (folder / name).write_text(text)


@pytest.fixture(scope="module")
def boom_notebook(tmp_path_factory) -> Path:
    """The report notebook plus one cell that fails for a unit named "Boom" (a valid case)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = nbformat.v4.new_code_cell(
        'if (case or {}).get("unit") == "Boom":\n    raise RuntimeError("boom on purpose")'
    )
    cell["id"] = "boom"
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(index + 1, cell)
    path = tmp_path_factory.mktemp("nb") / "roi_case.ipynb"
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------- units, slugs, CSV


def test_table_rows_override_the_base_case(tmp_path):
    (tmp_path / "units.csv").write_text(
        "unit,levers.deflection.rate,baseline.contacts_per_year,title\n"
        "North,14%,900000,\n"
        "South,0.08,,South plan\n"
        "Broken,140%,,\n"
    )
    units = read_units(tmp_path / "units.csv", base=EXAMPLE)
    assert [u.name for u in units] == ["North", "South", "Broken"]
    north, south, broken = units
    assert north.case.levers.deflection.rate == pytest.approx(0.14)  # "14%" accepted
    assert north.case.baseline.contacts_per_year == 900_000
    assert south.case.baseline.contacts_per_year == 1_200_000  # empty cell: the base's value
    assert south.case.title == "South plan"
    assert (north.case.unit, south.case.unit) == ("North", "South")  # not the base's unit
    assert broken.case is None and "levers.deflection.rate" in broken.error
    assert "Broken" not in north.error


def test_excel_table(tmp_path):
    pd.DataFrame({"unit": ["Lyon"], "levers.deflection.rate": [0.11]}).to_excel(
        tmp_path / "units.xlsx", index=False
    )
    (unit,) = read_units(tmp_path / "units.xlsx", base=EXAMPLE)
    assert unit.name == "Lyon" and unit.case.levers.deflection.rate == pytest.approx(0.11)


@pytest.mark.parametrize(
    ("content", "message"),
    [("name,x\nA,1\n", "no 'unit' column"), (None, "no such folder or table")],
)
def test_bad_units_source(tmp_path, content, message):
    path = tmp_path / "units.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BatchError, match=message):
        read_units(path, base=EXAMPLE)


def test_slugs_stay_inside_and_never_clash(tmp_path):
    units = [Unit("../../etc/passwd", "a.yaml"), Unit("North / Retail", "b.yaml")]
    jobs = plan(units, ["expected"], NOTEBOOK)
    assert [j.slug for j in jobs] == ["etc-passwd", "north-retail"]
    with pytest.raises(BatchError, match="both make the file name 'north-retail'"):
        plan([*units, Unit("north retail", "c.yaml")], ["expected"], NOTEBOOK)
    two = plan(units[:1], ["conservative", "optimistic"], NOTEBOOK)
    assert [j.slug for j in two] == ["etc-passwd-conservative", "etc-passwd-optimistic"]
    with pytest.raises(BatchError, match="not one of"):
        plan(units, ["pessimistic"], NOTEBOOK)


def test_summary_csv_neutralises_formulas(tmp_path):
    row = {
        "unit": '=HYPERLINK("http://evil")',
        "scenario": "expected",
        "status": "failed",
        "error": "@SUM(A1)",
        "source": "+cmd.csv",
        "npv": -12.5,
    }
    write_summary(tmp_path, [row])
    text = (tmp_path / "summary.csv").read_text()
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'+cmd.csv" in text
    assert "-12.5" in text  # numbers are left alone
    frame = pd.read_parquet(tmp_path / "summary.parquet")
    assert frame.loc[0, "unit"] == '=HYPERLINK("http://evil")'  # parquet keeps the raw text


# --------------------------------------------------------------------------- full runs


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory, boom_notebook):
    """Two good units, a malformed one and one whose notebook fails; run through the CLI."""
    root = tmp_path_factory.mktemp("mixed")
    units = root / "units"
    _write(units, "a.yaml", _case("North Retail"))
    _write(units, "b.yaml", _case("South Retail", **{"levers.deflection.rate": 0.05}))
    _write(units, "c.yaml", _case("Malformed", **{"baseline.abandon_rate": 6}))
    _write(units, "d.yaml", _case("Boom"))
    out = root / "run"
    os.environ["ROI_KIT_NOTEBOOK"] = str(boom_notebook)
    try:
        result = CliRunner().invoke(app, ["batch", str(units), "-o", str(out), "--workers", "2"])
    finally:
        del os.environ["ROI_KIT_NOTEBOOK"]
    return units, out, result


def test_failures_are_recorded_and_the_rest_finish(mixed_run):
    _, out, result = mixed_run
    assert result.exit_code == 1, result.output
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 2
    assert any("Malformed [expected]: " in f and "baseline.abandon_rate" in f for f in failed)
    assert any("Boom [expected]: " in f and "boom on purpose" in f for f in failed)
    assert sorted(p.name for p in out.glob("*.html")) == [
        "index.html",
        "north-retail.html",
        "south-retail.html",
    ]
    assert (out / "notebooks" / "boom.ipynb").exists()  # failed notebook kept for audit
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["status"]) == ["ok", "ok", "failed", "failed"]  # files a, b, c, d
    ok = summary[summary.status == "ok"].set_index("unit")
    assert ok.loc["North Retail", "npv"] > ok.loc["South Retail", "npv"]  # less deflection
    index = (out / "index.html").read_text()
    assert 'href="north-retail.html"' in index and "Failed (2)" in index
    assert not list(out.rglob("*.tmp"))


def test_rerun_skips_unchanged_and_force_redoes(mixed_run, boom_notebook):
    units, out, _ = mixed_run
    # drop the failures so the rerun has nothing to do
    (units / "c.yaml").unlink()
    (units / "d.yaml").unlink()
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*-retail.html")}
    again = run_batch(units, out, notebook=boom_notebook, progress=False)
    assert (again.ran, again.skipped) == (0, 2)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*-retail.html")} == before
    assert [r["unit"] for r in again.rows] == ["North Retail", "South Retail"]
    # a changed input redoes that unit only
    _write(units, "b.yaml", _case("South Retail", **{"levers.deflection.rate": 0.06}))
    changed = run_batch(units, out, notebook=boom_notebook, progress=False, workers=1)
    assert (changed.ran, changed.skipped) == (1, 1)
    forced = run_batch(units, out, notebook=boom_notebook, progress=False, force=True)
    assert (forced.ran, forced.skipped) == (2, 0)
    assert (out / "north-retail.html").stat().st_mtime_ns > before["north-retail.html"]


def test_dask_gives_the_same_summary_as_local(mixed_run, boom_notebook, tmp_path):
    from distributed import LocalCluster

    units, local_out, _ = mixed_run
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        result = run_batch(
            units,
            tmp_path / "dask",
            scheduler=cluster.scheduler_address,
            progress=False,
            notebook=boom_notebook,
        )
    local = pd.read_csv(local_out / "summary.csv")
    dask = pd.read_csv(tmp_path / "dask" / "summary.csv")
    assert result.ran == len(dask)
    pd.testing.assert_frame_equal(local, dask)


def test_interrupt_leaves_no_partial_file(tmp_path):
    units = tmp_path / "units"
    for i in range(6):
        _write(
            units, f"u{i}.yaml", _case(f"Unit {i}", **{"levers.deflection.rate": 0.05 + i / 100})
        )
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "roi_kit.cli", "batch", str(units), "-o", str(out), "-w", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
    )
    deadline = time.monotonic() + 300  # a loaded CI machine starts kernels slowly
    while not list(out.glob("unit-*.html")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for report in out.glob("unit-*.html"):
        assert report.read_text().rstrip().endswith("</html>")
    manifest = json.loads((out / ".roi-kit-batch.json").read_text())
    # a report, its notebook and its manifest entry land together, Ctrl-C or not
    assert set(manifest["jobs"]) == {p.stem for p in out.glob("unit-*.html")}
    assert set(manifest["jobs"]) == {p.stem for p in (out / "notebooks").glob("*.ipynb")}
    # interrupted or not, the summary and the portfolio match the reports on disk
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 6
    done = {p.stem for p in out.glob("unit-*.html")}
    assert set(summary.loc[summary["status"] == "ok", "report"].str.removesuffix(".html")) == done
    assert set(summary.loc[summary["status"] != "ok", "status"]) <= {"not run"}
    portfolio = (out / "index.html").read_text()
    assert all(f'href="{slug}.html"' in portfolio for slug in done)


def test_terminal_table_shows_each_unit_that_ran(tmp_path):
    pass

    rows = (
        {"unit": "Bank", "scenario": "expected", "status": "ok", "currency": "USD", "npv": 2_840_000.0,
         "roi": 0.676, "payback_months": 15.3, "error": "", "warnings": "Agents given … | 79 of 90 inputs …"},
        {"unit": "Telco", "scenario": "expected", "status": "failed", "currency": "GBP", "npv": None,
         "roi": None, "payback_months": None, "error": "boom"},
    )
    lines = BatchResult(tmp_path, rows, ran=2, skipped=0).table_lines()
    assert len(lines) == 3  # header, rule, the one unit that ran
    assert lines[2].split() == ["Bank", "expected", "$2.8M", "68%", "month", "16", "2"]  # 2 checks flagged


def test_summary_csv_rounds_money_to_the_cent_and_parquet_keeps_precision(tmp_path):
    row = {"unit": "U", "scenario": "expected", "status": "ok", "npv": 476_300.00000000006,
           "pv_costs": 1_073_745.035458696, "roi": 0.8972945499697846, "payback_months": 13.768901032757272}
    write_summary(tmp_path, [row])
    csv = pd.read_csv(tmp_path / "summary.csv").iloc[0]
    assert (csv["npv"], csv["pv_costs"]) == (476_300.00, 1_073_745.04)
    assert (csv["roi"], csv["payback_months"]) == (0.897295, 13.77)
    assert pd.read_parquet(tmp_path / "summary.parquet").loc[0, "pv_costs"] == 1_073_745.035458696
