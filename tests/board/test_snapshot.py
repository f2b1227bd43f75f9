"""The example case's whole board report, byte for byte, against a committed snapshot.

The report is the product: a refactor must not change a byte of it, and a change that means to
must say so by rewriting the snapshot (``ROI_KIT_UPDATE_SNAPSHOT=1 pytest tests/board/test_snapshot.py``)
and showing the diff in review. What may differ between runs is normalised first: the generation
time (fixed here), the toolkit version, the inlined plotly.js bundle (checked elsewhere) and the
random id nbformat gives papermill's injected-parameters cell.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roi_kit.board.export import execute, export_html, notebook_parameters
from roi_kit.case import EXAMPLE
from roi_kit.page.resources import toolkit_version

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "report_example.html"
WHEN = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)


def normalised(page: str) -> str:
    page = re.sub(r'(<script data-roi-kit="plotlyjs">).*?(</script>)', r"\1PLOTLYJS\2", page, count=1, flags=re.S)
    page = re.sub(r'(celltag_injected-parameters" id="cell-id=)[0-9a-f-]+', r"\1INJECTED", page)
    page = re.sub(r'(id="cell-id=)[0-9a-f-]+(" class="[^"]*celltag_injected-parameters")', r"\1INJECTED\2", page)
    return page.replace(f"roi_kit {toolkit_version()}", "roi_kit VERSION")


@pytest.mark.slow
def test_example_report_is_byte_for_byte_the_snapshot() -> None:
    page = normalised(export_html(execute(notebook_parameters(case_path=EXAMPLE)), generated_at=WHEN))
    if os.environ.get("ROI_KIT_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(page, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if page != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), page.splitlines(), "snapshot", "now", lineterm="", n=1))
        pytest.fail(f"the example report changed (ROI_KIT_UPDATE_SNAPSHOT=1 rewrites the snapshot):\n{diff[:4000]}")


def test_normalising_keeps_everything_but_the_moving_parts() -> None:
    page = ('<footer>roi_kit ' + toolkit_version() + ' · 1 Jan</footer>'
            '<script data-roi-kit="plotlyjs">var a=1;</script><div class="x celltag_injected-parameters" id="cell-id=ab12">')
    assert normalised(page) == ('<footer>roi_kit VERSION · 1 Jan</footer><script data-roi-kit="plotlyjs">PLOTLYJS'
                                '</script><div class="x celltag_injected-parameters" id="cell-id=INJECTED">')
    # the template's own attribute order (id first), as the board exporter writes it
    assert normalised('<div id="cell-id=ab12" class="jp-Cell celltag_injected-parameters">') == (
        '<div id="cell-id=INJECTED" class="jp-Cell celltag_injected-parameters">')
    assert normalised('<div id="cell-id=ab12" class="jp-Cell">') == '<div id="cell-id=ab12" class="jp-Cell">'

