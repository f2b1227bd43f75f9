"""Chart titles: flush with the page's headings, and never overlapping their subtitle or legend.

Two ways a chart is drawn. In the report, its title and subtitle are HTML above the plot
(``charts.caption_html``), in the text column beside the headings. In the form, plotly draws them,
laid out by ``charts.fit_width`` for the results column's narrowest width. The browser tests
measure both in headless chromium: the report exported by the real board template (from a
notebook built here, no kernel) at desktop, narrow and print widths, and the form's figures in a
column as narrow as the form allows.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roi_kit import monte_carlo, sensitivity
from roi_kit.board import charts, display
from roi_kit.board import export as report
from roi_kit.board.sections import ReportContext, report_meta, section
from roi_kit.page import bundle
from roi_kit.page.text import caption_html, fit_width, without_title, wrap
from roi_kit.page.theme import CONFIG, REPORT_WIDTH_PX, SUBTITLE_SIZE, TITLE_SIZE

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
LIBERATION = Path("/usr/share/fonts/truetype/liberation")


@pytest.fixture(scope="module")
def figures(example_case, result, scenarios):
    mc = monte_carlo(example_case, draws=400, seed=3)
    return {
        "segments": charts.segments(result),
        "cost-curve": charts.cost_curve(result),
        "waterfall": charts.waterfall(result),
        "payback-timeline": charts.payback_timeline(scenarios),
        "tornado": charts.tornado(sensitivity(example_case), result),
        "npv-distribution": charts.npv_distribution(mc, result),
    }


def _texts(figures) -> list[tuple[str, int, bool]]:
    """Every title (bold, 20 px) and subtitle (13 px) of the figures."""
    out = []
    for fig in figures.values():
        out.append((fig.layout.title.text, TITLE_SIZE, True))
        out.append((fig.layout.title.subtitle.text, SUBTITLE_SIZE, False))
    return [t for t in out if t[0]]


# --------------------------------------------------------------------------- text measure


class TestTextWidth:
    @pytest.mark.skipif(not LIBERATION.exists(), reason="no Liberation fonts to measure with")
    def test_errs_wide_of_the_real_font_but_not_by_much(self, figures) -> None:
        from PIL import ImageFont

        for text, size, bold in _texts(figures):
            face = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
            real = ImageFont.truetype(str(LIBERATION / face), size).getlength(html.unescape(text))
            estimate = charts.text_width(html.unescape(text), size, bold=bold)
            assert real <= estimate <= real * 1.3, (text, real, estimate)


class TestWrap:
    def test_a_title_too_wide_for_the_form_is_balanced_over_two_lines(self) -> None:
        title = "Net present value of $3.9M over 36 months"
        assert charts.text_width(title, 20, bold=True) > 412  # wider than the form's column
        lines = wrap(title, 412, 20, bold=True)
        assert lines == ["Net present value of", "$3.9M over 36 months"]

    @given(
        st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzM$%0123456789.,", min_size=1,
                         max_size=14), min_size=1, max_size=25),
        st.integers(min_value=120, max_value=1000),
    )
    def test_lines_keep_every_word_fit_and_are_as_few_as_fit(self, words, width) -> None:
        lines = wrap(" ".join(words), width, 13)
        assert " ".join(lines).split() == words
        for line in lines:  # a line fits, unless it is one word wider than the width
            assert " " not in line or charts.text_width(line, 13) <= width
        assert len(lines) == len(_greedy(words, width))  # as few lines as filling each in turn

    def test_nothing_to_wrap(self) -> None:
        assert wrap("  ", 300, 13) == []


def _greedy(words: list[str], width: float) -> list[str]:
    lines: list[str] = []
    for w in words:
        if lines and charts.text_width(f"{lines[-1]} {w}", 13) <= width:
            lines[-1] += f" {w}"
        else:
            lines.append(w)
    return lines


# --------------------------------------------------------------------------- figure layout


class TestFitWidth:
    @pytest.mark.parametrize("width", [charts.NARROW_WIDTH_PX, 700, REPORT_WIDTH_PX])
    def test_lines_fit_and_the_plot_keeps_its_height(self, figures, width: int) -> None:
        for name, fig in figures.items():
            fitted = fit_width(fig, width, height=340)
            title = fitted.layout.title
            for text, size, bold in ((title.text, 20, True), (title.subtitle.text, 13, False)):
                for line in text.split(" <br>"):
                    assert charts.text_width(html.unescape(line), size, bold=bold) <= width, name
            # the words are the figure's own, the breaks aside
            assert title.text.replace(" <br>", " ") == fig.layout.title.text
            # flush with the figure's left edge (the column's), anchored to the figure's top
            assert (title.x, title.xanchor, title.xref, title.pad.l) == (0, "left", "container", 0)
            assert (title.yref, title.yanchor) == ("container", "top")
            # what the top margin gained, the figure gained: the plot is as tall as at 340 px
            template_top = fig.layout.margin.t or charts.TOP_MARGIN
            assert fitted.layout.height - fitted.layout.margin.t == 340 - template_top, name

    def test_narrower_means_more_lines_and_a_deeper_top(self, figures) -> None:
        fig = figures["npv-distribution"]
        wide = fit_width(fig, REPORT_WIDTH_PX)
        narrow = fit_width(fig, charts.NARROW_WIDTH_PX)
        assert narrow.layout.title.text.count("<br>") > wide.layout.title.text.count("<br>")
        assert narrow.layout.margin.t > wide.layout.margin.t

    def test_refitting_starts_from_the_unbroken_text(self, figures) -> None:
        fig = figures["cost-curve"]
        twice = fit_width(fit_width(fig, 420), REPORT_WIDTH_PX)
        assert twice.layout.title.text == fig.layout.title.text


class TestCaption:
    def test_the_report_shows_title_and_subtitle_as_html_and_the_plot_draws_none(
        self, figures
    ) -> None:
        fig = figures["waterfall"]
        text = display.figure_html(fig, "waterfall")
        caption = caption_html(fig)
        assert text.startswith(f'<figure class="roi-chart" data-chart="waterfall">{caption}<div')
        assert f'<span class="roi-chart__title">{fig.layout.title.text}</span>' in caption
        assert fig.layout.title.subtitle.text in caption
        bare = without_title(fig)
        assert not bare.layout.title.text and not bare.layout.title.subtitle.text
        # the plot keeps its height: the figure lost what the top margin lost
        top = fig.layout.margin.t or charts.TOP_MARGIN  # the theme's, unless the chart set one
        assert bare.layout.height - bare.layout.margin.t == fig.layout.height - top

    def test_user_text_is_escaped_once(self, result) -> None:
        fig = charts.segments(result)
        fig.update_layout(title_text=charts.safe_text(HOSTILE), title_subtitle_text=HOSTILE)
        caption = caption_html(fig)
        assert "<script" not in caption and "<img" not in caption
        # the escaped title reads as the user's text, not as "&amp;lt;"
        assert html.escape(HOSTILE, quote=False) in caption

    def test_no_title_no_caption(self) -> None:
        import plotly.graph_objects as go

        assert caption_html(go.Figure()) == ""


# --------------------------------------------------------------------------- in a browser

#: Per chart: the left edge and box of its title's text, its subtitle's, and the section heading's.
MEASURE_REPORT = """() => [...document.querySelectorAll('figure.roi-chart')].map(f => {
  let cell = f.closest('.jp-Cell'), h = null;
  while (cell && !h) { cell = cell.previousElementSibling; h = cell && cell.querySelector('h2'); }
  const text = e => { const r = document.createRange(); r.selectNodeContents(e);
                      const b = r.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const box = e => { if (!e) return null; const b = e.getBoundingClientRect();
                     return [b.left, b.top, b.right, b.bottom]; };
  return {chart: f.dataset.chart, heading: text(h), title: text(f.querySelector('.roi-chart__title')),
          subtitle: text(f.querySelector('.roi-chart__subtitle')),
          legend: box(f.querySelector('.legend')), div: box(f.querySelector('.plotly-graph-div')),
          drawnTitle: !!f.querySelector('.gtitle')};
})"""

MEASURE_FORM = """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => {
  const box = e => { if (!e) return null; const b = e.getBoundingClientRect();
                     return [b.left, b.top, b.right, b.bottom]; };
  return {id: d.id, div: box(d), title: box(d.querySelector('.gtitle')),
          subtitle: box(d.querySelector('.gtitle-subtitle')), legend: box(d.querySelector('.legend')),
          plot: box(d.querySelector('.nsewdrag'))};
})"""


def _apart(upper: list[float], lower: list[float]) -> bool:
    """``upper`` ends above where ``lower`` starts (no shared pixel rows)."""
    return upper[3] <= lower[1] + 0.5


@pytest.fixture(scope="module")
def chromium(browser):
    return browser


def _board_page(figs: dict, case, path: Path) -> Path:
    """``figs`` exported by the board template, each under a section heading of its own (no kernel)."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def shown(data: dict) -> object:
        return new_code_cell("", outputs=[new_output("display_data", data=data)])

    cells = [shown({display.META_MIMETYPE: report_meta(case, "expected")})]
    for name, fig in figs.items():
        cells += [new_markdown_cell(f"## Section on {name}"),
                  shown({"text/html": display.figure_html(fig, name)})]
    path.write_text(report.export_html(new_notebook(cells=cells)), encoding="utf-8")
    return path


def _form_page(figs: dict, path: Path) -> Path:
    """``figs`` laid out for the form's narrowest column, each in a div of that width."""
    import plotly.io as pio

    pass

    width = charts.NARROW_WIDTH_PX
    divs = "".join(
        f'<div style="width:{width}px">'
        + pio.to_html(fit_width(fig, width, height=340), full_html=False,
                      include_plotlyjs=False, div_id=name, config=CONFIG,
                      default_width="100%", default_height="100%")
        + "</div>"
        for name, fig in figs.items()
    )
    path.write_text(f"<html><head><script>{bundle.plotlyjs()}</script></head>"
                    f"<body style='margin:0'>{divs}</body></html>", encoding="utf-8")
    return path


def _measure(chromium, path: Path, width: int | str, script: str):
    """Open ``path`` at ``width`` px (or as printed) once its charts are drawn; run ``script``."""
    viewport = report.PRINT_VIEWPORT if width == "print" else {"width": width, "height": 900}
    page = chromium.new_page(viewport=viewport)
    try:
        page.goto(path.as_uri(), wait_until="load")
        report.wait_for_charts(page)
        if width == "print":
            page.emulate_media(media="print")
            page.wait_for_timeout(200)  # plotly redraws at the print width
        return page.evaluate(script)
    finally:
        page.close()


@pytest.fixture(scope="module")
def report_page(figures, example_case, tmp_path_factory) -> Path:
    """The charts exported by the board template under their section headings (no kernel)."""
    return _board_page(figures, example_case, tmp_path_factory.mktemp("layout") / "charts.html")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 700, 480, "print"])
def test_report_titles_are_flush_with_headings_and_clear_of_subtitles(
    chromium, report_page: Path, width
) -> None:
    charts_ = _measure(chromium, report_page, width, MEASURE_REPORT)
    assert len(charts_) == 6
    for c in charts_:
        assert abs(c["title"][0] - c["heading"][0]) <= 2, c
        assert abs(c["subtitle"][0] - c["heading"][0]) <= 2, c
        assert _apart(c["title"], c["subtitle"]), c
        assert _apart(c["subtitle"], c["div"]), c  # the plot (and its legend) start below it
        assert not c["drawnTitle"], c  # plotly draws no second title
        if c["legend"]:
            assert c["legend"][1] >= c["div"][1] - 0.5, c  # the legend is inside its chart


@pytest.mark.browser
def test_form_charts_keep_title_subtitle_and_legend_apart_at_the_narrowest_column(
    chromium, figures, tmp_path
) -> None:
    path = _form_page(figures, tmp_path / "form.html")
    drawn = _measure(chromium, path, charts.NARROW_WIDTH_PX + 40, MEASURE_FORM)
    assert len(drawn) == 6
    for d in drawn:
        title, subtitle, div = d["title"], d["subtitle"], d["div"]
        assert div[0] - 0.5 <= title[0] <= div[0] + 2, d  # flush with the column
        assert title[2] <= div[2] and subtitle[2] <= div[2], d  # nothing runs off the chart
        assert title[1] >= div[1] - 0.5, d  # nor off its top
        assert _apart(title, subtitle), d
        below = d["legend"] if d["legend"] and d["legend"][1] < d["plot"][1] else d["plot"]
        assert _apart(subtitle, below), d


# --------------------------------------------------------------------------- P10/P50/P90 labels


def _clear(fractions, widths, place, plot_px: float) -> bool:
    """Checked from the drawing's own terms: each label is a box beside or over its line, and a
    line runs from the axis up to its label's row. No two boxes of a row meet, no box leaves the
    plot, and no line crosses another marker's box."""
    pad = 4
    xs = [f * plot_px for f in fractions]
    boxes = []
    for x, w, (_, anchor) in zip(xs, widths, place, strict=True):
        left = {"right": x - pad - w, "left": x + pad, "center": x - w / 2}[anchor]
        boxes.append((left, left + w))
    for i, ((a, b), (row, _)) in enumerate(zip(boxes, place, strict=True)):
        if a < 0 or b > plot_px:
            return False
        for j, (x, (row_j, _)) in enumerate(zip(xs, place, strict=True)):
            if j != i and row_j >= row and a - 1 < x < b + 1:
                return False
            if j != i and row_j == row and boxes[j][0] < b and a < boxes[j][1]:
                return False
    return True


class TestMarkerLayout:
    @given(
        st.lists(st.floats(0, 1), min_size=3, max_size=3).map(sorted),
        st.lists(st.floats(30, 110), min_size=3, max_size=3),
    )
    def test_clear_at_the_narrowest_plot_and_every_wider_one(self, fractions, widths) -> None:
        narrow = charts.NARROW_WIDTH_PX - 112
        place = charts.marker_layout(fractions, widths, narrow)
        for plot_px in (narrow, narrow * 1.37, narrow * 2, REPORT_WIDTH_PX - 112):
            assert _clear(fractions, widths, place, plot_px), (plot_px, place)

    def test_spread_out_they_share_one_row_reading_outward_from_the_median(self) -> None:
        # 0.25 × 308 = 77 px between lines: a centred 60 px P50 label leaves 47 px either side
        place = charts.marker_layout([0.25, 0.5, 0.75], [60, 60, 60], 308)
        assert place == ((0, "right"), (0, "center"), (0, "left"))

    def test_close_together_the_median_rises_a_row(self) -> None:
        # 20 px apart: P50's centred label would cover both other lines; P10's and P90's fit
        # outside them, so only P50 moves up
        place = charts.marker_layout([0.45, 0.5, 0.55], [60, 60, 60], 308)
        assert place == ((0, "right"), (1, "center"), (0, "left"))


def _close_mc():
    """Draws whose P10, P50 and P90 lie within 1.2% of the axis: a narrow peak, wide tails."""
    from types import SimpleNamespace

    import numpy as np

    rng = np.random.default_rng(5)
    npv = np.concatenate([rng.normal(3.0e6, 2.0e4, 9_000), rng.uniform(-2e6, 8e6, 1_000)])
    q = np.percentile(npv, [10, 50, 90])
    return SimpleNamespace(npv=npv, p_payback=0.9, draws=npv.size, horizon_months=36,
                           percentiles={"npv": {"p10": q[0], "p50": q[1], "p90": q[2]}})


#: Per NPV chart: its P10/P50/P90 label boxes and line boxes, in that order.
MEASURE_MARKERS = """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => {
  const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  return {id: d.id, labels: [...d.querySelectorAll('g.annotation')].map(a => [a.textContent, box(a)]),
          lines: [...d.querySelectorAll('.shapelayer path')].map(box)};
})"""


def _check_markers(chart: dict) -> None:
    labels, lines = chart["labels"], chart["lines"]
    assert [t.split()[0] for t, _ in labels] == ["P10", "P50", "P90"], chart
    assert len(lines) == 3, chart
    boxes = [b for _, b in labels]
    for i, (a, (x0, y0, x1, _)) in enumerate(zip(boxes, lines, strict=True)):
        x = (x0 + x1) / 2
        # tied to its line: touching it (over it, or beside it within 6 px), its top end level
        # with the label
        assert a[0] - 6 <= x <= a[2] + 6, (i, chart)
        assert a[1] - 1 <= y0 <= a[3] + 1, (i, chart)
        for j, b in enumerate(boxes):
            if j != i:  # no two labels meet
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (i, j, chart)
        for j, (u0, v0, u1, v1) in enumerate(lines):
            if j != i:  # no other line crosses the label
                u = (u0 + u1) / 2
                assert not (a[0] < u < a[2] and v0 < a[3] - 1 and a[1] + 1 < v1), (i, j, chart)


@pytest.fixture(scope="module")
def npv_page(figures, example_case, result, tmp_path_factory) -> Path:
    """The example's NPV chart and one with P10, P50 and P90 close together, as the report has them."""
    figs = {"npv-distribution": figures["npv-distribution"],
            "npv-close": charts.npv_distribution(_close_mc(), result)}
    return _board_page(figs, example_case, tmp_path_factory.mktemp("markers") / "npv.html")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 700, 480, "print"])
def test_report_percentile_labels_never_meet(chromium, npv_page: Path, width) -> None:
    drawn = _measure(chromium, npv_page, width, MEASURE_MARKERS)
    assert len(drawn) == 2
    for chart in drawn:
        _check_markers(chart)


@pytest.mark.browser
def test_form_percentile_labels_never_meet_at_the_narrowest_column(chromium, result, tmp_path) -> None:
    path = _form_page({"close": charts.npv_distribution(_close_mc(), result)}, tmp_path / "form.html")
    (chart,) = _measure(chromium, path, charts.NARROW_WIDTH_PX + 40, MEASURE_MARKERS)
    _check_markers(chart)


# --------------------------------------------------------------------------- print pagination


@pytest.fixture(scope="module")
def full_report(example_case, result, scenarios, tmp_path_factory) -> Path:
    """The whole report, every section of the report notebook shown in order, exported by the board
    template: the sections run here (their display calls collected), no kernel."""
    import re

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    ctx = ReportContext(
        case=example_case, scenario="expected", result=result, results=scenarios,
        sensitivity=sensitivity(example_case), monte_carlo=monte_carlo(example_case, draws=400, seed=3),
    )
    shown: list[dict] = []
    cells = [new_code_cell("", outputs=[new_output(
        "display_data", data={display.META_MIMETYPE: report_meta(example_case, "expected")})])]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(display, "_publish", lambda data: shown.append(dict(data)))
        for cell in nbformat.read(report.notebook_path(), as_version=4).cells:
            name = re.search(r'^section\(ctx, "(\w+)"\)', cell.source, re.M)
            if cell.cell_type == "markdown":
                cells.append(cell)
            elif name:
                shown.clear()
                section(ctx, name.group(1))
                cells.append(new_code_cell("", outputs=[new_output("display_data", data=d)
                                                        for d in shown]))
    path = tmp_path_factory.mktemp("print") / "report.html"
    path.write_text(report.export_html(new_notebook(cells=cells)), encoding="utf-8")
    return path


#: Per section heading: its text, the first line of what follows it, and the titles of its charts
#: with the text each chart draws (tick labels, legend), all as the printed page lays them out.
MEASURE_SECTIONS = """() => [...document.querySelectorAll('.jp-MarkdownCell h2')].map(h => {
  const next = h.closest('.jp-Cell').nextElementSibling;
  return {heading: h.innerText.trim(),
          first: next.innerText.trim().split('\\n')[0].trim(),
          charts: [...next.querySelectorAll('figure.roi-chart')].map(f => ({
            title: f.querySelector('.roi-chart__title').innerText.trim(),
            drawn: [...f.querySelectorAll('.ytick text, .legendtext')].map(t => t.textContent)}))};
})"""


def _bare(text: str) -> str:
    """Text without whitespace or hyphens: pdftotext breaks lines its own way and joins a word
    hyphenated at a line's end ("run-rate" → "runrate")."""
    return "".join(text.split()).replace("-", "")


def _pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (poppler's pdftotext), :func:`_bare`."""
    import subprocess

    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [_bare(page) for page in out.stdout.split("\f")]


def _page_of(pages: list[str], text: str, start: int = 1) -> int:
    """The first page from page ``start`` on (numbered from 1) that shows ``text``."""
    found = [i for i, page in enumerate(pages) if i + 1 >= start and _bare(text) in page]
    assert found, f"{text!r} is on no page from page {start}"
    return found[0] + 1


@pytest.fixture(scope="module")
def printed(full_report: Path) -> Path:
    """:func:`full_report` printed to PDF as ``roi-kit report --pdf`` prints it."""
    return report.print_pdf(full_report, full_report.with_suffix(".pdf"))


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/pdftotext").exists(), reason="no pdftotext (poppler-utils)")
def test_printed_sections_keep_heading_text_and_charts_on_one_page(
    chromium, full_report: Path, printed: Path
) -> None:
    pdf = printed
    page = chromium.new_page(viewport=report.PRINT_VIEWPORT)
    try:
        page.goto(full_report.as_uri(), wait_until="load")
        report.wait_for_charts(page)
        page.emulate_media(media="print")
        sections = page.evaluate(MEASURE_SECTIONS)
    finally:
        page.close()
    pages = _pages(pdf)
    import nbformat

    headings = [c for c in nbformat.read(report.notebook_path(), as_version=4).cells
                if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert len(sections) == len(headings) and sum(len(s["charts"]) for s in sections) == 6
    where = 1
    for s in sections:
        where = _page_of(pages, s["heading"], where)
        # never a heading left alone at a page's foot: what follows it starts on its page
        assert _page_of(pages, s["first"], where) == where, s
        for chart in s["charts"]:
            # every chart of a section on the heading's page, its caption with it
            assert _page_of(pages, chart["title"], where) == where, (s["heading"], chart["title"])
            drawn = [_bare(t) for t in chart["drawn"]]
            assert drawn and all(t in pages[where - 1] for t in drawn), chart
    # printed at the page's scale: chromium shrinks every page when anything is wider than one
    heading = page_text_size(pdf, sections[0]["heading"].split()[0])
    assert heading == pytest.approx(28 * 0.75, rel=0.1)  # an h2 is 28 px = 21 pt


def page_text_size(pdf: Path, word: str) -> float:
    """The height in points of the first occurrence of ``word`` in ``pdf`` (pdftotext -bbox)."""
    import re
    import subprocess

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    found = re.search(rf'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{re.escape(word)}<', out)
    assert found, word
    return (float(found.group(2)) - float(found.group(1))) / 1.16  # line box to font size


@pytest.mark.browser
def test_charts_are_back_at_the_window_width_after_printing(chromium, full_report: Path) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(full_report.as_uri(), wait_until="load")
        report.wait_for_charts(page)
        heights = page.evaluate(CHART_HEIGHTS)
        page.pdf(format="A4", landscape=True, prefer_css_page_size=True)
        page.wait_for_timeout(200)
        page.set_viewport_size({"width": 800, "height": 900})  # and still follow the window
        page.wait_for_timeout(600)
        widths = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')]
            .map(d => [d.clientWidth, d.querySelector('.main-svg').getBoundingClientRect().width])""")
        after = page.evaluate(CHART_HEIGHTS)
    finally:
        page.close()
    assert widths and all(abs(div - svg) <= 1 and div < 800 for div, svg in widths), widths
    # printed, a chart takes the height its page has to spare; on screen it has its own again
    assert after == heights


#: Each chart's height as the div and as plotly drew it.
CHART_HEIGHTS = """() => [...document.querySelectorAll('.plotly-graph-div')]
    .map(d => [d.id, d.clientHeight, Math.round(d.querySelector('.main-svg').getBoundingClientRect().height)])"""


#: The @page rule of the board stylesheet: A4 landscape, 14 mm above the content, 16 mm below.
PAGE_MM, TOP_MM, BOTTOM_MM = 210, 14, 16


def _ink_rows(png: Path) -> list[int]:
    """The pixel rows of a page rendering that hold any ink (a pixel darker than light grey)."""
    from PIL import Image

    image = Image.open(png).convert("L")
    width, height = image.size
    pixels = image.load()
    return [y for y in range(height) if any(pixels[x, y] < 200 for x in range(0, width, 2))]


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/pdftoppm").exists(), reason="no pdftoppm (poppler-utils)")
def test_printed_charts_use_their_pages_height(
    chromium, full_report: Path, printed: Path, tmp_path
) -> None:
    import subprocess

    page = chromium.new_page(viewport=report.PRINT_VIEWPORT)
    try:
        page.goto(full_report.as_uri(), wait_until="load")
        report.wait_for_charts(page)
        page.emulate_media(media="print")
        # the charts printed full width; one set beside a table keeps its own height
        titles = page.evaluate("""() => [...document.querySelectorAll('figure.roi-chart')]
            .filter(f => getComputedStyle(f.closest('.jp-OutputArea')).display !== 'grid')
            .map(f => f.querySelector('.roi-chart__title').innerText.trim())""")
    finally:
        page.close()
    pages = _pages(printed)
    chart_pages = sorted({_page_of(pages, title) for title in titles})
    assert len(titles) == 5 and len(chart_pages) == 5
    for number in chart_pages:
        subprocess.run(["pdftoppm", "-gray", "-png", "-r", "40", "-f", str(number), "-l", str(number),
                        str(printed), str(tmp_path / f"page{number}")], check=True)
        (png,) = tmp_path.glob(f"page{number}*.png")
        from PIL import Image

        height = Image.open(png).height
        top, bottom = height * TOP_MM / PAGE_MM, height * (PAGE_MM - BOTTOM_MM) / PAGE_MM
        content = [y for y in _ink_rows(png) if top <= y < bottom]  # not the page's foot line
        assert content, number
        # the chart reaches into the lowest fifth of the printable area, not stopping half-way
        reach = (max(content) - top) / (bottom - top)
        assert reach >= 0.8, (number, round(reach, 2))


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/pdftotext").exists(), reason="no pdftotext (poppler-utils)")
def test_every_printed_page_of_the_register_carries_its_title_and_column_headings(
    full_report: Path, printed: Path
) -> None:
    import re

    page_html = full_report.read_text(encoding="utf-8")
    table = re.search(r'<table class="roi-table roi-assumptions">.*?</table>', page_html, re.S).group(0)
    title = html.unescape(re.search(r"<caption>(.*?)</caption>", table).group(1))
    columns = re.findall(r'<th[^>]*scope="col"[^>]*>([^<]*)</th>', table.split("</thead>")[0])
    paths = [html.unescape(p) for p in re.findall(r'<code class="note">([^<]+)</code>', table)]
    assert len(columns) == 5 and len(paths) > 50
    pages = _pages(printed)
    held = [i + 1 for i, page in enumerate(pages) if sum(_bare(p) in page for p in paths) >= 3]
    assert len(held) >= 2, held  # the register runs over pages, the case for this test
    for number in held:
        text = pages[number - 1].casefold()
        assert _bare(title).casefold() in text, f"page {number}: no register title"
        # pdftotext reads the header row in its own order: each heading, wherever on the page
        missing = [c for c in columns if _bare(c).casefold() not in text]
        assert not missing, f"page {number}: no column headings {missing}"


def _outline_titles(pdf: bytes) -> set[str]:
    """The /Title strings of a PDF written by chromium (Skia): literal, or UTF-16 hex."""
    import re

    found = {m.decode("latin-1") for m in re.findall(rb"/Title \(((?:[^)\\]|\\.)*)\)", pdf)}
    found |= {bytes.fromhex(m.decode()).decode("utf-16") for m in re.findall(rb"/Title <(FEFF[0-9A-F]*)>", pdf)}
    return found


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/pdfinfo").exists(), reason="no pdfinfo (poppler-utils)")
def test_the_pdf_carries_the_reports_title_tags_and_an_outline_of_its_sections(
    full_report: Path, printed: Path
) -> None:
    import re
    import subprocess

    page_html = full_report.read_text(encoding="utf-8")
    title = html.unescape(re.search(r"<title>(.*?)</title>", page_html).group(1))
    info = dict(line.split(":", 1) for line in subprocess.run(
        ["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout.splitlines())
    assert " — " in title and info["Title"].strip() == title
    assert info["Tagged"].strip() == "yes"
    data = printed.read_bytes()
    assert b"/Outlines" in data
    headings = [html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
                for h in re.findall(r"<h2[^>]*>(.*?)<a", page_html, re.S)]
    assert len(headings) >= 10
    assert set(headings) <= _outline_titles(data)
