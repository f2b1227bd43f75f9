"""Issue 11, part B: staffing per interval, levers on what the earlier ones leave, retention
cohorts, segment overrides. Each test's docstring carries its hand computation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from strategies import case as minimal_case

from roi_kit import CaseError, evaluate
from roi_kit.model import staffing
from roi_kit.model.staffing import agents_for


def case(**sections):
    """:func:`strategies.case` with a 100% gross margin written, so revenue levers are accepted."""
    return minimal_case(**{**sections, "baseline": {"gross_margin": 1.0, **sections.get("baseline", {})}})

CENT = 0.005
WEEKS_PER_YEAR = 365 / 7  # the weeks a year of open intervals repeats
LABOUR = {"aht_seconds": 360, "loaded_hourly_cost": 38, "occupancy": 0.85, "shrinkage": 0.30}




def handle_time(result) -> dict:
    return result.lines.set_index("lever").loc["handle_time", "terms"]


# -- defect 6: staffed handle time, per interval, each year ---------------------------------------

TWO_HOURS = [[0.5 if (d, h) in {(0, 9), (0, 10)} else 0.0 for h in range(24)] for d in range(7)]


class TestStaffedPerInterval:
    def test_two_open_hours_by_hand_and_capped_at_linear(self):
        """A week open two hours (Monday 09:00-11:00, half the volume each): four half-hours.

        10,400 contacts a year ÷ 365/7 weeks = 199.452 a week; each half-hour ¼ = 49.863 calls.
        Before: 49.863 × 360 s ÷ 1800 = 9.973 Erlangs → 14 agents at 80% in 20 s (13 give 78%);
        after 30 s saved: 49.863 × 330 ÷ 1800 = 9.142 Erlangs → 13 agents.
        Staffed: 1 agent × 4 half-hours × ½ h × 52.142857 weeks ÷ (1 − 30%) × $38 = $5,661.22;
        linear: 10,400 × 30 ÷ 3600 = 86.667 h ÷ (85% × 70%) × $38 = $5,535.01, the upper bound:
        the line is capped there and says so.
        """
        calls = 10_400 / WEEKS_PER_YEAR / 4
        assert agents_for(calls, 360, 1800, 0.8, 20).agents == 14
        assert agents_for(calls, 330, 1800, 0.8, 20).agents == 13
        r = evaluate(case(baseline={"contacts_per_year": 10_400, "interval_profile": TWO_HOURS, **LABOUR},
                          levers={"handle_time": {"seconds_saved": 30}}))
        t = handle_time(r)
        assert t["staffed"][0, 0] == pytest.approx(1 * 4 * 0.5 * 365 / 7 / 0.7 * 38, abs=CENT)
        assert t["staffed"][0, 0] == pytest.approx(5_661.22, abs=CENT)
        assert t["linear"][0, 0] == pytest.approx(5_535.01, abs=CENT)
        assert bool(t["capped"][0, 0])
        assert r.pillars["cost_savings"] == pytest.approx(5_535.01, abs=CENT)
        # agents, as scheduled FTEs of 2,080 paid hours: 14 × 4 × ½ × 52.142857 ÷ 0.7 ÷ 2,080 = 1.0027
        assert t["agents_before"][0, 0] == pytest.approx(14 * 4 * 0.5 * 365 / 7 / 0.7 / 2080, rel=1e-12)
        assert t["agents_after"][0, 0] == pytest.approx(13 * 4 * 0.5 * 365 / 7 / 0.7 / 2080, rel=1e-12)

    def test_each_year_solved_at_its_own_volume(self):
        """Volume grows 50% a year: year 3 carries 10,400 × 1.5² = 23,400 contacts, 112.192 calls
        per half-hour: 22.438 Erlangs at 360 s → 28 agents, 20.568 at 330 s → 26 agents (Erlang C
        at 80/20). Year 3 staffed = 2 × 4 × ½ × 52.142857 ÷ 0.7 × $38 = $11,322.45 (not the year-1
        figure scaled by 2.25); linear = 23,400 × 30 ÷ 3600 ÷ 0.595 × $38 = $12,453.78; not capped.
        """
        calls3 = 10_400 * 1.5**2 / WEEKS_PER_YEAR / 4
        before, after = agents_for(calls3, 360, 1800, 0.8, 20).agents, agents_for(calls3, 330, 1800, 0.8, 20).agents
        assert (before, after) == (28, 26)
        r = evaluate(case(baseline={"contacts_per_year": 10_400, "interval_profile": TWO_HOURS, "volume_growth": 0.5,
                                    **LABOUR},
                          levers={"handle_time": {"seconds_saved": 30}}))
        t = handle_time(r)
        assert t["staffed"][0, 2] == pytest.approx(11_322.45, abs=CENT)
        assert t["linear"][0, 2] == pytest.approx(12_453.78, abs=CENT)
        assert not bool(t["capped"][0, 2])
        assert r.annual.loc["Year 3", "cost_savings"] == pytest.approx(11_322.45, abs=CENT)

    def test_more_seconds_never_save_less_and_never_beat_linear(self):
        """1,000,000 contacts, 360 s, $38, default profile (84 open hours a week). Solved once on
        the average half-hour, 5, 10 and 15 s all gave one agent: 1 ÷ 0.7 × 4,380 h × $38 = $237,771,
        above the linear 5 s figure 1,000,000 × 5 ÷ 3600 ÷ 0.595 × $38 = $88,702.15. Per interval the
        saving rises with every step of 5 s and stays at or below linear (Δs × $17,740.43 a second).
        """
        amounts, linear = [], []
        for seconds in (5, 10, 15, 20, 25, 30):
            r = evaluate(case(baseline=LABOUR, levers={"handle_time": {"seconds_saved": seconds}}))
            amounts.append(r.pillars["cost_savings"])
            linear.append(1_000_000 * seconds / 3600 / (0.85 * 0.70) * 38)
        assert linear[0] == pytest.approx(88_702.15, abs=CENT)
        assert all(b > a for a, b in itertools.pairwise(amounts))
        assert all(a <= lin + CENT for a, lin in zip(amounts, linear, strict=True))
        assert amounts[0] != pytest.approx(237_771.43, abs=1.0)

    def test_vectorised_equals_one_by_one(self):
        """The draws' per-interval agents equal agents_for half-hour by half-hour (exact integers)."""
        iv = staffing.Intervals.of(staffing.default_profile(4380))
        rng = np.random.default_rng(3)
        calls = rng.uniform(5_000, 30_000, (300, 2))
        aht = rng.uniform(200, 500, (300, 1))
        got = staffing.weekly_agent_intervals(calls, aht, iv, 0.8, 20)
        for d in range(0, 300, 37):
            for y in range(2):
                want = sum(agents_for(calls[d, y] * w, aht[d, 0], 1800, 0.8, 20).agents * n
                           for w, n in zip(iv.shares, iv.counts, strict=True))
                assert got[d, y] == want

    def test_profile_shapes_and_refusals(self):
        """A mapping weekday → {hour: share} is the same profile as the 7×24 lists; shares must sum to 1."""
        mapped = {0: {9: 0.5, 10: 0.5}}
        a = case(baseline={"interval_profile": mapped, **LABOUR}, levers={"handle_time": {"seconds_saved": 30}})
        assert a.baseline.interval_profile == TWO_HOURS
        with pytest.raises(CaseError, match=r"interval_profile.*sum to 90\.00%"):
            case(baseline={"interval_profile": {0: {9: 0.5, 10: 0.4}}})
        with pytest.raises(CaseError, match=r"interval_profile.*7 weekdays"):
            case(baseline={"interval_profile": [[1.0] + [0.0] * 23]})


# -- defect 7: each lever acts on what the levers before it leave -----------------------------------


class TestLeverOrder:
    def test_upsell_counts_contacts_agents_still_handle(self):
        """FCR 20% → 15%: C₁ = 1,000,000 × 0.80 ÷ 0.85 = 941,176.47; deflection 10%, leakage 20%:
        contained 941,176.47 × 10% × 80% = 75,294.12; agents handle 865,882.35. Upsell:
        865,882.35 × 20% × 3% × $150 × 100% = $779,294.12 (was 1,000,000 × … = $900,000)."""
        r = evaluate(case(levers={"first_contact_resolution": {"repeat_rate_after": 0.15},
                                  "deflection": {"rate": 0.10, "leakage": 0.20},
                                  "upsell": {"eligible_share": 0.2, "conversion_lift": 0.03, "average_value": 150}},
                          baseline={"repeat_rate": 0.20}))
        assert r.pillars["revenue_generated"] == pytest.approx(779_294.12, abs=CENT)

    def test_attrition_counts_agents_still_needed(self):
        """Deflection 10% with no leakage leaves 900,000 of 1,000,000 contacts: workload 90%, so
        310 agents × 0.9 = 279 still needed; 279 × (35% − 30%) × $6,500 = $90,675 (was $100,750)."""
        r = evaluate(case(baseline={"agents": 310, "agent_attrition": 0.35},
                          levers={"deflection": {"rate": 0.10},
                                  "agent_attrition": {"attrition_after": 0.30, "cost_per_hire": 6500}}))
        lines = r.lines.set_index("lever")
        assert lines.loc["agent_attrition", "run_rate"] == pytest.approx(90_675.00, abs=CENT)

    def test_seats_follow_staffing(self):
        """310 seats at $85 a month follow the agents needed: deflection 10% (no leakage, no ramp)
        leaves 279 agents: 279 × $85 × 12 = $284,580 a year (fixed seats: 310 × 85 × 12 = $316,200)."""
        costs = {"recurring": [{"name": "Licences", "per_seat_per_month": 85, "seats": "follow_staffing"}]}
        r = evaluate(case(baseline={"agents": 310}, levers={"deflection": {"rate": 0.10}}, costs=costs))
        lines = r.cost_lines.set_index("name")
        assert lines.loc["Licences", "Year 1"] == pytest.approx(284_580.00, abs=CENT)
        assert r.summary["run_rate_cost"] == pytest.approx(284_580.00, abs=CENT)
        with pytest.raises(CaseError, match="seats"):
            case(costs={"recurring": [{"name": "L", "per_seat_per_month": 85, "seats": "all of them"}]})


# -- defect 8: retention as cohorts ----------------------------------------------------------------

RETENTION = {"customers": 6250, "churn_rate": "20%", "annual_value_per_customer": 2400}


class TestRetentionCohorts:
    def test_mid_year_by_default(self):
        """6,250 × (20% − 12%) = 500 customers kept each year, worth $2,400 a year.
        Year 1: 500 kept mid-year × ½ = 250 customer-years = $600,000.
        Year 2: last year's 500 carry, churning 20% (mid-year): 500 × (1 − 0.2 + 0.1) = 450, plus
        the new 500 × ½ = 250: 700 × $2,400 = $1,680,000. Year 3: stock 500 × 0.8 + 500 = 900;
        900 × 0.9 + 250 = 1,060 × $2,400 = $2,544,000. Run-rate (one year's cohort, full year): $1.2M."""
        r = evaluate(case(baseline=RETENTION, levers={"retention": {"churn_rate_after": "12%"}}))
        assert r.annual.loc["Year 1", "revenue_protected"] == pytest.approx(600_000.00, abs=CENT)
        assert r.annual.loc["Year 2", "revenue_protected"] == pytest.approx(1_680_000.00, abs=CENT)
        assert r.annual.loc["Year 3", "revenue_protected"] == pytest.approx(2_544_000.00, abs=CENT)
        assert r.pillars["revenue_protected"] == pytest.approx(1_200_000.00, abs=CENT)

    def test_start_of_year(self):
        """Kept at the start of the year: year 1 = 500 × $2,400 = $1,200,000 (the seed's figure);
        year 2: 500 × 0.8 + 500 = 900 → $2,160,000; year 3: 900 × 0.8 + 500 = 1,220 → $2,928,000."""
        r = evaluate(case(baseline=RETENTION, levers={"retention": {"churn_rate_after": "12%",
                                                                    "timing": "start_of_year"}}))
        assert r.annual.loc["Year 1", "revenue_protected"] == pytest.approx(1_200_000.00, abs=CENT)
        assert r.annual.loc["Year 2", "revenue_protected"] == pytest.approx(2_160_000.00, abs=CENT)
        assert r.annual.loc["Year 3", "revenue_protected"] == pytest.approx(2_928_000.00, abs=CENT)

    def test_ramp_scales_each_years_cohort(self):
        """Linear 12-month ramp: year-1 mean adoption (1 + … + 12) ÷ 12 ÷ 12 = 0.5417; kept in
        year 1: 500 × 0.5417 = 270.83, counted month by month ½ × 500 × m/12 ÷ 12 × $2,400 =
        $325,000.00; year 2: 270.83 × 0.9 + 250 = 493.75 customer-years = $1,185,000.00."""
        r = evaluate(case(baseline=RETENTION, levers={"retention": {"churn_rate_after": "12%"}},
                          timeline={"ramp_months": 12, "ramp_shape": "linear"}))
        assert r.annual.loc["Year 1", "revenue_protected"] == pytest.approx(325_000.00, abs=CENT)
        assert r.annual.loc["Year 2", "revenue_protected"] == pytest.approx(1_185_000.00, abs=CENT)


# -- defect 10: segment overrides honoured or refused ----------------------------------------------

TWO_SEGMENTS = [{"name": "A", "share_of_contacts": 0.5}, {"name": "B", "share_of_contacts": 0.5}]


class TestSegmentOverrides:
    def test_seconds_saved_override_is_weighted(self):
        """Segment A (500,000 contacts) saves 40 s, B the unit's 20 s: 500,000 × 40 ÷ 3600 +
        500,000 × 20 ÷ 3600 = 8,333.33 h ÷ (85% × 70%) × $38 = $532,212.89 (was 20 s for all:
        $266,106.44)."""
        segments = [{**TWO_SEGMENTS[0], "levers": {"handle_time": {"seconds_saved": 40}}}, TWO_SEGMENTS[1]]
        r = evaluate(case(baseline={"segments": segments, **LABOUR},
                          levers={"handle_time": {"seconds_saved": 20, "basis": "linear"}}))
        assert r.pillars["cost_savings"] == pytest.approx(532_212.89, abs=CENT)

    def test_repeat_rate_override_weighted_in_cost_per_resolution(self):
        """r = 20%; A's repeat rate falls to 10%, B keeps 20%. A: 500,000 × 0.8 ÷ 0.9 = 444,444.44
        contacts, 55,555.56 avoided × $5 = $277,777.78 saved; B unchanged. Resolutions after:
        444,444.44 × 0.9 + 500,000 × 0.8 = 800,000 (issues stay); cost per resolution after =
        (5,000,000 − 277,777.78) ÷ 800,000 = $5.9028 (the last segment's 20% gave $6.25)."""
        segments = [{**TWO_SEGMENTS[0], "levers": {"first_contact_resolution": {"repeat_rate_after": 0.10}}},
                    {**TWO_SEGMENTS[1], "levers": {"first_contact_resolution": {"repeat_rate_after": 0.20}}}]
        r = evaluate(case(baseline={"repeat_rate": 0.20, "segments": segments},
                          levers={"first_contact_resolution": {"repeat_rate_after": 0.15}}))
        assert r.pillars["cost_savings"] == pytest.approx(277_777.78, abs=CENT)
        assert r.summary["cost_per_resolution_after"] == pytest.approx(4_722_222.222 / 800_000, abs=CENT)

    @pytest.mark.parametrize(("lever", "fields", "name"), [
        ("handle_time", {"basis": "linear"}, "handle_time.basis"),
        ("agent_attrition", {"cost_per_hire": 1000}, "agent_attrition.cost_per_hire"),
        ("retention", {"timing": "start_of_year"}, "retention.timing"),
    ])
    def test_unit_wide_fields_refused_at_load(self, lever, fields, name):
        """Fields the formulas cannot weight by segment (the agent pool is shared) are refused, naming them."""
        segments = [{**TWO_SEGMENTS[0], "levers": {lever: fields}}, TWO_SEGMENTS[1]]
        levers = {"handle_time": {"seconds_saved": 20}, "agent_attrition": {"attrition_after": 0.3, "cost_per_hire": 5000},
                  "retention": {"churn_rate_after": 0.1}}
        with pytest.raises(CaseError, match=rf"segments\[0\]\.levers\.{name} is unit-wide"):
            case(baseline={"segments": segments, "customers": 1000, "churn_rate": 0.2, "agents": 100,
                           "agent_attrition": 0.4, "annual_value_per_customer": 100, **LABOUR}, levers=levers)
