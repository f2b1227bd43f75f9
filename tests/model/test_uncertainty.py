"""The tornado and the Monte Carlo band: one range per input, the engine's formulas, one story."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from roi_kit import CaseError, evaluate, monte_carlo, sensitivity
from roi_kit.case import case_yaml, load_case
from roi_kit.case.schema import effect_of
from roi_kit.model.inputs import flatten
from roi_kit.model.uncertainty import UncertainInput, latent_correlation, uncertain_inputs

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "templates/units/demo/retail_bank.yaml"


def _script():
    spec = importlib.util.spec_from_file_location("check_uncertainty", ROOT / "scripts/check_uncertainty.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK = _script()


# -- the small case whose limits are computed by hand -------------------------------------------------

SMALL = {
    "unit": "Hand-checked unit",
    "currency": "USD",
    "baseline": {"contacts_per_year": 1_000_000, "cost_per_contact": 5.0},
    "levers": {"deflection": {"rate": 0.10, "automated_cost": 0.0, "leakage": 0.0}},
    "costs": {"one_time": [{"name": "Platform", "amount": 500_000}]},
    "timeline": {"horizon_months": 36, "ramp_months": 0, "discount_rate": 0.0},
    "uncertainty": {
        "levers.deflection.rate": {"low": "6%", "high": "12%", "distribution": "uniform"},
        "costs.one_time.0.amount": {"low": "100%", "high": "130%", "distribution": "uniform"},
        "baseline.contacts_per_year": {"low": "100%", "high": "100%"},  # held: no baseline draw
        "baseline.cost_per_contact": {"low": "100%", "high": "100%"},
    },
}


def _small(correlation: float):
    return load_case({**SMALL, "uncertainty_correlation": correlation})


def test_small_case_npv_is_fifteen_million_times_the_rate_less_the_cost():
    """With no ramp, no growth and a 0% rate: NPV = 36 months × 1,000,000/12 contacts × d × $5 − C
    = 15,000,000·d − C; at d = 10% and C = $500,000 that is $1,000,000.00."""
    case = _small(0.6)
    assert evaluate(case).summary["npv"] == pytest.approx(1_000_000.00, abs=0.005)
    assert {u.path for u in uncertain_inputs(case)} == {"levers.deflection.rate", "costs.one_time.0.amount"}


def test_comonotone_limit_matches_the_quantiles_by_hand():
    """Correlation 1: the rate and the cost move as one (a good draw is a high rate and a low cost).

    d = 6% + 6%·U and C = $500,000 + $150,000·(1 − U) for one uniform U, so NPV = 15M·d − C rises with U:
    P10 (U = 0.1) = 15,000,000 × 6.6% − $635,000 = $990,000 − $635,000 = $355,000.00;
    P90 (U = 0.9) = 15,000,000 × 11.4% − $515,000 = $1,710,000 − $515,000 = $1,195,000.00.
    Sampling error of a percentile over 200,000 draws: √(0.09/200,000) × $1,050,000 ≈ $700.
    """
    mc = monte_carlo(_small(1.0), draws=200_000, seed=3)
    p = mc.percentiles["npv"]
    assert p["p10"] == pytest.approx(355_000.00, abs=3_000)
    assert p["p90"] == pytest.approx(1_195_000.00, abs=3_000)
    rate, cost = mc.samples["levers.deflection.rate"], mc.samples["costs.one_time.0.amount"]
    assert stats.spearmanr(rate, cost).statistic == pytest.approx(-1.0, abs=1e-9)
    # each draw on the line: cost = 500,000 + 150,000 × (1 − (d − 6%)/6%)
    assert np.allclose(cost, 500_000 + 150_000 * (1 - (rate - 0.06) / 0.06))


def test_independent_limit_matches_the_sum_of_two_uniforms_by_hand():
    """Correlation 0: NPV = X − C with X = 15M·d ~ U($900,000, $1,800,000), C ~ U($500,000, $650,000).

    X − C = $250,000 + S, S the sum of U(0, a = $900,000) and U(0, b = $150,000): between b and a
    its CDF is (s − b/2)/a, so P10: s = 0.1a + b/2 = $165,000 and P90: s = 0.9a + b/2 = $885,000:
    P10 = $415,000.00, P90 = $1,135,000.00 (both s inside [b, a], so the formula holds).
    """
    mc = monte_carlo(_small(0.0), draws=200_000, seed=4)
    p = mc.percentiles["npv"]
    assert p["p10"] == pytest.approx(415_000.00, abs=3_000)
    assert p["p90"] == pytest.approx(1_135_000.00, abs=3_000)
    rate, cost = mc.samples["levers.deflection.rate"], mc.samples["costs.one_time.0.amount"]
    assert abs(stats.spearmanr(rate, cost).statistic) < 0.01
    assert stats.kstest(rate, stats.uniform(0.06, 0.06).cdf).pvalue > 0.001


@pytest.mark.parametrize("rank", [0.3, 0.6, 0.9])
def test_drawn_inputs_have_the_stated_rank_correlation(rank):
    """Gaussian copula: Spearman = (6/π)·asin(ρ/2) with ρ = 2·sin(π·ρₛ/6), i.e. ρₛ itself."""
    mc = monte_carlo(_small(rank), draws=50_000, seed=5)
    rho = stats.spearmanr(mc.samples["levers.deflection.rate"], mc.samples["costs.one_time.0.amount"]).statistic
    assert rho == pytest.approx(-rank, abs=0.02)  # a good draw: more deflection, less cost
    assert 6 / np.pi * np.arcsin(latent_correlation(rank) / 2) == pytest.approx(rank, abs=1e-12)


def test_a_named_group_moves_together_and_apart_from_delivery(example_case):
    """Two cost lines put in a "vendor" group at 0.9 move together (a good draw: both cheaper),
    and independently of the delivery group's deflection rate."""
    case = example_case.with_overrides({
        "uncertainty": {"costs.one_time.0.amount": {"group": "vendor"}, "costs.recurring.0.per_seat_per_month": {"group": "vendor"}},
        "uncertainty_correlation": {"delivery": 0.6, "vendor": 0.9},
    })
    mc = monte_carlo(case, draws=40_000, seed=9)
    setup, seats = mc.samples["costs.one_time.0.amount"], mc.samples["costs.recurring.0.per_seat_per_month"]
    assert stats.spearmanr(setup, seats).statistic == pytest.approx(0.9, abs=0.02)
    assert abs(stats.spearmanr(setup, mc.samples["levers.deflection.rate"]).statistic) < 0.02
    assert stats.spearmanr(mc.samples["costs.one_time.2.amount"], mc.samples["levers.deflection.rate"]).statistic == (
        pytest.approx(-0.6, abs=0.02))  # the others stay in delivery: more deflection, less cost


# -- one range, used by the tornado and the simulation ------------------------------------------------


def test_a_cases_range_is_exactly_what_the_tornado_and_the_simulation_use(example_case):
    case = example_case.with_overrides({"uncertainty": {
        "levers.deflection.rate": {"low": "6%", "high": "12%"},
        "costs.one_time.0.amount": {"high": "130%", "distribution": "uniform"},
    }})
    rows = sensitivity(case).set_index("path")
    assert (rows.loc["levers.deflection.rate", "low_value"], rows.loc["levers.deflection.rate", "high_value"]) == (
        pytest.approx(0.06), pytest.approx(0.12))
    # the high is 130% of $450,000 = $585,000; the low keeps the default overrun range's 95% = $427,500
    assert (rows.loc["costs.one_time.0.amount", "low_value"], rows.loc["costs.one_time.0.amount", "high_value"]) == (
        pytest.approx(427_500.0), pytest.approx(585_000.0))
    mc = monte_carlo(case, draws=20_000, seed=2)
    drawn = {u.path: u for u in mc.inputs}
    assert (drawn["levers.deflection.rate"].low, drawn["levers.deflection.rate"].high) == (
        pytest.approx(0.06), pytest.approx(0.12))
    assert drawn["costs.one_time.0.amount"].distribution == "uniform"
    cost = mc.samples["costs.one_time.0.amount"]
    assert 427_500.0 <= cost.min() < 430_000 and 582_500 < cost.max() <= 585_000.0
    # every tornado input is drawn, with the tornado's range, and nothing else is
    assert set(rows.index) <= set(drawn)
    for path, row in rows.iterrows():
        assert (row.low_value, row.high_value) == (drawn[path].low, drawn[path].high)


def test_tornado_rows_equal_single_evaluations(example_case):
    frame = sensitivity(example_case)
    assert frame.attrs["base_npv"] == pytest.approx(evaluate(example_case).summary["npv"], abs=0.005)
    assert (frame["swing"].diff().dropna() <= 1e-9).all()  # largest first
    # a segment's value or churn is tied to the unit's by the validator: it moves only inside the tornado
    rows = [row for row in frame.itertuples() if not row.path.startswith("baseline.segments.")][:5]
    assert len(rows) == 5
    for row in rows:
        low = evaluate(example_case.with_overrides({row.path: row.low_value})).summary["npv"]
        high = evaluate(example_case.with_overrides({row.path: row.high_value})).summary["npv"]
        assert (row.npv_low, row.npv_high) == (pytest.approx(low, abs=0.005), pytest.approx(high, abs=0.005))


def test_defaults_cover_the_scenarios_the_costs_and_the_baseline(example_case):
    drawn = {u.path: u for u in uncertain_inputs(example_case)}
    # scenarios: conservative scales the deflection rate 10% by 0.6, optimistic by 1.25
    assert (drawn["levers.deflection.rate"].low, drawn["levers.deflection.rate"].high) == (
        pytest.approx(0.06), pytest.approx(0.125))
    assert (drawn["timeline.ramp_months"].low, drawn["timeline.ramp_months"].high) == (4.0, 9.0)
    # costs overrun: one-time 95%..135% of $450,000; recurring 95%..115% of $120,000 a year
    assert (drawn["costs.one_time.0.amount"].low, drawn["costs.one_time.0.amount"].high) == (
        pytest.approx(427_500.0), pytest.approx(607_500.0))
    assert (drawn["costs.recurring.1.per_year"].low, drawn["costs.recurring.1.per_year"].high) == (
        pytest.approx(114_000.0), pytest.approx(138_000.0))
    assert drawn["costs.one_time.1.hours"].better == -1  # the training line is hours × rate: hours overrun
    # key baseline inputs: volume and handle time ±10%, the given cost per contact ±5%
    assert drawn["baseline.contacts_per_year"].group == "baseline"
    assert (drawn["baseline.cost_per_contact"].low, drawn["baseline.cost_per_contact"].high) == (
        pytest.approx(4.56), pytest.approx(5.04))
    assert "baseline.loaded_hourly_cost" not in drawn  # the cost per contact is given: it wins


# -- the direction rule -------------------------------------------------------------------------------


def test_an_after_value_never_swings_past_todays_level():
    """The bank's churn is 8.7% today and 8.5% after: its range runs from a further improvement
    (conservative 0.7 of the effect: 8.7% − 0.7 × 0.2 pt = 8.56%; optimistic 1.2: 8.46%), never to 10.2%."""
    case = load_case(BANK)
    row = sensitivity(case).set_index("path").loc["levers.retention.churn_rate_after"]
    assert row.low_value == pytest.approx(0.0846) and row.high_value == pytest.approx(0.0856)
    assert row.high_value <= case.baseline.churn_rate


def test_each_input_knows_which_way_is_better():
    case = load_case(BANK)
    frame = sensitivity(case).set_index("path")
    for u in uncertain_inputs(case):
        if u.path not in frame.index:
            continue
        row = frame.loc[u.path]
        assert np.sign(row.npv_high - row.npv_low) == u.better, u.path
    assert effect_of("levers.deflection.rate") == (None, 1)
    assert effect_of("levers.agent_attrition.attrition_after") == ("baseline.agent_attrition", -1)


def test_a_range_past_todays_level_is_refused_with_one_line(example_case):
    with pytest.raises(CaseError) as error:
        example_case.with_overrides({"uncertainty": {"levers.retention.churn_rate_after": {"high": "13%"}}})
    assert str(error.value) == (
        "EMEA Retail Support: uncertainty.levers.retention.churn_rate_after high = 0.13 is worse than "
        "today's 0.12: an effect ranges from no change to more than planned, never past today's level"
    )


@pytest.mark.parametrize(("entry", "message"), [
    ({"levers.deflection.ratee": {"high": "12%"}}, "is not a field of levers.deflection; did you mean rate?"),
    ({"costs.one_time.0.month": {"high": 3}}, "is part of the case's structure and cannot be uncertain"),
    ({"benefits.0.initial": {"high": 10}}, "is part of the case's structure and cannot be uncertain"),
    ({"levers.deflection.rate": {"low": "12%"}}, "low = 0.12, mode = 0.1 are not in order"),
    ({"levers.deflection.rate": {"group": "vendor"}}, "group = 'vendor' has no correlation"),
    ({"levers.deflection.rate": {"low": "abc"}}, "= 'abc' is not a number or a percentage"),
])
def test_bad_ranges_are_refused_naming_the_path(example_case, entry, message):
    with pytest.raises(CaseError) as error:
        example_case.with_overrides({"uncertainty": entry})
    assert message in str(error.value) and f"uncertainty.{next(iter(entry))}" in str(error.value)


def test_a_segments_lever_override_is_an_effect_of_its_own_segment():
    """The bank's Premier segment churns 4% today (3.5% after, its own override): its range may not pass 4%."""
    case = load_case(BANK)
    path = "baseline.segments.1.levers.retention.churn_rate_after"
    today = case.baseline.segments[1].churn_rate
    assert effect_of(path) == ("baseline.segments.1.churn_rate", -1)
    ok = case.with_overrides({"uncertainty": {path: {"low": today * 0.5, "high": today}}})
    drawn = {u.path: u for u in uncertain_inputs(ok)}[path]
    assert drawn.high == pytest.approx(today) and drawn.better == -1
    with pytest.raises(CaseError, match=f"uncertainty.{path} high = .* is worse than today's"):
        case.with_overrides({"uncertainty": {path: {"high": today + 0.01}}})


def test_uncertainty_round_trips_through_the_case_file(example_case, tmp_path):
    case = example_case.with_overrides({
        "uncertainty": {"levers.deflection.rate": {"low": "6%", "high": "12%"},
                        "costs.one_time.0.amount": {"high": "130%", "distribution": "pert"}},
        "uncertainty_correlation": {"delivery": 0.5},
    })
    (tmp_path / "unit.yaml").write_text(case_yaml(case))
    again = load_case(tmp_path / "unit.yaml")
    assert again == case and again.input_hash == case.input_hash
    assert uncertain_inputs(again) == uncertain_inputs(case)


def test_a_case_without_uncertainty_keeps_its_input_hash(example_case):
    # the new fields are left out of the canonical JSON while unset: batch reruns still skip
    assert "uncertainty" not in example_case.input_hash and len(example_case.input_hash) == 64
    changed = example_case.with_overrides({"uncertainty_correlation": 0.3})
    assert changed.input_hash != example_case.input_hash


# -- the simulation -----------------------------------------------------------------------------------


def test_monte_carlo_is_seeded_and_matches_single_draws(example_case):
    a = monte_carlo(example_case, draws=400, seed=11)
    b = monte_carlo(example_case, draws=400, seed=11)
    assert np.array_equal(a.npv, b.npv)
    assert not np.array_equal(a.npv, monte_carlo(example_case, draws=400, seed=12).npv)
    # draw 0 re-evaluated as a plain case gives the same NPV
    single = evaluate(example_case.with_overrides({p: float(v[0]) for p, v in a.samples.items()}))
    assert a.npv[0] == pytest.approx(single.summary["npv"], abs=0.01)


def test_chunked_equals_unchunked(example_case):
    a = monte_carlo(example_case, draws=1_000, seed=5, chunk=1_000)
    b = monte_carlo(example_case, draws=1_000, seed=5, chunk=300)
    assert np.allclose(a.npv, b.npv) and np.allclose(a.roi, b.roi)


def test_quantiles_of_each_distribution():
    """Triangular(6%, 10%, 12%): F(mode) = 4/6; P50 = 6% + √(0.5 × 6% × 4%) = 9.464%.
    PERT(0, 0.5, 1) is Beta(3, 3): its median is 0.5. Uniform(2, 4): P25 = 2.5."""
    p = np.array([0.5])
    assert UncertainInput("x", 0.06, 0.10, 0.12).quantile(p)[0] == pytest.approx(0.06 + np.sqrt(0.5 * 0.06 * 0.04))
    assert UncertainInput("x", 0.0, 0.5, 1.0, "pert").quantile(p)[0] == pytest.approx(0.5)
    assert UncertainInput("x", 2.0, 3.0, 4.0, "uniform").quantile(np.array([0.25]))[0] == pytest.approx(2.5)


# -- one story, for every demo unit and the example ---------------------------------------------------


@pytest.mark.parametrize("path", CHECK.CASES, ids=lambda p: p.stem)
def test_scenarios_tornado_and_simulation_tell_one_story(path):
    c = CHECK.checks(load_case(path), draws=10_000)
    failed = {name: c[name] for name in CHECK.CHECKS if not c[name]}
    assert not failed, (failed, {k: c[k] for k in ("conservative", "p10", "expected", "p90", "optimistic", "p_loss")})


def test_energy_retailer_shows_its_chance_of_a_loss():
    """The utility's conservative NPV is negative: the band must say a loss is possible, not "all positive"."""
    case = load_case(ROOT / "templates/units/demo/utility.yaml")
    assert evaluate(case, "conservative").summary["npv"] < 0
    mc = monte_carlo(case, draws=10_000)
    assert 0.01 <= mc.p_loss < 0.5 and mc.p_payback < 1.0
    assert flatten(case)  # the case loads and flattens as before
