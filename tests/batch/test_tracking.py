"""roi-kit batch --actuals: a tracking page per unit, its status and plan-vs-re-forecast in the portfolio."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from roi_kit.batch.plan import plan
from roi_kit.batch.portfolio import render_portfolio
from roi_kit.batch.tracking import actuals_files, track_units, worst
from roi_kit.batch.units import read_units
from roi_kit.case import read_case_file
from roi_kit.case.files import load_case
from roi_kit.cli import app
from roi_kit.errors import BatchError
from roi_kit.track import read_actuals, track

ROOT = Path(__file__).resolve().parents[2]
TRACKED = ROOT / "templates" / "cases" / "tracked.yaml"
ACTUALS = ROOT / "templates" / "track" / "actuals.csv"
NOTEBOOK = ROOT / "notebooks" / "roi_case.ipynb"
WHEN = datetime(2026, 7, 3, 9, 0, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def _units(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        data = read_case_file(TRACKED)
        data["unit"] = name
        (folder / f"u{i}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def _ran(jobs) -> dict:
    """Rows as the batch leaves them for units that ran (no kernel needed here)."""
    return {j.slug: {"unit": j.unit, "scenario": j.scenario, "status": "ok", "currency": "USD",
                     "report": f"{j.slug}.html", "slug": j.slug} for j in jobs}


def test_each_unit_gets_its_page_status_and_reforecast(tmp_path):
    """North has the example actuals (containment off track), South a bad file, East none."""
    units = _units(tmp_path / "units", "North Retail", "South Retail", "East Retail")
    jobs = plan(read_units(units), ("expected",), NOTEBOOK)
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    (actuals / "north-retail.csv").write_text(ACTUALS.read_text(encoding="utf-8"), encoding="utf-8")
    (actuals / "south-retail.csv").write_text("month,metric,value\n2026-01,containmnet,5%\n", encoding="utf-8")
    rows = _ran(jobs)
    out = tmp_path / "run"
    track_units(jobs, out, rows, actuals_files(actuals, jobs), WHEN)
    north, south, east = (rows[s] for s in ("north-retail", "south-retail", "east-retail"))
    case = load_case(TRACKED)
    alone = track(case, read_actuals(ACTUALS, case))
    assert (north["tracking_status"], north["tracking_page"], north["as_of"]) == (
        "off_track", "tracking/north-retail.html", "2026-06")
    assert north["reforecast_npv"] == pytest.approx(alone.reforecast.npv, abs=0.005)
    assert (out / "tracking" / "north-retail.html").is_file()
    assert south["tracking_status"] == "failed" and "did you mean containment?" in south["tracking_error"]
    assert "\n" not in south["tracking_error"] and not (out / "tracking" / "south-retail.html").exists()
    assert (east["tracking_status"], east["tracking_page"]) == ("no_actuals", "")
    page = render_portfolio(tuple(rows.values()), generated_at=WHEN)
    assert "Plan against re-forecast" in page and 'href="tracking/north-retail.html"' in page
    assert [s for s in ("off_track", "failed", "no_actuals") if f'data-tracking="{s}"' in page] == [
        "off_track", "failed", "no_actuals"]


def test_a_file_that_names_no_unit_stops_the_batch(tmp_path):
    units = _units(tmp_path / "units", "North Retail")
    jobs = plan(read_units(units), ("expected",), NOTEBOOK)
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    (actuals / "nort-retail.csv").write_text("month,metric,value\n", encoding="utf-8")
    with pytest.raises(BatchError, match=r"nort-retail\.csv names no unit; files are named by unit slug: north-retail"):
        actuals_files(actuals, jobs)
    with pytest.raises(BatchError, match="is not a folder"):
        actuals_files(tmp_path / "missing", jobs)


def test_hostile_unit_names_are_escaped_in_the_portfolio(tmp_path):
    units = _units(tmp_path / "units", HOSTILE)
    jobs = plan(read_units(units), ("expected",), NOTEBOOK)
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    (actuals / f"{jobs[0].slug}.csv").write_text(ACTUALS.read_text(encoding="utf-8"), encoding="utf-8")
    rows = _ran(jobs)
    track_units(jobs, tmp_path / "run", rows, actuals_files(actuals, jobs), WHEN)
    page = render_portfolio(tuple(rows.values()), generated_at=WHEN)
    assert "<script>alert" not in page and "<img" not in page


def test_worst_status_first():
    assert worst(["on_track", "off_track", "no_data"]) == "off_track"
    assert worst(["on_track", "triggered"]) == "triggered"
    assert worst([]) == "no_data"


@pytest.mark.slow
def test_batch_with_actuals_end_to_end(tmp_path):
    """The command: one unit's report and tracking page, the status in the portfolio, exit 0."""
    units = _units(tmp_path / "units", "North Retail")
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    (actuals / "north-retail.csv").write_text(ACTUALS.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["batch", str(units), "-o", str(out), "--workers", "1",
                                    "--actuals", str(actuals)])
    assert done.exit_code == 0, done.output
    assert (out / "north-retail.html").is_file() and (out / "tracking" / "north-retail.html").is_file()
    assert 'data-tracking="off_track"' in (out / "index.html").read_text(encoding="utf-8")
