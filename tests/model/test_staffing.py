"""Tests for roi_kit.model.staffing (Erlang C)."""

from __future__ import annotations

import dataclasses
import doctest
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from roi_kit.errors import ModelError
from roi_kit.model import staffing
from roi_kit.model.staffing import agents_for, agents_needed, erlang_c


def reference_erlang_c(n: int, a: float) -> float:
    """P(wait) straight from the textbook formula, summed in log space (independent of the module).

    C = (A^n/n! · n/(n−A)) / (Σ_{k<n} A^k/k! + A^n/n! · n/(n−A)), every term as exp(log term − max).
    """
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
    top = n * math.log(a) - math.lgamma(n + 1) + math.log(n / (n - a))
    m = max([*logs, top])
    head = math.fsum(math.exp(x - m) for x in logs)
    tail = math.exp(top - m)
    return tail / (head + tail)


PROPS = settings(max_examples=40, deadline=None)  # the suite shares two busy cores

# -- a published worked example ---------------------------------------------------------------


class TestPublishedExample:
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm).

    Inputs: 100 calls in 30 minutes, AHT 180 s, 80% to be answered within 20 s, shrinkage 30%.
    Published: traffic 10 Erlangs; 14 agents give P(wait) 0.1741, service level 88.8%, ASA 7.8 s,
    82.6% answered immediately, occupancy 71.4%; 14 / (1 − 0.3) = 20 agents scheduled.
    The same example and figures are in pyworkforce's ErlangC docs (raw_positions 14,
    positions 20, service_level 0.888, occupancy 0.714, waiting_probability 0.174).
    """

    def test_traffic_is_ten_erlangs(self):
        # 200 calls an hour × 3 minutes = 600 call-minutes = 10 call-hours an hour
        assert staffing.traffic_erlangs(100, 180, 1800) == pytest.approx(10.0)

    def test_figures_at_fourteen_agents(self):
        f = erlang_c(100, 180, 1800, agents=14, answer_within_seconds=20)
        assert round(f.probability_of_waiting, 4) == 0.1741
        assert round(f.service_level, 3) == 0.888
        assert round(f.asa_seconds, 1) == 7.8
        assert round(1 - f.probability_of_waiting, 3) == 0.826
        assert round(f.occupancy, 3) == 0.714

    def test_agents_and_scheduled_agents(self):
        s = agents_for(100, 180, 1800, 0.80, 20, shrinkage=0.30)
        assert s.agents == 14
        assert s.scheduled_agents == pytest.approx(20.0)  # 14 / 0.7
        assert round(s.service_level, 3) == 0.888
        assert round(s.probability_of_waiting, 4) == 0.1741
        assert round(s.asa_seconds, 1) == 7.8

    def test_thirteen_agents_miss_the_target(self):
        assert erlang_c(100, 180, 1800, agents=13, answer_within_seconds=20).service_level < 0.80


# -- erlang_c ----------------------------------------------------------------------------------


class TestErlangC:
    @PROPS
    @given(
        a=st.floats(0.05, 150),
        extra=st.integers(1, 60),
        within=st.floats(0, 120),
        aht=st.floats(10, 900),
    )
    def test_matches_textbook_formula(self, a, extra, within, aht):
        n = math.floor(a) + extra
        assume(n - a > 1e-6)
        interval = 1800.0
        calls = a * interval / aht
        f = erlang_c(calls, aht, interval, n, within)
        a_used = calls * aht / interval
        c = reference_erlang_c(n, a_used)
        assert f.probability_of_waiting == pytest.approx(c, rel=1e-9, abs=1e-300)
        assert f.service_level == pytest.approx(
            1 - c * math.exp(-(n - a_used) * within / aht), rel=1e-9, abs=1e-12
        )
        assert f.asa_seconds == pytest.approx(c * aht / (n - a_used), rel=1e-9, abs=1e-300)
        assert f.occupancy == pytest.approx(a_used / n)

    @PROPS
    @given(a=st.floats(0.5, 400), within=st.floats(0, 60))
    def test_more_agents_serve_better(self, a, within):
        n0 = math.floor(a) + 1
        figs = [erlang_c(a * 3600 / 240, 240, 3600, n, within) for n in range(n0, n0 + 40)]
        sl = [f.service_level for f in figs]
        asa = [f.asa_seconds for f in figs]
        pw = [f.probability_of_waiting for f in figs]
        assert (np.diff(sl) >= 0).all()
        assert (np.diff(asa) <= 0).all()
        assert (np.diff(pw) <= 0).all()

    @pytest.mark.parametrize("agents", [0, 5, 9, 10])
    def test_unstable_queue(self, agents):
        # 10 Erlangs: 10 or fewer agents never clear the queue
        f = erlang_c(100, 180, 1800, agents=agents, answer_within_seconds=20)
        assert (f.service_level, f.probability_of_waiting, f.occupancy) == (0.0, 1.0, 1.0)
        assert math.isinf(f.asa_seconds)

    def test_no_calls(self):
        f = erlang_c(0, 180, 1800, agents=3, answer_within_seconds=20)
        assert (f.service_level, f.probability_of_waiting, f.asa_seconds, f.occupancy) == (
            1.0,
            0.0,
            0.0,
            0.0,
        )

    def test_stable_at_two_thousand_agents(self):
        # 1,900 Erlangs (e.g. 38,000 calls an hour at 180 s): factorials would overflow here
        calls, aht = 38_000, 180
        a = calls * aht / 3600
        f = erlang_c(calls, aht, 3600, agents=1950, answer_within_seconds=20)
        c = reference_erlang_c(1950, a)
        assert 0 < c < 1
        assert f.probability_of_waiting == pytest.approx(c, rel=1e-9)
        assert all(
            math.isfinite(x) for x in (f.service_level, f.asa_seconds, f.probability_of_waiting)
        )

    def test_results_are_frozen(self):
        f = erlang_c(100, 180, 1800, agents=14, answer_within_seconds=20)
        with pytest.raises(dataclasses.FrozenInstanceError):
            f.agents = 15  # type: ignore[misc]


# -- agents_for --------------------------------------------------------------------------------

queue = st.fixed_dictionaries(
    {
        "calls": st.floats(0.1, 5_000),
        "aht": st.floats(20, 900),
        "target": st.floats(0.05, 0.99),
        "within": st.floats(0, 120),
    }
)


class TestAgentsFor:
    @PROPS
    @given(q=queue)
    def test_smallest_count_meeting_the_target(self, q):
        s = agents_for(q["calls"], q["aht"], 1800, q["target"], q["within"])
        a = q["calls"] * q["aht"] / 1800
        assert s.agents > a
        at = erlang_c(q["calls"], q["aht"], 1800, s.agents, q["within"])
        below = erlang_c(q["calls"], q["aht"], 1800, s.agents - 1, q["within"])
        assert at.service_level >= q["target"]
        assert below.service_level < q["target"]
        assert (s.service_level, s.probability_of_waiting, s.asa_seconds, s.occupancy) == (
            at.service_level,
            at.probability_of_waiting,
            at.asa_seconds,
            at.occupancy,
        )

    @PROPS
    @given(q=queue, shrinkage=st.floats(0, 0.9))
    def test_scheduled_agents_cover_shrinkage(self, q, shrinkage):
        s = agents_for(q["calls"], q["aht"], 1800, q["target"], q["within"], shrinkage=shrinkage)
        assert s.scheduled_agents == pytest.approx(s.agents / (1 - shrinkage))

    @PROPS
    @given(q=queue, more=st.floats(1.0, 3.0))
    def test_more_calls_never_need_fewer_agents(self, q, more):
        base = agents_for(q["calls"], q["aht"], 1800, q["target"], q["within"]).agents
        busier = agents_for(q["calls"] * more, q["aht"], 1800, q["target"], q["within"]).agents
        assert busier >= base

    def test_no_calls_need_no_agents(self):
        s = agents_for(0, 180, 1800, 0.8, 20, shrinkage=0.3)
        assert (s.agents, s.scheduled_agents, s.service_level) == (0, 0.0, 1.0)

    def test_large_centre(self):
        # 1,500 Erlangs: 30,000 calls an hour at 180 s. The answer must sit just above the
        # traffic (square-root staffing: a few √A) and be minimal.
        s = agents_for(30_000, 180, 3600, 0.8, 20)
        assert 1500 < s.agents < 1500 + 3 * math.sqrt(1500)
        assert erlang_c(30_000, 180, 3600, s.agents - 1, 20).service_level < 0.8
        assert s.probability_of_waiting == pytest.approx(
            reference_erlang_c(s.agents, 1500.0), rel=1e-9
        )

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"calls": -1}, "calls"),
            ({"calls": float("nan")}, "calls"),
            ({"aht_seconds": 0}, "aht_seconds"),
            ({"interval_seconds": -1800}, "interval_seconds"),
            ({"target_service_level": 0}, "target_service_level"),
            ({"target_service_level": 1}, "target_service_level"),
            ({"target_service_level": 80}, "target_service_level"),
            ({"answer_within_seconds": -5}, "answer_within_seconds"),
            ({"shrinkage": 1}, "shrinkage"),
            ({"shrinkage": -0.1}, "shrinkage"),
            ({"calls": "many"}, "calls"),
            ({"calls": float("inf")}, "calls"),
            ({"calls": 5_000_000}, "calls"),  # 500,000 Erlangs: calls per year, not per interval
            ({"answer_within_seconds": float("inf")}, "answer_within_seconds"),
        ],
    )
    def test_invalid_inputs(self, kwargs, name):
        args = {
            "calls": 100,
            "aht_seconds": 180,
            "interval_seconds": 1800,
            "target_service_level": 0.8,
            "answer_within_seconds": 20,
            "shrinkage": 0.3,
        } | kwargs
        with pytest.raises(ModelError, match=rf"^staffing: {name} = ") as info:
            agents_for(**args)
        assert "\n" not in str(info.value)
        assert repr(kwargs[name])[:4] in str(info.value)

    @pytest.mark.parametrize("agents", [-1, 2.5, "12"])
    def test_invalid_agent_count(self, agents):
        with pytest.raises(ModelError, match="agents"):
            erlang_c(100, 180, 1800, agents, 20)


# -- agents_needed -----------------------------------------------------------------------------


class TestAgentsNeeded:
    @PROPS
    @given(
        calls=hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 3_000)),
        aht=st.floats(20, 600),
        target=st.floats(0.05, 0.99),
        within=st.floats(0, 90),
    )
    def test_equals_agents_for_elementwise(self, calls, aht, target, within):
        got = agents_needed(calls, aht, 1800, target, within)
        want = [agents_for(c, aht, 1800, target, within).agents for c in calls]
        assert got.dtype == np.int64
        assert got.tolist() == want

    @PROPS
    @given(
        calls=hnp.arrays(np.float64, (2, 5), elements=st.floats(1, 2_000)),
        aht=hnp.arrays(np.float64, (5,), elements=st.floats(30, 600)),
    )
    def test_broadcasts_calls_and_aht(self, calls, aht):
        got = agents_needed(calls, aht, 3600, 0.8, 20)
        assert got.shape == (2, 5)
        for (i, j), value in np.ndenumerate(got):
            assert value == agents_for(calls[i, j], aht[j], 3600, 0.8, 20).agents

    def test_monte_carlo_scale(self):
        # 5,000 draws of a 300-agent queue agree with the scalar search on a sample
        rng = np.random.default_rng(7)
        calls = rng.triangular(4_000, 5_500, 7_000, 5_000)
        aht = rng.triangular(160, 190, 230, 5_000)
        got = agents_needed(calls, aht, 3600, 0.8, 20)
        for i in range(0, 5_000, 97):
            assert got[i] == agents_for(calls[i], aht[i], 3600, 0.8, 20).agents

    def test_more_draws_than_one_chunk(self):
        # 20,000 draws span several search chunks; zero-call draws are mixed in
        rng = np.random.default_rng(11)
        calls = np.where(rng.random(20_000) < 0.05, 0.0, rng.uniform(1, 400, 20_000))
        got = agents_needed(calls, 180, 1800, 0.9, 15)
        for i in range(0, 20_000, 53):
            assert got[i] == agents_for(calls[i], 180, 1800, 0.9, 15).agents

    def test_zero_calls(self):
        assert agents_needed(np.zeros(3), 180, 1800, 0.8, 20).tolist() == [0, 0, 0]

    @pytest.mark.parametrize(
        ("args", "needle"),
        [
            ((np.array([100.0, -1.0]), 180, 1800, 0.8, 20), r"calls\[1\] = "),
            ((100, np.array([180.0, 0.0]), 1800, 0.8, 20), r"aht_seconds\[1\] = "),
            ((100, 180, 1800, 1.2, 20), "target_service_level = "),
            ((100, 180, 0, 0.8, 20), "interval_seconds = "),
            ((100, 180, 1800, 0.8, -1), "answer_within_seconds = "),
            ((np.array([1.0, 2e6]), 1800, 1800, 0.8, 20), r"calls\[1\] = .* per year"),
        ],
    )
    def test_invalid_inputs(self, args, needle):
        with pytest.raises(ModelError, match=needle):
            agents_needed(*args)


def test_docstring_examples():
    result = doctest.testmod(staffing, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5
    assert result.failed == 0


def test_intervals_of_one_profile_are_kept_and_shared_and_few_are_kept():
    """The same weekly profile (by value) gives the same intervals, so tables built for one
    evaluation serve the next; only the last few profiles are kept, and the arrays are read-only."""
    from roi_kit.model import staffing

    grid = np.full((7, 24), 1 / 168)
    first = staffing.Intervals.of(grid)
    assert staffing.Intervals.of(grid.copy()) is first
    assert not first.shares.flags.writeable
    for i in range(staffing._kept_intervals.cache_info().maxsize):
        other = grid.copy()
        other[0, 0] *= 2 + i
        staffing.Intervals.of(other / other.sum())
    assert staffing.Intervals.of(grid) is not first  # dropped, least recently used


def test_a_monte_carlo_on_kept_tables_gives_the_figures_of_fresh_ones():
    from roi_kit.case import EXAMPLE, load_case
    from roi_kit.model import staffing
    from roi_kit.model.uncertainty import monte_carlo

    staffing._kept_intervals.cache_clear()
    fresh = monte_carlo(load_case(EXAMPLE), draws=3_000)
    kept = monte_carlo(load_case(EXAMPLE), draws=3_000)
    assert np.array_equal(fresh.npv, kept.npv) and np.array_equal(fresh.payback_months, kept.payback_months, equal_nan=True)
