"""The plotly.js bundle embedded once in every report's ``<head>``.

plotly's full bundle is 4.8 MB per report. The report embeds the official npm build
``plotly.js-finance-dist-min`` instead (1.3 MB), fetched at set-up time by
``scripts/fetch_plotly_bundle.py`` into ``roi_kit/static/plotly-finance-<version>.min.js``
(git-ignored, shipped as package data). Its version matches the plotly.js the installed plotly
Python package targets on major.minor (newest patch not above it). If the file is missing the
report falls back to plotly's own full bundle, with a warning: still offline, only bigger.

Note for chart authors (``roi_kit.board.charts``): a figure may use ONLY these trace types, the ones in
the finance bundle — :data:`ALLOWED_TRACES`::

    bar, candlestick, funnel, funnelarea, histogram, indicator, ohlc, pie, scatter, waterfall

Not available: ``scattergl`` (so never ``render_mode="webgl"``), ``heatmap``, ``box``, ``violin``,
``sunburst``, ``treemap``, ``sankey``, ``table``, 3-D and map traces. :func:`check_figure` raises
for anything else, and the display layer calls it on every figure.
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from pathlib import Path

from roi_kit.errors import ReportError

NPM_PACKAGE = "plotly.js-finance-dist-min"
BUNDLE_FILE_IN_PACKAGE = "plotly-finance.min.js"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

ALLOWED_TRACES = frozenset(
    {
        "bar",
        "candlestick",
        "funnel",
        "funnelarea",
        "histogram",
        "indicator",
        "ohlc",
        "pie",
        "scatter",
        "waterfall",
    }
)

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _parse(version: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(version)
    return tuple(int(part) for part in match.groups()) if match else None  # type: ignore[return-value]


def target_version() -> str:
    """The plotly.js version the installed plotly Python package embeds (e.g. ``"4.1.1"``)."""
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def pick_version(target: str, available: list[str]) -> str:
    """The newest ``available`` release with ``target``'s major.minor and a patch ≤ target's.

    >>> pick_version("4.1.1", ["3.7.0", "4.1.0", "4.2.0"])
    '4.1.0'
    >>> pick_version("4.1.1", ["4.0.3"])
    Traceback (most recent call last):
    ...
    roi_kit.errors.ReportError: plotly.js 4.1.1: no plotly.js-finance-dist-min release 4.1.x ≤ 4.1.1 (found 4.0.3)
    """
    want = _parse(target)
    if want is None:
        raise ReportError(f"plotly.js version {target!r} is not of the form MAJOR.MINOR.PATCH")
    fits = [
        parsed
        for parsed in map(_parse, available)
        if parsed and parsed[:2] == want[:2] and parsed[2] <= want[2]
    ]
    if not fits:
        found = ", ".join(available) or "none"
        raise ReportError(
            f"plotly.js {target}: no {NPM_PACKAGE} release {want[0]}.{want[1]}.x ≤ {target} "
            f"(found {found})"
        )
    return ".".join(map(str, max(fits)))


def bundle_path(version: str) -> Path:
    """Where the fetched bundle for ``version`` lives."""
    return STATIC_DIR / f"plotly-finance-{version}.min.js"


def find_bundle(target: str | None = None) -> Path | None:
    """The fetched finance bundle matching ``target`` on major.minor, or None if not fetched."""
    want = _parse(target or target_version())
    fits = []
    for path in STATIC_DIR.glob("plotly-finance-*.min.js"):
        parsed = _parse(path.name.removeprefix("plotly-finance-").removesuffix(".min.js"))
        if parsed and want and parsed[:2] == want[:2] and parsed[2] <= want[2]:
            fits.append((parsed, path))
    return max(fits)[1] if fits else None


def _script_safe(source: str) -> str:
    """Make script text safe inside an inline ``<script>`` element (no early ``</script``)."""
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)


@cache
def plotlyjs() -> str:
    """The plotly.js source to inline once per report (cached per process).

    The finance bundle when fetched; otherwise plotly's own full bundle and a warning.
    """
    path = find_bundle()
    if path is not None:
        return _script_safe(path.read_text(encoding="utf-8"))
    warnings.warn(
        f"{NPM_PACKAGE} not found in {STATIC_DIR} (run scripts/fetch_plotly_bundle.py): "
        "embedding plotly's full 4.8 MB bundle instead",
        stacklevel=2,
    )
    from plotly.offline import get_plotlyjs

    return _script_safe(get_plotlyjs())


def check_figure(fig: object, name: str = "figure") -> None:
    """Raise :class:`ReportError` if ``fig`` uses a trace type the embedded bundle cannot draw."""
    used = {getattr(trace, "type", None) or "scatter" for trace in getattr(fig, "data", ())}
    missing = sorted(used - ALLOWED_TRACES)
    if missing:
        raise ReportError(
            f"chart {name!r}: trace type {', '.join(missing)} is not in the report's plotly.js "
            f"bundle; use one of {', '.join(sorted(ALLOWED_TRACES))}"
        )
