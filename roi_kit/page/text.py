"""Text fitting for charts: measured text widths, wrapping, category labels, titles that fit a width.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from roi_kit.page.theme import (
    HEIGHT,
    LEGEND_SIZE,
    REPORT_WIDTH_PX,
    SUBTITLE_SIZE,
    TITLE_PAD,
    TITLE_SIZE,
    TOP_MARGIN,
)

#: The widest line of a category label on a horizontal bar chart, in px (estimated wide, see
#: :func:`text_width`): with the gap to the bars, under 42% of the narrowest chart
#: (:data:`NARROW_WIDTH_PX`), so the bars keep most of the plot's width at any width.
CATEGORY_LABEL_PX = 160


CATEGORY_SIZE = 13  # px, the category labels' font size


CATEGORY_GAP_PX = 8  # between a label and the axis (a standoff: every line of a label keeps it)


_ELLIPSIS = "\u2026"


def _clip(text: str, width_px: float, size: float) -> str:
    """``text`` cut at its end to fit ``width_px`` with an ellipsis, or whole if it fits."""
    if text_width(text, size) <= width_px:
        return text
    while text and text_width(text + _ELLIPSIS, size) > width_px:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS


def category_lines(
    text: str, width_px: float = CATEGORY_LABEL_PX, size: float = CATEGORY_SIZE, *, max_lines: int = 2
) -> list[str]:
    """A category label (a segment name) as at most ``max_lines`` lines, each at most ``width_px``.

    One line when it fits; else :func:`wrap`'s balanced lines, broken at spaces. A name needing
    more lines fills the first ones greedily and ends its last with an ellipsis; a word wider
    than the width is cut with an ellipsis that ends the label there. The chart's hover text
    keeps the whole name. Lines are plain text:
    escape each (:func:`safe_text`) and join them with ``<br>``.

    >>> category_lines("Young families with a very long segment name")
    ['Young families with a', 'very long segment name']
    """
    lines = wrap(text, width_px, size)
    if len(lines) > max_lines:
        words, lines = str(text).split(), []
        for _ in range(max_lines - 1):
            line = words.pop(0)
            while words and text_width(f"{line} {words[0]}", size) <= width_px:
                line = f"{line} {words.pop(0)}"
            lines.append(line)
        lines.append(" ".join(words))
    shown: list[str] = []
    for line in lines:  # a line cut short ends the label: its ellipsis is the last thing read
        shown.append(_clip(line, width_px, size))
        if shown[-1] != line:
            break
    return shown


def category_margin(labels: Sequence[Sequence[str]], size: float = CATEGORY_SIZE) -> int:
    """Left margin in px for a category axis of ``labels`` (each a list of lines): the widest line
    (:func:`text_width`, which errs wide) + :data:`CATEGORY_GAP_PX` to the axis + 8 px of border.
    """
    widest = max((text_width(line, size) for ls in labels for line in ls), default=0.0)
    return math.ceil(widest + CATEGORY_GAP_PX + _GAP_PX)


#: Advance widths of Helvetica/Arial (and Liberation Sans, metric-compatible) in 1/1000 em for
#: printable ASCII from the space on; anything else counts as a wide glyph.
_ARIAL = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space–/
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0–?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @–O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P–_
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # `–o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p–~
)


#: Bold glyphs are about 8% wider; other fonts of the stack (Segoe UI, Helvetica Neue, DejaVu)
#: run up to about 10% wider than Arial. Estimates err wide: a line wrapped early costs nothing.
_BOLD, _SAFETY = 1.08, 1.12


LINE_SPACING = 1.3  # plotly.js's line height, in font sizes


LEGEND_ROW_PX, LEGEND_SYMBOL_PX = 24, 46


_GAP_PX = 8


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width in pixels of one line of ``text`` at ``size`` px, on the safe (wide) side.

    Σ advance widths (Arial metrics, 1/1000 em) × size / 1000, × 1.08 if bold, × 1.12 for the
    other fonts of :data:`FONT`.
    """
    units = sum(_ARIAL[o - 32] if 32 <= (o := ord(c)) <= 126 else 1000 for c in text)
    return units * size / 1000 * (_BOLD if bold else 1.0) * _SAFETY


def wrap(text: str, width_px: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` in as few lines as fit ``width_px``, broken at spaces, lines balanced in length.

    The fewest lines come from filling each line greedily; then the widest line is made as
    narrow as that number of lines allows (so "Net present value of $3.9M over 36 months"
    breaks into two halves, not a full line and a widow). A word wider than the width has a line
    of its own.
    """
    words = str(text).split()
    if not words:
        return []
    # a line's width is the sum of its words' and spaces' (text_width adds up glyphs), so each
    # word is measured once and the bisection below only adds numbers
    widths = [text_width(word, size, bold=bold) for word in words]
    space = text_width(" ", size, bold=bold)

    def fill(limit: float) -> list[str]:
        lines: list[list[str]] = []
        used = 0.0
        for word, w in zip(words, widths, strict=True):
            if lines and used + space + w <= limit:
                lines[-1].append(word)
                used += space + w
            else:
                lines.append([word])
                used = w
        return [" ".join(line) for line in lines]

    fewest = fill(width_px)
    lo, hi = 0.0, float(width_px)
    for _ in range(24):  # bisect the narrowest limit that still needs no more lines
        mid = (lo + hi) / 2
        if len(fill(mid)) <= len(fewest):
            hi = mid
        else:
            lo = mid
    return fill(hi)


def _plain_text(text: str | None) -> str:
    """A plotly label as one line: line breaks (``<br>``) become spaces."""
    return " ".join(re.sub(r"<br\s*/?>", " ", text or "", flags=re.IGNORECASE).split())


def _legend_items(fig: go.Figure) -> list[str]:
    if fig.layout.showlegend is False:
        return []
    names = [_plain_text(t.name) for t in fig.data if t.showlegend is not False]
    return names if len(names) > 1 or fig.layout.showlegend else []


def _legend_on_top(fig: go.Figure) -> bool:
    y = fig.layout.legend.y
    return y is None or y >= 0.5


def legend_rows(fig: go.Figure, width_px: float) -> int:
    """Rows a horizontal legend over the plot takes at ``width_px`` (0 without a legend on top).

    Items (symbol + name) fill rows of the plot's width, the figure less its side margins.
    """
    items = _legend_items(fig) if _legend_on_top(fig) else []
    if not items:
        return 0
    margin = fig.layout.margin
    room = width_px - (margin.l or 72) - (margin.r or 40)
    rows, used = 1, 0.0
    for name in items:
        item = LEGEND_SYMBOL_PX + text_width(name, LEGEND_SIZE)
        if used and used + item > room:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _annotation_over_plot(fig: go.Figure) -> bool:
    return any(a.yref == "paper" and (a.y or 0) >= 1 for a in fig.layout.annotations)


def _top_margin(fig: go.Figure, width_px: float, above: float) -> float:
    """The top margin: ``above`` px of title block, then the legend's rows, which sit on the plot."""
    top = above + _GAP_PX + legend_rows(fig, width_px) * LEGEND_ROW_PX
    if _annotation_over_plot(fig):  # e.g. the tornado's "Base NPV" label, on the plot's top edge
        top += LEGEND_ROW_PX
    return top + _GAP_PX


def _resized(fig: go.Figure, top: float, height: float | None) -> dict:
    """Layout keeping the plot's height while the top margin becomes ``top``."""
    base = height or fig.layout.height or HEIGHT
    old_top = fig.layout.margin.t if fig.layout.margin.t is not None else TOP_MARGIN
    return dict(height=round(base + top - old_top), margin=dict(t=round(top)))


def fit_width(fig: go.Figure, width_px: float, *, height: float | None = None) -> go.Figure:
    """A copy of ``fig`` whose title, subtitle and legend never overlap in a chart ``width_px`` wide.

    The title and subtitle are wrapped (:func:`wrap`) to the figure's width; the top margin is
    the sum of the bands stacked in it: pad + title lines × 1.3 × 20 px + gap + subtitle lines ×
    1.3 × 13 px + gap + legend rows × 24 px + gap. The figure grows by what the margin grows, so
    the plot keeps its height (``height``, if given, is the figure's height before that growth).
    Wider charts keep the layout; a narrower one may clip the text. Lines end in a space before
    the ``<br>``, so the title's text content still reads as one sentence.
    """
    out = go.Figure(fig)
    out.update_layout(fit_layout(fig, width_px, height=height))
    return out


def fit_layout(fig: go.Figure, width_px: float, *, height: float | None = None) -> dict:
    """The layout changes :func:`fit_width` makes, as a plain dict (``fig`` is only read): for a
    hot path that sends them as they are (the form's ``Plotly.update``) without copying and
    re-validating the figure."""
    room = width_px - _GAP_PX
    title = wrap(_plain_text(fig.layout.title.text), room, TITLE_SIZE, bold=True)
    subtitle = wrap(_plain_text(fig.layout.title.subtitle.text), room, SUBTITLE_SIZE)
    above = TITLE_PAD + len(title) * TITLE_SIZE * LINE_SPACING
    if subtitle:
        above += _GAP_PX + len(subtitle) * SUBTITLE_SIZE * LINE_SPACING
    return _resized(fig, _top_margin(fig, width_px, above), height) | dict(
        title=dict(
            text=" <br>".join(title), subtitle=dict(text=" <br>".join(subtitle)),
            x=0, xanchor="left", xref="container", y=1, yanchor="top", yref="container",
            # plotly.js centres a multi-line title on where one line would sit: push it back down
            pad=dict(l=0, t=TITLE_PAD + (len(title) - 1) * TITLE_SIZE * LINE_SPACING / 2),
        ),
    )


def without_title(fig: go.Figure, *, width_px: float = REPORT_WIDTH_PX) -> go.Figure:
    """A copy of ``fig`` with no title or subtitle (the page shows them: :func:`caption_html`).

    The top margin keeps room for the legend's rows at ``width_px`` over the plot, which it sits
    on; the figure shrinks by what the margin loses. Narrower, a legend needing more rows pushes
    the margin itself (plotly.js does so for a legend outside the plot), with nothing above it
    to cover.
    """
    out = go.Figure(fig)
    out.update_layout(title=dict(text="", subtitle=dict(text="")))
    out.update_layout(_resized(out, _top_margin(out, width_px, 0.0), None))
    return out


def without_title_dict(fig: go.Figure, *, width_px: float = REPORT_WIDTH_PX) -> dict:
    """:func:`without_title` as the plain figure dict plotly would serialise (same keys, same
    order), without building and re-validating a second figure: the report's hot path."""
    changes = _resized(fig, _top_margin(fig, width_px, 0.0), None)
    out = fig.to_dict()
    layout = out["layout"]
    had_margin = "margin" in layout
    title = layout.setdefault("title", {})
    title["text"] = ""
    title.setdefault("subtitle", {})["text"] = ""
    layout["height"] = changes["height"]
    layout.setdefault("margin", {})["t"] = changes["margin"]["t"]
    # a rebuilt figure holds its layout in plotly's constructor order (properties by name, the
    # template as it is), then what a later update added (a margin it did not have)
    ordered = {k: (v if k == "template" else _by_name(v)) for k, v in sorted(layout.items())}
    if not had_margin:
        ordered["margin"] = ordered.pop("margin")
    out["layout"] = ordered
    return out


def _by_name(value: Any) -> Any:
    """Plotly objects' properties by name, recursively (typed arrays, ``bdata``, kept as they are)."""
    if isinstance(value, dict):
        if "bdata" in value:
            return value
        return {k: _by_name(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_by_name(v) for v in value]
    return value


def _caption_text(text: str | None) -> str:
    """A plotly label as escaped HTML text: plotly's tags dropped, its entities kept as text."""
    stripped = re.sub(r"<[^>]*>", " ", _plain_text(text))
    return html.escape(html.unescape(" ".join(stripped.split())), quote=False)


def caption_html(fig: go.Figure) -> str:
    """The figure's title and subtitle as an HTML ``<figcaption>`` ("" when it has no title).

    Laid out by the page's stylesheet (``roi-chart__title``, ``roi-chart__subtitle``), so the
    title lines up with the headings and wraps at any width. Text is escaped.
    """
    title = _caption_text(fig.layout.title.text)
    subtitle = _caption_text(fig.layout.title.subtitle.text)
    if not (title or subtitle):
        return ""
    parts = [f'<span class="roi-chart__title">{title}</span>' if title else ""]
    if subtitle:
        parts.append(f'<span class="roi-chart__subtitle">{subtitle}</span>')
    return f'<figcaption class="roi-chart__caption">{"".join(parts)}</figcaption>'
