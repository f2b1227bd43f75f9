"""The batch at scale: a Dask worker that shares nothing with the client, a killed worker, two
batches on one folder, PDFs, scenarios never added together."""

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
from isolation import forbidding_sitecustomize

from roi_kit.batch.run import folder_lock, run_batch
from roi_kit.case import read_case_file
from roi_kit.errors import BatchError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "templates" / "cases" / "example.yaml"
DASK = Path(sys.executable).parent / "dask"

#: Installed (through PYTHONPATH) in the Dask worker, its nanny and every kernel it starts:
#: opening anything under a forbidden folder raises, as on a machine without the client's disk.
GUARD = forbidding_sitecustomize("this worker shares no disk with the client")


def _units(folder: Path, n: int) -> Path:
    base = read_case_file(EXAMPLE)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = {**base, "unit": f"Unit {i + 1:02d}"}
        data["levers"] = {**base["levers"], "deflection": {**base["levers"]["deflection"]}}
        data["levers"]["deflection"]["rate"] = round(0.06 + 0.005 * i, 4)
        (folder / f"u{i + 1:02d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def test_a_second_batch_on_the_same_folder_is_refused_with_one_line(tmp_path):
    units = _units(tmp_path / "units", 1)
    out = tmp_path / "run"
    out.mkdir()
    with folder_lock(out), pytest.raises(BatchError) as caught:
        run_batch(units, out, progress=False)
    message = str(caught.value)
    assert "another roi-kit batch is writing to this folder" in message
    assert f"pid {os.getpid()}" in message and "\n" not in message
    assert not (out / "summary.csv").exists()


def test_pdf_without_chromium_is_one_clear_line(tmp_path, monkeypatch):
    import roi_kit.board.export as export

    monkeypatch.setattr(export, "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(BatchError, match=r"^--pdf needs chromium at .*no-chromium"):
        run_batch(_units(tmp_path / "units", 1), tmp_path / "run", pdf=True, progress=False)


@pytest.mark.slow
def test_dask_worker_sharing_no_disk_with_the_client(tmp_path):
    """A scheduler and a worker started in another folder, unable to open the client's files or
    the repository's notebooks and templates: every report still lands in the client's folder."""
    client_side = tmp_path / "client"
    units = _units(client_side / "units", 3)
    out = client_side / "run"
    worker_home = tmp_path / "worker"
    (worker_home / "site").mkdir(parents=True)
    (worker_home / "site" / "sitecustomize.py").write_text(GUARD)
    forbidden = [str(client_side.resolve()), str(ROOT / "notebooks"), str(ROOT / "templates")]
    env = {
        **os.environ,
        "PYTHONPATH": str(worker_home / "site"),
        "ROI_KIT_FORBIDDEN": os.pathsep.join(forbidden),
    }
    env.pop("ROI_KIT_NOTEBOOK", None)
    env.pop("ROI_KIT_TEMPLATES", None)
    scheduler_file = worker_home / "scheduler.json"
    procs = [
        subprocess.Popen(
            [str(DASK), "scheduler", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)],
            cwd=worker_home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        procs.append(
            subprocess.Popen(
                [str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--local-directory", str(worker_home / "space")],
                cwd=worker_home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
            # the guard is live on the worker: it cannot read the repository's notebook
            def try_read(path):
                try:
                    open(path).close()
                except PermissionError as error:
                    return str(error)
                return "read"
            assert "shares no disk" in client.submit(try_read, str(ROOT / "notebooks" / "roi_case.ipynb")).result()
        result = run_batch(units, out, scheduler=address, progress=False)
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert [r["status"] for r in result.rows] == ["ok"] * 3, [r["error"] for r in result.rows]
    for slug in ("unit-01", "unit-02", "unit-03"):
        page = (out / f"{slug}.html").read_text()
        assert page.rstrip().endswith("</html>") and 'data-roi-kit="plotlyjs"' in page
        assert (out / "notebooks" / f"{slug}.ipynb").is_file()
    assert len(pd.read_csv(out / "summary.csv")) == 3 and (out / "index.html").is_file()


@pytest.mark.slow
def test_one_worker_killed_mid_run_of_12_units(tmp_path):
    """kill -9 of one local worker: its unit is listed failed, the rest finish, the batch exits
    within a bounded time with a summary listing all 12 units."""
    units = _units(tmp_path / "units", 12)
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "roi_kit", "batch", str(units), "-o", str(out), "-w", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not list(out.glob("unit-*.html")) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        workers = [w for w in workers if "resource_tracker" not in Path(f"/proc/{w}/cmdline").read_text()]
        assert workers, "no worker process found"
        os.kill(int(workers[0]), signal.SIGKILL)
        started = time.monotonic()
        _, err = proc.communicate(timeout=400)
        assert time.monotonic() - started < 400
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    summary = pd.read_csv(out / "summary.csv")
    assert sorted(summary["unit"]) == [f"Unit {i:02d}" for i in range(1, 13)]
    reports = list(out.glob("unit-*.html"))
    assert len(reports) in (11, 12)
    failed = summary[summary["status"] != "ok"]
    assert len(failed) == 12 - len(reports)
    assert all("worker process running it died" in e for e in failed["error"])
    assert proc.returncode == (1 if len(failed) else 0), err


@pytest.mark.slow
def test_pdf_per_unit_and_for_the_portfolio(tmp_path):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("chromium not installed")
    out = tmp_path / "run"
    result = run_batch(_units(tmp_path / "units", 2), out, pdf=True, workers=1, progress=False)
    assert [r["status"] for r in result.rows] == ["ok", "ok"]
    for name in ("unit-01.pdf", "unit-02.pdf", "index.pdf"):
        data = (out / name).read_bytes()
        assert data.startswith(b"%PDF-") and len(data) > 10_000
    text = subprocess.run(["pdftotext", str(out / "unit-01.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "Unit 01" in text


@pytest.mark.slow
def test_two_scenario_totals_equal_the_one_scenario_runs(tmp_path):
    units = _units(tmp_path / "units", 2)
    both = run_batch(units, tmp_path / "both", scenarios=("conservative", "expected"),
                     workers=2, progress=False)
    page = (tmp_path / "both" / "index.html").read_text()
    from roi_kit.batch.portfolio import scenario_totals, totals
    by = scenario_totals(both.rows)
    for scenario in ("conservative", "expected"):
        one = run_batch(units, tmp_path / scenario, scenarios=(scenario,), workers=2,
                        progress=False)
        alone = totals(one.rows)["USD"]
        assert by[(scenario, "USD")]["npv"] == pytest.approx(alone["npv"], abs=0.005)
        assert by[(scenario, "USD")]["pv_costs"] == pytest.approx(alone["pv_costs"], abs=0.005)
        assert f'data-scenario="{scenario}"' in page
