"""Spreadsheet-style finance primitives: NPV, IRR, discount factors, payback, simple ROI.

Short names after the spreadsheet functions (and numpy-financial), flags keyword-only, numpy only.
Cash flows are arrays with time on the last axis: ``values[..., 0]`` happens now (undiscounted),
``values[..., t]`` after t periods. Costs are negative flows, benefits positive.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from roi_kit.errors import ModelError

__all__ = [
    "discount_factors",
    "irr",
    "irr_many",
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

# The root search runs in s = log(1 + r): every periodic rate above -100% is one real s, and
# the NPV's sign at s is that of Σ v_t·exp(-s·t), scaled so no term overflows. The grid spans
# s in [-12, 12] (periodic rates from -99.9994% to +16 million %): steps of 0.005 for |s| ≤ 1
# (rates from -63% to +172%), 0.25 beyond. It contains s = 0 (r = 0).
_GRID = np.unique(
    np.round(np.r_[np.linspace(-12, -1, 45), np.linspace(-1, 1, 401), np.linspace(1, 12, 45)], 12)
)
_ZERO = int(np.flatnonzero(_GRID == 0)[0])
_CHUNK = 2048
_EPS = np.finfo(float).eps


def _scaled_terms(s, t: np.ndarray) -> np.ndarray:
    """exp(-s·t) times a positive factor per s so that no term overflows (signs unchanged)."""
    s = np.asarray(s, dtype=float)
    shift = np.maximum(0.0, -s * t[-1])
    return np.exp(-np.multiply.outer(s, t) - shift[..., np.newaxis])


@lru_cache(maxsize=16)
def _grid_terms(length: int) -> np.ndarray:
    """The grid's scaled discount terms for ``length`` periods (grid × length), read-only."""
    terms = _scaled_terms(_GRID, np.arange(length, dtype=float))
    terms.flags.writeable = False
    return terms


def _nearest_bracket(sign: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid bracket [lo, hi] of the first sign change walking from s = 0 in direction ``step``.

    ``sign`` holds the sign of the NPV at each grid point (rows × grid). An exact zero on a grid
    point collapses the bracket onto that point. ``found`` is False where the walk finds none.
    """
    if step == 1:  # pairs (Z+j, Z+j+1)
        near, far = sign[:, _ZERO:-1], sign[:, _ZERO + 1 :]
    else:  # pairs (Z-j, Z-j-1)
        near, far = sign[:, _ZERO:0:-1], sign[:, _ZERO - 1 :: -1]
    change = (near * far < 0) | (far == 0)
    j = np.argmax(change, axis=1)
    near_i = _ZERO + step * j
    far_i = near_i + step
    on_point = sign[np.arange(sign.shape[0]), far_i] == 0
    g_near, g_far = _GRID[near_i], _GRID[far_i]
    lo = np.where(on_point, g_far, np.minimum(g_near, g_far))
    hi = np.where(on_point, g_far, np.maximum(g_near, g_far))
    at_zero = sign[:, _ZERO] == 0
    lo, hi = np.where(at_zero, 0.0, lo), np.where(at_zero, 0.0, hi)
    return lo, hi, change.any(axis=1) | at_zero


def _refine(v: np.ndarray, t: np.ndarray, lo, hi, found) -> np.ndarray:
    """Safeguarded Newton in s within each bracket [lo, hi]; nan where no bracket was found.

    Each step keeps the bracket around the sign change and takes the Newton step when it lands
    inside, else bisects; a row stops when its step or its bracket is within a few ulps.
    """
    s = np.full(v.shape[0], np.nan)
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    point = found & (hi == lo)
    s[point] = lo[point]
    active = found & (hi > lo)
    if not active.any():
        return s
    vt = v * t
    f_lo = np.einsum("ij,ij->i", v, _scaled_terms(lo, t))
    x = 0.5 * (lo + hi)
    for _ in range(200):
        i = np.flatnonzero(active)
        if not i.size:
            break
        e = _scaled_terms(x[i], t)
        f = np.einsum("ij,ij->i", v[i], e)
        df = -np.einsum("ij,ij->i", vt[i], e)
        same = np.sign(f) == np.sign(f_lo[i])
        lo[i] = np.where(same, x[i], lo[i])
        f_lo[i] = np.where(same, f, f_lo[i])
        hi[i] = np.where(same, hi[i], x[i])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x[i] - f / df
        inside = np.isfinite(newton) & (newton > lo[i]) & (newton < hi[i])
        nxt = np.where(inside, newton, 0.5 * (lo[i] + hi[i]))
        tol = 4 * _EPS * np.maximum(1.0, np.abs(x[i]))
        settled = (f == 0) | (np.abs(nxt - x[i]) <= tol) | (hi[i] - lo[i] <= tol)
        s[i[settled]] = np.where(f == 0, x[i], nxt)[settled]
        x[i] = nxt
        active[i[settled]] = False
    s[active] = x[active]
    return s


def _bracket_one(sign: np.ndarray, step: int) -> tuple[float, float] | None:
    """:func:`_nearest_bracket` for one series' grid signs; None where the walk finds none."""
    if sign[_ZERO] == 0:
        return 0.0, 0.0
    walk = sign[_ZERO:] if step == 1 else sign[_ZERO::-1]
    hits = np.flatnonzero((walk[:-1] * walk[1:] < 0) | (walk[1:] == 0))
    if not hits.size:
        return None
    near = _ZERO + step * int(hits[0])
    far = near + step
    if sign[far] == 0:
        return float(_GRID[far]), float(_GRID[far])
    return float(min(_GRID[near], _GRID[far])), float(max(_GRID[near], _GRID[far]))


def _refine_one(v: np.ndarray, t: np.ndarray, lo: float, hi: float) -> float:
    """:func:`_refine` for one series, on Python floats (the same steps, no array bookkeeping)."""
    if lo == hi:
        return lo
    vt = v * t
    f_lo = float(v @ _scaled_terms(lo, t))
    x = 0.5 * (lo + hi)
    for _ in range(200):
        e = np.exp(-x * t - max(0.0, -x * t[-1]))
        f = float(v @ e)
        if f == 0:
            return x
        df = -float(vt @ e)
        if (f > 0) == (f_lo > 0):
            lo, f_lo = x, f
        else:
            hi = x
        nxt = x - f / df if df else lo
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi)
        tol = 4 * _EPS * max(1.0, abs(x))
        if abs(nxt - x) <= tol or hi - lo <= tol:
            return nxt
        x = nxt
    return x


def _irr_rows(v: np.ndarray) -> np.ndarray:
    """Periodic IRR as s = log(1 + r) for each row of ``v`` (nan where there is none)."""
    out = np.full(v.shape[0], np.nan)
    mixed = np.flatnonzero((v > 0).any(axis=1) & (v < 0).any(axis=1))
    if not mixed.size:
        return out
    v = v[mixed]
    t = np.arange(v.shape[1], dtype=float)
    sign = np.sign(v @ _grid_terms(v.shape[1]).T)  # rows × grid
    up = _refine(v, t, *_nearest_bracket(sign, 1))
    down = _refine(v, t, *_nearest_bracket(sign, -1))
    # the rate closest to 0, as numpy-financial picks among several
    nearer_up = np.isnan(down) | (np.abs(np.expm1(up)) <= np.abs(np.expm1(down)))
    out[mixed] = np.where(nearer_up, up, down)
    return out


def irr_many(values, *, per_year: int = 1) -> np.ndarray:
    """Internal rate of return of each row of a 2-D array of flows; nan where it is undefined.

    Same definition and conventions as :func:`irr`, computed for all rows together.

    Examples
    --------
    Two units: one pays $100k back as $121k two years on, one never earns anything back:

    >>> irr_many([[-100_000, 0, 121_000], [-100_000, 0, 0]]).round(4).tolist()
    [0.1, nan]
    """
    v = _flows("values", values, ndim=(2,))
    n = _per_year(per_year)
    out = np.concatenate(
        [_irr_rows(v[i : i + _CHUNK]) for i in range(0, v.shape[0], _CHUNK)] or [np.empty(0)]
    )
    with np.errstate(over="ignore"):
        return np.expm1(out * n)


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
    float, or None when no rate makes the NPV zero: the flows never change sign, or the NPV
    never crosses zero for periodic rates between -99.9994% and +16 million %.

    Notes
    -----
    Solves ``Σ_t values[t] / (1 + r) ** t = 0`` for the periodic rate r. The search runs over
    s = log(1 + r): a grid brackets the sign changes nearest to r = 0 on either side, then a
    safeguarded Newton step (bisection whenever Newton leaves the bracket) converges in each.
    Flows that change sign more than once can have several rates; like numpy-financial, the one
    closest to zero is returned. A root where the NPV touches zero without crossing is not found,
    nor are two rates closer together than the grid step (0.005 in log(1 + r) for periodic rates
    between -63% and +172%, 0.25 beyond), which hide each other.

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
    v = _flows("values", values, ndim=(1,))
    n = _per_year(per_year)
    if not ((v > 0).any() and (v < 0).any()):
        return None
    t = np.arange(v.size, dtype=float)
    sign = np.sign(_grid_terms(v.size) @ v)
    best = None
    for step in (1, -1):
        bracket = _bracket_one(sign, step)
        if bracket is None:
            continue
        lo, hi = bracket
        if best is not None and abs(np.expm1(best)) <= abs(np.expm1(hi)):
            continue  # every root in this bracket is further from r = 0 than the one found
        root = _refine_one(v, t, lo, hi)
        if best is None or abs(np.expm1(root)) < abs(np.expm1(best)):
            best = root
    return None if best is None else float(np.expm1(n * best))


# -- payback --------------------------------------------------------------------------------


def payback_many(flows) -> np.ndarray:
    """Payback period of each row of a 2-D array of flows; nan where it never pays back.

    Same definition as :func:`payback`, row by row, without a Python loop.

    Examples
    --------
    >>> payback_many([[-100, 60, 60], [-100, 10, 10], [5, -1, 1]]).round(3).tolist()
    [1.667, nan, 0.0]
    """
    f = _flows("flows", flows, ndim=(2,))
    cum = np.cumsum(f, axis=-1)
    paid = cum >= 0
    m = np.argmax(paid, axis=-1)
    rows = np.arange(f.shape[0])
    prev = np.maximum(m - 1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (m - 1) + (-cum[rows, prev]) / f[rows, m]
    out = np.where(m == 0, 0.0, inside)
    return np.where(paid.any(axis=-1), out, np.nan)


def payback(flows) -> float | None:
    """Payback period: when the cumulative flow first turns non-negative, interpolated.

    Parameters
    ----------
    flows : array_like, 1-D
        ``flows[0]`` is the initial (month-0) flow, ``flows[m]`` the flow of period m.

    Returns
    -------
    float in periods, or None if the cumulative flow never turns non-negative.

    Notes
    -----
    With ``cum = cumsum(flows)``: 0.0 if ``cum[0] ≥ 0``; otherwise for the first m with
    ``cum[m-1] < 0 ≤ cum[m]``, ``payback = (m - 1) + (-cum[m-1]) / flows[m]`` — the flow of
    period m is taken as earned evenly through it. Only the first crossing counts.

    Examples
    --------
    A $600k platform saving $110k a month pays back in its sixth month:

    >>> round(payback([-600_000] + [110_000] * 12), 3)
    5.455

    A pilot whose savings never cover its cost never pays back:

    >>> payback([-600_000, 10_000, 10_000]) is None
    True
    """
    f = _flows("flows", flows, ndim=(1,))
    cum = np.cumsum(f)
    paid = cum >= 0
    m = int(np.argmax(paid))
    if not paid[m]:
        return None
    if m == 0:
        return 0.0
    return float((m - 1) + (-cum[m - 1]) / f[m])


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
