"""roi_kit.board.display: deterministic, offline chart HTML with nothing carried between reports."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from roi_kit.board import display
from roi_kit.errors import ReportError
from roi_kit.page.bundle import ALLOWED_TRACES, check_figure, pick_version
from roi_kit.page.html import chart_id


def bars(title: str = "Bars") -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout_title_text=title)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """What the display calls hand to IPython, one mime bundle per call."""
    out: list[dict] = []
    monkeypatch.setattr(display, "_publish", lambda data: out.append(dict(data)))
    return out


class TestChartId:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("waterfall", "roi-chart-waterfall"),
            ("Payback timeline", "roi-chart-payback-timeline"),
            ('"><script>x</script>', "roi-chart-script-x-script"),
        ],
    )
    def test_slug(self, name: str, expected: str) -> None:
        assert chart_id(name) == expected


class TestFigureHtml:
    def test_div_id_is_the_chart_name_not_a_uuid(self) -> None:
        text = display.figure_html(bars(), "cost curve")
        assert re.findall(r'\bid="([^"]+)"', text) == ["roi-chart-cost-curve"]
        assert 'Plotly.newPlot(                        "roi-chart-cost-curve"' in text

    def test_same_figure_same_html(self) -> None:
        # a uuid or a per-process counter would differ between the two calls
        assert display.figure_html(bars(), "x") == display.figure_html(bars(), "x")

    def test_no_plotlyjs_no_mathjax_no_network(self) -> None:
        text = display.figure_html(bars(), "x")
        assert len(text) < 20_000  # the 1.3 MB bundle is not in it
        assert "mathjax" not in text.lower()
        assert "cdn" not in text.lower()
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)

    def test_config_has_no_logo_and_is_responsive(self) -> None:
        text = display.figure_html(bars(), "x")
        assert '"displaylogo": false' in text
        assert '"responsive": true' in text

    def test_unaffected_by_plotly_defaults_a_previous_report_left(self) -> None:
        before = display.figure_html(bars(), "x")
        renderer, template = pio.renderers.default, pio.templates.default
        try:
            pio.renderers.default = "plotly_mimetype"  # what papermill kernels start with
            pio.templates.default = "plotly"
            assert display.figure_html(bars(), "x") == before
        finally:
            pio.renderers.default, pio.templates.default = renderer, template

    def test_user_text_in_the_figure_cannot_close_the_script(self) -> None:
        text = display.figure_html(bars("</script><script>alert(1)</script>"), "x")
        assert "</script><script>alert(1)" not in text

    def test_trace_outside_the_bundle_is_refused(self) -> None:
        fig = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]))
        with pytest.raises(ReportError, match=r"chart 'heat': trace type heatmap .* use one of"):
            display.figure_html(fig, "heat")


class TestShow:
    def test_show_figure_is_html_only(self, published: list[dict]) -> None:
        display.show_figure(bars(), "waterfall")
        assert [list(p) for p in published] == [["text/html"]]
        assert 'id="roi-chart-waterfall"' in published[0]["text/html"]

    def test_show_markdown_shows_html_as_text(self, published: list[dict]) -> None:
        display.show_markdown('**NPV** for <script>alert(1)</script> & "co"')
        assert published == [
            {"text/markdown": '**NPV** for &lt;script&gt;alert(1)&lt;/script&gt; &amp; "co"'}
        ]

    def test_show_html_passes_the_fragment(self, published: list[dict]) -> None:
        display.show_html("<table><tr><td>1</td></tr></table>")
        assert published == [{"text/html": "<table><tr><td>1</td></tr></table>"}]

    def test_meta_is_its_own_mimetype(self, published: list[dict]) -> None:
        display.publish_meta({"unit": "EMEA", "input_hash": "ab"})
        assert published == [{display.META_MIMETYPE: {"unit": "EMEA", "input_hash": "ab"}}]


class TestBundle:
    @pytest.mark.parametrize(
        ("target", "available", "expected"),
        [
            ("4.1.1", ["3.7.0", "4.1.0", "4.2.0"], "4.1.0"),
            ("4.1.1", ["4.1.0", "4.1.1", "4.1.2"], "4.1.1"),
            ("3.0.3", ["2.35.2", "3.0.1", "3.7.0"], "3.0.1"),
        ],
    )
    def test_pick_version_matches_major_minor_newest_patch_not_above(
        self, target: str, available: list[str], expected: str
    ) -> None:
        assert pick_version(target, available) == expected

    def test_no_matching_release_is_an_error(self) -> None:
        with pytest.raises(ReportError, match=r"no plotly.js-finance-dist-min release 4\.1\.x"):
            pick_version("4.1.1", ["4.0.3", "4.2.0"])

    def test_the_charts_module_uses_only_bundled_traces(self) -> None:
        assert {"bar", "scatter", "waterfall", "histogram", "pie", "indicator"} <= ALLOWED_TRACES
        check_figure(go.Figure([go.Waterfall(y=[1]), go.Bar(y=[1]), go.Scatter(y=[1])]))
