"""The exported report in a real browser: charts drawn, offline, no errors, user text inert.

Run: ``.venv/bin/pytest tests/browser -m browser``. Leaves a screenshot and a print-to-PDF of the
reference report under ``reports/browser/`` for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roi_kit.board import export as report
from roi_kit.board.sections import REQUIRED_CHARTS
from roi_kit.case import EXAMPLE, read_case_file

from .conftest import REPORTS

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

#: Per chart div: its traces and the marks plotly drew for them (points, bars, lines, fills).
CHART_MARKS = """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => ({
    id: d.id,
    svg: d.querySelectorAll('.main-svg').length,
    traces: (d._fullData || []).length,
    marks: d.querySelectorAll('g.trace .point, g.trace path.js-line, g.trace path.js-fill').length,
    width: d.getBoundingClientRect().width,
}))"""


@pytest.fixture(scope="module")
def reference_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return report.render(EXAMPLE, output=tmp_path_factory.mktemp("ref") / "example.html")


@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = read_case_file(EXAMPLE)
    data.update(unit=SCRIPT, title=IMG)
    data["sources"] = {**data.get("sources", {}), "baseline.churn_rate": f"{SCRIPT} {IMG}"}
    return report.render(data, output=tmp_path_factory.mktemp("hostile") / "hostile.html")


def test_every_chart_draws_offline_without_errors(visit, reference_html: Path) -> None:
    seen = visit(reference_html)
    charts = seen.page.evaluate(CHART_MARKS)
    assert sorted(c["id"] for c in charts) == sorted(
        ["roi-chart-segments"] + [f"roi-chart-{n}" for n in REQUIRED_CHARTS]
    )
    for chart in charts:
        assert chart["svg"] > 0, chart
        assert chart["traces"] > 0, chart
        assert chart["marks"] > 0, chart
        assert chart["width"] > 600, chart
    assert seen.requests == []
    assert seen.console_errors == []
    assert seen.page_errors == []
    assert seen.dialogs == []

    REPORTS.mkdir(parents=True, exist_ok=True)
    seen.page.screenshot(path=str(REPORTS / "example.png"), full_page=True)


def test_print_to_pdf(reference_html: Path) -> None:
    pdf = report.print_pdf(reference_html, REPORTS / "example.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert pages > 10  # cover, then one section per page


def test_hostile_text_shows_as_text_and_never_runs(visit, hostile_html: Path) -> None:
    seen = visit(hostile_html)
    page = seen.page
    assert page.locator(".roi-cover__unit").inner_text() == SCRIPT
    assert page.locator(".roi-cover__title").inner_text() == IMG
    assert page.title().startswith(IMG)
    assert page.get_by_text(f"{SCRIPT} {IMG}").first.is_visible() or (
        f"{SCRIPT} {IMG}" in page.locator("table.roi-assumptions").inner_text()
    )
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('script:not([data-roi-kit])').length") == len(
        report.chart_ids(hostile_html.read_text(encoding="utf-8"))
    )
    assert seen.dialogs == []
    assert seen.console_errors == []
    assert seen.page_errors == []
    assert seen.requests == []
