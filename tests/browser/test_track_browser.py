"""The tracking page in a real browser: every chart drawn offline, no errors, hostile names inert.

Run: ``.venv/bin/pytest tests/browser/test_track_browser.py -m browser``. Leaves a screenshot of the
example's tracking page under ``reports/browser/`` for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roi_kit.case.files import load_case, read_case_file
from roi_kit.case.schema import Case
from roi_kit.track import read_actuals, track
from roi_kit.track.page import write_page

from .conftest import REPORTS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TRACKED = ROOT / "templates" / "cases" / "tracked.yaml"
ACTUALS = ROOT / "templates" / "track" / "actuals.csv"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

CHARTS = """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => ({
    id: d.id, types: (d._fullData || []).map(t => t.type), svg: d.querySelectorAll('.main-svg').length, traces: (d._fullData || []).length,
    marks: d.querySelectorAll('g.trace .point, g.trace path.js-line, g.trace path.js-fill').length,
}))"""


@pytest.fixture(scope="module")
def example_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = load_case(TRACKED)
    return write_page(track(case, read_actuals(ACTUALS, case)), tmp_path_factory.mktemp("trk") / "track.html")


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    data = read_case_file(TRACKED)
    data.update(unit=SCRIPT, title=IMG)
    data["measurement_plan"][0].update(metric=f"{SCRIPT} containment {IMG}", trigger=IMG, owner=SCRIPT)
    data["costs"]["recurring"][0]["name"] = f"Licences {IMG}"
    case = Case.model_validate(data)
    text = ACTUALS.read_text(encoding="utf-8").replace("spend:Licences", f'"spend:Licences {IMG.replace(chr(34), chr(34) * 2)}"')
    actuals = folder / "actuals.csv"
    actuals.write_text(text, encoding="utf-8")
    return write_page(track(case, read_actuals(actuals, case)), folder / "hostile.html")


def test_every_chart_draws_offline_without_errors(visit, example_page: Path) -> None:
    seen = visit(example_page)
    charts = seen.page.evaluate(CHARTS)
    # the bridge, the cumulative re-forecast, and one per metric with actuals (4 plan metrics + contacts)
    assert len(charts) == 2 + 5
    assert all(c["svg"] >= 1 and c["traces"] >= 1 for c in charts), charts
    (bridge,) = [c for c in charts if "waterfall" in c["types"]]
    assert bridge["marks"] == 8  # planned, volume, three levers, two cost lines, realised
    assert all(c["marks"] >= 1 for c in charts), charts
    assert seen.requests == [] and seen.page_errors == [] and seen.console_errors == [] and seen.dialogs == []
    statuses = seen.page.eval_on_selector_all("[data-status]", "els => els.map(e => e.dataset.status)")
    assert statuses == ["off_track", "on_track", "on_track", "on_track", "on_track"]
    assert "the re-forecast NPV is $4.0M" in seen.page.inner_text(".roi-headline")
    REPORTS.mkdir(parents=True, exist_ok=True)
    seen.page.screenshot(path=str(REPORTS / "track.png"), full_page=True)


def test_hostile_names_are_inert(visit, hostile_page: Path) -> None:
    seen = visit(hostile_page)
    assert seen.dialogs == [] and seen.page_errors == [] and seen.requests == []
    assert seen.page.locator("img").count() == 0
    text = seen.page.inner_text("body")
    assert SCRIPT in text and f"Licences {IMG}" in text
    charts = seen.page.evaluate(CHARTS)
    assert len(charts) == 7 and all(c["svg"] >= 1 for c in charts)
    titles = seen.page.eval_on_selector_all(".roi-chart__title", "els => els.map(e => e.textContent)")
    assert any(SCRIPT in t for t in titles)


def test_the_page_prints(visit, example_page: Path, tmp_path: Path) -> None:
    """Printed (A4 landscape, as the board report), the headline and every section come through."""
    import subprocess

    seen = visit(example_page)
    pdf = REPORTS / "track.pdf"
    REPORTS.mkdir(parents=True, exist_ok=True)
    seen.page.pdf(path=str(pdf), landscape=True, format="A4", print_background=True, prefer_css_page_size=True)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for heading in ("The measurement plan, month by month", "Realised against planned, to date", "Re-forecast",
                    "How the figures are made"):
        assert heading in text
    assert "the re-forecast NPV is $4.0M" in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) >= 5
