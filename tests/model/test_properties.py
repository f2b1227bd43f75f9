"""Properties of the model that hold for every valid case."""

from __future__ import annotations

import contextlib
import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import CORRUPTIONS, case_data

from roi_kit import evaluate, load_case
from roi_kit.errors import CaseError, RoiKitError


@given(case_data())
def test_every_valid_case_evaluates(data):
    r = evaluate(load_case(data))
    assert np.isfinite(r.summary["npv"])
    assert len(r.monthly) == data["timeline"]["horizon_months"] + 1


@given(case_data(), st.sampled_from(CORRUPTIONS))
def test_every_invalid_case_raises_the_toolkit_error(data, corruption):
    (section, key), value = corruption
    bad = copy.deepcopy(data)
    if key is None:
        bad[section] = value
    else:
        bad.setdefault(section, {})[key] = value
    with pytest.raises(CaseError) as caught:
        load_case(bad)
    assert caught.value.problems and all("\n" not in str(p) for p in caught.value.problems)


@given(case_data())
def test_npv_at_zero_rate_is_the_sum_of_flows(data):
    data["timeline"]["discount_rate"] = 0.0
    r = evaluate(load_case(data))
    assert r.summary["npv"] == pytest.approx(r.summary["total_benefits"] - r.summary["total_costs"], rel=1e-9, abs=1e-6)


@given(case_data())
def test_waterfall_sums_to_the_net(data):
    r = evaluate(load_case(data))
    assert sum(item.amount for item in r.waterfall[:-1]) == pytest.approx(r.summary["npv"], rel=1e-9, abs=1e-6)


@given(case_data())
def test_roi_and_npv_share_a_sign(data):
    r = evaluate(load_case(data))
    npv, roi = r.summary["npv"], r.summary["roi"]
    if roi is not None and abs(npv) > 1e-6:
        assert np.sign(roi) == np.sign(npv)


@given(case_data())
def test_payback_agrees_with_the_cumulative_flow(data):
    r = evaluate(load_case(data))
    cumulative = r.monthly["cumulative_net"].to_numpy()
    payback = r.summary["payback_months"]
    if payback is None:  # ends below zero
        assert cumulative[-1] < 0
    else:  # from the payback month on, the cumulative net stays non-negative to the end
        below = np.flatnonzero(cumulative < 0)
        month = int(below[-1]) + 1 if below.size else 0
        assert (cumulative[month:] >= 0).all()
        assert max(month - 1, 0) <= payback <= month


@given(case_data(), st.floats(1, 1_000_000))
def test_raising_a_benefit_never_lengthens_payback(data, extra):
    before = evaluate(load_case(data)).summary["payback_months"]
    data["benefits"] = [{"name": "Extra", "pillar": "cost_savings", "per_year": extra}]
    after = evaluate(load_case(data)).summary["payback_months"]
    if before is not None:
        assert after is not None and after <= before + 1e-9


@given(case_data())
def test_model_errors_are_toolkit_errors(data):
    with contextlib.suppress(RoiKitError):
        evaluate(load_case(data), scenario="conservative")
