"""The batch's faults, end to end through the command line: a Dask cluster with no worker, one
that loses its only worker, Ctrl-C of a local batch, direction controls in a unit's name."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from roi_kit.case import read_case_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "templates" / "cases" / "example.yaml"


def _units(folder: Path, n: int, contacts: float = 1.0) -> Path:
    """``n`` case files ``u01.yaml`` … (units ``Unit 01`` …), each a little different;
    ``contacts`` scales every unit's contacts per year."""
    base = read_case_file(EXAMPLE)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = {**base, "unit": f"Unit {i + 1:02d}"}
        data["baseline"] = {**base["baseline"]}
        data["baseline"]["contacts_per_year"] = base["baseline"]["contacts_per_year"] * contacts
        data["levers"] = {**base["levers"], "deflection": {**base["levers"]["deflection"]}}
        data["levers"]["deflection"]["rate"] = round(0.06 + 0.005 * i, 4)
        (folder / f"u{i + 1:02d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def _cli(*args: str, env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "roi_kit", "batch", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, **(env or {})}, **popen,
    )


def _finish(proc: subprocess.Popen, timeout: float) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


def _no_tmp(out: Path) -> None:
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.suffixes]


@pytest.mark.slow
def test_dask_cluster_with_no_worker_lists_every_unit_lost_and_exits(tmp_path):
    from distributed import LocalCluster

    units = _units(tmp_path / "units", 3)
    out = tmp_path / "run"
    with LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        started = time.monotonic()
        proc = _cli(str(units), "-o", str(out), "--scheduler", cluster.scheduler_address,
                    env={"ROI_KIT_NO_WORKER_SECONDS": "2"})
        _, stderr = _finish(proc, timeout=90)
        took = time.monotonic() - started
    assert took < 60, (took, stderr)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if "no worker" in line]
    # one line for the cluster, not only one per unit
    summary_lines = [line for line in lines if not line.startswith("failed:")]
    assert len(summary_lines) == 1, stderr
    assert "3 of 3 reports lost" in summary_lines[0] and cluster.scheduler_address in summary_lines[0]
    summary = pd.read_csv(out / "summary.csv")
    assert sorted(summary["unit"]) == ["Unit 01", "Unit 02", "Unit 03"]
    assert set(summary["status"]) == {"failed"}
    assert all("no worker" in e for e in summary["error"])
    manifest = json.loads((out / ".roi-kit-batch.json").read_text())
    assert manifest["jobs"] == {}
    assert not list(out.glob("unit-*.html"))
    assert (out / "index.html").is_file()
    _no_tmp(out)


@pytest.mark.slow
def test_dask_cluster_losing_its_only_worker_mid_run(tmp_path):
    """kill -9 of the cluster's one worker after the first report: the reports made are kept,
    the rest are listed lost within a bounded time, and the summary matches the disk."""
    from distributed import LocalCluster

    units = _units(tmp_path / "units", 6)
    out = tmp_path / "run"
    dask = Path(sys.executable).parent / "dask"
    with LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        worker = subprocess.Popen(
            [str(dask), "worker", cluster.scheduler_address, "--no-nanny", "--nthreads", "1",
             "--no-dashboard", "--local-directory", str(tmp_path / "space")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            proc = _cli(str(units), "-o", str(out), "--scheduler", cluster.scheduler_address,
                        env={"ROI_KIT_NO_WORKER_SECONDS": "3"})
            deadline = time.monotonic() + 300
            while not list(out.glob("unit-*.html")) and time.monotonic() < deadline:
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.05)
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and the kernels it started
            killed = time.monotonic()
            _, stderr = _finish(proc, timeout=120)
            assert time.monotonic() - killed < 60, stderr
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    reports = {p.stem for p in out.glob("unit-*.html")}
    assert 1 <= len(reports) < 6
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    assert len(summary) == 6
    ok = summary[summary["status"] == "ok"]
    assert set(ok["report"].str.removesuffix(".html")) == reports
    lost = summary[summary["status"] != "ok"]
    assert set(lost["status"]) == {"failed"} and len(lost) == 6 - len(reports)
    assert all(e for e in lost["error"]), lost["error"].tolist()
    line = [x for x in stderr.splitlines() if x.startswith("error: ") and "reports lost" in x]
    assert len(line) == 1 and f"{len(lost)} of 6 reports lost" in line[0], stderr
    assert cluster.scheduler_address in line[0] and "rerun" in line[0]
    manifest = json.loads((out / ".roi-kit-batch.json").read_text())
    assert set(manifest["jobs"]) == reports
    _no_tmp(out)


def _wait_for(condition, proc: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds  # a loaded machine starts kernels slowly
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_ctrl_c_during_a_rerun_one_line_and_summary_matching_the_reports_on_disk(tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) of a local batch of 2
    workers redoing changed units: exit 130, one line and no worker's traceback; summary.csv and
    index.html show each report on disk with the figures it was made from (a unit redone its new
    ones, one not reached its old report's); nothing half-written; a rerun finishes the rest."""
    from roi_kit.page import fmt

    units = _units(tmp_path / "units", 5)
    out = tmp_path / "run"
    first = _cli(str(units), "-o", str(out), "-w", "2")
    _, err = _finish(first, timeout=600)
    assert first.returncode == 0, err
    old = pd.read_csv(out / "summary.csv").set_index("unit")
    made = {p.stem: p.stat().st_mtime_ns for p in out.glob("unit-*.html")}
    assert len(made) == 5

    _units(units, 5, contacts=2.0)  # every unit changed: the rerun redoes them all
    proc = _cli(str(units), "-o", str(out), "-w", "2")
    redone = lambda: {s for s, t in made.items() if (out / f"{s}.html").stat().st_mtime_ns != t}  # noqa: E731
    _wait_for(lambda: redone(), proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = _finish(proc, timeout=180)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    said = [line for line in err.splitlines() if "interrupted" in line]
    assert len(said) == 1 and "rerun" in said[0], err
    _no_tmp(out)
    for report in out.glob("unit-*.html"):
        assert report.read_text().rstrip().endswith("</html>")
    interrupted = pd.read_csv(out / "summary.csv").set_index("unit")
    portfolio = (out / "index.html").read_text()
    manifest = json.loads((out / ".roi-kit-batch.json").read_text())["jobs"]
    done_now = redone()
    assert 1 <= len(done_now) <= 5

    again = _cli(str(units), "-o", str(out), "-w", "2")
    said, err = _finish(again, timeout=600)
    assert again.returncode == 0, err
    assert f"({5 - len(done_now)} run, {len(done_now)} up to date)" in said  # it resumes
    new = pd.read_csv(out / "summary.csv").set_index("unit")
    assert (new["status"] == "ok").all()

    for unit, row in interrupted.iterrows():
        report = out / f"unit-{unit[-2:]}.html"
        assert row["status"] == "ok", row  # every unit has a report on disk, old or new
        expected = new.loc[unit] if report.stem in done_now else old.loc[unit]
        assert row["npv"] == pytest.approx(expected["npv"]), (unit, report.stem in done_now)
        assert row["input_hash"] == expected["input_hash"]
        assert manifest[report.stem]["row"]["input_hash"] == expected["input_hash"]
        assert fmt.money(row["npv"], row["currency"]) in portfolio
        assert old.loc[unit, "npv"] != pytest.approx(new.loc[unit, "npv"])


BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.slow
def test_direction_controls_never_reach_the_terminal_or_the_pages(tmp_path):
    """A unit named or titled with U+202E (which shows "evil\u202egnp.exe" as "evilexe.png") is
    refused by the case rules with one visible line; a unit whose *file name* holds one still
    renders; neither the terminal nor summary.csv nor any page carries a raw control."""
    units = _units(tmp_path / "units", 1)
    base = read_case_file(EXAMPLE)
    (units / "u01.yaml").rename(units / "u\u202e01.yaml")  # a file name with a control: renders
    for name, data in {
        "u02.yaml": {**base, "unit": "evil\u202egnp.exe"},
        "u03.yaml": {**base, "unit": "Titled", "title": "\u2067pay\u2069 \u200fnow"},
    }.items():
        (units / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    table = tmp_path / "units.csv"
    table.write_text("unit,levers.deflection.rate\nrow\u202eunit,0.1\nPlain,0.1\n", encoding="utf-8")
    out = tmp_path / "run"
    proc = _cli(str(units), "-o", str(out), "-w", "1")
    stdout, stderr = _finish(proc, timeout=600)
    assert proc.returncode == 1, stderr
    assert not set(BIDI) & set(stdout + stderr), (stdout + stderr).encode("unicode_escape")
    assert "Unit 01" in stdout  # the terminal table lists the unit that rendered
    failed = [line for line in stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed) == 2 and all("U+2" in line for line in failed), stderr
    assert any("evil<U+202E>gnp.exe" in line for line in failed), failed
    page = (out / "unit-01.html").read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>")
    for path in [out / "summary.csv", out / "index.html", *out.glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert not set(BIDI) & set(text), (path.name, [c for c in text if c in BIDI])
    summary = pd.read_csv(out / "summary.csv")
    assert sorted(summary["status"]) == ["failed", "failed", "ok"]

    tabled = _cli(str(table), "--base", str(EXAMPLE), "-o", str(tmp_path / "table"), "-w", "1")
    stdout, stderr = _finish(tabled, timeout=600)
    assert tabled.returncode == 1, stderr
    assert not set(BIDI) & set(stdout + stderr), (stdout + stderr).encode("unicode_escape")
    assert "Plain" in stdout and "row<U+202E>unit" in stderr
    # a row's unit is its report's: the title names it, not the base case's unit
    assert "— Plain</title>" in (tmp_path / "table" / "plain.html").read_text(encoding="utf-8")
    for path in [tmp_path / "table" / "summary.csv", tmp_path / "table" / "index.html"]:
        assert not set(BIDI) & set(path.read_text(encoding="utf-8")), path.name


@pytest.mark.slow
def test_a_unit_that_never_ends_is_stopped_at_the_time_limit_and_the_rest_finish(
    tmp_path, monkeypatch
):
    """The local workers' kernel runs in the worker, where a cell cannot be interrupted: the
    batch stops the worker of a unit past the limit, reports it, and a new worker goes on."""
    import nbformat

    import roi_kit.batch.run as run

    nb = nbformat.read(ROOT / "notebooks" / "roi_case.ipynb", as_version=4)
    hang = nbformat.v4.new_code_cell(
        'if (case or {}).get("unit") == "Unit 01":\n    import time\n    time.sleep(3600)'
    )
    hang["id"] = "hang"
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(index + 1, hang)
    notebook = tmp_path / "roi_case.ipynb"
    nbformat.write(nb, notebook)
    monkeypatch.setattr(run, "UNIT_TIME_LIMIT", 25.0)
    started = time.monotonic()
    result = run.run_batch(
        _units(tmp_path / "units", 3), tmp_path / "run", workers=2, notebook=notebook,
        progress=False,
    )
    took = time.monotonic() - started
    rows = {r["unit"]: r for r in result.rows}
    assert rows["Unit 01"]["status"] == "failed"
    assert "ran longer than the 25 s a unit may take; its worker was stopped" in rows[
        "Unit 01"]["error"]
    assert rows["Unit 02"]["status"] == rows["Unit 03"]["status"] == "ok"
    assert 25 <= took < 60, took  # stopped at the limit, not at the hour the cell asked for
    assert not (tmp_path / "run" / "unit-01.html").exists()
    _no_tmp(tmp_path / "run")
