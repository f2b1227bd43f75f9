"""The model layer: pure functions over a case (numpy and pandas only; no plotly, no I/O, no prose).

``inputs`` (a case's numbers by path), ``baseline``, ``levers`` (one function per lever),
``cashflows``, ``finance``, ``staffing``, ``uncertainty``, ``result`` (:class:`Result`).
Imports nothing of roi_kit but :mod:`roi_kit.case` and :mod:`roi_kit.errors`.
"""

from roi_kit.model.inputs import flatten
from roi_kit.model.result import Result, evaluate, evaluate_scenarios
from roi_kit.model.uncertainty import MonteCarloResult, monte_carlo, sensitivity

__all__ = ["MonteCarloResult", "Result", "evaluate", "evaluate_scenarios", "flatten", "monte_carlo", "sensitivity"]
