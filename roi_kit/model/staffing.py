"""Erlang C staffing: how many agents a queue needs to meet a service-level target.

The model is the M/M/n queue behind every workforce-management tool: calls arrive at random
(Poisson), handle times are exponential, nobody abandons. For ``calls`` arriving in an interval of
``interval_seconds`` with an average handle time ``aht_seconds``, the offered traffic is

    A = calls · aht / interval                       (Erlangs: agents kept busy on average)

and with ``n`` agents (n > A)

    B(0) = 1,  B(k) = A·B(k−1) / (k + A·B(k−1))      (Erlang B, the stable recursion)
    C    = n·B(n) / (n − A·(1 − B(n)))                (Erlang C: probability a call waits)
    SL   = 1 − C·exp(−(n − A)·t / aht)                (share answered within t seconds)
    ASA  = C·aht / (n − A)                            (average speed of answer, seconds)
    occupancy = A / n

No factorial or power of A is ever formed, so the figures stay accurate to rounding for
thousands of agents.
When ``n ≤ A`` the queue never empties (it grows without bound): such a count is reported as
service level 0, probability of waiting 1, ASA infinite and occupancy 1, and never meets a target.
With no calls (A = 0) every call is answered at once: service level 1, no waiting, occupancy 0,
and zero agents are needed.

``agents_for`` searches upward from one agent, carrying the recursion along, so the search costs
O(agents) in all. ``agents_needed`` runs the same search over numpy arrays for Monte Carlo draws
and returns exactly what ``agents_for`` returns for each draw.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from roi_kit.errors import ModelError

__all__ = [
    "Staffing",
    "StaffingFigures",
    "agents_for",
    "agents_needed",
    "erlang_c",
    "traffic_erlangs",
]


@dataclass(frozen=True)
class StaffingFigures:
    """The queue's performance with a given number of agents (Erlang C)."""

    agents: int
    service_level: float
    probability_of_waiting: float
    asa_seconds: float
    occupancy: float


@dataclass(frozen=True)
class Staffing:
    """The smallest agent count meeting a service-level target, and the figures it achieves.

    ``scheduled_agents`` = agents / (1 − shrinkage): the paid heads needed so that ``agents``
    are on the phones after breaks, training and absence.
    """

    agents: int
    scheduled_agents: float
    service_level: float
    probability_of_waiting: float
    asa_seconds: float
    occupancy: float


# -- validation ---------------------------------------------------------------------------------


def _check(name: str, value: float, ok: bool, accepted: str) -> None:
    if not ok:
        raise ModelError(f"staffing: {name} = {value!r} is not accepted ({accepted})")


MAX_ERLANGS = 100_000.0  # more traffic than any contact centre carries: a units slip


# The queue's inputs in call order: name, when a finite value is accepted, what is accepted.
# Written for floats and arrays alike; NaN and infinity are never accepted.
_QUEUE_RULES = (
    ("calls", lambda x: x >= 0, "a count of calls ≥ 0"),
    ("aht_seconds", lambda x: x > 0, "seconds > 0"),
    ("interval_seconds", lambda x: x > 0, "seconds > 0"),
    ("answer_within_seconds", lambda x: x >= 0, "seconds ≥ 0"),
)
_TARGET_ACCEPTED = "a fraction strictly between 0 and 1, e.g. 0.8 for 80%"


def _check_queue(calls, aht_seconds, interval_seconds, answer_within_seconds) -> None:
    values = (calls, aht_seconds, interval_seconds, answer_within_seconds)
    for (name, ok, accepted), value in zip(_QUEUE_RULES, values, strict=True):
        _check(name, value, math.isfinite(value) and ok(value), accepted)
    _check_traffic(calls * aht_seconds / interval_seconds, calls)


def _check_traffic(traffic: float, calls: float, where: str = "") -> None:
    if traffic > MAX_ERLANGS:
        raise ModelError(
            f"staffing: calls{where} = {calls!r} make {traffic:,.0f} Erlangs of traffic, above the "
            f"{MAX_ERLANGS:,.0f} accepted (are these calls per year rather than per interval?)"
        )


def _check_target(target_service_level) -> None:
    _check(
        "target_service_level", target_service_level, 0 < target_service_level < 1, _TARGET_ACCEPTED
    )


def _scalar(name: str, value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ModelError(f"staffing: {name} = {value!r} is not a number") from None


# -- scalar model -------------------------------------------------------------------------------


def traffic_erlangs(calls: float, aht_seconds: float, interval_seconds: float) -> float:
    """Offered traffic A = calls · aht / interval, in Erlangs.

    >>> traffic_erlangs(100, 180, 1800)   # 100 calls of 3 minutes in half an hour
    10.0
    """
    return calls * aht_seconds / interval_seconds


def _figures(n: int, a: float, b: float, k: float) -> tuple[float, float, float, float]:
    """(service level, P(wait), ASA in units of aht, occupancy) for n agents, B = B(n), k = t/aht."""
    if a == 0:
        return 1.0, 0.0, 0.0, 0.0
    if n <= a:
        return 0.0, 1.0, math.inf, 1.0
    c = n * b / (n - a * (1 - b))
    return 1 - c * math.exp(-(n - a) * k), c, c / (n - a), a / n


def erlang_c(
    calls: float,
    aht_seconds: float,
    interval_seconds: float,
    agents: int,
    answer_within_seconds: float,
) -> StaffingFigures:
    """Service level, probability of waiting, ASA and occupancy with ``agents`` on the phones.

    Formulas in the module docstring. With ``agents ≤ A`` the queue is unstable and the figures
    are service level 0, probability of waiting 1, ASA ``inf`` and occupancy 1.

    Call Centre Helper's worked example: 100 calls in 30 minutes at 180 s each is 10 Erlangs;
    14 agents answer 88.8% of calls within 20 seconds, 17.4% wait, the ASA is 7.8 s.

    >>> f = erlang_c(100, 180, 1800, agents=14, answer_within_seconds=20)
    >>> round(f.service_level, 3), round(f.probability_of_waiting, 3), round(f.asa_seconds, 1)
    (0.888, 0.174, 7.8)
    >>> round(f.occupancy, 3)
    0.714
    """
    calls = _scalar("calls", calls)
    aht_seconds = _scalar("aht_seconds", aht_seconds)
    interval_seconds = _scalar("interval_seconds", interval_seconds)
    answer_within_seconds = _scalar("answer_within_seconds", answer_within_seconds)
    _check_queue(calls, aht_seconds, interval_seconds, answer_within_seconds)
    try:
        n = operator.index(agents)
    except TypeError:
        raise ModelError(f"staffing: agents = {agents!r} is not a whole number of agents") from None
    _check("agents", agents, n >= 0, "a whole number of agents ≥ 0")
    a = traffic_erlangs(calls, aht_seconds, interval_seconds)
    b = 1.0
    if a > 0 and n > a:
        for i in range(1, n + 1):
            ab = a * b
            b = ab / (i + ab)
    sl, pw, asa, occ = _figures(n, a, b, answer_within_seconds / aht_seconds)
    return StaffingFigures(n, sl, pw, asa * aht_seconds, occ)


@lru_cache(maxsize=4096)
def _search(a: float, k: float, target: float) -> tuple[int, float, float, float, float]:
    """Smallest n with SL(n) ≥ target, and its figures; the Erlang B recursion runs once, upward."""
    if a == 0:
        return (0, *_figures(0, a, 1.0, k))
    b = 1.0
    n = 0
    while True:
        n += 1
        ab = a * b
        b = ab / (n + ab)
        if n > a:
            c = n * b / (n - a * (1 - b))
            if 1 - c * math.exp(-(n - a) * k) >= target:
                return (n, *_figures(n, a, b, k))


def agents_for(
    calls: float,
    aht_seconds: float,
    interval_seconds: float,
    target_service_level: float,
    answer_within_seconds: float,
    shrinkage: float = 0,
) -> Staffing:
    """The fewest agents answering ``target_service_level`` of calls within the answer time.

    ``agents`` is the smallest n > A with SL(n) ≥ target (formulas in the module docstring);
    ``scheduled_agents`` = agents / (1 − shrinkage). Zero calls need zero agents. Results are
    cached, so repeated evaluations of the same queue cost a dictionary look-up.

    Call Centre Helper's worked example: 100 calls per half hour at 3 minutes each, 80% to be
    answered within 20 seconds, 30% shrinkage. 14 agents do it (13 would not); 20 must be
    scheduled.

    >>> s = agents_for(100, 180, 1800, 0.80, 20, shrinkage=0.30)
    >>> s.agents, s.scheduled_agents, round(s.service_level, 3)
    (14, 20.0, 0.888)
    """
    calls = _scalar("calls", calls)
    aht_seconds = _scalar("aht_seconds", aht_seconds)
    interval_seconds = _scalar("interval_seconds", interval_seconds)
    target_service_level = _scalar("target_service_level", target_service_level)
    answer_within_seconds = _scalar("answer_within_seconds", answer_within_seconds)
    shrinkage = _scalar("shrinkage", shrinkage)
    _check_queue(calls, aht_seconds, interval_seconds, answer_within_seconds)
    _check_target(target_service_level)
    _check("shrinkage", shrinkage, 0 <= shrinkage < 1, "a fraction from 0 up to (not including) 1")
    a = traffic_erlangs(calls, aht_seconds, interval_seconds)
    n, sl, pw, asa, occ = _search(a, answer_within_seconds / aht_seconds, target_service_level)
    return Staffing(n, n / (1 - shrinkage), sl, pw, asa * aht_seconds, occ)


# -- vectorised search (Monte Carlo) -----------------------------------------------------------


def agents_needed(
    calls,
    aht_seconds,
    interval_seconds,
    target_service_level,
    answer_within_seconds,
) -> np.ndarray:
    """``agents_for(...).agents`` for every element of broadcast arrays, as an int64 array.

    All draws step through n = 1, 2, … together, each carrying its own Erlang B recursion; a draw
    leaves the search at the first n > A meeting the target. Draws are sorted by traffic so the
    ones past their A form a prefix of the arrays, and finished draws are dropped as they go, so
    the work is about Σ A over the draws. The arithmetic is the same, in the same order, as
    :func:`agents_for`, so the answers are identical.

    >>> agents_needed(np.array([100, 200, 0]), 180, 1800, 0.8, 20).tolist()
    [14, 24, 0]
    """
    arrays = np.broadcast_arrays(
        *(
            np.asarray(x, dtype=float)
            for x in (
                calls,
                aht_seconds,
                interval_seconds,
                target_service_level,
                answer_within_seconds,
            )
        )
    )
    shape = arrays[0].shape
    calls_, aht, interval, target, within = (x.ravel() for x in arrays)
    checks = [
        (name, x, np.isfinite(x) & ok(x), accepted)
        for (name, ok, accepted), x in zip(
            _QUEUE_RULES, (calls_, aht, interval, within), strict=True
        )
    ]
    checks.append(("target_service_level", target, (target > 0) & (target < 1), _TARGET_ACCEPTED))
    for name, x, ok, accepted in checks:
        if not ok.all():
            bad = int(np.flatnonzero(~ok)[0])
            where = f"[{bad}]" if x.size > 1 else ""
            raise ModelError(
                f"staffing: {name}{where} = {float(x[bad])!r} is not accepted ({accepted})"
            )

    traffic = calls_ * aht / interval
    if traffic.size and traffic.max() > MAX_ERLANGS:
        worst = int(np.argmax(traffic))
        _check_traffic(
            float(traffic[worst]), float(calls_[worst]), f"[{worst}]" if traffic.size > 1 else ""
        )
    result = np.zeros(traffic.size, dtype=np.int64)
    live = np.flatnonzero(traffic > 0)
    order = live[np.argsort(traffic[live], kind="stable")]
    k = within / aht
    for start in range(0, order.size, _CHUNK):
        part = order[start : start + _CHUNK]
        result[part] = _search_sorted(traffic[part], k[part], target[part])
    return result.reshape(shape)


_CHUNK = 8192  # draws searched together: small enough to stay in cache, large enough to vectorise


def _search_sorted(a: np.ndarray, k: np.ndarray, goal: np.ndarray) -> np.ndarray:
    """:func:`_search` for many queues at once; ``a`` (traffic > 0) must be sorted ascending.

    Every queue carries its own Erlang B recursion as n steps up; the queues past their traffic
    (a < n) are a prefix of the arrays and are the only ones checked against their target.
    Finished queues are dropped once they are a quarter of the arrays.
    """
    found = np.zeros(a.size, dtype=np.int64)
    pos = np.arange(a.size)
    b = np.ones_like(a)
    ab = np.empty_like(a)
    done = np.zeros(a.size, dtype=bool)
    n_done = 0
    n = 0
    while pos.size:
        n += 1
        np.multiply(a, b, out=ab)
        np.divide(ab, ab + n, out=b)
        past = int(np.searchsorted(a, n, side="left"))  # a[:past] < n
        if not past:
            continue
        ap, bp = a[:past], b[:past]
        c = n * bp / (n - ap * (1 - bp))
        met = 1 - c * np.exp(-(n - ap) * k[:past]) >= goal[:past]
        met &= ~done[:past]
        hits = np.flatnonzero(met)
        if not hits.size:
            continue
        found[pos[hits]] = n
        done[hits] = True
        n_done += hits.size
        if 4 * n_done >= pos.size:
            keep = ~done
            pos, a, b, k, goal = pos[keep], a[keep], b[keep], k[keep], goal[keep]
            ab = np.empty_like(a)
            done = np.zeros(a.size, dtype=bool)
            n_done = 0
    return found


# -- the week's intervals (per-interval staffing) -----------------------------------------------

HALF_HOUR = 1800.0
WEEKS_PER_YEAR = 365.0 / 7.0
#: The default weekly shape: Monday busiest, easing to Friday, Saturday and Sunday quieter; the day busiest late
#: morning and early afternoon. Only the open hours are used, then normalised to sum to 1.
DEFAULT_DAY_WEIGHTS = (1.12, 1.06, 1.0, 0.98, 0.94, 0.6, 0.4)
DEFAULT_HOUR_WEIGHTS = (0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.4, 0.6, 0.8, 1.1, 1.3, 1.3,
                        1.1, 1.2, 1.2, 1.1, 1.0, 0.9, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25)


def default_profile(hours_open_per_year: float) -> np.ndarray:
    """Share of weekly volume per (weekday, hour), 7 × 24: open ``hours_open_per_year ÷ 365`` hours
    (rounded, 1 to 24) every day from 08:00 (earlier when the day is longer than 16 hours).

    >>> p = default_profile(4380)              # 12 hours a day, 08:00-20:00
    >>> float(round(p.sum(), 12)), int((p > 0).sum()), bool(p[0, 8] > 0 and p[0, 7] == 0 and p[0, 20] == 0)
    (1.0, 84, True)
    """
    hours = int(min(24, max(1, round(hours_open_per_year / 365.0))))
    start = min(8, 24 - hours)
    hour = np.zeros(24)
    hour[start:start + hours] = np.asarray(DEFAULT_HOUR_WEIGHTS)[start:start + hours]
    grid = np.outer(DEFAULT_DAY_WEIGHTS, hour)
    return grid / grid.sum()


@dataclass(frozen=True, eq=False)
class Intervals:
    """The open half-hours of a week: each distinct share of weekly volume, and how many
    half-hours carry it (an hour's share is split evenly over its two half-hours)."""

    shares: np.ndarray  # ascending, > 0
    counts: np.ndarray  # half-hours a week with that share
    _tables: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, profile) -> Intervals:
        """The intervals of a weekly profile; the same profile (by value) gives the same object,
        so its tables, built for one evaluation, serve the next: the form's next edit, the
        next unit of a batch with that profile, a Monte Carlo after the scenarios."""
        half = np.asarray(profile, dtype=float).ravel() / 2.0
        shares, counts = np.unique(half[half > 0], return_counts=True)
        return _kept_intervals(shares.tobytes(), (2 * counts).astype(np.int64).tobytes())

    @property
    def open_hours_per_week(self) -> float:
        return float(self.counts.sum()) / 2.0


@lru_cache(maxsize=4)
def _kept_intervals(shares: bytes, counts: bytes) -> Intervals:
    """The intervals of a profile, kept for its last four distinct profiles (a batch worker's
    kernel or the form sees a few; a Monte Carlo of 10,000 draws leaves about 23 MB of tables on
    one: the reference case's 276). Arrays read from bytes are read-only, as shared ones must be."""
    return Intervals(np.frombuffer(shares, dtype=float), np.frombuffer(counts, dtype=np.int64))

_CELL = 2e-3  # handle times are bracketed by a lattice exp(g·_CELL) seconds: 0.2% apart
#: Bisection steps per threshold: its bracket ends at most (4√n + 4) / 2²⁴ Erlangs wide, 3·10⁻⁶ at
#: 128 agents, tens of thousands of times narrower than the 0.2% between lattice handle times,
#: which is what leaves a queue loose. 36 steps (37 service-level evaluations of the table, not
#: 25) solved 6 fewer of the reference simulation's 4,434 half-hours exactly; the answers are
#: exact either way.
_HALVINGS = 24
_EPS = 1e-12
_THRESHOLDS: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _sl(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Service level of n agents at traffic a[:, n − 1] (a < n), k = answer time ÷ aht, for
    n = 1..columns: the Erlang B recursion (column n stops at step n), then Erlang C, as in
    :func:`_search`."""
    top = a.shape[1]
    b = np.ones_like(a)
    for j in range(1, top + 1):
        ab = a[:, j - 1:] * b[:, j - 1:]
        b[:, j - 1:] = ab / (j + ab)
    n = np.arange(1, top + 1, dtype=float)
    c = n * b / (n - a * (1 - b))
    return 1 - c * np.exp(-(n - a) * k)


def _thresholds(points: list[int], target: float, within: float, top: int) -> None:
    """For lattice handle times exp(p·_CELL): the traffic n agents can carry at the target,
    bracketed as (carried, not carried) for n = 1..top, by bisection (verified both sides)."""
    missing = [p for p in points if (p, target, within, top) not in _THRESHOLDS]
    if not missing:
        return
    if len(_THRESHOLDS) > 4096:
        _THRESHOLDS.clear()
    k = (within / np.exp(np.asarray(missing, dtype=float) * _CELL))[:, None]
    n = np.broadcast_to(np.arange(1, top + 1, dtype=float), (len(missing), top))
    # SL → 1 as a → 0 and SL(n) = 0 at a = n: start from [n − 4√n − 4, n], widened to 0 where short
    hi = n.copy()
    lo = np.maximum(n - 4.0 * np.sqrt(n) - 4.0, 0.0)
    lo = np.where((lo > 0) & (_sl(np.maximum(lo, 1e-300), k) >= target), lo, 0.0)
    for _ in range(_HALVINGS):
        mid = 0.5 * (lo + hi)
        ok = (mid > 0) & (_sl(np.maximum(mid, 1e-300), k) >= target)
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    lo = np.maximum.accumulate(lo, axis=1)  # n + 1 agents carry whatever n agents carry
    hi = np.minimum.accumulate(hi[:, ::-1], axis=1)[:, ::-1]
    for row, p in enumerate(missing):
        _THRESHOLDS[(p, target, within, top)] = (lo[row], hi[row])


def _breakpoints(iv: Intervals, p: int, target: float, within: float, top: int, carried: bool):
    """Traffic scales s at which some half-hour needs one more agent, sorted, with the running
    count of half-hours; from the thresholds carried (sure enough) or not carried (sure short)."""
    key = (p, target, within, top, carried)
    table = iv._tables.get(key)
    if table is None:
        lo, hi = _THRESHOLDS[(p, target, within, top)]
        edge = (lo * (1 - _EPS)) if carried else (hi * (1 + _EPS))
        b = (edge[:, None] / iv.shares[None, :]).ravel()
        w = np.broadcast_to(iv.counts[None, :], (top, iv.shares.size)).ravel()
        order = np.argsort(b, kind="stable")
        table = iv._tables[key] = (b[order], np.concatenate([[0.0], np.cumsum(w[order])]), float(lo[-1]))
    return table


def weekly_agent_intervals(calls_per_week, aht_seconds, iv: Intervals, target: float, within: float) -> np.ndarray:
    """Σ over the week's open half-hours of the agents each needs (Erlang C at the target), for
    ``calls_per_week`` shaped (draws, years) and ``aht_seconds`` one per draw ((draws, 1) or a float).

    Each half-hour with share w of the week's calls carries A = calls × w × aht ÷ 1800 Erlangs; the
    agents it needs are the smallest n with SL(n) ≥ target (exactly :func:`agents_for`). Vectorised
    over draws: the traffic n agents can carry is tabulated once per lattice handle time (cached),
    a draw's answer is bracketed between its two neighbouring lattice handle times (service level
    rises as handle time falls), and the few draws whose bracket is not tight are solved exactly.
    """
    calls = np.atleast_2d(np.asarray(calls_per_week, dtype=float))
    draws = calls.shape[0]
    aht = np.broadcast_to(np.asarray(aht_seconds, dtype=float).reshape(-1, 1), (draws, 1))[:, 0]
    if draws == 1:  # one queue: kept, so evaluating the same case again is a look-up
        key = ("one", tuple(calls[0].tolist()), float(aht[0]), float(target), float(within))
        kept = iv._tables.get(key)
        if kept is None:
            if len(iv._tables) > 4096:
                iv._tables.clear()
            kept = iv._tables[key] = _weekly(calls, aht, iv, target, within)
        return kept.copy()
    return _weekly(calls, aht, iv, target, within)


def _weekly(calls: np.ndarray, aht: np.ndarray, iv: Intervals, target: float, within: float) -> np.ndarray:
    draws, years = calls.shape
    scale = calls * (aht / HALF_HOUR)[:, None]  # Erlangs per unit share
    total = np.zeros((draws, years))
    opened = float(iv.counts.sum())
    w_max = float(iv.shares[-1])
    a_max = float(scale.max()) * w_max if scale.size else 0.0
    if a_max <= 0:
        return total
    # tables past the busiest half-hour, their size rounded up to a multiple of 64: units of a
    # similar size (a batch's, a case's sensitivity and its simulation) share them
    top = 64 * math.ceil((a_max + 4.0 * math.sqrt(a_max) + 8.0) / 64.0)
    g = np.floor(np.log(aht) / _CELL).astype(np.int64)
    g = np.where(np.exp(g * _CELL) > aht, g - 1, g)
    g = np.where(np.exp((g + 1) * _CELL) < aht, g + 1, g)
    cells, inverse = np.unique(g, return_inverse=True)
    points = sorted({int(c) for c in cells} | {int(c) + 1 for c in cells})
    _thresholds(points, float(target), float(within), top)
    order = np.argsort(inverse.ravel(), kind="stable")
    bounds = np.searchsorted(inverse.ravel()[order], np.arange(cells.size + 1))
    ordered = scale[order]  # draws grouped by lattice cell: each cell is a slice
    found = np.zeros_like(ordered)
    todo: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # (draw, year, interval, bound)
    for u, cell in enumerate(cells):
        lo, hi = int(bounds[u]), int(bounds[u + 1])
        s = ordered[lo:hi]
        b_sure, n_sure, cover = _breakpoints(iv, int(cell) + 1, target, within, top, True)
        b_short, n_short, _ = _breakpoints(iv, int(cell), target, within, top, False)
        most = n_sure[np.searchsorted(b_sure, s, side="left")]
        least = n_short[np.searchsorted(b_short, s, side="right")]
        found[lo:hi] = most
        loose = (most != least) | (s * w_max > cover)
        if loose.any():  # bracket each half-hour of these draws; solve exactly only the loose ones
            r, y = np.nonzero(loose)
            a = s[r, y][:, None] * iv.shares[None, :]
            sure = _THRESHOLDS[(int(cell) + 1, target, within, top)][0] * (1 - _EPS)
            short = _THRESHOLDS[(int(cell), target, within, top)][1] * (1 + _EPS)
            n_most = 1 + np.searchsorted(sure, a, side="left")
            n_least = 1 + np.searchsorted(short, a, side="right")
            k, i = np.nonzero((n_most != n_least) | (a > sure[-1]))
            todo.append((order[lo + r[k]], y[k], i, n_most[k, i]))
    total[order] = np.where(ordered > 0, opened + found, 0.0)
    if todo:
        d, y, i, most = (np.concatenate(x) for x in zip(*todo, strict=True))
        need = agents_needed(calls[d, y] * iv.shares[i], aht[d], HALF_HOUR, target, within)
        np.add.at(total, (d, y), (need - most) * iv.counts[i])
    return total
