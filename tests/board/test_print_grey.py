"""The printed pack as a board member reads it: on a greyscale printer, gains and losses differ.

Chromium prints a page with the waterfall to PDF; poppler renders it to a greyscale PNG; the
pixels of the gain bars and of the loss bars must sit at clearly different grey levels.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from roi_kit.board import charts
from roi_kit.board.export import CHROMIUM, PLOTLYJS_PLACEHOLDER, print_pdf
from roi_kit.page.bundle import plotlyjs
from roi_kit.page.html import figure_html
from roi_kit.page.theme import POSITIVE

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _luma(hex_colour: str) -> float:
    """Rec. 601 luma of an sRGB colour, 0-255 (what a greyscale rendering keeps)."""
    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_waterfall_gains_and_losses_print_as_different_greys(result, tmp_path):
    if not Path(CHROMIUM).exists() or not shutil.which("pdftoppm"):
        pytest.skip("needs chromium and poppler's pdftoppm")
    from PIL import Image

    fig = charts.waterfall(result)
    page = tmp_path / "waterfall.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{PLOTLYJS_PLACEHOLDER}</head>"
        f"<body style='margin:0;width:1000px'>{figure_html(fig, 'waterfall')}</body></html>"
        .replace(PLOTLYJS_PLACEHOLDER, f"<script>{plotlyjs()}</script>"),
        encoding="utf-8",
    )
    print_pdf(page, tmp_path / "waterfall.pdf")  # in its own thread: safe beside an event loop
    subprocess.run(
        ["pdftoppm", "-gray", "-png", "-r", "60", "-f", "1", "-l", "1",
         str(tmp_path / "waterfall.pdf"), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    counts = Image.open(png).convert("L").histogram()  # pixels per grey level 0-255
    gain, loss = _luma(POSITIVE), _luma(charts.LOSS_FILL)
    near = lambda level: sum(counts[max(0, round(level) - 6) : round(level) + 7])  # noqa: E731
    assert near(gain) > 300, "no gain bar on the printed page"
    assert near(loss) > 300, "no loss bar on the printed page"
    assert abs(gain - loss) >= 60  # one reads dark, the other light


def test_payback_scenarios_differ_by_line_pattern(scenarios):
    fig = charts.payback_timeline(scenarios)
    dashes = {t.name: t.line.dash for t in fig.data if t.mode == "lines"}
    assert dashes == {"Conservative": "dot", "Expected": "solid", "Optimistic": "dash"}
