"""The engine against hand computations and the seed articles' worked figures, to the cent."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from strategies import case

from roi_kit import evaluate, evaluate_scenarios
from roi_kit.case import PILLARS
from roi_kit.model import staffing
from roi_kit.model.cashflows import adoption_curve
from roi_kit.model.staffing import agents_for

CENT = 0.005




class TestSeedReferences:
    def test_cfo_baseline(self):
        # 1,200,000 × $4.80 = $5,760,000; 1,200,000 × (1 − 0.14) = 1,032,000 resolutions;
        # 5,760,000 / 1,032,000 = $5.5814 → $5.58; abandoned = 1,200,000 × 0.06 / 0.94 = 76,595.74
        r = evaluate(case(baseline={"contacts_per_year": 1_200_000, "cost_per_contact": 4.80,
                                    "repeat_rate": "14%", "abandon_rate": "6%"}))
        b = r.baseline
        assert b.total_cost == pytest.approx(5_760_000.00, abs=CENT)
        assert b.resolutions == pytest.approx(1_032_000, abs=CENT)
        assert round(b.cost_per_resolution, 2) == 5.58
        assert b.abandoned == pytest.approx(76_595.74, abs=CENT)
        assert b.offered == pytest.approx(1_276_595.74, abs=CENT)
        assert r.summary["cost_per_contact_before"] == pytest.approx(4.80, abs=CENT)

    def test_deflection_800k(self):
        # 10% of 1,000,000 contacts handled without a human at $8 saved each:
        # 100,000 × ($8.20 human − $0.20 automated) = $800,000 a year
        r = evaluate(case(baseline={"cost_per_contact": 8.20},
                          levers={"deflection": {"rate": "10%", "automated_cost": 0.20}}))
        assert r.pillars["cost_savings"] == pytest.approx(800_000.00, abs=CENT)
        assert r.annual.loc["Year 1", "cost_savings"] == pytest.approx(800_000.00, abs=CENT)

    def test_ai_vs_human_interaction_cost(self):
        # $5.50 human vs $0.20 AI: 100,000 deflected × $5.30 = $530,000
        r = evaluate(case(baseline={"cost_per_contact": 5.50},
                          levers={"deflection": {"rate": 0.10, "automated_cost": 0.20}}))
        assert r.pillars["cost_savings"] == pytest.approx(530_000.00, abs=CENT)

    def test_retention_1_2m(self):
        # 6,250 customers × 8 points retained × $2,400 = $1,200,000 protected in 12 months: the
        # full-year run-rate of one year's kept customers. Year 1 counts the kept customers from
        # when they would have left: mid-year by default ($600,000), the whole year when kept at
        # the start of the year ($1,200,000); later years add the cohorts carried forward.
        base = {"customers": 6250, "churn_rate": "20%", "annual_value_per_customer": 2400, "gross_margin": 1.0}
        r = evaluate(case(baseline=base, levers={"retention": {"churn_rate_after": "12%"}}))
        assert r.pillars["revenue_protected"] == pytest.approx(1_200_000.00, abs=CENT)
        assert r.annual.loc["Year 1", "revenue_protected"] == pytest.approx(600_000.00, abs=CENT)
        r = evaluate(case(baseline=base, levers={"retention": {"churn_rate_after": "12%", "timing": "start_of_year"}}))
        assert r.annual.loc["Year 1", "revenue_protected"] == pytest.approx(1_200_000.00, abs=CENT)

    @pytest.mark.parametrize(("gains", "roi"), [([300_000, 400_000, 200_000], -0.10),
                                                ([300_000, 400_000, 600_000], 0.30)])
    def test_roi_formula(self, gains, roi):
        # spend $1,000,000; gains 300k + 400k + 200k → (900k − 1M)/1M = −10%; 1.3M → 30%
        r = evaluate(case(benefits=[{"name": "Gains", "pillar": "cost_savings", "per_year": gains}],
                          costs={"custom": [{"name": "Spend", "initial": 1_000_000}]}))
        assert r.summary["simple_roi"] == pytest.approx(roi, abs=1e-12)
        assert r.summary["total_costs"] == pytest.approx(1_000_000.00, abs=CENT)


class TestLevers:
    def test_first_contact_resolution(self):
        # issues stay: 1,000,000 × 0.80 / 0.85 = 941,176.47 contacts; 58,823.53 avoided × $5 = $294,117.65
        r = evaluate(case(baseline={"repeat_rate": 0.20}, levers={"first_contact_resolution": {"repeat_rate_after": 0.15}}))
        assert r.pillars["cost_savings"] == pytest.approx(294_117.65, abs=CENT)
        # resolutions are unchanged, so cost per resolution falls with the cost
        assert r.summary["cost_per_resolution_after"] == pytest.approx((5_000_000 - 294_117.647) / 800_000, abs=CENT)

    def test_abandonment(self):
        # offered = 940,000 / 0.94 = 1,000,000; recovered = 1,000,000 × (6% − 4%) = 20,000;
        # each worth 10% × $200 × 50% = $10, less $5 handling = $5 → $100,000
        r = evaluate(case(baseline={"contacts_per_year": 940_000, "abandon_rate": 0.06, "gross_margin": 0.5},
                          levers={"abandonment": {"abandon_rate_after": 0.04, "conversion_rate": 0.10, "average_order": 200}}))
        assert r.pillars["revenue_protected"] == pytest.approx(100_000.00, abs=CENT)
        # exposure: 60,000 abandoned × 10% × $200 × 50% = $600,000
        assert r.baseline.abandon_exposure == pytest.approx(600_000.00, abs=CENT)

    def test_upsell(self):
        # 1,000,000 × 20% eligible × 3% lift × $150 × 40% margin = $360,000
        r = evaluate(case(baseline={"gross_margin": 0.4},
                          levers={"upsell": {"eligible_share": 0.2, "conversion_lift": 0.03, "average_value": 150}}))
        assert r.pillars["revenue_generated"] == pytest.approx(360_000.00, abs=CENT)

    def test_agent_attrition(self):
        # 310 agents × (35% − 30%) × $6,500 = $100,750
        r = evaluate(case(baseline={"agents": 310, "agent_attrition": 0.35},
                          levers={"agent_attrition": {"attrition_after": 0.30, "cost_per_hire": 6500}}))
        assert r.pillars["cost_savings"] == pytest.approx(100_750.00, abs=CENT)

    def test_risk_is_expected_value_not_doubled(self):
        # (5% − 2%) × $2,000,000 + (10% − 6%) × $750,000 = $60,000 + $30,000 = $90,000
        r = evaluate(case(levers={"risk": [
            {"name": "Fine", "probability_before": 0.05, "probability_after": 0.02, "impact": 2_000_000},
            {"name": "Fraud", "probability_before": 0.10, "probability_after": 0.06, "impact": 750_000}]}))
        assert r.pillars["risk_avoided"] == pytest.approx(90_000.00, abs=CENT)

    def test_handle_time_linear_converts_seconds_to_hours_by_3600(self):
        # 1,000,000 × 30 s / 3600 = 8,333.33 h; ÷ (0.85 × 0.70) = 14,005.60 paid h; × $38 = $532,212.89
        r = evaluate(case(baseline={"aht_seconds": 360, "loaded_hourly_cost": 38, "occupancy": 0.85, "shrinkage": 0.30},
                          levers={"handle_time": {"seconds_saved": 30, "basis": "linear"}}))
        assert r.pillars["cost_savings"] == pytest.approx(532_212.89, abs=CENT)

    def test_handle_time_staffed_counts_scheduled_agents_avoided(self):
        # per open half-hour of the default week (84 hours): calls = 1,000,000 ÷ 365/7 × share;
        # agents at 80/20 before (405 s) and after (375 s); Σ Δagents × ½ h × 365/7 ÷ (1 − 30%) × $38
        profile = staffing.default_profile(4380)
        iv = staffing.Intervals.of(profile)
        week = 1_000_000 / (365 / 7)
        before = sum(agents_for(week * w, 405, 1800, 0.8, 20).agents * n for w, n in zip(iv.shares, iv.counts, strict=True))
        after = sum(agents_for(week * w, 375, 1800, 0.8, 20).agents * n for w, n in zip(iv.shares, iv.counts, strict=True))
        expected = (before - after) * 0.5 * 365 / 7 / (1 - 0.30) * 38
        r = evaluate(case(baseline={"aht_seconds": 360, "acw_seconds": 45, "loaded_hourly_cost": 38, "shrinkage": 0.30},
                          levers={"handle_time": {"seconds_saved": 30}}))
        assert before > after
        assert r.pillars["cost_savings"] == pytest.approx(expected, abs=CENT)
        assert r.lines.loc[0, "terms"]["basis"] == "staffed"
        assert r.lines.loc[0, "terms"]["agents_before"][0, 0] == pytest.approx(before * 0.5 * 365 / 7 / 0.7 / 2080)

    def test_cost_per_contact_built_from_labour(self):
        # 405 s / 3600 × $38 ÷ (0.85 × 0.70) = $7.1849 → $7.18
        r = evaluate(case(baseline={"cost_per_contact": None, "aht_seconds": 360, "acw_seconds": 45,
                                    "loaded_hourly_cost": 38, "occupancy": 0.85, "shrinkage": 0.30}))
        assert round(r.baseline.cost_per_contact, 2) == 7.18

    def test_levers_do_not_double_count(self):
        # FCR first (1,000,000 → 941,176.47), then deflection on what is left: 941,176.47 × 10% × $5
        r = evaluate(case(baseline={"repeat_rate": 0.20}, levers={
            "first_contact_resolution": {"repeat_rate_after": 0.15},
            "deflection": {"rate": 0.10, "automated_cost": 0.0}}))
        assert r.pillars["cost_savings"] == pytest.approx(294_117.65 + 470_588.24, abs=0.01)


class TestTimeline:
    def test_linear_ramp_year_one(self):
        # $800,000 a year; adoption 1/6 … 6/6 then 1: year 1 = 800,000/12 × (21/6 + 6) = $633,333.33
        r = evaluate(case(baseline={"cost_per_contact": 8.20}, timeline={"ramp_months": 6, "ramp_shape": "linear"},
                          levers={"deflection": {"rate": 0.10, "automated_cost": 0.20}}))
        assert r.annual.loc["Year 1", "benefits"] == pytest.approx(633_333.33, abs=CENT)
        assert r.annual.loc["Year 2", "benefits"] == pytest.approx(800_000.00, abs=CENT)

    def test_s_curve_is_smoothstep(self):
        curve = adoption_curve(np.arange(7), np.array([[6.0]]), "s-curve")[0]
        x = np.arange(7) / 6
        assert curve == pytest.approx(3 * x**2 - 2 * x**3)

    def test_volume_growth_steps_per_year(self):
        # year 2 volume = 1.03 × year 1 for volume-driven levers; risk does not grow
        r = evaluate(case(baseline={"cost_per_contact": 8.20, "volume_growth": "3%"},
                          levers={"deflection": {"rate": 0.10, "automated_cost": 0.20},
                                  "risk": [{"name": "Fine", "probability_before": 0.1, "probability_after": 0.0, "impact": 100_000}]}))
        assert r.annual.loc["Year 2", "cost_savings"] == pytest.approx(824_000.00, abs=CENT)
        assert r.annual.loc["Year 3", "cost_savings"] == pytest.approx(848_720.00, abs=CENT)
        assert r.annual.loc["Year 3", "risk_avoided"] == pytest.approx(10_000.00, abs=CENT)


def tei_case(**timeline):
    return case(
        timeline={"ramp_months": 0, "horizon_months": 36, "discount_rate": 0.10, **timeline},
        benefits=[{"name": "Benefit", "pillar": "cost_savings", "per_year": [60_000, 60_000, 60_000]}],
        costs={"one_time": [{"name": "Setup", "amount": 100_000}],
               "recurring": [{"name": "Run", "per_year": 10_000}]},
    )


class TestTEI:
    def test_annual_table_by_hand(self):
        # Initial: −100,000 undiscounted. Years: benefits 60,000, costs 10,000, net 50,000.
        # PV factors 1/1.1, 1/1.21, 1/1.331 sum to 2.4868520;
        # PV benefits = 60,000 × 2.4868520 = 149,211.12; PV costs = 100,000 + 10,000 × 2.4868520 = 124,868.52
        r = evaluate(tei_case())
        t = r.annual
        assert list(t.index) == ["Initial", "Year 1", "Year 2", "Year 3", "Total", "Present value"]
        assert t.loc["Initial", "costs"] == pytest.approx(100_000.00, abs=CENT)
        assert t.loc["Initial", "benefits"] == 0
        for year in ("Year 1", "Year 2", "Year 3"):
            assert t.loc[year, "net"] == pytest.approx(50_000.00, abs=CENT)
        assert t.loc["Total", "net"] == pytest.approx(50_000.00, abs=CENT)
        assert t.loc["Present value", "benefits"] == pytest.approx(149_211.12, abs=CENT)
        assert t.loc["Present value", "costs"] == pytest.approx(124_868.52, abs=CENT)
        assert r.summary["npv"] == pytest.approx(24_342.60, abs=CENT)
        assert r.summary["roi"] == pytest.approx(24_342.60 / 124_868.52, abs=1e-7)
        # payback: −100,000 + 4,166.67 a month turns non-negative at exactly month 24
        assert r.summary["payback_months"] == pytest.approx(24.0, abs=1e-9)

    def test_npv_and_irr_agree_with_numpy_financial(self, example_case):
        r = evaluate(example_case)
        flows = r.annual.loc[["Initial", "Year 1", "Year 2", "Year 3"], "net"].to_numpy()
        assert r.summary["npv"] == pytest.approx(npf.npv(0.10, flows), abs=CENT)
        assert r.summary["irr"] == pytest.approx(npf.irr(flows), abs=1e-9)
        assert r.summary["npv"] == pytest.approx(r.summary["pv_benefits"] - r.summary["pv_costs"], abs=CENT)

    def test_monthly_discounting(self):
        # each month's flow discounted by 1.1^(m/12), month 0 not discounted
        r = evaluate(tei_case(discounting="monthly"))
        expected = -100_000 + sum((60_000 - 10_000) / 12 / 1.1 ** (m / 12) for m in range(1, 37))
        assert r.summary["npv"] == pytest.approx(expected, abs=CENT)
        assert r.annual.loc["Present value", "net"] == pytest.approx(expected, abs=CENT)

    def test_risk_adjustment(self):
        # benefits cut 25% → 45,000 a year; costs raised 10% → 110,000 initial, 11,000 a year
        r = evaluate(tei_case().with_overrides({"risk_adjustment.benefits.cost_savings": "25%",
                                                "risk_adjustment.costs": "10%"}))
        assert r.annual.loc["Year 1", "benefits"] == pytest.approx(45_000.00, abs=CENT)
        assert r.annual.loc["Initial", "costs"] == pytest.approx(110_000.00, abs=CENT)
        assert r.annual.loc["Year 2", "costs"] == pytest.approx(11_000.00, abs=CENT)

    def test_waterfall_sums_to_npv(self, example_case):
        r = evaluate(example_case)
        items = r.waterfall
        assert items[-1].measure == "total"
        assert sum(i.amount for i in items[:-1]) == pytest.approx(r.summary["npv"], abs=CENT)
        assert items[-1].amount == pytest.approx(r.summary["npv"], abs=CENT)
        assert [i.pillar for i in items[:4]] == list(PILLARS)

    def test_never_pays_back(self):
        r = evaluate(tei_case().with_overrides({"costs.one_time.0.amount": 10_000_000}))
        assert r.summary["payback_months"] is None
        assert r.summary["npv"] < 0 and r.summary["roi"] < 0


class TestScenariosAndResult:
    def test_example_scenarios_order(self, example_case):
        results = evaluate_scenarios(example_case)
        assert list(results) == ["conservative", "expected", "optimistic"]
        npvs = [results[k].summary["npv"] for k in results]
        assert npvs[0] < npvs[1] < npvs[2]
        assert results["conservative"].case.levers.deflection.rate == pytest.approx(0.06)
        assert results["conservative"].case.timeline.ramp_months == 9

    def test_scenario_never_mutates_the_case(self, example_case):
        before = example_case.model_dump()
        example_case.scenario_case("optimistic")
        example_case.with_overrides({"levers.deflection.rate": 0.5})
        assert example_case.model_dump() == before

    def test_what_if_stopped_is_the_run_rate_net(self, example_case):
        r = evaluate(example_case)
        assert r.what_if_stopped["value_lost_per_year"] == pytest.approx(r.summary["run_rate_net_benefit"])
        assert r.what_if_stopped["contacts_back_to_agents"] > 0

    def test_monthly_table_ties_to_annual(self, example_case):
        r = evaluate(example_case)
        m = r.monthly
        assert m["net"].sum() == pytest.approx(r.annual.loc["Total", "net"], abs=CENT)
        assert m["cumulative_net"].iloc[-1] == pytest.approx(r.summary["total_benefits"] - r.summary["total_costs"], abs=CENT)
        gap = m["operating_cost_before"] - m["operating_cost_after"]
        assert gap.iloc[1:].to_numpy() == pytest.approx((m["cost_savings"] - m["costs_recurring"]).iloc[1:].to_numpy())

    def test_segments_sum_to_the_unit(self, example_case):
        r = evaluate(example_case)
        seg = r.segments
        assert list(seg["segment"]) == ["Everyday", "Premium"]
        assert seg["total"].sum() == pytest.approx(sum(r.pillars.values()), rel=1e-9)

    def test_segment_override_changes_only_that_segment(self, example_case):
        base = evaluate(example_case).segments.set_index("segment")
        changed = evaluate(example_case.with_overrides(
            {"baseline.segments.1.levers": {"retention": {"churn_rate_after": "4%"}}})).segments.set_index("segment")
        assert changed.loc["Everyday", "revenue_protected"] == pytest.approx(base.loc["Everyday", "revenue_protected"])
        # Premium: 32,000 customers × $3,035 × 40% margin × 80% (the 20% haircut) = $31,078.40 a point;
        # churn falls 2.25 points (6.25% → 4%) instead of the unit's 1 point: 1.25 × 3,107,840 = $388,480
        delta = changed.loc["Premium", "revenue_protected"] - base.loc["Premium", "revenue_protected"]
        assert delta == pytest.approx(388_480.00, abs=CENT)

    def test_explicit_lines_only_case(self):
        r = evaluate(case(benefits=[{"name": "Published benefit", "pillar": "revenue_generated", "initial": 0,
                                     "per_year": [100_000, 200_000, 300_000]}],
                          costs={"custom": [{"name": "Published cost", "initial": 150_000, "per_year": [50_000, 50_000, 50_000]}]}))
        assert r.annual.loc["Year 3", "revenue_generated"] == pytest.approx(300_000.00, abs=CENT)
        assert r.annual.loc["Initial", "costs"] == pytest.approx(150_000.00, abs=CENT)
        assert r.lines["lever"].tolist() == ["custom"]


def test_cost_lines_table_by_hand(example_case):
    # Licences: 85 × 310 seats × 12 = 316,200 a year; training 3,100 h × $38 = 117,800 at Initial
    lines = evaluate(example_case).cost_lines.set_index("name")
    assert lines.loc["Licences", "Year 1"] == pytest.approx(316_200.00, abs=CENT)
    assert lines.loc["Agent and supervisor training", "initial"] == pytest.approx(117_800.00, abs=CENT)
    assert lines.loc["Knowledge-base migration", "total"] == pytest.approx(60_000 + 3 * 15_000, abs=CENT)
    assert lines["kind"].tolist().count("recurring") == 2
