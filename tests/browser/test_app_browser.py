"""The CX leader's app (``make app``): Voilà serving the form, driven in Debian's chromium.

One Voilà for the module, started as ``make app`` starts it (:func:`voila_command`) on a free
port of 127.0.0.1; one page on it. Every request the page makes is recorded: none may leave the
machine. Screenshots land in ``reports/browser/app-*.png`` for people to look at.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from roi_kit.case import EXAMPLE, load_case
from roi_kit.form.app import voila_command, voila_env
from roi_kit.model.result import evaluate
from roi_kit.page import fmt

from .conftest import REPORTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CASE = load_case(EXAMPLE)

#: Per live chart: its drawn width against its column's, and its title's and subtitle's boxes.
CHART_BOXES = """() => [...document.querySelectorAll('.roi-form-results .js-plotly-plot')].map(d => {
    const col = d.closest('.roi-form-results').getBoundingClientRect();
    const svg = d.querySelector('.main-svg').getBoundingClientRect();
    const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                       return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
    const xticks = [...d.querySelectorAll('.xtick text')].map(t => t.textContent);
    return {column: col.width, width: svg.width, left: svg.left - col.left, right: col.right - svg.right,
            title: box(d.querySelector('.gtitle')), subtitle: box(d.querySelector('.gtitle-subtitle')),
            legend: [...d.querySelectorAll('.legendtext')].map(t => t.textContent),
            legendRight: Math.max(0, ...[...d.querySelectorAll('.legendtext')].map(t => t.getBoundingClientRect().right)) - col.left,
            xticks, bars: d.querySelectorAll('.point').length};
})"""

#: Each tab label: cut (its text wider than its box) or whole.
TAB_LABELS = """() => [...document.querySelectorAll('.roi-form-tabs .lm-TabBar-tabLabel')].map(l => ({
    text: l.textContent, cut: l.scrollWidth > l.clientWidth + 1,
    visible: l.getBoundingClientRect().right <= l.closest('.lm-TabBar').getBoundingClientRect().right + 1}))"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """Voilà on a free localhost port, serving the project's form as ``make app`` does."""
    port = _free_port()
    env = voila_env(ROOT, {**os.environ, "LANG": "en_US.UTF-8"})
    log = (REPORTS / "voila.log")
    REPORTS.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(voila_command(ROOT, port, open_browser=False, python=sys.executable),
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        pytest.fail(f"voila exited: {log.read_text()[-2000:]}")
                    time.sleep(0.3)
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


class App:
    def __init__(self, page: Any, offsite: list[str]):
        self.page, self.offsite = page, offsite

    def box(self, label: str) -> Any:
        return self.page.get_by_label(label, exact=True).first

    def headline(self, key: str) -> str:
        return self.page.locator(f"[data-figure={key}]").first.inner_text()

    def wait_headline(self, key: str, text: str, timeout: float = 60_000) -> None:
        self.page.wait_for_function(
            f"() => {{ const e = document.querySelector('[data-figure={key}]'); return e && e.textContent === {text!r}; }}",
            timeout=timeout,
        )

    def type_into(self, label: str, text: str) -> None:
        """Replace a box's text by typing it, key by key, with no Enter or Tab."""
        box = self.box(label)
        box.click()
        box.press("Control+a")
        box.press("Delete")
        box.press_sequentially(text, delay=30)

    def charts(self) -> list[dict]:
        return self.page.evaluate(CHART_BOXES)

    def wait_fitted(self) -> None:
        """Until every chart is drawn no wider than its column (or 10 s, then the test says why)."""
        with contextlib.suppress(Exception):  # the assertions below show the widths
            self.page.wait_for_function(
                "() => { const ds = [...document.querySelectorAll('.roi-form-results .js-plotly-plot')];"
                " return ds.length === 3 && ds.every(d => { const s = d.querySelector('.main-svg');"
                " return s && s.getBoundingClientRect().width <= d.closest('.roi-form-results')"
                ".getBoundingClientRect().width + 1; }); }",
                timeout=10_000,
            )
        time.sleep(0.5)


@pytest.fixture(scope="module")
def app(app_url: str, browser: Any) -> Iterator[App]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    offsite: list[str] = []
    host = urlparse(app_url).netloc

    def route(r: Any) -> None:
        url = urlparse(r.request.url)
        if url.scheme in {"data", "blob"} or url.netloc == host:
            r.continue_()
        else:
            offsite.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(app_url, timeout=120_000)
    page.wait_for_selector(".roi-form-results .js-plotly-plot .gtitle", timeout=180_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.roi-form-results .js-plotly-plot .gtitle').length === 3",
        timeout=60_000,
    )
    yield App(page, offsite)
    context.close()


def test_the_form_draws_with_no_code_and_nothing_fetched_from_outside(app: App) -> None:
    page = app.page
    npv = evaluate(EXAMPLE_CASE).summary["npv"]
    app.wait_headline("npv", fmt.money(npv))
    text = page.inner_text("body")
    assert "Build your business unit's ROI case" in text
    assert "Run All" not in text and "case_form(" not in text and "import" not in text
    assert page.locator(".jp-CodeCell .jp-InputArea-editor, #jp-top-panel, .jp-NotebookPanel-toolbar").count() == 0
    assert fmt.RUN_RATE_NET_BENEFIT in text  # the report's name for the measure
    assert app.offsite == []


@pytest.mark.parametrize("width", [1280, 1920, 1024])
def test_every_chart_fits_its_column_and_titles_never_overlap(app: App, width: int) -> None:
    page = app.page
    page.set_viewport_size({"width": width, "height": 2400})
    app.wait_fitted()
    charts = app.charts()
    assert len(charts) == 3
    for chart in charts:
        assert chart["width"] <= chart["column"] + 1, chart
        assert chart["left"] >= -1 and chart["right"] >= -1, chart
        assert chart["legendRight"] <= chart["column"] + 1, chart
        if chart["title"] and chart["subtitle"]:
            assert chart["title"]["bottom"] <= chart["subtitle"]["top"] + 1, chart
    # the cost curve's x axis reaches the horizon (36 months), the legend is whole
    assert any("With the change" in " ".join(c["legend"]) for c in charts), charts
    assert charts[0]["xticks"][-1] == "36" and charts[2]["xticks"][-1] == "36", charts
    waterfall_bars = app.page.evaluate(
        "() => [...document.querySelectorAll('[data-chart=waterfall] .xtick text')].map(t => t.textContent)")
    assert waterfall_bars[-2:] == ["Investment", "Net present value"], waterfall_bars
    tabs = page.evaluate(TAB_LABELS)
    assert [t["text"] for t in tabs][:7] == ["Baseline", "Levers", "Costs", "Timeline & risk", "Scenarios",
                                             "Measurement plan", "Sources"]
    assert not [t for t in tabs if t["cut"] or not t["visible"]], tabs
    page.locator(".roi-form").screenshot(path=str(REPORTS / f"app-{width}.png"))
    assert app.offsite == []


def test_typing_contacts_per_year_moves_the_headline_with_no_enter(app: App) -> None:
    after = evaluate(EXAMPLE_CASE.with_overrides({"baseline.contacts_per_year": 1_500_000})).summary["npv"]
    app.type_into("Contacts per year", "1,500,000")
    app.wait_headline("npv", fmt.money(after))
    app.page.wait_for_function(
        f"() => [...document.querySelectorAll('.roi-form-results .gtitle')]"
        f".some(e => e.textContent.includes({fmt.money(after)!r}))", timeout=30_000)
    app.type_into("Contacts per year", "1200000")
    app.wait_headline("npv", fmt.money(evaluate(EXAMPLE_CASE).summary["npv"]))


def test_a_percent_box_speaks_percent(app: App) -> None:
    app.type_into("Abandon rate", "600")
    app.page.wait_for_function("() => document.body.innerText.includes('600% is outside the accepted range')",
                               timeout=30_000)
    assert "fraction" not in app.page.inner_text(".roi-form")
    app.page.screenshot(path=str(REPORTS / "app-percent-message.png"))
    app.type_into("Abandon rate", "6")
    app.page.wait_for_function("() => !document.body.innerText.includes('600%')", timeout=30_000)


def test_comma_decimal_locale_reads_4_80_and_save_loads_back_equal(app: App, tmp_path: Path) -> None:
    page = app.page
    app.type_into("Number format", "de_DE")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('input')].some(i => i.value === '4,8')", timeout=30_000)
    app.type_into("Cost per contact", "4,80")
    page.screenshot(path=str(REPORTS / "app-de_DE.png"))
    folder = tmp_path / "units"
    app.type_into("Units folder", str(folder))
    page.get_by_role("button", name="Save").click()
    page.wait_for_function(f"() => document.body.innerText.includes('Saved {folder}')", timeout=30_000)
    saved = next(folder.glob("*.yaml"))
    case = load_case(saved)
    assert case.baseline.cost_per_contact == 4.8
    assert yaml.safe_load(saved.read_text())["baseline"]["cost_per_contact"] == 4.8
    assert case == EXAMPLE_CASE.with_overrides({"baseline.cost_per_contact": 4.8})
    # in en_US the same text could mean 480 or 4.80: refused with a hint, the figures wait
    app.type_into("Number format", "en_US")
    page.keyboard.press("Enter")
    app.type_into("Cost per contact", "4,80")
    page.wait_for_function("() => document.body.innerText.includes('could be read more than one way')",
                           timeout=30_000)
    app.type_into("Cost per contact", "4.80")
    page.wait_for_function("() => !document.body.innerText.includes('could be read more than one way')",
                           timeout=30_000)
    page.screenshot(path=str(REPORTS / "app-saved.png"), full_page=False)
    assert app.offsite == []


def test_preview_writes_the_report_and_its_link_opens_it(app: App) -> None:
    page = app.page
    page.get_by_role("button", name="Preview report").click()
    link = page.locator("a", has_text="open emea-retail-support.html")
    link.wait_for(timeout=180_000)
    href = link.get_attribute("href")
    assert href.endswith("/voila/files/reports/preview/emea-retail-support.html"), href
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200 and "EMEA Retail Support" in response.text()
    assert "<script src=\"http" not in response.text()
    # the app serves the previews and nothing else of the project
    assert page.request.get(urljoin(page.url, "/voila/files/notebooks/build_case.ipynb")).status == 403
    assert page.request.get(urljoin(page.url, "/voila/files/templates/cases/example.yaml")).status == 403
    assert app.offsite == []
