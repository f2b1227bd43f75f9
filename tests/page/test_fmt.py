"""Formatting: money to the cent, compact money, percentages, payback phrasing, input values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roi_kit.page import fmt

M = "\u2212"  # the true minus sign every formatter uses


class TestMoneyExact:
    @pytest.mark.parametrize(
        ("x", "expected"),
        [
            # DESIGN reference: $5,760,000 / 1,032,000 resolutions = 5.5813... -> $5.58
            (5_760_000 / 1_032_000, "$5.58"),
            # half-up on the decimal as written: 5.575 -> 5.58 (binary float would give 5.57)
            (5.575, "$5.58"),
            (0.205, "$0.21"),
            (4.8, "$4.80"),
            (1_234_567.891, "$1,234,567.89"),
            (-1234.5, f"{M}$1,234.50"),
            (-0.004, "$0.00"),  # rounds to zero: no minus on zero
            (0, "$0.00"),
        ],
    )
    def test_to_the_cent(self, x, expected):
        assert fmt.money_exact(x) == expected

    def test_currencies(self):
        assert fmt.money_exact(5.5, "EUR") == "€5.50"
        assert fmt.money_exact(5.5, "GBP") == "£5.50"
        assert fmt.money_exact(1234.5, "JPY") == "¥1,235"  # no minor unit
        assert fmt.money_exact(5.5, "CHF") == "CHF 5.50"
        assert fmt.money_exact(-5.5, "CHF") == f"{M}CHF 5.50"

    @pytest.mark.parametrize("missing", [None, float("nan")])
    def test_missing_is_a_dash(self, missing):
        assert fmt.money_exact(missing) == "—"
        assert fmt.money(missing) == "—"
        assert fmt.pct(missing) == "—"


class TestMoneyCompact:
    @pytest.mark.parametrize(
        ("x", "expected"),
        [
            (1_234_567, "$1.2M"),
            (845_000, "$845k"),
            (8_450, "$8.5k"),
            (84_499, "$84.5k"),
            (310, "$310"),
            (-310_000, f"{M}$310k"),
            (4_215_000, "$4.2M"),
            (120_400_000, "$120M"),
            (2_000_000_000, "$2.0B"),  # B for billions, never SI "G"
            (999_960, "$1.0M"),  # rounds into the next unit: not "$1,000k"
            (999_400, "$999k"),
            (0, "$0"),
            (-0.2, "$0"),
        ],
    )
    def test_compact(self, x, expected):
        assert fmt.money(x) == expected

    def test_trim_for_ticks(self):
        assert fmt.money(2_000_000, trim=True) == "$2M"
        assert fmt.money(-2_500_000, trim=True) == f"{M}$2.5M"
        assert fmt.money(310, trim=True) == "$310"
        assert fmt.money(50_000, trim=True) == "$50k"

    def test_whole_units(self):
        assert fmt.money(1_234_567.5, compact=False) == "$1,234,568"
        assert fmt.money(-5_760_000, compact=False) == f"{M}$5,760,000"
        assert fmt.money(1_200_000, "EUR", compact=False) == "€1,200,000"

    @given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False))
    def test_compact_reads_back_within_rounding(self, x):
        """Parse the compact text back: it is within half a unit of its last digit of ``x``."""
        text = fmt.money(x)
        negative = text.startswith(M)
        body = text.lstrip(M).lstrip("$").replace(",", "")
        scale = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}.get(body[-1], 1)
        digits = body[:-1] if body[-1] in "kMBT" else body
        value = float(digits) * scale * (-1 if negative else 1)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        tolerance = 0.5 * scale * 10**-decimals + 1e-6 * abs(x)
        assert abs(value - x) <= tolerance
        assert "G" not in text


class TestPercentAndMultiples:
    @pytest.mark.parametrize(
        ("x", "digits", "expected"),
        [
            (0.143, 1, "14.3%"),
            (3.287, 0, "329%"),
            (-0.1, 1, f"{M}10.0%"),  # DESIGN reference: ROI -10%
            (0.3, 0, "30%"),  # DESIGN reference: ROI 30%
            (0.00049, 1, "0.0%"),
        ],
    )
    def test_pct(self, x, digits, expected):
        assert fmt.pct(x, digits) == expected

    def test_signed_pct_and_points(self):
        assert fmt.pct(0.02, signed=True) == "+2.0%"
        assert fmt.points(0.08) == "8.0 pts"
        assert fmt.points(-0.01, 0) == f"{M}1 pt"

    def test_multiple_and_number(self):
        assert fmt.multiple(3.287) == "3.3×"
        assert fmt.number(1_234_567) == "1,234,567"
        assert fmt.number(1_234_567, compact=True) == "1.2M"
        assert fmt.number(-12.345, 2) == f"{M}12.35"


class TestPayback:
    @pytest.mark.parametrize(
        ("payback", "month"),
        [(6.4, 7), (6.0, 6), (6.0000001, 6), (0.0, 1), (0.3, 1), (35.99, 36), (None, None)],
    )
    def test_month_during_which_it_pays_back(self, payback, month):
        assert fmt.payback_month(payback) == month

    def test_phrases(self):
        assert fmt.months(6.4) == "month 7"
        assert fmt.months(None) == "not within the horizon"
        assert fmt.months(float("nan"), never="never") == "never"
        assert fmt.duration(6.4) == "6.4 months"
        assert fmt.duration(1, 0) == "1 month"
        assert fmt.horizon(36) == "36 months (3 years)"
        assert fmt.horizon(30) == "30 months"

    @given(st.floats(min_value=0, max_value=600, allow_nan=False))
    def test_month_brackets_the_figure(self, p):
        m = fmt.payback_month(p)
        assert isinstance(m, int) and m >= 1
        assert m - 1 < p + 1e-6 and p <= m + 1e-6  # p lies in the m-th month


class TestValueByUnit:
    @pytest.mark.parametrize(
        ("x", "unit", "expected"),
        [
            (4.8, "money/contact", "$4.80"),
            (38, "money/hour", "$38"),
            (450_000, "money", "$450,000"),
            (620, "money", "$620"),
            (0.14, "rate", "14.0%"),
            (0.125, "rate", "12.5%"),
            (0.0625, "rate", "6.25%"),
            (1_200_000, "count", "1,200,000"),
            (30, "seconds", "30 s"),
            (6, "months", "6 months"),
            (3100, "hours", "3,100 h"),
            ("s-curve", "text", "s-curve"),
            ([40_000, 60_000], "money", "$40,000, $60,000"),
            (True, "", "yes"),
            (None, "money", "—"),
            (120_000, "money/year", "$120,000"),
            (0.03, "rate/year", "3.0%"),
            (4380, "hours/year", "4,380 h"),
            (1_200_000, "contacts/year", "1,200,000"),
            (310.5, "agents", "310.5"),
            (0.2, "money/contact", "$0.20"),
            (1234.56, "money", "$1,235"),
            (0, "month", "month 0"),
        ],
    )
    def test_value(self, x, unit, expected):
        assert fmt.value(x, unit) == expected

    def test_unit_labels(self):
        assert fmt.unit_label("money/contact", "GBP") == "GBP per contact"
        assert fmt.unit_label("rate/year") == "% per year"
        assert fmt.unit_label("text") == "" and fmt.unit_label("choice") == ""

    def test_value_in_the_case_currency(self):
        assert fmt.value(4.8, "money/contact", "EUR") == "€4.80"
