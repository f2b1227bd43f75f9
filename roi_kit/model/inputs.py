"""A case's numbers by dotted path, and the reader that lets any of them be an array of draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from roi_kit.case.schema import Case, numbers_by_path
from roi_kit.errors import ModelError

Params = Mapping[str, Any]


def flatten(case: Case) -> dict[str, float]:
    """Every numeric input of ``case`` by dotted path (lists by index), the model's only inputs.

    >>> from roi_kit.case import load_case, EXAMPLE
    >>> flatten(load_case(EXAMPLE))["levers.deflection.rate"]
    0.1
    """
    return case.memo("flat", lambda: _flatten(case)).copy()


def _flatten(case: Case) -> dict[str, float]:
    # the interval profile shapes the staffing (a structure, like the horizon), it is not an input to swing or draw
    exclude = {"scenarios": True, "measurement_plan": True, "sources": True, "uncertainty": True,
               "uncertainty_correlation": True, "baseline": {"interval_profile": True}}
    return numbers_by_path(case, exclude)


class _Values:
    """Reads inputs by path as arrays shaped (draws, 1), so they broadcast over months."""

    def __init__(self, params: Params, draws: int):
        self.params = params
        self.draws = draws
        self._seen: dict[str, np.ndarray] = {}

    def __call__(self, path: str, default: float | None = None) -> np.ndarray | float:
        """A drawn input as a (draws, 1) array; a fixed one as a plain float (it broadcasts)."""
        value = self.params.get(path, default)
        if value is None:
            raise ModelError(f"{path} is needed by the model but the case does not give it")
        if isinstance(value, np.ndarray) and value.ndim:
            seen = self._seen.get(path)
            if seen is None:
                seen = self._seen[path] = value.astype(float, copy=False).reshape(-1, 1)
            return seen
        return float(value)

    def has(self, path: str) -> bool:
        return self.params.get(path) is not None


def _scalar(x: Any) -> float:
    return float(np.asarray(x).ravel()[0])
