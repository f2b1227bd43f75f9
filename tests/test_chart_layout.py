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

from roi_kit import charts, display, monte_carlo, report, sensitivity

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
        out.append((fig.layout.title.text, charts.TITLE_SIZE, True))
        out.append((fig.layout.title.subtitle.text, charts.SUBTITLE_SIZE, False))
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
        lines = charts.wrap(title, 412, 20, bold=True)
        assert lines == ["Net present value of", "$3.9M over 36 months"]

    @given(
        st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzM$%0123456789.,", min_size=1,
                         max_size=14), min_size=1, max_size=25),
        st.integers(min_value=120, max_value=1000),
    )
    def test_lines_keep_every_word_fit_and_are_as_few_as_fit(self, words, width) -> None:
        lines = charts.wrap(" ".join(words), width, 13)
        assert " ".join(lines).split() == words
        for line in lines:  # a line fits, unless it is one word wider than the width
            assert " " not in line or charts.text_width(line, 13) <= width
        assert len(lines) == len(_greedy(words, width))  # as few lines as filling each in turn

    def test_nothing_to_wrap(self) -> None:
        assert charts.wrap("  ", 300, 13) == []


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
    @pytest.mark.parametrize("width", [charts.NARROW_WIDTH_PX, 700, charts.REPORT_WIDTH_PX])
    def test_lines_fit_and_the_plot_keeps_its_height(self, figures, width: int) -> None:
        for name, fig in figures.items():
            fitted = charts.fit_width(fig, width, height=340)
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
        wide = charts.fit_width(fig, charts.REPORT_WIDTH_PX)
        narrow = charts.fit_width(fig, charts.NARROW_WIDTH_PX)
        assert narrow.layout.title.text.count("<br>") > wide.layout.title.text.count("<br>")
        assert narrow.layout.margin.t > wide.layout.margin.t

    def test_refitting_starts_from_the_unbroken_text(self, figures) -> None:
        fig = figures["cost-curve"]
        twice = charts.fit_width(charts.fit_width(fig, 420), charts.REPORT_WIDTH_PX)
        assert twice.layout.title.text == fig.layout.title.text


class TestCaption:
    def test_the_report_shows_title_and_subtitle_as_html_and_the_plot_draws_none(
        self, figures
    ) -> None:
        fig = figures["waterfall"]
        text = display.figure_html(fig, "waterfall")
        caption = charts.caption_html(fig)
        assert text.startswith(f'<figure class="roi-chart" data-chart="waterfall">{caption}<div')
        assert f'<span class="roi-chart__title">{fig.layout.title.text}</span>' in caption
        assert fig.layout.title.subtitle.text in caption
        bare = charts.without_title(fig)
        assert not bare.layout.title.text and not bare.layout.title.subtitle.text
        # the plot keeps its height: the figure lost what the top margin lost
        top = fig.layout.margin.t or charts.TOP_MARGIN  # the theme's, unless the chart set one
        assert bare.layout.height - bare.layout.margin.t == fig.layout.height - top

    def test_user_text_is_escaped_once(self, result) -> None:
        fig = charts.segments(result)
        fig.update_layout(title_text=charts._text(HOSTILE), title_subtitle_text=HOSTILE)
        caption = charts.caption_html(fig)
        assert "<script" not in caption and "<img" not in caption
        # the escaped title reads as the user's text, not as "&amp;lt;"
        assert html.escape(HOSTILE, quote=False) in caption

    def test_no_title_no_caption(self) -> None:
        import plotly.graph_objects as go

        assert charts.caption_html(go.Figure()) == ""


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
def chromium():
    if not Path(report.CHROMIUM).exists():
        pytest.skip(f"no chromium at {report.CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=report.CHROMIUM, args=list(report.CHROMIUM_ARGS))
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report_page(figures, example_case, tmp_path_factory) -> Path:
    """The charts exported by the board template under their section headings (no kernel)."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def shown(data: dict) -> object:
        return new_code_cell("", outputs=[new_output("display_data", data=data)])

    cells = [shown({display.META_MIMETYPE: report.report_meta(example_case, "expected")})]
    for name, fig in figures.items():
        cells += [new_markdown_cell(f"## Section on {name}"),
                  shown({"text/html": display.figure_html(fig, name)})]
    path = tmp_path_factory.mktemp("layout") / "charts.html"
    path.write_text(report.export_html(new_notebook(cells=cells)), encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 700, 480, "print"])
def test_report_titles_are_flush_with_headings_and_clear_of_subtitles(
    chromium, report_page: Path, width
) -> None:
    viewport = report.PRINT_VIEWPORT if width == "print" else {"width": width, "height": 900}
    page = chromium.new_page(viewport=viewport)
    try:
        page.goto(report_page.as_uri(), wait_until="load")
        report.wait_for_charts(page)
        if width == "print":
            page.emulate_media(media="print")
            page.wait_for_timeout(200)  # plotly redraws at the print width
        charts_ = page.evaluate(MEASURE_REPORT)
    finally:
        page.close()
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
    import plotly.io as pio

    from roi_kit import bundle

    width = charts.NARROW_WIDTH_PX
    divs = "".join(
        f'<div style="width:{width}px">'
        + pio.to_html(charts.fit_width(fig, width, height=340), full_html=False,
                      include_plotlyjs=False, div_id=name, config=charts.CONFIG,
                      default_width="100%", default_height="100%")
        + "</div>"
        for name, fig in figures.items()
    )
    path = tmp_path / "form.html"
    path.write_text(f"<html><head><script>{bundle.plotlyjs()}</script></head>"
                    f"<body style='margin:0'>{divs}</body></html>", encoding="utf-8")
    page = chromium.new_page(viewport={"width": width + 40, "height": 900})
    try:
        page.goto(path.as_uri(), wait_until="load")
        report.wait_for_charts(page)
        drawn = page.evaluate(MEASURE_FORM)
    finally:
        page.close()
    assert len(drawn) == 6
    for d in drawn:
        title, subtitle, div = d["title"], d["subtitle"], d["div"]
        assert div[0] - 0.5 <= title[0] <= div[0] + 2, d  # flush with the column
        assert title[2] <= div[2] and subtitle[2] <= div[2], d  # nothing runs off the chart
        assert title[1] >= div[1] - 0.5, d  # nor off its top
        assert _apart(title, subtitle), d
        below = d["legend"] if d["legend"] and d["legend"][1] < d["plot"][1] else d["plot"]
        assert _apart(subtitle, below), d
