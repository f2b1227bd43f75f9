"""Run inside a report kernel: the per-report module state, remembered after start-up and put
back between notebooks (a kept kernel would otherwise carry one report's plotly settings into
the next). Imports nothing, so a kernel that loads it does not load papermill."""

from __future__ import annotations

from typing import Any

_SNAPSHOT: dict[str, Any] = {}


def snapshot() -> None:
    """In the kernel: remember the per-report module state as it is after start-up."""
    import sys

    _SNAPSHOT.clear()
    pio = sys.modules.get("plotly.io")
    if pio is not None:
        _SNAPSHOT["plotly.renderer"] = pio.renderers.default
        _SNAPSHOT["plotly.template"] = pio.templates.default


def restore() -> None:
    """In the kernel: put the per-report module state back as :func:`snapshot` saw it."""
    import sys

    pio = sys.modules.get("plotly.io")
    if pio is not None and "plotly.renderer" in _SNAPSHOT:
        # set only what a report changed: setting plotly's template validates it (0.01 s)
        if pio.renderers.default != _SNAPSHOT["plotly.renderer"]:
            pio.renderers.default = _SNAPSHOT["plotly.renderer"]
        if pio.templates.default != _SNAPSHOT["plotly.template"]:
            pio.templates.default = _SNAPSHOT["plotly.template"]
