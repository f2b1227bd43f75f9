"""roi_kit: finance-grade contact-center ROI cases and board-ready reports.

>>> from roi_kit import load_case, evaluate
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_case": "roi_kit.case.files",
    "Case": "roi_kit.case.schema",
    "evaluate": "roi_kit.model.result",
    "evaluate_scenarios": "roi_kit.model.result",
    "Result": "roi_kit.model.result",
    "sensitivity": "roi_kit.model.uncertainty",
    "monte_carlo": "roi_kit.model.uncertainty",
    "RoiKitError": "roi_kit.errors",
    "CaseError": "roi_kit.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import the public names lazily, so ``import roi_kit`` stays fast (the batch pays it per worker)."""
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'roi_kit' has no attribute {name!r}")
