"""Run inside a report kernel, whichever kind keeps it (:mod:`roi_kit.batch.kernel`): its start-up
(the notebook's imports, once) and its reset between notebooks, with the per-report module state
remembered after start-up and put back (a kept kernel would otherwise carry one report's plotly
settings into the next). Imports nothing at load, so a kernel that loads it does not load
papermill."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import Any

_SNAPSHOT: dict[str, Any] = {}


def preload(modules: Iterable[str]) -> None:
    """Import each module, skipping any that fails (the notebook, importing it, will say)."""
    import importlib

    for name in modules:
        with suppress(Exception):
            importlib.import_module(name)


#: glibc's ``mallopt`` parameters (malloc.h) and what a report kernel sets them to.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 32 * 2**20  # glibc's upper limit on 64-bit systems
_TRIM_THRESHOLD = 256 * 2**20


def keep_freed_memory() -> bool:
    """Have glibc's allocator reuse the memory a report frees instead of handing it back.

    The Monte Carlo's arrays are a few MB each (10,000 draws by the horizon's months). glibc
    serves blocks that big straight from the system and returns them on free, and trims the heap
    when its free top grows, so the next report's arrays start on fresh pages that fault in one
    by one. Kept in the process instead, the reference case's simulation takes 0.052 s warm
    rather than 0.088 s in a process's main thread (where a local worker evaluates the summary
    row and exports), with its peak memory unchanged (240 MB); in a thread of its own (where the
    in-process kernel runs cells) glibc's per-thread arena already kept it at 0.059 s. A report
    kernel is a process that runs reports and nothing else, so the setting is its own. False
    where the C library is not glibc (nothing is changed there)."""
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # both, or neither: either one alone ends glibc's own adaptive threshold
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    )


def start_up(modules: Iterable[str]) -> None:
    """Once, when the kernel starts: :func:`keep_freed_memory`, :func:`preload` ``modules``,
    :func:`snapshot` the state, and freeze what is loaded for good out of the collector's way
    (%reset's collections then need not walk it)."""
    import gc

    keep_freed_memory()
    preload(modules)
    snapshot()
    gc.freeze()


def reset(cwd: str, shell: Any = None) -> None:
    """Between notebooks, on ``shell`` (default: this kernel's): ``%reset -f`` drops every user
    name and the output cache, the counter goes back to 1 so cells and ``Out[n]`` are numbered
    as in a fresh kernel, the working folder back to ``cwd`` and the state as :func:`snapshot`
    saw it."""
    import os

    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    shell.run_line_magic("reset", "-f")
    shell.execution_count = 1
    os.chdir(cwd)
    restore()


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
