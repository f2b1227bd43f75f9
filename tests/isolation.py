"""A ``sitecustomize`` that makes a process (and every process it starts, through PYTHONPATH)
unable to open files under the folders in ``ROI_KIT_FORBIDDEN``: a machine without them."""

from __future__ import annotations


def forbidding_sitecustomize(why: str) -> str:
    """The module's text; a refused open raises ``PermissionError("<why>: <path>")``."""
    return f'''
import os, sys
_FORBIDDEN = [p for p in os.environ.get("ROI_KIT_FORBIDDEN", "").split(os.pathsep) if p]
def _guard(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if any(path == f or path.startswith(f + os.sep) for f in _FORBIDDEN):
            raise PermissionError(f"{why}: {{path}}")
if _FORBIDDEN:
    sys.addaudithook(_guard)
'''
