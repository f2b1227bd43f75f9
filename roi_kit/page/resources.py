"""Where the templates and notebooks are, which toolkit version this is, and when a page was made.

Found in this order: ``$ROI_KIT_NOTEBOOK`` / ``$ROI_KIT_TEMPLATES`` if set; else the source checkout
(``notebooks/`` and ``templates/`` beside the ``roi_kit`` package — also what an editable install
sees); else ``<sys.prefix>/share/roi_kit/`` where a wheel install puts them.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from roi_kit import __version__
from roi_kit.errors import ReportError

if TYPE_CHECKING:
    pass



NOTEBOOK_NAME = "roi_case.ipynb"


REPORT_TEMPLATE = "board"


_REPO = Path(__file__).resolve().parents[2]


_SHARE = Path(sys.prefix) / "share" / "roi_kit"


def _first_existing(candidates: list[Path], what: str) -> Path:
    for path in candidates:
        if path.exists():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise ReportError(f"cannot find the {what}: tried {tried}")


def notebook_path() -> Path:
    """The report notebook: ``$ROI_KIT_NOTEBOOK``, the checkout's ``notebooks/``, or share/."""
    env = os.environ.get("ROI_KIT_NOTEBOOK")
    candidates = [Path(env)] if env else []
    candidates += [_REPO / "notebooks" / NOTEBOOK_NAME, _SHARE / "notebooks" / NOTEBOOK_NAME]
    return _first_existing(candidates, "report notebook")


def template_dir() -> Path:
    """The folder holding ``board/``: ``$ROI_KIT_TEMPLATES``, the checkout's ``templates/``, or share/."""
    env = os.environ.get("ROI_KIT_TEMPLATES")
    candidates = [Path(env)] if env else []
    candidates += [_REPO / "templates", _SHARE / "templates"]
    return _first_existing(
        [c for c in candidates if (c / REPORT_TEMPLATE).is_dir()] or candidates, "board template"
    )


def toolkit_version() -> str:
    """roi_kit's version, as every page's footer names it."""
    return __version__


def generation_stamp(generated_at: datetime | None = None) -> dict[str, str]:
    """When a page was made, as its cover (``date``: "20 March 2026") and footer
    (``generated_at``: "2026-03-20 09:30 UTC") show it; ``generated_at`` defaults to now (UTC)."""
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    return {"date": f"{when.day} {when:%B %Y}", "generated_at": when.strftime("%Y-%m-%d %H:%M UTC")}
