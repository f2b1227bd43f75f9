"""The warm engine: papermill on one kept kernel, clean between notebooks, same HTML as a cold run."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from in_child import in_process_runs
from papermill.exceptions import PapermillExecutionError

from roi_kit.batch.kernel import WarmKernel, notebook_imports
from roi_kit.board.export import export_html, notebook_parameters, render
from roi_kit.page.resources import notebook_path

STAND_IN = Path(__file__).resolve().parents[1] / "notebooks" / "stand_in.ipynb"
EXAMPLE = Path(__file__).resolve().parents[2] / "templates" / "cases" / "example.yaml"


def _nb(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (["import json\nimport plotly.graph_objects as go"], ("json", "plotly.graph_objects")),
        (["from roi_kit.board import sections"], ("roi_kit.board", "roi_kit.board.sections")),
        (["%matplotlib inline\nimport numpy as np"], ("numpy",)),
        (["from . import local"], ()),
        (["def broken(:"], ()),
        (["import a", "import b\nimport a"], ("a", "b")),
    ],
)
def test_notebook_imports(sources, expected):
    assert notebook_imports(_nb(*sources)) == expected


def _stream(nb: nbformat.NotebookNode) -> str:
    return "".join(
        o.get("text", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type == "stream"
    )


@pytest.fixture(scope="module")
def kernel():
    with WarmKernel(cwd=STAND_IN.parent, preload=("plotly.graph_objects",)) as warm:
        yield warm


def test_kept_kernel_is_clean_between_notebooks(kernel):
    fds = []
    for i in range(4):
        nb = kernel.execute(STAND_IN, {"case": {"unit": f"u{i}", "value": i}})
        # the previous notebook's names are gone and the counter starts again at 1
        assert "leaked: []" in _stream(nb)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
        assert f"u{i} (expected)" in str(nb.cells)
        fds.append(len(os.listdir(f"/proc/{os.getpid()}/fd")))
    assert fds[-1] == fds[1]  # one client for every run: no descriptor leak


def test_report_kernel_keeps_no_history(kernel):
    """A case's parameters must not land in IPython's history database outside the run folder."""
    reply = kernel.kc.execute_interactive(
        "import json; print(json.dumps(get_ipython().history_manager.enabled))",
        store_history=False, timeout=60, output_hook=_collect(out := []),
    )
    assert reply["content"]["status"] == "ok"
    assert "".join(out).strip() == "false"


def _collect(sink):
    def hook(msg):
        if msg["msg_type"] == "stream":
            sink.append(msg["content"]["text"])
    return hook


def test_failing_notebook_raises_with_marked_notebook_and_kernel_goes_on(kernel):
    with pytest.raises(PapermillExecutionError) as info:
        kernel.execute(STAND_IN, {"case": {"unit": "bad", "fail": True}})
    assert info.value.ename == "ValueError" and "stand-in failure for bad" in info.value.evalue
    marked = info.value.notebook
    assert any("papermill-error-cell" in "".join(c.source) for c in marked.cells)
    nb = kernel.execute(STAND_IN, {"case": {"unit": "after"}})
    assert "leaked: []" in _stream(nb)


_VOLATILE = [
    re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"),  # generated at
    re.compile(
        r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|"
        r"October|November|December) \d{4}\b"
    ),  # cover date
]


def _masked(text: str, keep_ids: set[str]) -> str:
    """Timestamps masked, and the random id papermill gives its injected parameters cell
    (two cold runs differ there too); the notebook's own cell ids are compared."""
    for pattern in _VOLATILE:
        text = pattern.sub("<time>", text)
    return re.sub(
        r'cell-id=([0-9a-f-]+)"',
        lambda m: m.group(0) if m.group(1) in keep_ids else 'cell-id=<injected>"',
        text,
    )


def _two_cases():
    from roi_kit import load_case

    base = load_case(EXAMPLE)
    return [
        base.with_overrides({"levers.deflection.rate": "12%"}, unit="North <Retail>"),
        base.with_overrides({"baseline.contacts_per_year": 800_000}, unit="South & Co"),
    ]


def _assert_equal_to_cold_renders(cases, warm_html, when, tmp_path):
    assert warm_html[0] != warm_html[1]
    ids = {c.get("id") for c in nbformat.read(notebook_path(), as_version=4).cells}
    for case, html_text in zip(cases, warm_html, strict=True):
        cold = render(case, scenario="expected", output=tmp_path / "cold.html").read_text()
        assert _masked(html_text, ids) == _masked(cold, ids)


@pytest.mark.slow
def test_warm_html_equals_cold_render_for_two_units_back_to_back(tmp_path):
    cases = _two_cases()
    when = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    warm_html = []
    with WarmKernel(cwd=notebook_path().parent, preload=("roi_kit.board.sections",)) as warm:
        for case in cases:
            params = notebook_parameters(case=case.model_dump(mode="json"), scenario="expected")
            warm_html.append(export_html(warm.execute(notebook_path(), params), generated_at=when))
    _assert_equal_to_cold_renders(cases, warm_html, when, tmp_path)


@pytest.mark.slow
def test_in_process_html_equals_cold_render_for_two_units_back_to_back(tmp_path):
    """The local workers' kernel (in the worker's own process) gives the cold render's page."""
    cases = _two_cases()
    when = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    runs = [
        notebook_parameters(case=c.model_dump(mode="json"), scenario="expected") for c in cases
    ]
    done = in_process_runs(notebook_path().parent, notebook_path(), runs, export=True,
                           generated_at=when)
    _assert_equal_to_cold_renders(cases, [d["html"] for d in done], when, tmp_path)


def test_in_process_kernel_is_clean_between_notebooks_and_survives_a_failure(tmp_path):
    """Names, counter and working folder reset between notebooks, no history, no descriptor
    leak; a failing notebook raises with its marked notebook and the next one runs."""
    runs = [{"case": {"unit": f"u{i}", "value": i}} for i in range(4)]
    runs.insert(2, {"case": {"unit": "bad", "fail": True}})
    done = in_process_runs(STAND_IN.parent, STAND_IN, runs)
    failed = done.pop(2)
    assert failed["ename"] == "ValueError" and "stand-in failure for bad" in failed["evalue"]
    assert "papermill-error-cell" in failed["marked"]
    for i, run in enumerate(done):
        nb = nbformat.reads(run["notebook"], as_version=4)
        assert "leaked: []" in _stream(nb)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
        assert f"u{i} (expected)" in str(nb.cells)
        assert run["history"] is False
    assert {run["cwd"] for run in done} == {os.getcwd()}  # the process's own folder, restored
    assert done[-1]["fds"] == done[1]["fds"]


def test_a_killed_kernel_is_replaced_for_the_next_notebook_without_a_stall():
    """kill -9 of the kept kernel between two notebooks: the next one runs on a new kernel
    (the reset used to wait 60 s on the dead one)."""
    import signal
    import time

    with WarmKernel(cwd=STAND_IN.parent, preload=()) as warm:
        warm.execute(STAND_IN, {"case": {"unit": "before", "value": 1}})
        os.kill(warm.km.provisioner.pid, signal.SIGKILL)
        time.sleep(0.5)
        started = time.monotonic()
        nb = warm.execute(STAND_IN, {"case": {"unit": "after", "value": 2}})
        assert "after (expected)" in str(nb.cells)
        assert time.monotonic() - started < 45  # a new kernel's start, not a 60 s time-out


@pytest.mark.slow
def test_batch_reports_equal_cold_renders(tmp_path):
    """What the batch's local workers write (in-process kernel, the summary row's result handed
    to the report) is the cold render's page."""
    import yaml

    from roi_kit import load_case
    from roi_kit.batch.run import run_batch

    units = tmp_path / "units"
    units.mkdir()
    cases = []
    for i, (case, unit) in enumerate(zip(_two_cases(), ["North <Retail>", "South & Co"], strict=True)):
        data = {**case.model_dump(mode="json"), "unit": unit}
        (units / f"u{i}.yaml").write_text(yaml.safe_dump(data))
        cases.append(load_case(data))
    when = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    result = run_batch(units, tmp_path / "run", workers=2, progress=False, generated_at=when)
    pages = [(tmp_path / "run" / r["report"]).read_text() for r in result.rows]
    _assert_equal_to_cold_renders(cases, pages, when, tmp_path)


_MIXED_OUTPUT = [
    "x = 0",  # the parameters cell
    "print('one')\nimport sys\nprint('err', file=sys.stderr)\n"
    "from IPython.display import display\ndisplay({'text/html': '<p>shown</p>'}, raw=True)\n"
    "print('two')",
    "pass",
    "for i in range(3):\n    print(i, end='')",
    "'a value'",
]


def _outputs(nb: nbformat.NotebookNode) -> list[list[tuple]]:
    return [
        [(o.output_type, o.get("name"), o.get("text"), dict(o.get("data", {}))) for o in c.outputs]
        for c in nb.cells
        if c.cell_type == "code"
    ]


def test_in_process_kernel_records_what_a_kernel_of_its_own_records(tmp_path):
    """Printed text (stdout and stderr), displays and results land in their own cell, in the
    order written, as papermill records them from a kernel in a process of its own: the
    in-process kernel sends its messages without an I/O thread and keeps printed text until
    the cell displays something or ends."""
    nb = _nb(*_MIXED_OUTPUT)
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "mixed.ipynb"
    nbformat.write(nb, path)
    runs = [{"x": 1}, {"x": 2}]
    in_process = [
        _outputs(nbformat.reads(r["notebook"], as_version=4))
        for r in in_process_runs(tmp_path, path, runs)
    ]
    with WarmKernel(cwd=tmp_path, preload=()) as warm:
        own = [_outputs(warm.execute(path, p)) for p in runs]
    assert in_process == own
    first = own[0][2:]  # after the parameters cell and the one papermill injected
    assert [o[:3] for o in first[0]] == [
        ("stream", "stdout", "one\n"),
        ("stream", "stderr", "err\n"),
        ("display_data", None, None),
        ("stream", "stdout", "two\n"),
    ]
    assert first[1:3] == [[], [("stream", "stdout", "012", {})]]
    assert first[3][0][3] == {"text/plain": "'a value'"}
