"""How sure are we? The sensitivity tornado and the Monte Carlo band, both vectorised.

Both run the engine's one computation (:func:`roi_kit.model.compute`) once over many *draws*:
each draw is a full set of inputs, so a tornado of 40 inputs is one call with 80 draws and a
Monte Carlo run of 100,000 draws is thirteen calls of 8,192 (small enough to stay in cache), never a Python loop over cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from roi_kit.case.fields import field_doc
from roi_kit.case.schema import Case
from roi_kit.model.cashflows import compute, headline
from roi_kit.model.inputs import flatten

#: Inputs that shape the model rather than size it: never swung or drawn.
_STRUCTURAL = (
    "timeline.horizon_months",
    ".month",
    ".start_month",
    "share_of_contacts",
    "share_of_customers",
    "baseline.service_level.",
    "baseline.hours_open_per_year",
    "baseline.paid_hours_per_fte",
    "benefits.",
    ".per_year.",
)
_RATE_CAP = 0.999


def _varies(path: str) -> bool:
    return not any(token in path for token in _STRUCTURAL)


def _label(path: str, case: Case) -> str:
    """A reader's name for an input: its label, with the list item's name where there is one."""
    parts = path.split(".")
    doc = field_doc(path)
    for i, part in enumerate(parts):
        if part.isdigit():
            container = parts[:i]
            node: object = case
            for key in container:
                node = getattr(node, key)
            item = node[int(part)]  # type: ignore[index]
            name = getattr(item, "name", None)
            if name:
                return f"{name}: {doc.label.lower()}"
    section = parts[1].replace("_", " ") if parts[0] == "levers" and len(parts) > 2 else ""
    return f"{section[:1].upper() + section[1:]}: {doc.label.lower()}" if section else doc.label


def _bounds(path: str, value: float, swing: float) -> tuple[float, float]:
    low, high = value * (1.0 - swing), value * (1.0 + swing)
    unit = field_doc(path).unit
    if unit == "rate":
        high = min(high, _RATE_CAP)
    return low, high


def sensitivity(case: Case, *, swing: float = 0.2, scenario: str = "expected") -> pd.DataFrame:
    """NPV when each numeric input moves ``swing`` (default ±20%) from its value, others held.

    One vectorised evaluation of 2 draws per input. Rates are capped below 1. Returns one row per
    input that moves NPV: ``path, label, value, low_value, high_value, npv_low, npv_high, swing``
    (swing = |npv_high − npv_low|), largest first.
    """
    base_case = case.scenario_case(scenario)
    base = flatten(base_case)
    # with segments, the unit's value and churn are their weighted sums: the segments' own move
    segmented = base_case.baseline is not None and base_case.baseline.segments
    tied = {"baseline.annual_value_per_customer", "baseline.churn_rate"} if segmented else set()
    paths = [p for p, v in base.items() if _varies(p) and v != 0.0 and p not in tied]
    draws = 2 * len(paths) + 1
    params: dict[str, np.ndarray] = {p: np.full(draws, v) for p, v in base.items()}
    lows, highs = [], []
    for i, path in enumerate(paths):
        low, high = _bounds(path, base[path], swing)
        params[path][2 * i] = low
        params[path][2 * i + 1] = high
        lows.append(low)
        highs.append(high)
    npv = headline(compute(base_case, params, draws))["npv"]
    frame = pd.DataFrame(
        {
            "path": paths,
            "label": [_label(p, base_case) for p in paths],
            "value": [base[p] for p in paths],
            "low_value": lows,
            "high_value": highs,
            "npv_low": npv[0:-1:2],
            "npv_high": npv[1:-1:2],
        }
    )
    frame["swing"] = (frame["npv_high"] - frame["npv_low"]).abs()
    frame.attrs["base_npv"] = float(npv[-1])
    frame = frame[frame["swing"] > 1e-6 * max(1.0, abs(float(npv[-1])))]
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class UncertainInput:
    path: str
    low: float
    mode: float
    high: float


@dataclass(frozen=True)
class MonteCarloResult:
    """NPV, ROI and payback over the draws, with their P10/P50/P90."""

    npv: np.ndarray
    roi: np.ndarray
    payback_months: np.ndarray  # nan where the draw never pays back
    horizon_months: int
    draws: int
    seed: int
    inputs: tuple[UncertainInput, ...] = field(default=())

    @property
    def percentiles(self) -> dict[str, dict[str, float]]:
        out = {}
        for name, values in (("npv", self.npv), ("roi", self.roi)):
            p10, p50, p90 = np.nanpercentile(values, [10, 50, 90])
            out[name] = {"p10": float(p10), "p50": float(p50), "p90": float(p90)}
        return out

    @property
    def p_payback(self) -> float:
        """Probability that the case pays back inside its horizon."""
        paid = np.isfinite(self.payback_months) & (self.payback_months <= self.horizon_months)
        return float(paid.mean())

    @property
    def p_positive_npv(self) -> float:
        return float((self.npv > 0).mean())


def uncertain_inputs(case: Case) -> tuple[UncertainInput, ...]:
    """Inputs the scenarios disagree on: triangular(low, expected, high) from the three scenarios."""
    values = {name: flatten(case.scenario_case(name)) for name in ("conservative", "expected", "optimistic")}
    out = []
    for path, mode in values["expected"].items():
        if not _varies(path) and path != "timeline.ramp_months":
            continue
        seen = [values[name].get(path, mode) for name in values]
        low, high = min(seen), max(seen)
        if high - low > 1e-12:
            out.append(UncertainInput(path, low, min(max(mode, low), high), high))
    return tuple(out)


def monte_carlo(case: Case, draws: int = 10_000, seed: int = 2026, *, chunk: int = 8_192) -> MonteCarloResult:
    """Monte Carlo over the uncertain inputs, each drawn independently from a triangular
    distribution (low, expected, high) spanned by the three scenarios; seeded and vectorised.

    >>> from roi_kit.case import load_case, EXAMPLE
    >>> mc = monte_carlo(load_case(EXAMPLE), draws=2_000, seed=7)
    >>> mc.percentiles["npv"]["p10"] < mc.percentiles["npv"]["p50"] < mc.percentiles["npv"]["p90"]
    True
    """
    expected = case.scenario_case("expected")
    base = flatten(expected)
    inputs = uncertain_inputs(case)
    rng = np.random.default_rng(seed)
    samples = {u.path: rng.triangular(u.low, u.mode, u.high, size=draws) for u in inputs}
    npv, roi, payback = (np.empty(draws) for _ in range(3))
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        params = dict(base)
        params.update({path: values[start:stop] for path, values in samples.items()})
        head = headline(compute(expected, params, stop - start))
        npv[start:stop], roi[start:stop], payback[start:stop] = head["npv"], head["roi"], head["payback_months"]
    return MonteCarloResult(npv, roi, payback, expected.timeline.horizon_months, draws, seed, inputs)
