"""Narrative: sentences carry the summary's figures, formatted by fmt, and tell bad news plainly."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from roi_kit import evaluate, evaluate_scenarios, load_case, monte_carlo
from roi_kit.board import narrative
from roi_kit.case import read_case_file
from roi_kit.page import fmt


@pytest.fixture(scope="module")
def losing(example_case):
    """The example with a $40M setup bill: it never pays back inside 36 months."""
    return evaluate(example_case.with_overrides({"costs.one_time.0.amount": 40e6}))


class TestHeadline:
    def test_carries_npv_roi_payback_and_run_rate_from_the_summary(self, result):
        s = result.summary
        text = narrative.headline(result)
        assert fmt.money(s["npv"]) in text
        assert f"{fmt.pct(s['roi'], 0)} risk-adjusted ROI" in text
        assert f"pays back in {fmt.months(s['payback_months'])}" in text
        assert fmt.money(s["run_rate_net_benefit"]) in text
        assert "36 months" in text
        assert text.startswith(result.case.title)

    def test_changes_when_the_case_changes(self, example_case, result):
        other = evaluate(example_case.with_overrides({"levers.deflection.rate": 0.25}))
        assert other.summary["npv"] != result.summary["npv"]
        text = narrative.headline(other)
        assert text != narrative.headline(result)
        assert fmt.money(other.summary["npv"]) in text

    def test_a_case_that_never_pays_back_says_so(self, losing):
        assert losing.summary["payback_months"] is None and losing.summary["npv"] < 0
        text = narrative.headline(losing)
        assert "does not pay for itself" in text
        assert "does not pay back within 36 months" in text
        assert fmt.money(losing.summary["npv"]).startswith("\u2212")
        assert fmt.money(losing.summary["npv"]) in text
        assert "pays back in month" not in text

    def test_plain_text_user_title_as_written(self, example_case):
        r = evaluate(example_case.with_overrides({"title": "R&D <pilot>"}))
        assert narrative.headline(r).startswith("R&D <pilot> returns")  # escaping is the caller's

    def test_untitled_case(self, example_case):
        r = evaluate(example_case.with_overrides({"title": ""}))
        assert narrative.headline(r).startswith("The programme returns")


class TestPillars:
    def test_leads_with_revenue_then_efficiency(self, result):
        lines = narrative.pillars(result)
        heads = [line.split(":")[0] for line in lines]
        assert heads == [
            "Revenue protected", "Revenue generated", "Revenue at risk", "Cost savings", "Risk avoided",
        ]

    def test_amounts_are_the_result_pillars(self, result):
        lines = dict(line.split(": ", 1) for line in narrative.pillars(result))
        for key, label in [("revenue_protected", "Revenue protected"), ("revenue_generated", "Revenue generated"),
                           ("cost_savings", "Cost savings"), ("risk_avoided", "Risk avoided")]:
            assert lines[label].startswith(f"{fmt.money(result.pillars[key])} a year")
        b = result.baseline
        assert fmt.money(b.revenue_at_risk) in lines["Revenue at risk"]
        # share protected = revenue protected / revenue at risk
        assert fmt.pct(result.pillars["revenue_protected"] / b.revenue_at_risk) in lines["Revenue at risk"]

    def test_names_the_lines_behind_a_pillar(self, result):
        protected = narrative.pillars(result)[0]
        for _, line in result.lines[result.lines["pillar"] == "revenue_protected"].iterrows():
            assert fmt.money(line["run_rate_adjusted"]) in protected

    def test_missing_revenue_levers_are_not_invented(self, example_case):
        r = evaluate(example_case.with_overrides({"levers.upsell": None}))
        assert narrative.pillars(r)[1].startswith("Revenue generated: none claimed")


class TestOtherSentences:
    def test_what_if_stopped(self, result):
        text = narrative.what_if_stopped(result)
        w = result.what_if_stopped
        assert fmt.money(w["value_lost_per_year"]) in text
        assert fmt.number(w["contacts_back_to_agents"], compact=True) in text

    def test_scenario_sentence_gives_the_range(self, example_case):
        res = evaluate_scenarios(example_case)
        text = narrative.scenario_sentence(res)
        assert fmt.money(res["conservative"].summary["npv"]) in text
        assert fmt.money(res["optimistic"].summary["npv"]) in text
        assert fmt.months(res["optimistic"].summary["payback_months"]) in text
        assert fmt.months(res["conservative"].summary["payback_months"]) in text

    def test_scenario_sentence_when_nothing_pays(self, example_case):
        res = evaluate_scenarios(example_case.with_overrides({"costs.one_time.0.amount": 40e6}))
        text = narrative.scenario_sentence(res)
        assert "negative in every scenario" in text and "none pays back within 36 months" in text

    def test_hostile_line_names_stay_plain_text(self, example_path):
        data = read_case_file(example_path)
        data["benefits"][0]["name"] = "<script>alert(1)</script>"
        data["benefits"][0]["pillar"] = "risk_avoided"
        from roi_kit import load_case

        r = evaluate(load_case(data))
        assert "<script>alert(1)</script>" in narrative.pillars(r)[-1]


def test_headline_without_a_defined_roi(result):
    """No costs at all: ROI = NPV / PV(costs) is undefined, so the sentence leaves it out."""
    from dataclasses import replace

    summary = {**result.summary, "roi": None}
    text = narrative.headline(replace(result, summary=summary))
    assert "ROI" not in text and fmt.money(result.summary["npv"]) in text


def test_scenario_sentence_when_only_some_pay_back(example_case):
    res = evaluate_scenarios(example_case.with_overrides({"costs.one_time.0.amount": 6.6e6}))
    assert all(r.summary["npv"] < 0 for r in res.values())
    assert res["optimistic"].summary["payback_months"] is not None
    text = narrative.scenario_sentence(res)
    assert "NPV is negative in every scenario" in text
    assert "the conservative and expected scenarios do not pay back within 36 months" in text


class TestUncertainty:
    def test_states_the_band_and_the_chances_of_a_loss_and_of_payback(self, example_case):
        mc = monte_carlo(example_case, draws=2_000, seed=7)
        results = evaluate_scenarios(example_case)
        text = narrative.uncertainty(mc, results)
        p = mc.percentiles["npv"]
        assert f"between {fmt.money(p['p10'])} (P10) and {fmt.money(p['p90'])} (P90)" in text
        assert "rank correlation 0.6" in text
        assert "within 36 months" in text

    def test_a_losing_scenario_forbids_none_and_every(self, example_case):
        mc = SimpleNamespace(npv=np.linspace(1e5, 2e6, 1000), p_payback=1.0, draws=1000, horizon_months=36,
                             correlation={"delivery": 0.6},
                             percentiles={"npv": {"p10": 3e5, "p50": 1e6, "p90": 1.8e6}})
        results = evaluate_scenarios(example_case.with_overrides(
            {"scenarios.conservative": {"scale_levers": 0.1, "timeline.ramp_months": 30}}))
        text = narrative.uncertainty(mc, results)
        assert "the chance of a loss is under 1%, although the conservative scenario loses money" in text
        assert ("the chance of paying back within 36 months is over 99%, although the conservative "
                "scenario does not") in text
        assert "every" not in text and "none" not in text
        calm = narrative.uncertainty(mc, evaluate_scenarios(example_case))
        assert "none of them makes a loss, and every one pays back within 36 months" in calm

    def test_the_energy_retailers_page_states_its_chance_of_a_loss(self):
        """utility.yaml: conservative NPV below zero; the sentence gives a loss chance of at least 1%."""
        case = load_case(Path(__file__).resolve().parents[2] / "templates/units/demo/utility.yaml")
        mc = monte_carlo(case)
        text = narrative.uncertainty(mc, evaluate_scenarios(case))
        assert f"the chance of a loss is {fmt.pct(mc.p_loss, 0)}" in text and mc.p_loss >= 0.01
