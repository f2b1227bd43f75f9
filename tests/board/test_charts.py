"""Charts: the figures carry the engine's numbers (values, not pixels) and the board theme."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from roi_kit import evaluate, evaluate_scenarios, load_case, sensitivity
from roi_kit.board import charts
from roi_kit.page import fmt
from roi_kit.page.text import CATEGORY_LABEL_PX
from roi_kit.page.theme import CONFIG, FONT, TEMPLATE_NAME

FINANCE_BUNDLE = {"scatter", "bar", "waterfall", "histogram", "pie", "indicator"}
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def sens(example_case):
    from roi_kit import sensitivity

    return sensitivity(example_case)


@pytest.fixture(scope="module")
def mc(example_case):
    from roi_kit import monte_carlo

    return monte_carlo(example_case, draws=2000, seed=7)


@pytest.fixture(scope="module")
def figures(result, scenarios, sens, mc):
    return {
        "cost_curve": charts.cost_curve(result),
        "waterfall": charts.waterfall(result),
        "payback": charts.payback_timeline(scenarios),
        "tornado": charts.tornado(sens, result),
        "npv": charts.npv_distribution(mc, result),
        "segments": charts.segments(result),
    }


def _ticktexts(fig: go.Figure) -> list[str]:
    out = []
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        out.extend(axis.ticktext or ())
    return out


class TestTheme:
    def test_registered_and_used(self, figures):
        assert TEMPLATE_NAME in pio.templates
        for fig in figures.values():
            assert fig.layout.template.layout.font.family == FONT
            assert fig.layout.height  # fixed height, width left to the page (responsive)
            assert fig.layout.width is None

    def test_only_finance_bundle_traces(self, figures):
        for name, fig in figures.items():
            assert {t.type for t in fig.data} <= FINANCE_BUNDLE, name

    def test_money_ticks_never_use_si_giga_and_match_fmt(self, figures):
        for fig in figures.values():
            for text in _ticktexts(fig):
                assert "G" not in text
        wf = figures["waterfall"]
        assert list(wf.layout.yaxis.ticktext) == [
            fmt.money(v, "USD", trim=True) for v in wf.layout.yaxis.tickvals
        ]

    def test_money_in_the_case_currency(self, example_case, mc):
        r = evaluate(example_case.with_overrides({"currency": "EUR"}))
        for fig in (charts.waterfall(r), charts.cost_curve(r), charts.npv_distribution(mc, r)):
            assert all(t.lstrip("\u2212").startswith("€") for t in _ticktexts(fig) if t != "€0")
        assert fmt.money(r.summary["npv"], "EUR") in charts.waterfall(r).layout.title.text

    def test_no_logo_config(self):
        assert CONFIG["displaylogo"] is False

    def test_nice_ticks_cover_the_range(self):
        ticks = charts.nice_ticks(-888_580, 4_903_408)
        assert ticks[0] <= -888_580 and ticks[-1] >= 4_903_408
        steps = np.diff(ticks)
        assert np.allclose(steps, steps[0])


M = fmt.MINUS
SCALE = {"k": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


def _parse_money(label: str, symbol: str = "$") -> tuple[Decimal, Decimal]:
    """A tick label read back: its value and half a unit of its last digit (its precision)."""
    sign = -1 if label.startswith(M) else 1
    body = label.removeprefix(M).removeprefix(symbol).replace(",", "")
    scale = SCALE.get(body[-1], 1)
    digits = body.rstrip("".join(SCALE))
    places = len(digits.partition(".")[2])
    return sign * Decimal(digits) * scale, Decimal(5).scaleb(-places - 1) * scale


class TestMoneyTicks:
    def test_a_quarter_step_reads_in_cents_on_every_tick(self):
        assert charts.nice_ticks(0, 12) == [0.0, 2.5, 5.0, 7.5, 10.0, 12.5]  # raw step 12/5 = 2.4 -> 2.5
        axis = charts.money_axis([0, 12], "USD")
        assert axis["ticktext"] == ["$0.00", "$2.50", "$5.00", "$7.50", "$10.00", "$12.50"]
        ticks = [2.5 * k for k in range(7)]  # $0 to $15 by 2.50
        assert charts.money_ticks(ticks) == [
            "$0.00", "$2.50", "$5.00", "$7.50", "$10.00", "$12.50", "$15.00"]
        # the whole-unit labels of before read 2.5 as "$3" and 7.5 as "$8"
        assert fmt.money(2.5, trim=True) == "$3" and "$3" not in charts.money_ticks(ticks)

    def test_steps_of_half_a_unit_and_of_five_units(self):
        assert charts.money_axis([0, 2.2], "USD")["ticktext"] == ["$0.00", "$0.50", "$1.00", "$1.50", "$2.00", "$2.50"]
        assert charts.money_axis([0, 22], "USD")["ticktext"] == ["$0", "$5", "$10", "$15", "$20", "$25"]
        # span 1.5 / 5 = 0.3 -> step 0.5, from floor(-1.1 / 0.5) = -3 to ceil(0.4 / 0.5) = 1
        assert charts.money_axis([-1.1, 0.4], "GBP")["ticktext"] == [
            f"{M}£1.50", f"{M}£1.00", f"{M}£0.50", "£0.00", "£0.50"]

    def test_large_amounts_keep_their_abbreviations(self):
        assert charts.money_axis([0, 3e6], "USD")["ticktext"] == ["$0", "$1M", "$2M", "$3M"]
        # 0 to 1.2M steps by 250k: 1.25M was "$1.3M" (one decimal), a value not on the axis
        assert charts.money_axis([0, 1.2e6], "USD")["ticktext"] == [
            "$0", "$250k", "$500k", "$750k", "$1M", "$1.25M"]
        assert charts.money_axis([0, 1200], "EUR")["ticktext"] == ["€0", "€250", "€500", "€750", "€1k", "€1.25k"]
        assert charts.money_axis([-2e9, 4.4e9], "USD")["ticktext"] == [f"{M}$2B", "$0", "$2B", "$4B", "$6B"]

    @settings(max_examples=300, deadline=None)
    @given(
        lo=st.floats(min_value=-1e11, max_value=1e11),
        span=st.floats(min_value=0.01, max_value=1e11),
        include_zero=st.booleans(),
    )
    def test_labels_are_distinct_and_read_back_as_their_ticks(self, lo, span, include_zero):
        hi = lo + span
        assume(span >= abs(lo) * 1e-6)  # a span a chart can show: not a cent on a billion
        axis = charts.money_axis([lo, hi], "USD", include_zero=include_zero)
        ticks, labels = axis["tickvals"], axis["ticktext"]
        assert len(set(labels)) == len(labels) == len(ticks)
        for tick, label in zip(ticks, labels, strict=True):
            value, half_unit = _parse_money(label)
            assert abs(value - Decimal(repr(tick))) <= half_unit, (tick, label)
        # just enough decimals: an abbreviated label ends in a significant digit; whole-unit
        # labels share their decimals, cents at least, and only when a tick has a fraction
        small = [t for t, lab in zip(ticks, labels, strict=True) if lab[-1].isdigit()]
        places = {len(lab.partition(".")[2]) for lab in labels if lab[-1].isdigit()}
        assert len(places) <= 1
        needs_cents = any(t != round(t) for t in small)
        assert places <= ({0} if not needs_cents else {p for p in places if p >= 2})
        for label in labels:
            if not label[-1].isdigit() and "." in label:
                assert label[-2] != "0", label


class TestWaterfall:
    def test_bars_sum_to_the_net(self, figures, result):
        trace = figures["waterfall"].data[0]
        relative = [y for y, m in zip(trace.y, trace.measure, strict=True) if m == "relative"]
        total = [y for y, m in zip(trace.y, trace.measure, strict=True) if m == "total"]
        assert sum(relative) == pytest.approx(result.summary["npv"], rel=1e-9)
        assert total == [pytest.approx(result.summary["npv"], rel=1e-9)]

    def test_revenue_first_and_title_states_the_npv(self, figures, result):
        trace = figures["waterfall"].data[0]
        assert list(trace.x[:2]) == ["Revenue protected", "Revenue generated"]
        assert trace.x[-2] == "Investment"
        assert trace.y[list(trace.x).index("Investment")] == pytest.approx(-result.summary["pv_costs"])
        assert fmt.money(result.summary["npv"]) in figures["waterfall"].layout.title.text
        assert list(trace.text) == [fmt.money(y) for y in trace.y]

    @settings(max_examples=15)
    @given(
        scale=st.floats(min_value=0.0, max_value=2.0),
        setup=st.floats(min_value=0.0, max_value=5e6),
    )
    def test_sums_to_the_net_for_any_case(self, example_case, scale, setup):
        case = example_case.with_overrides({"scale_levers": scale, "costs.one_time.0.amount": setup})
        r = evaluate(case)
        trace = charts.waterfall(r).data[0]
        relative = sum(y for y, m in zip(trace.y, trace.measure, strict=True) if m == "relative")
        assert relative == pytest.approx(r.summary["npv"], rel=1e-9, abs=1e-6)
        if r.summary["npv"] < 0:
            assert "costs exceed benefits" in charts.waterfall(r).layout.title.text


class TestCostCurve:
    def test_curves_are_the_monthly_columns(self, figures, result):
        traces = {t.name: t for t in figures["cost_curve"].data}
        before, after = traces["Without the change"], traces["With the change"]
        m = result.monthly[result.monthly["month"] >= 1]
        b = m["operating_cost_before"].to_numpy(float)
        a = m["operating_cost_after"].to_numpy(float)
        np.testing.assert_array_equal(before.y, b)
        np.testing.assert_array_equal(after.y, a)
        np.testing.assert_array_equal(after.x, m["month"].to_numpy(int))
        # the gap is shaded between the curves: saving below "without", extra cost above it
        assert traces["Saving"].fill == "tonexty" and traces["Extra cost"].fill == "tonexty"
        np.testing.assert_array_equal(traces["Saving"].y, np.minimum(b, a))
        np.testing.assert_array_equal(traces["Extra cost"].y, np.maximum(b, a))
        assert traces["Extra cost"].showlegend == bool((a > b).any())

    def test_title_states_the_run_rate_reduction(self, figures, result):
        m = result.monthly.tail(12)
        change = 1 - m["operating_cost_after"].sum() / m["operating_cost_before"].sum()
        assert figures["cost_curve"].layout.title.text == f"Operating cost {fmt.pct(change, 0)} lower at full run-rate"


class TestPaybackTimeline:
    def test_markers_sit_at_each_payback_month_on_zero(self, figures, scenarios):
        markers = {t.name: t for t in figures["payback"].data if t.mode == "markers+text"}
        assert len(markers) == 3
        for name, r in scenarios.items():
            marker = markers[f"{name} payback"]
            assert marker.x == (pytest.approx(r.summary["payback_months"]),)
            assert marker.y == (0.0,)
            assert marker.text == (fmt.months(r.summary["payback_months"]).capitalize(),)

    def test_lines_are_cumulative_net_and_title_is_the_expected_payback(self, figures, scenarios):
        lines = [t for t in figures["payback"].data if t.mode == "lines"]
        for line, r in zip(lines, scenarios.values(), strict=True):
            np.testing.assert_array_equal(line.y, r.monthly["cumulative_net"].to_numpy(float))
        expected = scenarios["expected"].summary["payback_months"]
        assert figures["payback"].layout.title.text == f"Pays back in {fmt.months(expected)}"
        assert figures["payback"].layout.xaxis.range[1] >= 36  # the horizon is shown

    def test_a_case_that_never_pays_back_says_so(self, example_case):
        case = example_case.with_overrides({"costs.one_time.0.amount": 40e6})
        res = evaluate_scenarios(case)
        assert all(r.summary["payback_months"] is None for r in res.values())
        fig = charts.payback_timeline(res)
        assert fig.layout.title.text == "Does not pay back within 36 months in the expected case"
        assert not [t for t in fig.data if t.mode == "markers+text"]


class TestTornado:
    def test_bars_match_the_sensitivity_frame(self, figures, sens, result):
        fig = figures["tornado"]
        top = sens.sort_values("swing", ascending=False).head(10)
        low, high = fig.data
        base = result.summary["npv"]
        assert list(low.y) == list(top["label"])
        np.testing.assert_allclose(np.asarray(low.x) + base, top["npv_low"], rtol=1e-12)
        np.testing.assert_allclose(np.asarray(high.x) + base, top["npv_high"], rtol=1e-12)
        assert low.base == base and high.base == base

    def test_labels_carry_the_input_values_and_user_text_is_inert(self, result):
        frame = pd.DataFrame({
            "path": ["levers.deflection.rate", "costs.custom.0.initial"],
            "label": ["Deflection rate", HOSTILE],
            "low_value": [0.06, 30_000.0],
            "high_value": [0.14, 90_000.0],
            "npv_low": [2.0e6, 3.9e6],
            "npv_high": [5.0e6, 3.8e6],
            "swing": [3.0e6, 0.1e6],
        })
        fig = charts.tornado(frame, result)
        low, high = fig.data
        assert list(low.text) == ["6.0%", "$30,000"]
        assert list(high.text) == ["14.0%", "$90,000"]
        assert "<script>" not in str(fig.to_dict())
        assert "NPV stays positive" in fig.layout.title.text

    def test_title_names_the_input_that_turns_npv_negative(self, result):
        frame = pd.DataFrame({
            "path": ["levers.deflection.rate"], "label": ["Deflection rate"],
            "low_value": [0.02], "high_value": [0.2],
            "npv_low": [-1.0e6], "npv_high": [6.0e6], "swing": [7.0e6],
        })
        assert charts.tornado(frame, result).layout.title.text == "NPV turns negative if deflection rate is only 2.0%"

    def test_bank_tornado_never_claims_a_churn_increase(self):
        """Issue 12: the bank's churn is 8.7% today and 8.5% after; the tornado swung it to 10.2%
        and titled "NPV turns negative if … churn rate after is 10.2%". Its range now ends at 8.56%."""
        case = load_case(Path(__file__).resolve().parents[2] / "templates/units/demo/retail_bank.yaml")
        frame = sensitivity(case)
        fig = charts.tornado(frame, evaluate(case))
        churn = frame.set_index("path").loc["levers.retention.churn_rate_after"]
        assert churn.high_value == pytest.approx(0.0856) and churn.high_value < case.baseline.churn_rate
        assert "10.2%" not in fig.layout.title.text
        assert fig.layout.title.text == "NPV stays positive even if handle time: seconds saved is only 21 s"

    def test_title_says_as_high_as_where_less_is_better(self, result):
        # a cost line: the high end is the worse one, so the title says how high, not "only"
        frame = pd.DataFrame({
            "path": ["costs.one_time.0.amount"], "label": ["Platform: amount"],
            "low_value": [427_500.0], "high_value": [607_500.0],
            "npv_low": [300_000.0], "npv_high": [-20_000.0], "swing": [320_000.0],
        })
        assert charts.tornado(frame, result).layout.title.text == (
            "NPV turns negative if platform: amount is as high as $607,500")
        frame["npv_high"] = [120_000.0]
        assert charts.tornado(frame, result).layout.title.text == (
            "NPV stays positive even if platform: amount is as high as $607,500")


class TestNpvDistribution:
    def test_bins_hold_every_draw_and_percentile_lines_sit_on_the_percentiles(self, figures, mc):
        fig = figures["npv"]
        bars = fig.data[0]
        assert sum(bars.y) == pytest.approx(1.0)
        lines = sorted(s.x0 for s in fig.layout.shapes)
        p = mc.percentiles["npv"]
        assert lines == pytest.approx(sorted([p["p10"], p["p50"], p["p90"]]))
        assert "within 36 months" in fig.layout.title.text  # mc.horizon_months
        assert f"P50 {fmt.money(p['p50'])}" in fig.layout.title.subtitle.text

    def test_title_gives_the_chance_of_payback(self):
        from types import SimpleNamespace

        rng = np.random.default_rng(1)
        npv = rng.normal(1e6, 1e6, 1000)
        q = np.percentile(npv, [10, 50, 90])
        fake = SimpleNamespace(
            npv=npv, p_payback=0.834, draws=1000,
            percentiles={"npv": {"p10": q[0], "p50": q[1], "p90": q[2]}},
        )
        fig = charts.npv_distribution(fake, horizon_months=36)
        assert fig.layout.title.text == "83% chance of paying back within 36 months"
        fake.p_payback = 1.0
        assert charts.npv_distribution(fake).layout.title.text.startswith("Every one of 1,000")
        fake.p_payback = 0.999
        assert charts.npv_distribution(fake).layout.title.text.startswith("Over 99%")

    def test_never_claims_every_draw_pays_back_while_a_scenario_does_not(self, example_case):
        npv = np.linspace(1e5, 2e6, 1000)  # every draw positive and paying back
        fake = SimpleNamespace(npv=npv, p_payback=1.0, p_positive_npv=1.0, draws=1000, horizon_months=36,
                               percentiles={"npv": dict(zip(("p10", "p50", "p90"), np.percentile(npv, [10, 50, 90]), strict=True))})
        results = evaluate_scenarios(example_case.with_overrides(
            {"scenarios.conservative": {"scale_levers": 0.1, "timeline.ramp_months": 30}}))
        assert results["conservative"].summary["payback_months"] is None
        assert results["conservative"].summary["npv"] < 0
        fig = charts.npv_distribution(fake, results["expected"], results=results)
        assert fig.layout.title.text == "Over 99% chance of paying back within 36 months"
        assert fig.layout.title.subtitle.text.endswith("; a loss in under 1% of them")
        plain = charts.npv_distribution(fake, results["expected"])
        assert plain.layout.title.text.startswith("Every one of 1,000")
        assert plain.layout.title.subtitle.text.endswith("; none makes a loss")


class TestSegments:
    def test_stacks_add_up_to_each_segment_total(self, figures, result):
        fig = figures["segments"]
        bars = [t for t in fig.data if t.type == "bar"]
        stacked = np.sum([np.asarray(t.x) for t in bars], axis=0)
        np.testing.assert_allclose(stacked, result.segments["total"].to_numpy(float), rtol=1e-9)
        assert list(bars[0].y) == list(result.segments["segment"])

    def test_none_without_segments(self, example_case):
        plain = example_case.with_overrides({"baseline.segments": []})
        assert charts.segments(evaluate(plain)) is None

    LONG = "Young families with a very long segment name"

    def test_a_long_name_wraps_and_the_bars_keep_most_of_the_width(self, example_case):
        r = evaluate(example_case.with_overrides({"baseline.segments.0.name": self.LONG}))
        fig = charts.segments(r)
        share = 0.42  # of the narrowest chart the left margin may take
        # unwrapped, the label alone would take more than that share (automargin sized it so)
        assert charts.text_width(self.LONG, charts.CATEGORY_SIZE) > share * charts.NARROW_WIDTH_PX
        assert fig.layout.margin.l <= share * charts.NARROW_WIDTH_PX
        label = fig.data[0].y[0]
        lines = label.split("<br>")
        assert len(lines) == 2 and " ".join(lines) == self.LONG
        assert all(charts.text_width(line, charts.CATEGORY_SIZE) <= CATEGORY_LABEL_PX for line in lines)
        # the margin holds the widest line and the gap to the axis
        widest = max(charts.text_width(line, charts.CATEGORY_SIZE) for line in lines)
        assert fig.layout.margin.l >= widest + charts.CATEGORY_GAP_PX
        # every segment is still listed, in order, by every trace (bars and totals)
        names = list(r.segments["segment"])
        assert names[0] == self.LONG and len(names) >= 2
        for trace in fig.data:
            assert [" ".join(str(y).split("<br>")) for y in trace.y] == names
        assert [row[0] for row in fig.data[0].customdata] == names  # hover shows the whole name

    def test_a_name_too_long_for_two_lines_ends_in_an_ellipsis_and_stays_inert(self, example_case):
        name = f"{HOSTILE} and a tail of words"  # 75 characters, the case allows 80
        r = evaluate(example_case.with_overrides({"baseline.segments.0.name": name}))
        fig = charts.segments(r)
        lines = fig.data[0].y[0].split("<br>")
        # its first word is wider than a line: cut there, the ellipsis ends the label
        assert 1 <= len(lines) <= 2 and lines[-1].endswith("\u2026")
        assert "<script" not in str(fig.to_dict()) and "<img" not in str(fig.to_dict())
        assert fig.data[0].customdata[0][0] == charts.safe_text(name)
        assert fig.layout.margin.l <= CATEGORY_LABEL_PX + charts.CATEGORY_GAP_PX + 8

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzMW&<-", min_size=1, max_size=24),
                    min_size=1, max_size=12))
    def test_category_lines_fit_and_keep_the_words(self, words):
        text = " ".join(words)
        lines = charts.category_lines(text)
        assert 1 <= len(lines) <= 2
        assert all(charts.text_width(line, charts.CATEGORY_SIZE) <= CATEGORY_LABEL_PX for line in lines)
        if charts.text_width(text, charts.CATEGORY_SIZE) <= CATEGORY_LABEL_PX:
            assert lines == [text]
        if not lines[-1].endswith("\u2026"):
            assert " ".join(lines) == text  # nothing dropped unless the ellipsis says so
        else:
            assert text.startswith(" ".join(lines)[:-1].rstrip())
