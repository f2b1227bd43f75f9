"""Spreadsheet-style finance primitives: NPV, IRR, discount factors, payback, simple ROI.

Short names after the spreadsheet functions (and numpy-financial), flags keyword-only, numpy only.
Cash flows are arrays with time on the last axis: ``values[..., 0]`` happens now (undiscounted),
``values[..., t]`` after t periods. Costs are negative flows, benefits positive.
"""

from __future__ import annotations

import math

import numpy as np

from roi_kit.errors import ModelError

__all__ = [
    "discount_factors",
    "irr",
    "irr_many",
    "irr_roots",
    "npv",
    "payback",
    "payback_many",
    "simple_roi",
]


# -- checks -------------------------------------------------------------------------------------


def _flows(name: str, values, *, ndim: tuple[int, ...] = (1, 2)) -> np.ndarray:
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"finance: {name} = {values!r} is not an array of numbers") from None
    if v.ndim not in ndim or v.shape[-1] == 0:
        dims = " or ".join(f"{d}-D" for d in ndim)
        raise ModelError(
            f"finance: {name} has shape {v.shape}; expected a non-empty {dims} array of flows"
        )
    if not np.isfinite(v).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(v))[0])
        raise ModelError(f"finance: {name}{list(bad)} = {float(v[bad])!r} is not a finite amount")
    return v


def _rate(rate) -> np.ndarray:
    r = np.asarray(rate, dtype=float)
    ok = np.isfinite(r) & (r > -1)
    if not ok.all():
        bad = r if r.ndim == 0 else r.flat[int(np.flatnonzero(~ok.ravel())[0])]
        raise ModelError(
            f"finance: rate = {float(bad)!r} is not accepted (a fraction above -1, e.g. 0.10 for 10%)"
        )
    return r


def _per_year(per_year) -> int:
    if isinstance(per_year, bool) or not isinstance(per_year, int | np.integer) or per_year < 1:
        raise ModelError(
            f"finance: per_year = {per_year!r} is not accepted (a whole number of periods per "
            "year ≥ 1, e.g. 12 for months)"
        )
    return int(per_year)


def _scalar_or_array(x: np.ndarray):
    return float(x) if x.ndim == 0 else x


# -- discounting --------------------------------------------------------------------------------


def discount_factors(rate: float, periods: int, *, per_year: int = 1) -> np.ndarray:
    """Discount factor for each period t = 0 .. periods at an annual ``rate``.

    Notes
    -----
    ``d[t] = 1 / (1 + rate) ** (t / per_year)``; ``per_year=12`` discounts monthly flows at an
    annual rate.

    Examples
    --------
    A programme's three year-ends at the CFO's 10% hurdle rate:

    >>> discount_factors(0.10, 3).round(4).tolist()
    [1.0, 0.9091, 0.8264, 0.7513]

    Month 12 of a monthly timeline gets the same factor as year 1:

    >>> float(discount_factors(0.10, 12, per_year=12)[12].round(4))
    0.9091
    """
    r = _rate(rate)
    if r.ndim:
        raise ModelError(f"finance: rate = {rate!r} must be one number for discount_factors")
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 0:
        raise ModelError(f"finance: periods = {periods!r} is not accepted (a whole number ≥ 0)")
    t = np.arange(int(periods) + 1)
    return 1.0 / (1.0 + float(r)) ** (t / _per_year(per_year))


def npv(rate, values, *, per_year: int = 1):
    """Net present value of cash flows at ``rate`` per year.

    Parameters
    ----------
    rate : float or array
        Annual discount rate (0.10 for 10%); an array gives one rate per row of ``values``.
    values : array_like, 1-D or 2-D
        Flows with time on the last axis; ``values[..., 0]`` is at t = 0 and is not discounted.
    per_year : int, keyword-only
        Periods per year of ``values`` (12 for monthly flows).

    Returns
    -------
    float for one series, else an array with one NPV per row.

    Notes
    -----
    ``npv = Σ_t values[t] / (1 + rate) ** (t / per_year)``; with ``per_year=1`` this is
    numpy-financial's ``npv`` (the first flow undiscounted, unlike the spreadsheet NPV).

    Examples
    --------
    Deflecting 10% of 1,000,000 contacts at $8 saved each brings $800,000 a year; the bot costs
    $1,000,000 up front. Over three years at 10%:

    >>> round(npv(0.10, [-1_000_000, 800_000, 800_000, 800_000]), 2)
    989481.59

    At a 0% rate the NPV is the plain sum of the flows:

    >>> npv(0.0, [-1_000_000, 800_000, 800_000, 800_000])
    1400000.0

    One row per Monte Carlo draw gives one NPV per draw:

    >>> npv(0.10, [[-100, 132], [-100, 121]]).round(2).tolist()
    [20.0, 10.0]
    """
    v = _flows("values", values)
    r = _rate(rate)
    t = np.arange(v.shape[-1]) / _per_year(per_year)
    return _scalar_or_array(np.sum(v / (1.0 + r[..., np.newaxis]) ** t, axis=-1))


# -- internal rate of return ----------------------------------------------------------------

_EPS = np.finfo(float).eps


def irr_many(values, *, per_year: int = 1) -> np.ndarray:
    """Internal rate of return of each row of a 2-D array of flows; nan where it is undefined.

    Same definition and conventions as :func:`irr`, row by row.

    Examples
    --------
    Two units: one pays $100k back as $121k two years on, one never earns anything back:

    >>> irr_many([[-100_000, 0, 121_000], [-100_000, 0, 0]]).round(4).tolist()
    [0.1, nan]
    """
    v = _flows("values", values, ndim=(2,))
    n = _per_year(per_year)
    out = [irr(row, per_year=n) for row in v]
    return np.array([np.nan if r is None else r for r in out], dtype=float)


def irr_roots(values, *, per_year: int = 1) -> tuple[float, ...]:
    """Every internal rate of return of the flows, annualised, in increasing order.

    Notes
    -----
    With x = 1/(1 + r) the NPV ``Σ_t values[t]·x^t`` is a polynomial; its real roots x > 0 are
    the IRRs (r = 1/x − 1 > −100%). They come from the companion matrix's eigenvalues
    (``numpy.roots``, as numpy-financial does), each polished by Newton steps on the NPV; an
    eigenvalue with a tiny imaginary part (a double root, where the NPV touches zero) counts when
    the polished NPV is zero to rounding. Flows that change sign more than once can have several.

    Examples
    --------
    Spend $500k, earn $900k twice, pay $1.4M to re-platform: two rates make the NPV zero.

    >>> [round(r, 4) for r in irr_roots([-500_000, 900_000, 900_000, -1_400_000])]
    [0.0874, 1.0]
    >>> irr_roots([250_000, 250_000])
    ()
    """
    v = _flows("values", values, ndim=(1,))
    n = _per_year(per_year)
    if not ((v > 0).any() and (v < 0).any()):
        return ()
    scale = float(np.abs(v).max())
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        v = v / scale
    if not np.isfinite(v).all():  # amounts at the edge of floating point (e.g. 1e-308): no rate to find
        return ()
    nz = np.flatnonzero(v)
    v = v[: nz[-1] + 1]  # trailing zeros are no roots
    t = np.arange(v.size, dtype=float)
    try:
        x = np.roots(v[::-1])
    except np.linalg.LinAlgError:  # the companion matrix overflowed: no rate is representable
        return ()
    x = x[(np.abs(x.imag) <= 1e-6 * np.maximum(1.0, np.abs(x.real))) & (x.real > 0)].real
    s = -np.log(x)  # s = log(1 + r), polished together by Newton steps on f(s) = Σ v_t·exp(−s·t)

    def terms(s: np.ndarray) -> np.ndarray:
        return np.exp(-np.multiply.outer(s, t) - np.maximum(0.0, -s * t[-1])[:, np.newaxis])

    for _ in range(60):
        if not s.size:
            break
        e = terms(s)
        f, df = e @ v, -(e @ (v * t))
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where((df != 0) & (f != 0), f / df, 0.0)
        s = s - step
        if (np.abs(step) <= 4 * _EPS * np.maximum(1.0, np.abs(s))).all():
            break
    if s.size:  # a complex pair near the axis is no root: its NPV does not reach zero
        e = terms(s)
        s = s[np.abs(e @ v) <= 1e-9 * (e @ np.abs(v))]
    found: list[float] = []
    for root in np.sort(s):
        if not found or abs(root - found[-1]) > 1e-7 * max(1.0, abs(root)):
            found.append(float(root))
    with np.errstate(over="ignore"):
        rates = sorted(float(np.expm1(n * s)) for s in found)
    return tuple(r for r in rates if math.isfinite(r))


def irr(values, *, per_year: int = 1) -> float | None:
    """Annual internal rate of return: the rate at which the flows' NPV is zero.

    Parameters
    ----------
    values : array_like, 1-D
        Flows per period, ``values[0]`` now.
    per_year : int, keyword-only
        Periods per year of ``values``; monthly flows (``per_year=12``) give the annual rate
        ``(1 + r_month) ** 12 - 1``.

    Returns
    -------
    float, or None when no rate above −100% makes the NPV zero (the flows never change sign,
    or the NPV never reaches zero).

    Notes
    -----
    Solves ``Σ_t values[t] / (1 + r) ** t = 0`` for the periodic rate r (:func:`irr_roots`).
    Flows that change sign more than once can have several rates; like numpy-financial, the one
    closest to zero is returned, and :func:`irr_roots` lists them all (the model warns).

    Examples
    --------
    A $1.2M deflection programme returning $550k a year for three years:

    >>> round(irr([-1_200_000, 550_000, 550_000, 550_000]), 4)
    0.1778

    Monthly flows: $300k up front, then $30k a month saved for a year, annualised:

    >>> round(irr([-300_000] + [30_000] * 12, per_year=12), 4)
    0.413

    Savings that never cover the spend have a negative IRR; flows that never change sign have
    none:

    >>> round(irr([-1_000_000, 300_000, 400_000, 200_000]), 4)
    -0.0538
    >>> irr([250_000, 250_000]) is None
    True
    """
    n = _per_year(per_year)
    roots = irr_roots(values, per_year=1)
    if not roots:
        return None
    best = min(roots, key=abs)
    with np.errstate(over="ignore"):  # numpy's power: past float range it is inf (Python's raises)
        annual = float(np.power(np.float64(1.0 + best), n) - 1.0)
    return annual if math.isfinite(annual) else None


# -- payback --------------------------------------------------------------------------------


def payback_many(flows) -> np.ndarray:
    """Payback period of each row of a 2-D array of flows; nan where it does not pay back.

    Same definition as :func:`payback`, row by row, without a Python loop.

    Examples
    --------
    >>> payback_many([[-100, 60, 60], [-100, 10, 10], [5, -1, 1], [-100, 150, -80]]).round(3).tolist()
    [1.667, nan, 0.0, nan]
    """
    f = _flows("flows", flows, ndim=(2,))
    cum = np.cumsum(f, axis=-1)
    below = cum < 0
    last = f.shape[-1] - 1
    k = last - np.argmax(below[:, ::-1], axis=-1)  # the last period whose cumulative is below zero
    m = np.minimum(k + 1, last)
    rows = np.arange(f.shape[0])
    # only rows that end below zero can divide by zero or overflow, and those are nan below
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inside = k + (-cum[rows, k]) / f[rows, m]
    out = np.where(below.any(axis=-1), inside, 0.0)
    return np.where(below[:, -1], np.nan, out)


def payback(flows) -> float | None:
    """Payback period: when the cumulative flow turns non-negative for good, interpolated.

    Parameters
    ----------
    flows : array_like, 1-D
        ``flows[0]`` is the initial (month-0) flow, ``flows[m]`` the flow of period m.

    Returns
    -------
    float in periods, or None if the cumulative flow ends below zero.

    Notes
    -----
    With ``cum = cumsum(flows)``: 0.0 if ``cum`` is never negative; None if ``cum[-1] < 0``;
    otherwise, for the last period k with ``cum[k] < 0`` (so ``cum`` stays non-negative from
    k + 1 to the end), ``payback = k + (-cum[k]) / flows[k+1]`` — the flow of period k + 1 is
    taken as earned evenly through it. A case that turns positive, then falls below zero again
    (a re-platforming cost late in the horizon) pays back only once it is above zero for good.

    Examples
    --------
    A $600k platform saving $110k a month pays back in its sixth month:

    >>> round(payback([-600_000] + [110_000] * 12), 3)
    5.455

    A pilot whose savings never cover its cost never pays back:

    >>> payback([-600_000, 10_000, 10_000]) is None
    True

    Nor does one that is above water in period 1 but ends below it:

    >>> payback([-100, 150, -80]) is None
    True
    """
    f = _flows("flows", flows, ndim=(1,))
    cum = np.cumsum(f)
    below = np.flatnonzero(cum < 0)
    if not below.size:
        return 0.0
    k = int(below[-1])
    if k == f.size - 1:
        return None
    return float(k + (-cum[k]) / f[k + 1])


# -- return on investment -------------------------------------------------------------------


def simple_roi(gains, costs):
    """Simple (undiscounted) return on investment: ``(gains - costs) / costs``.

    Examples
    --------
    Spend $1,000,000; gains of $300,000 + $400,000 + $200,000 lose 10% of it:

    >>> round(simple_roi(300_000 + 400_000 + 200_000, 1_000_000), 4)
    -0.1

    Gains of $1,300,000 return 30%:

    >>> round(simple_roi(1_300_000, 1_000_000), 4)
    0.3
    """
    g = np.asarray(gains, dtype=float)
    c = np.asarray(costs, dtype=float)
    ok = np.isfinite(c) & (c > 0)
    if not ok.all():
        bad = c if c.ndim == 0 else c.flat[int(np.flatnonzero(~ok.ravel())[0])]
        raise ModelError(f"finance: costs = {float(bad)!r} is not accepted (ROI needs costs > 0)")
    if not np.isfinite(g).all():
        raise ModelError(f"finance: gains = {gains!r} is not a finite amount")
    return _scalar_or_array((g - c) / c)
