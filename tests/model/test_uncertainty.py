"""The tornado and the Monte Carlo band: the same formulas as the deterministic engine."""

from __future__ import annotations

import numpy as np
import pytest

from roi_kit import evaluate, monte_carlo, sensitivity


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


def test_tornado_caps_rates_below_one(example_case):
    case = example_case.with_overrides({"baseline.gross_margin": 0.95})
    row = sensitivity(case).set_index("path").loc["baseline.gross_margin"]
    assert row.high_value < 1.0


def test_segment_lever_override_moves_as_the_levers_own_rate():
    # a segment's retention.churn_rate_after is a rate like the lever's own field: its tornado high
    # is capped below 1 (a churn of 0.9 × 1.2 = 1.08 would be no churn rate at all)
    from pathlib import Path

    from roi_kit.case import load_case

    case = load_case(Path(__file__).resolve().parents[2] / "templates/units/demo/retail_bank.yaml")
    path = "baseline.segments.0.levers.retention.churn_rate_after"
    row = sensitivity(case.with_overrides({path: 0.9})).set_index("path").loc[path]
    assert row.label.lower().endswith("churn rate after")
    assert row.low_value == pytest.approx(0.72) and 0.9 < row.high_value < 1.0


def test_monte_carlo_is_seeded_and_matches_single_draws(example_case):
    a = monte_carlo(example_case, draws=400, seed=11)
    b = monte_carlo(example_case, draws=400, seed=11)
    assert np.array_equal(a.npv, b.npv)
    assert not np.array_equal(a.npv, monte_carlo(example_case, draws=400, seed=12).npv)
    # draw 0 re-evaluated as a plain case gives the same NPV
    rng = np.random.default_rng(11)
    overrides = {u.path: rng.triangular(u.low, u.mode, u.high, size=400)[0] for u in a.inputs}
    single = evaluate(example_case.with_overrides(overrides))
    assert a.npv[0] == pytest.approx(single.summary["npv"], abs=0.01)


def test_monte_carlo_spans_the_scenarios(example_case):
    mc = monte_carlo(example_case, draws=3_000, seed=1)
    cons = evaluate(example_case, "conservative").summary["npv"]
    opt = evaluate(example_case, "optimistic").summary["npv"]
    p = mc.percentiles["npv"]
    assert cons <= p["p10"] < p["p50"] < p["p90"] <= opt
    assert 0.0 <= mc.p_payback <= 1.0
    assert {u.path for u in mc.inputs} >= {"levers.deflection.rate", "timeline.ramp_months"}


def test_chunked_equals_unchunked(example_case):
    a = monte_carlo(example_case, draws=1_000, seed=5, chunk=1_000)
    b = monte_carlo(example_case, draws=1_000, seed=5, chunk=300)
    assert np.allclose(a.npv, b.npv) and np.allclose(a.roi, b.roi)
