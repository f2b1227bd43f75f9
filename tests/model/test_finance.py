"""Tests for roi_kit.model.finance, laid out like numpy-financial's: a class per function."""

from __future__ import annotations

import doctest
import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from roi_kit.errors import ModelError
from roi_kit.model import finance
from roi_kit.model.finance import (
    discount_factors,
    irr,
    irr_many,
    npv,
    payback,
    payback_many,
    simple_roi,
)

PROPS = settings(max_examples=40, deadline=None)  # the suite shares two busy cores

# -- shared strategies --------------------------------------------------------------------------

cents = st.integers(-(10**9), 10**9).map(lambda c: c / 100)  # money, to the cent, up to ±$10M
flows_1d = hnp.arrays(np.float64, st.integers(1, 48), elements=cents)
rates = st.floats(-0.9, 3.0)


@st.composite
def conventional_flows(draw, max_len: int = 48):
    """An investment up front, then non-negative returns with at least one positive."""
    n = draw(st.integers(2, max_len))
    spend = draw(st.integers(100, 10**9)) / 100
    returns = draw(
        hnp.arrays(np.float64, n - 1, elements=st.integers(0, 10**9).map(lambda c: c / 100))
    )
    assume(returns.max() > 0)
    return np.r_[-spend, returns]


@st.composite
def flow_tables(draw):
    rows = draw(st.integers(1, 8))
    cols = draw(st.integers(1, 30))
    return draw(hnp.arrays(np.float64, (rows, cols), elements=cents))


# -- simple_roi -------------------------------------------------------------------------------


class TestSimpleRoi:
    def test_design_reference_loss(self):
        # the seed article 004: spend $1,000,000; gains $300,000 + $400,000 + $200,000 = $900,000
        # ROI = (900,000 − 1,000,000) / 1,000,000 = −10%: $100,000.00 of the spend lost
        roi = simple_roi(300_000 + 400_000 + 200_000, 1_000_000)
        assert roi == pytest.approx(-0.10, abs=1e-12)
        assert round(roi * 1_000_000, 2) == -100_000.00

    def test_design_reference_gain(self):
        # gains $1,300,000 on $1,000,000: (1,300,000 − 1,000,000) / 1,000,000 = 30%
        roi = simple_roi(1_300_000, 1_000_000)
        assert roi == pytest.approx(0.30, abs=1e-12)
        assert round(roi * 1_000_000, 2) == 300_000.00

    def test_arrays_elementwise(self):
        got = simple_roi(np.array([900_000.0, 1_300_000.0]), 1_000_000)
        np.testing.assert_allclose(got, [-0.10, 0.30], atol=1e-12)

    @pytest.mark.parametrize("costs", [0, -5, float("nan"), [1.0, 0.0]])
    def test_costs_must_be_positive(self, costs):
        with pytest.raises(ModelError, match=r"^finance: costs = .*costs > 0"):
            simple_roi(1_000, costs)


# -- discount_factors ---------------------------------------------------------------------------


class TestDiscountFactors:
    def test_annual_tei_factors(self):
        # 1, 1/1.1, 1/1.1², 1/1.1³
        np.testing.assert_allclose(
            discount_factors(0.10, 3), [1.0, 1 / 1.1, 1 / 1.21, 1 / 1.331], rtol=1e-15
        )

    def test_monthly_factors_reach_the_annual_one_at_month_twelve(self):
        d = discount_factors(0.10, 36, per_year=12)
        assert d.shape == (37,)
        np.testing.assert_allclose(d[[0, 12, 24, 36]], discount_factors(0.10, 3), rtol=1e-14)
        assert d[6] == pytest.approx(1.1**-0.5)

    @PROPS
    @given(rate=rates, periods=st.integers(0, 60))
    def test_decreasing_for_positive_rates(self, rate, periods):
        d = discount_factors(rate, periods)
        assert d[0] == 1.0
        diffs = np.diff(d)
        assert (diffs <= 0).all() if rate >= 0 else (diffs >= 0).all()

    @pytest.mark.parametrize(
        ("args", "kwargs", "needle"),
        [
            ((-1.0, 3), {}, "rate = -1.0"),
            ((0.1, -1), {}, "periods = -1"),
            ((0.1, 2.5), {}, "periods = 2.5"),
            ((0.1, 3), {"per_year": 0}, "per_year = 0"),
        ],
    )
    def test_invalid(self, args, kwargs, needle):
        with pytest.raises(ModelError, match=needle):
            discount_factors(*args, **kwargs)


# -- npv ---------------------------------------------------------------------------------------


class TestNpv:
    def test_deflection_programme_by_hand(self):
        # −1,000,000 + 800,000/1.1 + 800,000/1.21 + 800,000/1.331
        # = −1,000,000 + 727,272.727… + 661,157.024… + 601,051.840… = 989,481.59
        got = npv(0.10, [-1_000_000, 800_000, 800_000, 800_000])
        assert round(got, 2) == 989_481.59

    def test_first_flow_is_not_discounted(self):
        assert npv(0.5, [-250.0]) == -250.0

    @PROPS
    @given(rate=rates, values=flows_1d)
    def test_matches_numpy_financial(self, rate, values):
        assert npv(rate, values) == pytest.approx(npf.npv(rate, values), rel=1e-12, abs=1e-6)

    @PROPS
    @given(values=flows_1d)
    def test_zero_rate_is_the_sum(self, values):
        assert npv(0.0, values) == pytest.approx(math.fsum(values), rel=1e-12, abs=1e-6)

    @PROPS
    @given(rate=rates, table=flow_tables())
    def test_rows_of_a_table(self, rate, table):
        got = npv(rate, table)
        assert got.shape == (table.shape[0],)
        for row, value in zip(table, got, strict=True):
            assert value == pytest.approx(npv(rate, row), rel=1e-12, abs=1e-6)

    def test_one_rate_per_row(self):
        table = np.array([[-100.0, 110.0], [-100.0, 120.0]])
        np.testing.assert_allclose(npv(np.array([0.10, 0.20]), table), [0.0, 0.0], atol=1e-9)

    @PROPS
    @given(rate=st.floats(0, 0.5), annual=hnp.arrays(np.float64, 4, elements=cents))
    def test_monthly_grain_agrees_with_annual_when_flows_fall_on_year_ends(self, rate, annual):
        monthly = np.zeros(37)
        monthly[::12] = annual
        assert npv(rate, monthly, per_year=12) == pytest.approx(
            npv(rate, annual), rel=1e-12, abs=1e-6
        )

    @pytest.mark.parametrize(
        ("rate", "values", "needle"),
        [
            (-1.0, [1.0, 2.0], "rate = -1.0"),
            (float("nan"), [1.0], "rate = nan"),
            (0.1, [], "shape"),
            (0.1, [[[1.0]]], "shape"),
            (0.1, [1.0, float("inf")], r"values\[1\] = inf"),
            (0.1, ["a", 2], "not an array of numbers"),
        ],
    )
    def test_invalid(self, rate, values, needle):
        with pytest.raises(ModelError, match=needle):
            npv(rate, values)


# -- irr ---------------------------------------------------------------------------------------


class TestIrr:
    @pytest.mark.parametrize(
        ("values", "expected"),
        [
            # numpy-financial's documented examples (irr docstring), to their 5 decimals
            ([-100, 39, 59, 55, 20], 0.28095),
            ([-100, 0, 0, 74], -0.0955),
            ([-100, 100, 0, -7], -0.0833),
            ([-100, 100, 0, 7], 0.06206),
            ([-5, 10.5, 1, -8, 1], 0.0886),
        ],
    )
    def test_numpy_financial_examples(self, values, expected):
        assert round(irr(values), 5) == expected

    def test_two_period_by_hand(self):
        # −100,000 now, +121,000 in two years: (1 + r)² = 1.21 → r = 10%
        assert irr([-100_000, 0, 121_000]) == pytest.approx(0.10, abs=1e-14)

    @pytest.mark.parametrize(
        ("values", "expected"),
        [([-1.0, 1000.0], 999.0), ([-1000.0, 1.0], -0.999), ([-1.0, 1.0], 0.0)],
    )
    def test_extreme_but_defined(self, values, expected):
        assert irr(values) == pytest.approx(expected, rel=1e-12, abs=1e-15)

    @pytest.mark.parametrize(
        "values", [[100.0, 50.0], [-100.0, -50.0], [0.0, 0.0, 0.0], [0.0, -5.0, 0.0], [-7.0]]
    )
    def test_undefined_without_a_sign_change(self, values):
        assert irr(values) is None

    def test_an_annualised_rate_past_float_range_is_none(self):
        # a monthly IRR of 10³⁰ − 1 annualises to 10³⁶⁰: no figure to show (was OverflowError)
        assert irr([-1.0, 1e30], per_year=12) is None

    def test_undefined_when_npv_never_crosses_zero(self):
        # −100, +250, −160: NPV(x = 1/(1+r)) = −100 + 250x − 160x² < 0 for every x
        assert irr([-100.0, 250.0, -160.0]) is None
        assert np.isnan(npf.irr([-100.0, 250.0, -160.0]))

    @PROPS
    @given(values=conventional_flows())
    def test_matches_numpy_financial(self, values):
        want = npf.irr(values)
        assume(-0.9999 < want < 1e5)  # inside the documented search range
        assert irr(values) == pytest.approx(want, rel=1e-8, abs=1e-9)

    @PROPS
    @given(values=conventional_flows())
    def test_makes_npv_zero(self, values):
        r = irr(values)
        assume(r is not None)
        scale = np.sum(np.abs(values) / (1 + r) ** np.arange(values.size))
        assert abs(npv(r, values)) <= 1e-10 * scale

    @PROPS
    @given(values=flows_1d)
    def test_any_rate_returned_is_a_root(self, values):
        r = irr(values)
        if r is None:
            return
        scale = np.sum(np.abs(values) / (1 + r) ** np.arange(values.size))
        assert abs(npv(r, values)) <= 1e-9 * scale

    @PROPS
    @given(values=conventional_flows(max_len=37))
    def test_monthly_flows_annualise(self, values):
        monthly = irr(values)
        assume(monthly is not None and monthly < 10)
        assert irr(values, per_year=12) == pytest.approx((1 + monthly) ** 12 - 1, rel=1e-9)

    @PROPS
    @given(table=flow_tables())
    def test_irr_many_matches_irr_row_by_row(self, table):
        got = irr_many(table)
        for row, value in zip(table, got, strict=True):
            one = irr(row)
            if one is None:
                assert np.isnan(value)
            else:
                assert value == pytest.approx(one, rel=1e-12, abs=1e-12)

    def test_irr_many_over_several_chunks(self):
        # 5,000 Monte Carlo draws of a 36-month case: $200k–$500k up front, $0–$30k a month
        rng = np.random.default_rng(5)
        table = np.c_[-rng.uniform(2e5, 5e5, 5_000), rng.uniform(0, 3e4, (5_000, 36))]
        got = irr_many(table, per_year=12)
        for i in range(0, 5_000, 71):
            want = irr(table[i], per_year=12)
            assert got[i] == pytest.approx(want, rel=1e-12, abs=1e-12)

    def test_irr_many_shape_and_nan(self):
        got = irr_many([[-100.0, 0.0, 121.0], [5.0, 5.0, 5.0]])
        assert got.shape == (2,)
        assert got[0] == pytest.approx(0.10)
        assert np.isnan(got[1])

    def test_invalid(self):
        with pytest.raises(ModelError, match="shape"):
            irr([[-1.0, 2.0]])
        with pytest.raises(ModelError, match="per_year = 0"):
            irr([-1.0, 2.0], per_year=0)
        with pytest.raises(ModelError, match="shape"):
            irr_many([-1.0, 2.0])


# -- payback -----------------------------------------------------------------------------------


def last_below_zero(values: np.ndarray) -> int | None:
    """The last period whose cumulative flow is below zero (None if it never is)."""
    hits = np.flatnonzero(np.cumsum(values) < 0)
    return int(hits[-1]) if hits.size else None


class TestPayback:
    def test_platform_by_hand(self):
        # −600,000 then +110,000 a month: after month 5 the cumulative is −50,000;
        # month 6 brings 110,000, so payback = 5 + 50,000/110,000 = 5.4545… months
        assert payback([-600_000] + [110_000] * 12) == pytest.approx(5 + 50_000 / 110_000)

    @pytest.mark.parametrize(
        ("flows", "expected"),
        [
            ([-100, 50, 50], 2.0),  # cumulative −100, −50, 0: exactly at the end of month 2
            ([-100, 60, 60], 1 + 40 / 60),
            ([0, -5, 10], 1 + 5 / 10),  # cumulative 0, −5, 5: non-negative for good in month 2
            ([0, 5, 10], 0.0),  # never below zero
            ([25, -50, 100], 1 + 25 / 100),  # cumulative 25, −25, 75: above zero for good in month 2
            ([-100, 150, -200, 300], 2 + 150 / 300),  # −100, 50, −150, 150: the last crossing counts
            ([-100, 150, -80], None),  # −100, 50, −30: ends below zero, so no payback
            ([-100, 10, 10], None),
            ([-1], None),
        ],
    )
    def test_known_values(self, flows, expected):
        got = payback(flows)
        assert got == (None if expected is None else pytest.approx(expected, abs=1e-12))

    @PROPS
    @given(values=flows_1d)
    def test_agrees_with_the_cumulative_flow(self, values):
        p = payback(values)
        k = last_below_zero(values)
        cum = np.cumsum(values)
        if k is None:
            assert p == 0.0
            return
        if k == values.size - 1:
            assert p is None  # ends below zero
            return
        # cum[k] < 0 ≤ cum[k+1..], payback inside month k + 1, and the interpolation hits zero
        assert (cum[k + 1 :] >= 0).all()
        assert k <= p <= k + 1
        assert cum[k] + (p - k) * values[k + 1] == pytest.approx(0.0, abs=1e-9 * abs(values[k + 1]))

    @PROPS
    @given(
        values=flows_1d,
        where=st.integers(0, 47),
        raise_by=st.integers(0, 10**9).map(lambda c: c / 100),
    )
    def test_raising_a_flow_never_lengthens_payback(self, values, where, raise_by):
        higher = values.copy()
        higher[where % values.size] += raise_by
        before, after = payback(values), payback(higher)
        if before is not None:
            assert after is not None
            assert after <= before

    def test_payback_many_is_quiet_about_rows_that_never_pay_back(self):
        """A row ending under water may divide a huge deficit by a tiny flow: it is nan, and
        numpy's overflow is not a warning the user sees (the fuzz test found one)."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = payback_many([[-1e300, 1e-10, 1e-10], [-100, 60, 60]])
        assert np.isnan(got[0]) and got[1] == pytest.approx(100 / 60)

    @PROPS
    @given(table=flow_tables())
    def test_payback_many_matches_payback_row_by_row(self, table):
        got = payback_many(table)
        assert got.shape == (table.shape[0],)
        for row, value in zip(table, got, strict=True):
            one = payback(row)
            if one is None:
                assert np.isnan(value)
            else:
                assert value == one  # identical, not merely close

    @pytest.mark.parametrize("flows", [[], [1.0, float("nan")], [[1.0]]])
    def test_invalid(self, flows):
        with pytest.raises(ModelError):
            payback(flows)


def test_docstring_examples():
    result = doctest.testmod(finance)
    assert result.attempted >= 15
    assert result.failed == 0
