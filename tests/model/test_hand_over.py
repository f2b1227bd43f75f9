"""A result handed over is the next evaluation of that case and scenario, once."""

from __future__ import annotations

from roi_kit.case import EXAMPLE, load_case
from roi_kit.model.result import evaluate, evaluate_scenarios, hand_over


def test_handed_result_is_taken_once_by_an_equal_case_and_scenario():
    case = load_case(EXAMPLE)
    result = evaluate(case)
    hand_over(case, "expected", result)
    assert evaluate(case, "conservative") is not result  # another scenario: computed, kept waiting
    again = load_case(EXAMPLE)  # an equal case read again, as the report notebook does
    assert evaluate(again, "expected") is result
    fresh = evaluate(again, "expected")
    assert fresh is not result and fresh.summary == result.summary


def test_a_different_case_computes_its_own_and_a_new_hand_over_replaces_the_old():
    case = load_case(EXAMPLE)
    other = case.with_overrides({"levers.deflection.rate": "12%"})
    result = evaluate(case)
    hand_over(case, "expected", result)
    assert evaluate(other, "expected") is not result
    hand_over(other, "expected", evaluate(other))
    assert evaluate_scenarios(case)["expected"] is not result  # replaced: computed afresh


def test_sensitivity_is_worked_out_once_per_case_and_each_caller_gets_its_own_frame(monkeypatch):
    from roi_kit.model import uncertainty

    case = load_case(EXAMPLE)
    calls = []
    real = uncertainty._sensitivity
    monkeypatch.setattr(uncertainty, "_SENSITIVITY", {})
    monkeypatch.setattr(uncertainty, "_sensitivity", lambda c: calls.append(c) or real(c))
    first = uncertainty.sensitivity(case)
    first.loc[0, "swing"] = -1.0  # a caller's change stays in its copy
    second = uncertainty.sensitivity(case)
    uncertainty.sensitivity(load_case(EXAMPLE))  # an equal case read again: the same inputs
    uncertainty.sensitivity(case.with_overrides({"levers.deflection.rate": "12%"}))  # its own
    assert len(calls) == 2
    assert second.loc[0, "swing"] > 0 and second.attrs["base_npv"] == first.attrs["base_npv"]
    for i in range(9):  # the cache keeps the last eight cases
        uncertainty.sensitivity(case.with_overrides({"levers.deflection.rate": 0.051 + 0.01 * i}))
    assert len(uncertainty._SENSITIVITY) == 8 and case.input_hash not in uncertainty._SENSITIVITY
