"""How sure are we? One range per uncertain input, used by the tornado and the Monte Carlo alike.

:func:`uncertain_inputs` is the one definition: each input's low, most likely and high value, its
distribution, its correlation group and which way is better. It starts from defaults and takes the
case's ``uncertainty:`` section on top, path by path:

* every input a scenario overrides ranges between the scenarios' values (expected most likely);
* every cost amount gets an overrun range (one-time 95%–135%, recurring 95%–115% of its value);
* the key baseline inputs (volume, handle time, cost per contact or hourly cost) ±10% / ±5%.

Lever effects vary as effects: an "after" value ranges between today's value and a further
improvement, never past today's level (:data:`roi_kit.case.schema.EFFECTS`).

:func:`sensitivity` moves each of those inputs to its low and its high, the others held;
:func:`monte_carlo` draws them all together. Inputs of one group move together: a Gaussian copula
with one common factor per group (the programme-delivery factor for levers, ramp and costs), so
the rank (Spearman) correlation of any two inputs of a group is the group's correlation, signed so
that a good draw is good for every input. Both run the engine's one computation
(:func:`roi_kit.model.cashflows.compute`) once over many draws: a tornado of 20 inputs is one call
with 41 draws, and 100,000 simulated cases are thirteen calls of 8,192, never a Python loop over cases.

References: Iman & Conover (1982) and the Gaussian copula for rank-correlated sampling; Forrester's
Total Economic Impact method for cost-overrun and benefit risk ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from roi_kit.case.fields import field_doc
from roi_kit.case.schema import (
    Case,
    correlation_groups,
    effect_of,
    is_fixed,
    resolve_bound,
    today_value,
)
from roi_kit.model.cashflows import compute, headline
from roi_kit.model.inputs import flatten

#: Default overrun range of a cost line by kind, as shares of its value (low, high).
COST_OVERRUN = {"one_time": (0.95, 1.35), "recurring": (0.95, 1.15), "custom": (0.95, 1.25)}

#: Default range of the key baseline inputs, as shares of their value (low, high).
BASELINE_RANGES = {
    "baseline.contacts_per_year": (0.90, 1.10),
    "baseline.aht_seconds": (0.90, 1.10),
    "baseline.cost_per_contact": (0.95, 1.05),
    "baseline.loaded_hourly_cost": (0.95, 1.05),  # only when the cost per contact is built up
}

_RATE_CAP = 0.999


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input: its range, distribution, correlation group and better direction."""

    path: str
    low: float
    mode: float
    high: float
    distribution: str = "triangular"  # triangular, pert or uniform
    group: str = "delivery"
    better: int = 1  # +1: a higher value is better for the case; -1: lower is better
    source: str = ""  # where the range comes from: "case", "scenarios", "cost overrun", "baseline"

    def quantile(self, p: np.ndarray) -> np.ndarray:
        """The value below which a share ``p`` of draws falls (inverse CDF, vectorised).

        Triangular(a, c, b): a + √(p(b−a)(c−a)) below F(c) = (c−a)/(b−a), else b − √((1−p)(b−a)(b−c)).
        PERT: a + (b−a)·B⁻¹(p; 1 + 4(c−a)/(b−a), 1 + 4(b−c)/(b−a)). Uniform: a + p(b−a).

        >>> UncertainInput("x", 0.06, 0.10, 0.12).quantile(np.array([0.0, 0.5, 1.0])).round(4).tolist()
        [0.06, 0.0955, 0.12]
        """
        a, c, b = self.low, self.mode, self.high
        p = np.asarray(p, dtype=float)
        width = b - a
        if width <= 0:
            return np.full(p.shape, c)
        if self.distribution == "uniform":
            return a + p * width
        if self.distribution == "pert":
            alpha, beta = 1.0 + 4.0 * (c - a) / width, 1.0 + 4.0 * (b - c) / width
            return a + width * special.betaincinv(alpha, beta, p)
        split = (c - a) / width
        with np.errstate(invalid="ignore"):
            return np.where(p < split, a + np.sqrt(p * width * (c - a)), b - np.sqrt((1.0 - p) * width * (b - c)))


@dataclass(frozen=True)
class MonteCarloResult:
    """NPV, ROI and payback over the draws, with their P10/P50/P90, and the inputs drawn."""

    npv: np.ndarray
    roi: np.ndarray
    payback_months: np.ndarray  # nan where the draw never pays back
    horizon_months: int
    draws: int
    seed: int
    inputs: tuple[UncertainInput, ...] = field(default=())
    samples: dict[str, np.ndarray] = field(default_factory=dict)  # each input's draws, by path
    correlation: dict[str, float] = field(default_factory=dict)  # rank correlation by group

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

    @property
    def p_loss(self) -> float:
        """Probability of a loss: NPV below zero."""
        return float((self.npv < 0).mean())


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


def _cost_paths(case: Case) -> list[tuple[str, str]]:
    """(path, kind) of every cost amount that can overrun: amounts, hours, prices, explicit amounts."""
    out = []
    for i, item in enumerate(case.costs.one_time):
        out.append((f"costs.one_time.{i}.{'amount' if item.amount is not None else 'hours'}", "one_time"))
    for i, item in enumerate(case.costs.recurring):
        key = next(k for k in ("per_year", "per_month", "per_seat_per_month", "per_automated_contact")
                   if getattr(item, k) is not None)
        out.append((f"costs.recurring.{i}.{key}", "recurring"))
    for i, item in enumerate(case.costs.custom):
        out.append((f"costs.custom.{i}.initial", "one_time"))
        if not isinstance(item.per_year, list):
            out.append((f"costs.custom.{i}.per_year", "custom"))
    return out


def _today(path: str, base: dict[str, float]) -> float | None:
    effect = effect_of(path)
    return None if effect is None else today_value(effect[0], base)


def _group(path: str) -> str:
    return "baseline" if path.startswith("baseline.") and ".levers." not in path else "delivery"


def _defaults(case: Case, base: dict[str, float]) -> dict[str, tuple[float, float, str]]:
    """Default (low, high, source) by path: the scenarios, cost overruns, key baseline inputs."""
    out: dict[str, tuple[float, float, str]] = {}
    for path, (lo, hi) in BASELINE_RANGES.items():
        if path == "baseline.loaded_hourly_cost" and "baseline.cost_per_contact" in base:
            continue
        if base.get(path):
            out[path] = (base[path] * lo, base[path] * hi, "baseline")
    for path, kind in _cost_paths(case):
        if base.get(path):
            lo, hi = COST_OVERRUN[kind]
            out[path] = (base[path] * lo, base[path] * hi, "cost overrun")
    scenarios = [flatten(case.scenario_case(name)) for name in ("conservative", "optimistic")]
    for path, value in base.items():
        if is_fixed(path) or path.startswith("benefits."):  # explicit benefit amounts: as entered
            continue
        seen = [value, *(s.get(path, value) for s in scenarios)]
        if max(seen) - min(seen) > 1e-12:
            lo, hi = min(seen), max(seen)
            if path in out:  # a scenario that moves a cost or a baseline input widens its default
                lo, hi = min(lo, out[path][0]), max(hi, out[path][1])
            out[path] = (lo, hi, "scenarios")
    return out


def uncertain_inputs(case: Case) -> tuple[UncertainInput, ...]:
    """Every uncertain input of ``case`` with its range: the defaults, the case's ``uncertainty:``
    on top. An effect's worse end is capped at today's value; a rate's high below 1; an input
    whose range has no width is not uncertain. Kept once made (a case never changes)."""
    return case.memo("uncertain_inputs", lambda: _uncertain_inputs(case))


def _uncertain_inputs(case: Case) -> tuple[UncertainInput, ...]:
    expected = case.scenario_case("expected")
    base = flatten(expected)
    defaults = _defaults(case, base)
    paths = list(defaults) + [p for p in case.uncertainty if p not in defaults]
    out = []
    for path in paths:
        value = base[path]
        low, high, source = defaults.get(path, (value, value, "case"))
        distribution, group = "triangular", _group(path)
        mode = value
        entry = case.uncertainty.get(path)
        if entry is not None:
            unit = field_doc(path).unit
            given = [resolve_bound(b, value, unit) for b in (entry.low, entry.mode, entry.high)]
            low = given[0] if given[0] is not None else min(low, given[1] if given[1] is not None else low)
            high = given[2] if given[2] is not None else max(high, given[1] if given[1] is not None else high)
            mode = given[1] if given[1] is not None else value
            distribution, group = entry.distribution, entry.group or group
            source = "case" if any(g is not None for g in given) or path not in defaults else source
        effect = effect_of(path)
        better = effect[1] if effect else (-1 if path.startswith("costs.") else 0)
        today = _today(path, base)
        if today is not None:  # an effect never passes today's level
            if better > 0:
                low = max(low, today)
            else:
                high = min(high, today)
        if field_doc(path).unit == "rate":
            high = min(high, _RATE_CAP)
        low, high = min(low, mode), max(high, mode)
        if high - low > 1e-12:
            out.append(UncertainInput(path, low, mode, high, distribution, group, better, source))
    if any(u.better == 0 for u in out):  # the direction the model gives: NPV at the high end vs the low
        npv_low, npv_high, _ = _ends(expected, base, out)
        out = [u if u.better else _with_better(u, 1 if hi >= lo else -1)
               for u, lo, hi in zip(out, npv_low, npv_high, strict=True)]
    return tuple(out)


def _with_better(u: UncertainInput, better: int) -> UncertainInput:
    return UncertainInput(u.path, u.low, u.mode, u.high, u.distribution, u.group, better, u.source)


def _ends(case: Case, base: dict[str, float], inputs: list[UncertainInput] | tuple[UncertainInput, ...]
          ) -> tuple[np.ndarray, np.ndarray, float]:
    """NPV with each input at its low, at its high, the others at base, and the base NPV
    (one call of 2n + 1 draws)."""
    draws = 2 * len(inputs) + 1
    params: dict[str, np.ndarray] = {p: np.full(draws, v) for p, v in base.items()}
    for i, u in enumerate(inputs):
        params[u.path][2 * i] = u.low
        params[u.path][2 * i + 1] = u.high
    npv = headline(compute(case, params, draws))["npv"]
    return npv[0:-1:2], npv[1:-1:2], float(npv[-1])


def sensitivity(case: Case) -> pd.DataFrame:
    """NPV when each uncertain input moves to its low or its high value, the others held.

    The ranges are :func:`uncertain_inputs`' (the same the simulation draws from), around the
    expected case. One vectorised evaluation of 2 draws per input. Returns one row per input that
    moves NPV: ``path, label, value, low_value, high_value, npv_low, npv_high, swing``
    (swing = |npv_high − npv_low|), largest first; ``attrs["base_npv"]`` is the expected NPV.
    Kept for the last few cases by input hash (the checks and the report's tornado both ask, in
    a batch worker from two equal case objects: its own and the report's); each call gets its
    own copy of the frame.
    """
    key = case.input_hash
    frame = _SENSITIVITY.pop(key, None)
    if frame is None:
        frame = _sensitivity(case)
    _SENSITIVITY[key] = frame  # the newest last
    while len(_SENSITIVITY) > 8:
        del _SENSITIVITY[next(iter(_SENSITIVITY))]
    return frame.copy()


#: :func:`sensitivity`'s frames by the case's input hash, oldest first.
_SENSITIVITY: dict[str, pd.DataFrame] = {}


def _sensitivity(case: Case) -> pd.DataFrame:
    expected = case.scenario_case("expected")
    base = flatten(expected)
    inputs = uncertain_inputs(case)
    npv_low, npv_high, base_npv = _ends(expected, base, inputs)
    frame = pd.DataFrame(
        {
            "path": [u.path for u in inputs],
            "label": [_label(u.path, expected) for u in inputs],
            "value": [base[u.path] for u in inputs],
            "low_value": [u.low for u in inputs],
            "high_value": [u.high for u in inputs],
            "npv_low": npv_low,
            "npv_high": npv_high,
        }
    )
    frame["swing"] = (frame["npv_high"] - frame["npv_low"]).abs()
    frame.attrs["base_npv"] = base_npv
    frame = frame[frame["swing"] > 1e-6 * max(1.0, abs(base_npv))]
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def latent_correlation(rank: float) -> float:
    """The normal copula's correlation that gives Spearman rank correlation ``rank``: 2·sin(π·ρₛ/6).

    >>> round(latent_correlation(0.6), 4), latent_correlation(0.0), round(latent_correlation(1.0), 12)
    (0.618, 0.0, 1.0)
    """
    return float(min(1.0, 2.0 * np.sin(np.pi * rank / 6.0)))


def draw_inputs(inputs: tuple[UncertainInput, ...], correlation: dict[str, float], draws: int,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``draws`` values of every input, drawn together (Gaussian copula, one factor per group).

    For input i of group g with rank correlation ρₛ: z = sᵢ(√ρ·F_g + √(1−ρ)·εᵢ), ρ = 2 sin(πρₛ/6),
    F_g and εᵢ independent standard normals, sᵢ = +1 when a higher value is better, else −1; the
    value is the input's quantile at Φ(z). ρₛ = 1 moves a group's inputs as one (comonotone, each a
    good or a bad draw at once); ρₛ = 0 draws them independently.
    """
    groups = sorted({u.group for u in inputs})
    factors = rng.standard_normal((len(groups), draws))
    z = rng.standard_normal((len(inputs), draws))
    rho = np.array([latent_correlation(correlation.get(u.group, 0.0)) for u in inputs])
    sign = np.array([float(u.better) for u in inputs])[:, None]
    z *= sign * np.sqrt(1.0 - rho)[:, None]
    z += sign * np.sqrt(rho)[:, None] * factors[[groups.index(u.group) for u in inputs]]
    p = special.ndtr(z, out=z)
    return {u.path: u.quantile(p[i]) for i, u in enumerate(inputs)}


def monte_carlo(case: Case, draws: int = 10_000, seed: int = 2026, *, chunk: int = 8_192) -> MonteCarloResult:
    """Monte Carlo over :func:`uncertain_inputs`, drawn together by :func:`draw_inputs` with the
    case's correlation by group (:func:`roi_kit.case.schema.correlation_groups`); seeded and vectorised.

    >>> from roi_kit.case import load_case, EXAMPLE
    >>> mc = monte_carlo(load_case(EXAMPLE), draws=2_000, seed=7)
    >>> mc.percentiles["npv"]["p10"] < mc.percentiles["npv"]["p50"] < mc.percentiles["npv"]["p90"]
    True
    """
    expected = case.scenario_case("expected")
    base = flatten(expected)
    inputs = uncertain_inputs(case)
    correlation = correlation_groups(case)
    samples = draw_inputs(inputs, correlation, draws, np.random.default_rng(seed))
    npv, roi, payback = (np.empty(draws) for _ in range(3))
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        params = dict(base)
        params.update({path: values[start:stop] for path, values in samples.items()})
        head = headline(compute(expected, params, stop - start))
        npv[start:stop], roi[start:stop], payback[start:stop] = head["npv"], head["roi"], head["payback_months"]
    return MonteCarloResult(npv, roi, payback, expected.timeline.horizon_months, draws, seed, inputs,
                            samples, correlation)
