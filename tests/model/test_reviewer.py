"""Numbers a finance team would sign (issue 11, part A): each defect against a hand computation.

PV factors used below at 10%, end-of-year discounting: 1/1.1 = 0.9090909, 1/1.21 = 0.8264463,
1/1.331 = 0.7513148; three years sum to 2.4868520.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from conftest import ROOT
from strategies import case

from roi_kit import evaluate, load_case
from roi_kit.errors import CaseError
from roi_kit.model import finance
from roi_kit.model.uncertainty import monte_carlo

CENT = 0.005
PV3 = 1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3  # 2.4868520




def under_water(**extra):
    """$400k a year of savings, $100k up front, a $1.4M re-platforming cost in month 30."""
    return case(benefits=[{"name": "Savings", "pillar": "cost_savings", "per_year": 400_000}],
                costs={"one_time": [{"name": "Setup", "amount": 100_000},
                                    {"name": "Re-platforming", "amount": 1_400_000, "month": 30}]},
                **extra)


# -- 1. payback -------------------------------------------------------------------------------


class TestPaybackStaysAboveWater:
    def test_a_case_that_ends_under_water_does_not_pay_back(self):
        """Cumulative net: −100,000 + 33,333.33 × m; month 3 reaches 0 (the old "payback 3.0").
        Month 30: −100,000 + 1,000,000 − 1,400,000 = −500,000; month 36: −500,000 + 200,000
        = −300,000, below zero at the end, so no payback. NPV = 400,000 × 2.4868520 − 100,000
        − 1,400,000 / 1.331 = 994,740.80 − 100,000 − 1,051,840.72 = −157,099.92."""
        r = evaluate(under_water())
        assert r.monthly["cumulative_net"].iloc[-1] == pytest.approx(-300_000.00, abs=CENT)
        assert r.summary.npv == pytest.approx(-157_099.92, abs=CENT)
        assert r.summary.payback_months is None

    def test_payback_is_the_last_crossing(self):
        """Flows −100, +150, −200, +300: cumulative −100, 50, −150, 150; above zero for good
        from period 3, reached at 2 + 150/300 = 2.5 (the first crossing, 0.67, does not count)."""
        assert finance.payback([-100, 150, -200, 300]) == pytest.approx(2.5)
        assert finance.payback_many([[-100, 150, -200, 300]])[0] == pytest.approx(2.5)

    def test_the_simulation_uses_the_same_rule(self):
        """Costs drawn between 0.9× and 1.1× their amounts: cumulative net at month 36 is
        1,200,000 − (90,000…110,000) − (1,260,000…1,540,000) < 0 in every draw, so the
        probability of payback is 0 (the old first-crossing rule gave 1)."""
        c = under_water(scenarios={"conservative": {"scale_costs": 1.1}, "optimistic": {"scale_costs": 0.9}})
        assert monte_carlo(c, draws=500).p_payback == 0.0


# -- 2. a haircut never improves a case --------------------------------------------------------


class TestHaircutOnADisBenefit:
    def test_negative_benefit_is_raised(self):
        """−$100,000 a year with a 25% haircut on cost savings counts −$125,000 a year:
        NPV = −125,000 × 2.4868520 = −310,856.50 (the old cut to −75,000 gave −186,513.90,
        $62,171.30 better than no haircut at all: −248,685.20)."""
        dis = [{"name": "Lost fees", "pillar": "cost_savings", "per_year": -100_000}]
        plain = evaluate(case(benefits=dis))
        cut = evaluate(case(benefits=dis, risk_adjustment={"benefits": {"cost_savings": 0.25}}))
        assert plain.summary.npv == pytest.approx(-248_685.20, abs=CENT)
        assert cut.summary.npv == pytest.approx(-310_856.50, abs=CENT)
        assert cut.pillars["cost_savings"] == pytest.approx(-125_000.00, abs=CENT)
        assert cut.summary.npv <= plain.summary.npv


# -- 3. per-line risk adjustment ---------------------------------------------------------------


class TestPerLineRiskAdjustment:
    def test_cost_line_uplift_overrides_the_case_uplift(self):
        """Implementation $1,190,000 with its own 10% uplift = $1,309,000 (the case's 25% uplift
        applies to the other line: $100,000 × 1.25 = $125,000); Initial = $1,434,000."""
        r = evaluate(case(costs={"one_time": [
            {"name": "Implementation", "amount": 1_190_000, "risk_adjustment": "10%"},
            {"name": "Training", "amount": 100_000}]}, risk_adjustment={"costs": 0.25}))
        assert r.summary.initial_investment == pytest.approx(1_434_000.00, abs=CENT)
        lines = r.cost_lines.set_index("name")
        assert lines.loc["Implementation", "risk_adjustment"] == pytest.approx(0.10)
        assert lines.loc["Training", "risk_adjustment"] == pytest.approx(0.25)
        assert r.annual.loc["Initial", "costs_risk_adjustment"] == pytest.approx(119_000 + 25_000, abs=CENT)

    def test_benefit_lines_carry_their_own_haircut(self):
        """Three $1,000,000 lines at −5%, −15%, −10% (the pillar's 20% is overridden):
        950,000 + 850,000 + 900,000 = $2,700,000 a year."""
        lines = [{"name": f"Benefit {i}", "pillar": "cost_savings", "per_year": 1_000_000, "risk_adjustment": h}
                 for i, h in enumerate(("5%", "15%", "10%"))]
        r = evaluate(case(benefits=lines, risk_adjustment={"benefits": {"cost_savings": 0.2}}))
        assert r.pillars["cost_savings"] == pytest.approx(2_700_000.00, abs=CENT)
        assert r.lines["haircut"].round(4).tolist() == [0.05, 0.15, 0.10]
        assert r.annual.loc["Year 1", "benefits_risk_adjustment"] == pytest.approx(-300_000.00, abs=CENT)

    def test_levers_and_risk_events_carry_their_own_haircut(self):
        """Deflection 100,000 × ($8.20 − $0.20) = $800,000 at its own 10%: $720,000 (pillar 30%
        not used). Risk (10% − 5%) × $1,000,000 = $50,000 at its own 40%: $30,000."""
        r = evaluate(case(baseline={"cost_per_contact": 8.20},
                          levers={"deflection": {"rate": 0.10, "automated_cost": 0.20, "risk_adjustment": 0.10},
                                  "risk": [{"name": "Fine", "probability_before": 0.10, "probability_after": 0.05,
                                            "impact": 1_000_000, "risk_adjustment": 0.40}]},
                          risk_adjustment={"benefits": {"cost_savings": 0.30, "risk_avoided": 0.25}}))
        assert r.pillars["cost_savings"] == pytest.approx(720_000.00, abs=CENT)
        assert r.pillars["risk_avoided"] == pytest.approx(30_000.00, abs=CENT)


# -- 4. a case of explicit lines needs no baseline ---------------------------------------------


class TestExplicitLinesOnly:
    def test_published_table_as_it_stands(self):
        """The illustrative TEI table: −500,000 + 400,000/1.1 + 700,000/1.21 + 900,000/1.331
        = $1,118,332.08; no baseline, so no cost per contact or per resolution."""
        c = load_case(ROOT / "templates/cases/published_tei.yaml")
        assert c.baseline is None
        r = evaluate(c)
        assert r.summary.npv == pytest.approx(1_118_332.08, abs=CENT)
        assert r.baseline is None
        assert r.summary.cost_per_contact_before is None
        assert r.summary.cost_per_resolution_after is None

    def test_a_lever_without_baseline_is_refused(self):
        with pytest.raises(CaseError, match=r"Test Unit: baseline is missing; levers.deflection needs it"):
            load_case({"unit": "Test Unit", "levers": {"deflection": {"rate": 0.1}}})


# -- 5. amounts that do not fit the horizon ----------------------------------------------------


class TestHorizonFit:
    def test_a_longer_list_is_refused(self):
        with pytest.raises(CaseError, match=r"benefits\[0\]\.per_year has 5 yearly amounts but the horizon "
                                            r"is 36 months \(3 years\)"):
            case(benefits=[{"name": "B", "pillar": "cost_savings", "per_year": [1, 2, 3, 4, 5]}])

    def test_a_later_month_is_refused(self):
        with pytest.raises(CaseError, match=r"costs\.one_time\[0\]\.month = 48 falls after the horizon's last "
                                            r"month; the horizon is 36 months"):
            case(costs={"one_time": [{"name": "Late", "amount": 1, "month": 48}]})

    def test_a_shorter_list_ends_and_run_rates_use_the_final_year(self):
        """Benefit [100,000, 200,000] and cost [50,000, 50,000] in a 3-year case: year 3 has
        neither, so the run-rate benefit, cost and "what if we stopped" are 0 (the old figures
        carried the last values: 200,000, 50,000, 150,000). Total benefits 300,000."""
        r = evaluate(case(benefits=[{"name": "B", "pillar": "cost_savings", "per_year": [100_000, 200_000]}],
                          costs={"custom": [{"name": "C", "per_year": [50_000, 50_000]}]}))
        assert r.annual.loc["Year 3", "benefits"] == 0.0
        assert r.summary.total_benefits == pytest.approx(300_000.00, abs=CENT)
        assert r.summary.run_rate_benefit == 0.0
        assert r.summary.run_rate_cost == 0.0
        assert r.what_if_stopped["value_lost_per_year"] == 0.0


# -- 9. revenue at the stated margin -----------------------------------------------------------


class TestGrossMargin:
    def test_a_revenue_lever_without_margin_is_refused(self):
        with pytest.raises(CaseError, match=r"Test Unit: baseline\.gross_margin is missing; levers\.upsell"):
            case(levers={"upsell": {"eligible_share": 0.2, "conversion_lift": 0.03, "average_value": 150}})

    def test_100_percent_is_allowed(self):
        """1,000,000 × 20% × 3% × $150 × 100% = $900,000."""
        r = evaluate(case(baseline={"gross_margin": "100%"},
                          levers={"upsell": {"eligible_share": 0.2, "conversion_lift": 0.03, "average_value": 150}}))
        assert r.pillars["revenue_generated"] == pytest.approx(900_000.00, abs=CENT)


# -- 11. cost per contact after counts contact-handling costs only ------------------------------


def test_cost_per_contact_after_counts_contact_costs_only():
    """Deflection 1,000,000 × 10% × ($5.00 − $0.20) = $480,000; attrition on the 90 agents the
    deflection leaves (100 × 90% of the workload) × 10 points × $5,000 = $45,000 and a QA line of
    $40,000 are not contact costs. After: ($5,000,000 −
    $480,000) ÷ 1,000,000 = $4.52 (the old figure also took off the $90,000: $4.43)."""
    r = evaluate(case(baseline={"agents": 100, "agent_attrition": 0.30},
                      levers={"deflection": {"rate": 0.10, "automated_cost": 0.20},
                              "agent_attrition": {"attrition_after": 0.20, "cost_per_hire": 5_000}},
                      benefits=[{"name": "Smaller QA sample", "pillar": "cost_savings", "per_year": 40_000}]))
    assert r.pillars["cost_savings"] == pytest.approx(565_000.00, abs=CENT)
    assert r.summary.cost_per_contact_after == pytest.approx(4.52, abs=1e-9)
    assert r.summary.cost_per_resolution_after == pytest.approx(4.52, abs=1e-9)


# -- 12. IRR ------------------------------------------------------------------------------------


class TestIrr:
    def test_several_roots_are_found_and_warned(self):
        """[−500k, 900k, 900k, −1.4M]: at 100%, −500 + 450 + 225 − 175 = 0; the other root is
        8.74%. The case shows the one nearest zero and warns that there are two."""
        flows = [-500_000, 900_000, 900_000, -1_400_000]
        roots = finance.irr_roots(flows)
        assert len(roots) == 2 and roots[1] == pytest.approx(1.0, abs=1e-12)
        for r in roots:
            assert abs(finance.npv(r, flows)) < 1e-6
        c = case(benefits=[{"name": "B", "pillar": "cost_savings", "per_year": [900_000, 900_000, -1_400_000]}],
                 costs={"custom": [{"name": "Build", "initial": 500_000}]})
        r = evaluate(c)
        assert r.summary.irr == pytest.approx(roots[0], abs=1e-12)
        assert any("2 IRRs (8.7% and 100.0%)" in w for w in r.warnings)

    def test_two_close_roots_are_not_missed(self):
        """(x − 0.901)(x − 0.903) = x² − 1.804x + 0.813603 in x = 1/(1 + r): flows [0.813603,
        −1.804, 1] have IRRs 1/0.903 − 1 = 10.742% and 1/0.901 − 1 = 10.988%, both inside one
        step of the old search grid (which found neither)."""
        flows = [0.813603, -1.804, 1.0]
        assert finance.irr_roots(flows) == pytest.approx((1 / 0.903 - 1, 1 / 0.901 - 1), rel=1e-9)
        assert finance.irr(flows) == pytest.approx(1 / 0.903 - 1, rel=1e-9)
        assert npf.irr(flows) == pytest.approx(1 / 0.903 - 1, rel=1e-9)

    def test_a_double_root_is_found_once(self):
        """(x − 0.9)² = x² − 1.8x + 0.81: flows [0.81, −1.8, 1] touch zero at 1/0.9 − 1 = 11.111%
        without crossing (the old sign-change search found none)."""
        roots = finance.irr_roots([0.81, -1.8, 1.0])
        assert roots == pytest.approx((1 / 0.9 - 1,), rel=1e-6)
        assert finance.irr([0.81, -1.8, 1.0]) == pytest.approx(1 / 0.9 - 1, rel=1e-6)

    def test_agrees_with_numpy_financial_on_2000_random_flows(self):
        """Wherever numpy-financial finds a root in (−99%, 1,000%), the same rate to 1e-9."""
        rng = np.random.default_rng(11)
        compared = 0
        for _ in range(2_000):
            n = int(rng.integers(2, 13))
            values = rng.normal(0, 1, n) * 10 ** rng.uniform(0, 6)
            want = npf.irr(values)
            if not (np.isfinite(want) and -0.99 < want < 10.0):
                continue
            compared += 1
            assert finance.irr(values) == pytest.approx(want, rel=1e-9, abs=1e-9), values.tolist()
        assert compared > 1_000

    def test_monthly_discounting_uses_monthly_flows(self):
        """$300,000 up front, $30,000 a month for 12 months: 300,000 = 30,000 × a(12, r) gives
        r = 2.9229% a month, (1.029229)^12 − 1 = 41.30% a year (annual buckets gave 20.0%:
        −300,000 then +360,000)."""
        c = case(benefits=[{"name": "B", "pillar": "cost_savings", "per_year": 360_000}],
                 costs={"custom": [{"name": "Build", "initial": 300_000}]},
                 timeline={"horizon_months": 12, "discounting": "monthly"})
        r = evaluate(c)
        assert r.summary.irr == pytest.approx(finance.irr([-300_000] + [30_000] * 12, per_year=12), rel=1e-12)
        assert round(r.summary.irr, 4) == 0.4130


# -- 13. unknown is not zero -------------------------------------------------------------------


def test_abandon_exposure_without_an_order_value_is_not_estimated():
    """7% abandon rate, no abandonment lever (so no order value): exposure is unknown, not $0;
    revenue at risk is churn exposure alone: 10,000 × 20% × $500 × 40% = $400,000."""
    r = evaluate(case(baseline={"abandon_rate": 0.07, "customers": 10_000, "churn_rate": 0.2,
                                "annual_value_per_customer": 500, "gross_margin": 0.4}))
    assert r.baseline.abandon_exposure is None
    assert r.baseline.churn_exposure == pytest.approx(400_000.00, abs=CENT)
    assert r.baseline.revenue_at_risk == pytest.approx(400_000.00, abs=CENT)


# -- the reviewer's checks ---------------------------------------------------------------------


class TestWarnings:
    def test_example_case_labour_fields_disagree(self, example_case):
        """Built: (360 + 45) s ÷ 3600 × $38 ÷ (0.85 × 0.70) = $7.1849 vs $4.80 given: 33% apart.
        Workload: 1,200,000 × 405 s ÷ 3600 ÷ 0.595 ÷ 2,080 = 109.1 FTEs vs 310 agents: 184%."""
        w = evaluate(example_case).warnings
        assert isinstance(w, tuple)
        assert any("($4.80)" in x and "($7.18: 405 s at $38.00 an hour, 85% occupancy, 30% shrinkage)" in x
                   and "33%" in x for x in w)
        assert any("Agents given (310)" in x and "(109.1:" in x and "184%" in x for x in w)

    def test_unit_cost_counted_twice(self):
        c = case(levers={"deflection": {"rate": 0.1, "automated_cost": 0.20}},
                 costs={"recurring": [{"name": "Bot fee", "per_automated_contact": 0.15}]})
        assert any("counted twice" in x and "($0.20)" in x and "“Bot fee” ($0.15)" in x
                   for x in evaluate(c).warnings)

    def test_scenario_outside_an_input_range(self):
        """Optimistic scale_levers 1.5 on an 80% deflection rate: 120%, held at 100%."""
        c = case(levers={"deflection": {"rate": 0.8}}, scenarios={"optimistic": {"scale_levers": 1.5}})
        assert any("optimistic scenario's scale_levers 1.5 takes levers.deflection.rate to 120.0%" in x
                   for x in evaluate(c).warnings)

    def test_short_list_is_flagged(self):
        c = case(benefits=[{"name": "QA", "pillar": "cost_savings", "per_year": [1, 2]}])
        assert any("benefits[0] “QA” (2 of 3 years)" in x for x in evaluate(c).warnings)

    def test_unsourced_inputs_counted_and_the_material_named(self):
        c = load_case(ROOT / "templates/units/demo/retail_bank.yaml")
        w = [x for x in evaluate(c).warnings if "source note" in x]
        assert len(w) == 1
        # the swings are the tornado's, over each input's uncertainty range (most first)
        assert w[0].startswith("80 of the case's 91 inputs have no source note; among them, moving across "
                               "its uncertainty range moves NPV most in ramp months ($")

    def test_a_clean_case_has_none(self):
        c = case(benefits=[{"name": "B", "pillar": "cost_savings", "per_year": 100}],
                 sources={k: "ledger" for k in ("unit", "baseline.contacts_per_year", "baseline.cost_per_contact",
                                                "benefits.0.name", "benefits.0.pillar", "benefits.0.initial",
                                                "benefits.0.per_year")})
        assert [x for x in evaluate(c).warnings if "source note" not in x] == []
