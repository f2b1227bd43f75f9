"""A report kernel's own process settings (:mod:`roi_kit.batch.kernel_state`)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

_PROBE = """
import ctypes, json, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
kept = None
if sys.argv[1] == "keep":
    from roi_kit.batch.kernel_state import keep_freed_memory
    kept = keep_freed_memory()
import numpy as np
block = np.ones(1_000_000)  # 8 MB, as one of a simulation's arrays
mapped = libc.mallinfo2().hblkhd
del block
print(json.dumps({"kept": kept, "mapped": mapped, "heap_after_free": libc.mallinfo2().arena}))
"""


def _probe(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_a_report_kernel_keeps_the_memory_its_arrays_free():
    """An 8 MB array comes from the heap, and the heap keeps it once freed (the next report's
    arrays reuse those pages); glibc's defaults map such a block from the system instead."""
    default, kept = _probe("default"), _probe("keep")
    assert default["mapped"] >= 8_000_000  # the control: without the setting it is mapped
    assert kept["kept"] is True
    assert kept["mapped"] < 1_000_000
    assert kept["heap_after_free"] >= 8_000_000
