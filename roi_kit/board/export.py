"""The board report, from the caller's side: papermill parameters, execute, export offline, print to PDF.

:func:`notebook_parameters` (papermill's parameters), :func:`export_html` (an executed notebook →
one self-contained HTML string with the ``templates/board`` template), :func:`render` (the cold
single run behind ``roi-kit report``) and :func:`print_pdf`.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roi_kit.board.display import META_MIMETYPE
from roi_kit.case.files import load_case
from roi_kit.case.schema import SCENARIOS, Case
from roi_kit.errors import ReportError
from roi_kit.page.bundle import plotlyjs
from roi_kit.page.html import CHART_ID_PREFIX
from roi_kit.page.resources import REPORT_TEMPLATE, generation_stamp, notebook_path, template_dir

if TYPE_CHECKING:
    import nbformat



CHROMIUM = os.environ.get("ROI_KIT_CHROMIUM", "/usr/bin/chromium")


CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")


PLOTLYJS_PLACEHOLDER = '<script data-roi-kit="plotlyjs"></script>'


#: Viewport for the PDF: A4 landscape at 96 dpi, so charts lay out at the printed width.
PRINT_VIEWPORT = {"width": 1123, "height": 794}


def notebook_parameters(
    case_path: str | os.PathLike[str] | None = None,
    case: Mapping[str, Any] | None = None,
    scenario: str = "expected",
) -> dict[str, Any]:
    """The papermill parameters of the report notebook: ``case_path``, ``case``, ``scenario``.

    Give exactly one of ``case_path`` (a YAML/JSON file; made absolute, since the kernel may run
    elsewhere) or ``case`` (an inline mapping, e.g. a batch row over a base case; a loaded
    :class:`~roi_kit.case.Case` is accepted and dumped to JSON-safe values).
    """

    if (case_path in (None, "")) == (not case):
        raise ReportError("report parameters: give exactly one of case_path or case")
    if scenario not in SCENARIOS:
        raise ReportError(f"scenario = {scenario!r} is not one of {', '.join(SCENARIOS)}")
    if case and hasattr(case, "model_dump"):
        case = case.model_dump(mode="json")  # type: ignore[union-attr]
    return {
        "case_path": str(Path(case_path).resolve()) if case_path not in (None, "") else "",
        "case": dict(case) if case else {},
        "scenario": scenario,
    }


@cache
def _exporter(templates: str | None = None) -> Any:
    """The board HTMLExporter, built once per process and template folder (building it costs
    more than using it). ``templates`` is a folder holding ``board/`` (default: :func:`template_dir`),
    e.g. the copy a Dask task carried to a worker that shares no disk with the client."""
    from nbconvert import HTMLExporter

    class BoardExporter(HTMLExporter):
        def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
            """nbconvert re-validates the whole notebook against the schema after each of its
            own preprocessors (a dozen times a report, a tenth of its export time); the executed
            notebook was validated when papermill read it and the preprocessors are nbconvert's."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            """HTMLExporter's, without its last step. That step parses the finished page again
            with BeautifulSoup to give ``<img>`` without ``alt`` a placeholder and cells inside
            ``.jp-Notebook`` a ``tabindex``, then writes the page out anew (two fifths of the
            export). The board page has neither (its charts are plotly divs, its cells sit in
            ``main.roi-body``), so there it only re-spelled the same document; a test checks
            that soup's pass over this page changes nothing but the spelling."""
            from nbconvert.exporters.templateexporter import TemplateExporter
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            lang = nb.metadata.get("language_info", {})
            lexer = lang.get("pygments_lexer", lang.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter(
                "highlight_code",
                self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)),
            )
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return BoardExporter(
        template_name=REPORT_TEMPLATE,
        extra_template_basedirs=[templates or str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def prepare_exporter(templates: str | None = None) -> None:
    """Build the board exporter and compile its template now (both kept for the process), e.g.
    before forking workers that will all export."""
    _ = _exporter(templates).template


_EXPORT_LOCK = threading.Lock()


_QUIET_TAGS = {"parameters", "injected-parameters"}


def _split_meta(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """A copy of ``nb`` without the hidden meta outputs, and the meta they carried.

    What the kernel wrote to stderr (warnings, logging) and anything the parameter cells printed
    stay in the executed notebook kept for audit, never on the board page: they depend on the
    machine and the moment, not on the case.
    """

    # a shallow copy: new cells and output lists, the outputs themselves shared (never changed
    # here; nbconvert deep-copies what it is given before its preprocessors touch it)
    from nbformat import NotebookNode

    clean = NotebookNode({k: v for k, v in nb.items() if k != "cells"})
    clean["metadata"] = copy.deepcopy(nb.get("metadata", NotebookNode()))
    clean["cells"] = [NotebookNode(cell) for cell in nb.cells]
    meta: dict[str, Any] | None = None
    for cell in clean.cells:
        if cell.get("cell_type") != "code":
            continue
        quiet = bool(_QUIET_TAGS & set(cell.get("metadata", {}).get("tags", [])))
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and (quiet or output.get("name") == "stderr"):
                continue
            if output.get("output_type") == "error":
                raise ReportError(
                    f"the executed notebook has an error output ({output.get('ename')}: "
                    f"{output.get('evalue')}); export refused"
                )
            data = output.get("data", {})
            if META_MIMETYPE in data:
                meta = dict(data[META_MIMETYPE])
            else:
                kept.append(output)
        cell["outputs"] = kept
    if meta is None:
        raise ReportError(
            "the executed notebook published no report metadata: it must call "
            "roi_kit.board.sections.prepare (or roi_kit.board.display.publish_meta)"
        )
    return clean, meta


def chart_ids(html_text: str) -> list[str]:
    """The ids of the chart divs in an exported report, in page order."""
    import re


    return re.findall(rf'\bid="({re.escape(CHART_ID_PREFIX)}[a-z0-9-]+)"', html_text)


def export_html(
    nb: nbformat.NotebookNode,
    *,
    generated_at: datetime | None = None,
    templates: str | os.PathLike[str] | None = None,
) -> str:
    """One self-contained HTML page from an EXECUTED report notebook, with the board template.

    plotly.js is inlined once in ``<head>`` (:func:`roi_kit.page.bundle.plotlyjs`); no code, no
    prompts, no network reference. The cover and the footer (toolkit version, input hash,
    generation time) come from the notebook's hidden meta output. ``generated_at`` defaults to
    now (UTC); pass it for reproducible output. ``templates``: another folder holding ``board/``.
    """

    clean, meta = _split_meta(nb)
    meta = {**{key: str(value) for key, value in meta.items()}, **generation_stamp(generated_at)}
    clean.metadata["title"] = f"{meta.get('title', '')} — {meta.get('unit', '')}"
    from jinja2 import TemplateNotFound

    try:
        with _EXPORT_LOCK:
            body, _ = _exporter(str(templates) if templates else None).from_notebook_node(clean, resources={"roi_report": meta})
    except TemplateNotFound as error:  # an OSError: it read as "the report cannot be written"
        raise ReportError(
            f"the board template is incomplete: {error.name} is missing (an install without the "
            "template's files, or ROI_KIT_TEMPLATES pointing at the wrong folder)"
        ) from None
    ids = chart_ids(body)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ReportError(f"chart ids appear twice in one report: {', '.join(duplicates)}")
    head, found, tail = body.partition(PLOTLYJS_PLACEHOLDER)
    if not found:
        raise ReportError(f"template {REPORT_TEMPLATE!r} has no plotly.js placeholder")
    return f'{head}<script data-roi-kit="plotlyjs">{plotlyjs()}</script>{tail}'


#: The report kernel keeps no IPython history: a case's parameters would otherwise land in the
#: user's ``~/.ipython/.../history.sqlite``, outside the report's folder.
KERNEL_ARGS = ("--HistoryManager.enabled=False",)


def ipc_kernel_manager(kernel_name: str = "python3") -> tuple[Any, str]:
    """A kernel manager on IPC sockets in a private folder (no TCP port, so no "running over TCP
    without encryption" warning), and that folder (the caller removes it)."""
    from jupyter_client.manager import KernelManager

    sockets = tempfile.mkdtemp(prefix="roi-kit-kernel-")
    km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(sockets, "k"))
    return km, sockets


def execute(params: Mapping[str, Any], *, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Execute the report notebook with papermill (a fresh kernel, on IPC sockets, without
    history); errors become ReportError."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    km, sockets = ipc_kernel_manager()
    try:
        return papermill.execute_notebook(
            str(notebook_path()),
            None,
            parameters=dict(params),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            cwd=str(cwd) if cwd else None,
            km=km,
            extra_arguments=list(KERNEL_ARGS),
        )
    except PapermillExecutionError as error:
        what = f"{error.ename}: {error.evalue}".strip().splitlines()[0]
        raise ReportError(f"report notebook failed in cell {error.exec_count}: {what}") from None
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)


def render(
    case_path_or_case: str | os.PathLike[str] | Mapping[str, Any] | Case,
    *,
    scenario: str = "expected",
    output: str | os.PathLike[str],
    pdf: bool = False,
) -> Path:
    """Case → executed notebook → board HTML at ``output`` (written atomically); optional PDF.

    The case is validated here first, so a bad case fails with its one-line problems before any
    kernel starts. A failing run leaves no output file. With ``pdf=True`` the PDF lands beside
    the HTML (same name, ``.pdf``).
    """
    from roi_kit._io import write_atomic

    if isinstance(case_path_or_case, Mapping) or hasattr(case_path_or_case, "model_dump"):
        case = load_case(
            case_path_or_case.model_dump(mode="json")  # type: ignore[union-attr]
            if hasattr(case_path_or_case, "model_dump")
            else case_path_or_case
        )
        params = notebook_parameters(case=case.model_dump(mode="json"), scenario=scenario)
    else:
        load_case(case_path_or_case)
        params = notebook_parameters(case_path=case_path_or_case, scenario=scenario)
    html_text = export_html(execute(params))
    target = write_atomic(Path(output), html_text)
    if pdf:
        print_pdf(target, target.with_suffix(".pdf"))
    return target


def print_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str]) -> Path:
    """Print a report to PDF through headless chromium (landscape A4, page numbers, charts whole).

    Page numbers and the page size come from the board stylesheet's ``@page`` rules. Network is
    blocked: the page must draw from the file alone. Written atomically. Runs in a worker
    thread, so it also works where an event loop is running (a notebook, another playwright).
    """
    from concurrent.futures import ThreadPoolExecutor

    source = Path(html_path).resolve()
    check_pdf_support()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_pdf, source, Path(pdf_path)).result()


def _print_pdf(source: Path, pdf_path: Path) -> Path:
    from roi_kit._io import write_atomic

    with PdfPrinter() as printer:
        write_atomic(pdf_path, printer.pdf_bytes(source))
    return pdf_path


def check_pdf_support() -> None:
    """Raise one clear :class:`ReportError` when PDFs cannot be printed here (no chromium, no
    playwright), before any work starts."""
    if not Path(CHROMIUM).exists():
        raise ReportError(
            f"--pdf needs chromium at {CHROMIUM} (apt-get install chromium, or set ROI_KIT_CHROMIUM)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        raise ReportError(f"--pdf needs the playwright package ({error}); pip install playwright") from None


class PdfPrinter:
    """One headless chromium kept open, printing report files to PDF one after another.

    A batch worker keeps one (starting chromium costs more than printing a page). Network is
    blocked: a page must draw from its file alone. Use it from one thread (playwright's sync API).
    """

    def __init__(self) -> None:
        self._pw: Any = None
        self._browser: Any = None

    def start(self) -> PdfPrinter:
        if self._browser is None:
            check_pdf_support()
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            try:
                self._browser = self._pw.chromium.launch(
                    executable_path=CHROMIUM, args=list(CHROMIUM_ARGS)
                )
            except BaseException:
                self._pw.stop()
                self._pw = None
                raise
        return self

    def close(self) -> None:
        browser, pw = self._browser, self._pw
        self._browser = self._pw = None
        try:
            if browser is not None:
                browser.close()
        finally:
            if pw is not None:
                pw.stop()

    def __enter__(self) -> PdfPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pdf_bytes(self, source: str | os.PathLike[str]) -> bytes:
        """The PDF of the HTML file ``source`` (landscape A4, the stylesheet's ``@page`` rules)."""
        self.start()
        page = self._browser.new_page(viewport=PRINT_VIEWPORT)
        try:
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith("file:") else route.abort()
                ),
            )
            page.goto(Path(source).resolve().as_uri(), wait_until="load")
            wait_for_charts(page)
            return page.pdf(
                landscape=True,
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                tagged=True,
                outline=True,
            )
        finally:
            page.close()


def wait_for_charts(page: Any, timeout_ms: float = 15_000) -> None:
    """Wait until every chart div on ``page`` holds a drawn plotly SVG."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.plotly-graph-div')]
                 .every(d => d.querySelector('.main-svg'))""",
        timeout=timeout_ms,
    )
