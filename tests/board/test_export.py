"""roi_kit.board.export: papermill execution, the board export, atomic writes, the reference snapshot.

Kernel runs are the cost here (≈2 s each), so each notebook runs once per module and the tests
read its output.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import papermill
import pytest

from roi_kit.board import export as report
from roi_kit.board.display import META_MIMETYPE
from roi_kit.board.sections import REQUIRED_CHARTS, SECTIONS, kpis
from roi_kit.errors import ReportError, RoiKitError
from roi_kit.model.result import evaluate
from roi_kit.page import bundle

HERE = Path(__file__).resolve().parents[1]
FIXTURE = HERE / "notebooks" / "fixture_report.ipynb"
FAILING = HERE / "notebooks" / "failing_report.ipynb"
SNAPSHOT = HERE / "snapshots" / "report_example.json"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def visible_text(page: str) -> str:
    """The page's text as a reader sees it: no head, scripts or tags; entities decoded."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<script\b.*?</script>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def fixture_nb() -> nbformat.NotebookNode:
    """The fixture notebook executed by papermill with hostile injected parameters."""
    return papermill.execute_notebook(
        str(FIXTURE),
        None,
        parameters={"unit": SCRIPT, "title": IMG, "source_note": f"{SCRIPT} {IMG}"},
        kernel_name="python3",
        progress_bar=False,
    )


@pytest.fixture(scope="module")
def fixture_html(fixture_nb: nbformat.NotebookNode) -> str:
    return report.export_html(fixture_nb, generated_at=WHEN)


class TestNotebookParameters:
    def test_case_path_is_made_absolute(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        params = report.notebook_parameters("cases/emea.yaml", scenario="optimistic")
        assert params == {
            "case_path": str(tmp_path / "cases" / "emea.yaml"),
            "case": {},
            "scenario": "optimistic",
        }

    def test_inline_case(self) -> None:
        params = report.notebook_parameters(case={"unit": "EMEA"})
        assert params == {"case_path": "", "case": {"unit": "EMEA"}, "scenario": "expected"}

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({}, "exactly one of case_path or case"),
            ({"case_path": "a.yaml", "case": {"unit": "x"}}, "exactly one of case_path or case"),
            ({"case_path": "a.yaml", "scenario": "best"}, "'best' is not one of conservative"),
        ],
    )
    def test_refused(self, kwargs: dict, message: str) -> None:
        with pytest.raises(ReportError, match=message):
            report.notebook_parameters(**kwargs)

    def test_they_are_the_notebooks_parameters(self) -> None:
        inferred = papermill.inspect_notebook(str(report.notebook_path()))
        assert set(inferred) == set(report.notebook_parameters(case={"unit": "x"}))


class TestReportNotebook:
    def test_committed_without_outputs(self) -> None:
        nb = nbformat.read(report.notebook_path(), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code)
        assert code[0].metadata.get("tags") == ["parameters"]

    def test_every_section_is_called_once_in_order(self) -> None:
        nb = nbformat.read(report.notebook_path(), as_version=4)
        called = re.findall(
            r'^section\(ctx, "(\w+)"\)', "\n".join(c.source for c in nb.cells), re.M
        )
        assert called == list(SECTIONS)


class TestExportHtml:
    def test_plotlyjs_once_in_head(self, fixture_html: str) -> None:
        head, body = fixture_html.split("</head>", 1)
        source = bundle.plotlyjs()
        assert fixture_html.count(source) == 1
        assert source in head
        assert "Plotly.newPlot" not in head and body.count("Plotly.newPlot(") == 2

    def test_no_network_reference(self, fixture_html: str) -> None:
        without_bundle = fixture_html.replace(bundle.plotlyjs(), "")
        tags = re.findall(r"<[a-zA-Z][^>]*>", without_bundle)
        refs = [
            m for tag in tags for m in re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"' >]+)""", tag)
        ]
        assert [r for r in refs if not r.startswith("#")] == []
        for word in ("require.js", "requirejs", "mathjax", "mermaid", "cdn.", "googleapis"):
            assert word not in without_bundle.lower(), word

    def test_no_code_no_prompts(self, fixture_html: str) -> None:
        assert "publish_meta" not in fixture_html
        assert "show_figure(" not in fixture_html
        assert "jp-CodeMirrorEditor" not in fixture_html
        assert 'class="jp-InputPrompt' not in fixture_html
        assert not re.search(r"(In|Out)&nbsp;\[", fixture_html)

    def test_meta_output_is_not_shown(self, fixture_html: str) -> None:
        assert META_MIMETYPE not in fixture_html

    def test_deterministic_chart_ids(self, fixture_html: str) -> None:
        assert report.chart_ids(fixture_html) == ["roi-chart-bars", "roi-chart-lines"]

    def test_footer(self, fixture_html: str) -> None:
        footer = visible_text(fixture_html.split('<footer class="roi-footer">', 1)[1])
        assert "roi_kit fixture" in footer
        assert "0" * 64 in footer
        assert "Generated 2026-11-22 09:30 UTC" in footer

    def test_every_printed_page_carries_the_provenance(self, fixture_html: str) -> None:
        head = fixture_html.split("</head>", 1)[0]
        page_rule = re.search(r"@page \{.*?@bottom-center \{(.*?)\}", head, re.S)
        assert page_rule, "no @page rule with a bottom-centre box in <head>"
        assert "0" * 64 in page_rule.group(1) and "2026-11-22 09:30 UTC" in page_rule.group(1)
        assert "@media print { .roi-footer { display: none; } }" in head

    def test_cover(self, fixture_html: str) -> None:
        cover = visible_text(
            fixture_html.split('<header class="roi-cover">', 1)[1].split("</header>")[0]
        )
        for text in ("Scenario expected", "Date 22 November 2026", "Currency USD", SCRIPT, IMG):
            assert text in cover

    def test_hostile_text_is_escaped_everywhere(self, fixture_html: str) -> None:
        without_bundle = fixture_html.replace(bundle.plotlyjs(), "")
        assert SCRIPT not in without_bundle
        assert "<img" not in without_bundle
        assert (
            without_bundle.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
        )  # title, cover, table, text

    def test_same_notebook_same_html(
        self, fixture_nb: nbformat.NotebookNode, fixture_html: str
    ) -> None:
        assert report.export_html(fixture_nb, generated_at=WHEN) == fixture_html

    def test_nbconverts_soup_pass_would_change_only_the_spelling(
        self, fixture_nb: nbformat.NotebookNode, fixture_html: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The board exporter skips HTMLExporter's last step (BeautifulSoup re-reading the page
        to add alt text and tabindex): on the board page that step adds nothing; what it wrote
        is exactly this page written out by BeautifulSoup."""
        from bs4 import BeautifulSoup
        from nbconvert import HTMLExporter

        board = type(report._exporter(None))  # the instance export_html uses
        monkeypatch.setattr(board, "from_notebook_node", HTMLExporter.from_notebook_node)
        stock = report.export_html(fixture_nb, generated_at=WHEN)
        assert stock != fixture_html  # the pass did run
        assert str(BeautifulSoup(fixture_html, features="html.parser")) == stock

    def test_input_notebook_untouched(self, fixture_nb: nbformat.NotebookNode) -> None:
        metas = [
            o
            for c in fixture_nb.cells
            for o in c.get("outputs", [])
            if META_MIMETYPE in o.get("data", {})
        ]
        assert len(metas) == 1

    def test_notebook_without_meta_is_refused(self, fixture_nb: nbformat.NotebookNode) -> None:
        nb = nbformat.from_dict(json.loads(json.dumps(fixture_nb)))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if META_MIMETYPE not in o.get("data", {})]
        with pytest.raises(ReportError, match="published no report metadata"):
            report.export_html(nb)

    def test_notebook_with_an_error_output_is_refused(
        self, fixture_nb: nbformat.NotebookNode
    ) -> None:
        nb = nbformat.from_dict(json.loads(json.dumps(fixture_nb)))
        nb.cells[-1].outputs.append(
            nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[])
        )
        with pytest.raises(ReportError, match=r"error output \(ValueError: bad\)"):
            report.export_html(nb)

    def test_kernel_chatter_stays_off_the_page(self, fixture_nb: nbformat.NotebookNode) -> None:
        # a warm and a cold kernel differ in what they print to stderr and in the parameter
        # cells; the page must not (it once differed by an output wrapper around a warning)
        nb = nbformat.from_dict(json.loads(json.dumps(fixture_nb)))
        code = [c for c in nb.cells if c.cell_type == "code"]
        code[0].metadata["tags"] = ["injected-parameters"]
        quiet = report.export_html(nb, generated_at=WHEN)
        code[0].outputs.append(nbformat.v4.new_output("stream", name="stdout", text="PARAMS-ECHO"))
        code[-1].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="KERNEL-WARNING"))
        assert report.export_html(nb, generated_at=WHEN) == quiet

    def test_duplicate_chart_names_are_refused(self, fixture_nb: nbformat.NotebookNode) -> None:
        nb = nbformat.from_dict(json.loads(json.dumps(fixture_nb)))
        chart_cell = next(
            c for c in nb.cells if "roi-chart-bars" in json.dumps(c.get("outputs", []))
        )
        chart_cell.outputs = chart_cell.outputs * 2
        with pytest.raises(
            ReportError, match="chart ids appear twice in one report: roi-chart-bars"
        ):
            report.export_html(nb)


class TestBundleFallback:
    def test_missing_bundle_falls_back_to_plotlys_own_with_a_warning(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from plotly.offline import get_plotlyjs

        monkeypatch.setattr(bundle, "find_bundle", lambda target=None: None)
        bundle.plotlyjs.cache_clear()
        try:
            with pytest.warns(UserWarning, match="embedding plotly's full"):
                source = bundle.plotlyjs()
            assert len(source) == len(get_plotlyjs())
        finally:
            bundle.plotlyjs.cache_clear()

    def test_fetched_bundle_is_the_small_one(self) -> None:
        path = bundle.find_bundle()
        if path is None:
            pytest.skip("finance bundle not fetched: run scripts/fetch_plotly_bundle.py")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert bundle.plotlyjs() == path.read_text(encoding="utf-8")
        assert len(bundle.plotlyjs()) < 1_500_000


class TestAtomic:
    def test_failing_execution_leaves_no_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from roi_kit.case import EXAMPLE

        monkeypatch.setenv("ROI_KIT_NOTEBOOK", str(FAILING))
        out = tmp_path / "reports" / "emea.html"
        with pytest.raises(
            ReportError, match=r"failed in cell \d+: RuntimeError: the report notebook broke"
        ):
            report.render(EXAMPLE, output=out, pdf=True)
        assert not out.parent.exists() or list(out.parent.iterdir()) == []

    def test_bad_case_fails_before_any_kernel(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text("unit: EMEA-2\nbaseline: {contacts_per_year: 1000, abandon_rate: 6}\n")
        with pytest.raises(RoiKitError, match="abandon_rate"):
            report.render(bad, output=tmp_path / "bad.html")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


# --------------------------------------------------------------------------- the reference case


@pytest.fixture(scope="module")
def example_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The reference case through the cold single run (papermill → export → atomic write)."""
    from roi_kit.case import EXAMPLE

    out = tmp_path_factory.mktemp("example") / "example.html"
    assert report.render(EXAMPLE, output=out) == out
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example_result():
    from roi_kit.case import EXAMPLE, load_case
    pass

    return evaluate(load_case(EXAMPLE), scenario="expected")


def kpi_tiles(page: str) -> dict[str, str]:
    """The KPI strip as the reader sees it: label -> value."""
    strip = page.split('<div class="roi-kpis">', 1)[1].split("</div></div>")[0] + "</div>"
    pairs = re.findall(
        r'roi-kpi__label">([^<]*)</span><span class="roi-kpi__value">([^<]*)</span>', strip
    )
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


@pytest.mark.slow
class TestReferenceReport:
    def test_every_chart_present_once(self, example_html: str) -> None:
        ids = report.chart_ids(example_html)
        # the example case has segments, so the segments chart is there too
        expected = ["roi-chart-segments"] + [f"roi-chart-{n}" for n in REQUIRED_CHARTS]
        assert sorted(ids) == sorted(expected)
        assert example_html.count("Plotly.newPlot(") == len(expected)

    def test_sections_in_order(self, example_html: str) -> None:
        text = visible_text(example_html)
        headings = re.findall(r"<h2[^>]*>(.*?)<a", example_html)
        assert headings[0] == "Executive summary" and headings[-1] == "Methodology"
        assert text.index("Executive summary") < text.index("Assumptions register")

    def test_key_numbers_match_the_engine(self, example_html: str, example_result) -> None:
        # the KPI tiles show the engine's summary formatted as the headline formats it
        assert kpi_tiles(example_html) == dict(kpis(example_result))
        headline = visible_text(example_html.split('class="roi-headline">', 1)[1].split("</p>")[0])
        tiles = kpi_tiles(example_html)
        for label in ("Net present value", "Risk-adjusted ROI"):
            assert tiles[label] in headline
        assert tiles["Payback"].lower() in headline

    def test_key_numbers_match_the_snapshot(self, example_html: str) -> None:
        # tests/snapshots/report_example.json was written by hand from `roi-kit evaluate
        # templates/cases/example.yaml`; a change here is a change of the reference figures
        snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
        assert kpi_tiles(example_html) == snapshot["kpis"]
        assert snapshot["input_hash"] in visible_text(example_html)

    def test_size_with_the_finance_bundle(self, example_html: str) -> None:
        if bundle.find_bundle() is None:
            pytest.skip("finance bundle not fetched: run scripts/fetch_plotly_bundle.py")
        assert len(example_html.encode()) <= 1_500_000

    def test_hostile_case_runs_under_papermill_with_injected_parameters(self) -> None:
        from roi_kit.case import EXAMPLE, read_case_file

        data = read_case_file(EXAMPLE)
        data.update(unit=SCRIPT, title=IMG)
        data["sources"] = {**data.get("sources", {}), "baseline.churn_rate": f"{SCRIPT} {IMG}"}
        nb = report.execute(report.notebook_parameters(case=data, scenario="conservative"))
        page = report.export_html(nb, generated_at=WHEN)
        without_bundle = page.replace(bundle.plotlyjs(), "")
        assert SCRIPT not in without_bundle and "<img" not in without_bundle
        text = visible_text(page)
        assert text.count(SCRIPT) >= 3  # cover, baseline caption, assumptions register
        assert f"{SCRIPT} {IMG}" in text  # the source note, as text
        assert "Scenario conservative" in text


def test_a_board_template_missing_a_file_is_a_report_error_naming_it(
    fixture_nb: nbformat.NotebookNode, tmp_path: Path
) -> None:
    """jinja2's TemplateNotFound is an OSError: the command line read it as "cannot be written"."""
    import shutil

    from roi_kit.page.resources import REPORT_TEMPLATE, template_dir

    shutil.copytree(template_dir() / REPORT_TEMPLATE, tmp_path / REPORT_TEMPLATE)
    (tmp_path / REPORT_TEMPLATE / "static" / "board.css").unlink()
    with pytest.raises(ReportError, match=r"the board template is incomplete: .*board\.css is missing"):
        report.export_html(fixture_nb, generated_at=WHEN, templates=tmp_path)
