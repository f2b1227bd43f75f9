"""Hand-computed fixtures, to the cent, for every costing metric (arithmetic in the comments).

Fixture ``hand.csv`` with ``hand_rates.yaml``: uplift = 1 / (0.8 × (1 − 0.375)) = 2, so labour is
0.02/s at the default 36/h and 0.03/s for team T2 at 54/h. Voice technology is 0.001/s of
queue + talk + hold plus 0.10 per contact; chat 0.05 per contact. Overhead 10 % of labour plus
0.20 per handled contact.

    c1 A voice billing   T1  labour 300s×0.02=6.00 tech 330s×0.001+0.10=0.43 ovh 0.60+0.20=0.80 → 7.23
    c2 A voice billing   T2  labour 600s×0.03=18.00 tech 0.60+0.10=0.70 ovh 1.80+0.20=2.00     → 20.70
    c3 B chat technical  T1  labour 660s×0.02=13.20 tech 0.05 ovh 1.32+0.20=1.52               → 14.77
    c4 - voice billing abandoned: tech 90s×0.001+0.10 = 0.19                                    → 0.19
    c5 A voice billing   T1  labour 240s×0.02=4.80 tech 0.21+0.10=0.31 ovh 0.48+0.20=0.68      → 5.79
    c6 - chat technical  T2  labour 300s×0.03=9.00 tech 0.05 ovh 0.90+0.20=1.10                → 10.15
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roi_kit.costing import analyse, load_rates

FIX = Path(__file__).parent / "fixtures"
CENT = 0.005


@pytest.fixture(scope="module")
def hand():
    return analyse(FIX / "hand.csv", FIX / "hand_rates.yaml")


def test_volumes_and_abandon_rate(hand):
    s = hand.summary
    assert (s["rows_in"], s["rows_used"]) == (6, 6)
    assert (s["contacts_handled"], s["contacts_abandoned"]) == (5, 1)
    assert s["abandon_rate"] == pytest.approx(1 / 6)  # 1 abandoned of 6 offered


def test_total_and_cost_per_contact(hand):
    s = hand.summary
    # 7.23 + 20.70 + 14.77 + 0.19 + 5.79 + 10.15 = 58.83 over 5 handled contacts
    assert s["total_cost"] == pytest.approx(58.83, abs=CENT)
    assert s["cost_per_contact"] == pytest.approx(11.766, abs=CENT)
    # labour 6 + 18 + 13.2 + 4.8 + 9 = 51.00; tech 0.43+0.70+0.05+0.19+0.31+0.05 = 1.73;
    # overhead 0.80 + 2.00 + 1.52 + 0.68 + 1.10 = 6.10
    assert s["labour_cost"] == pytest.approx(51.00, abs=CENT)
    assert s["technology_cost"] == pytest.approx(1.73, abs=CENT)
    assert s["overhead_cost"] == pytest.approx(6.10, abs=CENT)


def test_handle_times(hand):
    # talk + hold: 270, 480, 600, 180, 300 → 1830 / 5 = 366; acw 30+120+60+60+0 = 270 / 5 = 54
    assert hand.summary["aht_seconds"] == pytest.approx(366)
    assert hand.summary["acw_seconds"] == pytest.approx(54)


def test_distribution(hand):
    s = hand.summary
    # handled costs ascending: 5.79, 7.23, 10.15, 14.77, 20.70
    assert s["cost_p50"] == pytest.approx(10.15, abs=CENT)
    # P90 position 4 × 0.9 = 3.6: 14.77 + 0.6 × (20.70 − 14.77) = 18.328
    assert s["cost_p90"] == pytest.approx(18.328, abs=CENT)
    # top decile = ⌈5/10⌉ = 1 contact: 20.70 / 58.64 (handled cost)
    assert s["top_decile_cost_share"] == pytest.approx(20.70 / 58.64, abs=1e-6)


def test_repeats_and_cost_per_resolution(hand):
    s = hand.summary
    # A/billing: c1, c2 three days later (repeat), c5 7d22.5h after c2 (not a repeat);
    # B/technical c3 alone; c6 has no customer: 1 repeat of 4 identified → 25 %
    assert (s["repeats"], s["unidentified_contacts"]) == (1, 1)
    assert s["repeat_rate"] == pytest.approx(0.25)
    # resolutions 5 × (1 − 0.25) = 3.75; 58.83 / 3.75 = 15.688
    assert s["resolutions"] == pytest.approx(3.75)
    assert s["cost_per_resolution"] == pytest.approx(15.688, abs=CENT)


def test_engagement_share(hand):
    # direct = talk × rate without uplift: 2.40 + 6.30 + 6.00 + 1.80 + 4.50 = 21.00 of 58.83
    assert hand.summary["engagement_share"] == pytest.approx(21.00 / 58.83, abs=1e-6)


def test_by_channel(hand):
    t = hand.tables["by_channel"].set_index("channel")
    # voice: 7.23 + 20.70 + 0.19 + 5.79 = 33.91 over 3 handled; chat 14.77 + 10.15 = 24.92 over 2
    assert t.loc["voice", "total_cost"] == pytest.approx(33.91, abs=CENT)
    assert t.loc["voice", "cost_per_contact"] == pytest.approx(33.91 / 3, abs=CENT)
    assert t.loc["voice", "abandon_rate"] == pytest.approx(0.25)
    assert t.loc["chat", "cost_per_contact"] == pytest.approx(12.46, abs=CENT)
    # voice P50 of 5.79, 7.23, 20.70 = 7.23; chat repeat rate 0 of 1 identified → resolutions 2
    assert t.loc["voice", "cost_p50"] == pytest.approx(7.23, abs=CENT)
    assert t.loc["chat", "cost_per_resolution"] == pytest.approx(12.46, abs=CENT)


def test_by_type_and_team(hand):
    ty = hand.tables["by_type"].set_index("contact_type")
    # billing = voice here: 33.91; 1 repeat of 3 identified → resolutions 3 × 2/3 = 2 → 16.955
    assert ty.loc["billing", "cost_per_resolution"] == pytest.approx(16.955, abs=CENT)
    team = hand.tables["by_team"].set_index("team")
    # T1: 7.23 + 14.77 + 5.79 = 27.79 / 3; T2: 20.70 + 10.15 = 30.85 / 2; abandoned c4 in (none)
    assert team.loc["T1", "cost_per_contact"] == pytest.approx(27.79 / 3, abs=CENT)
    assert team.loc["T2", "cost_per_contact"] == pytest.approx(15.425, abs=CENT)
    assert team.loc["(none)", "contacts_abandoned"] == 1


def test_efficiency(hand):
    e = hand.tables["efficiency"].set_index(["contact_type", "team"])
    # handling = labour + overhead; billing standard 300 s × 0.02 × 1.1 + 0.20 = 6.80 at T1,
    # 300 s × 0.03 × 1.1 + 0.20 = 10.10 at T2; technical standard 8.00
    assert e.loc[("billing", "T1"), "actual_cost"] == pytest.approx(6.80 + 5.48, abs=CENT)
    assert e.loc[("billing", "T1"), "variance"] == pytest.approx(-1.32, abs=CENT)
    assert e.loc[("billing", "T2"), "variance"] == pytest.approx(20.00 - 10.10, abs=CENT)
    assert e.loc[("technical", "T1"), "variance"] == pytest.approx(14.72 - 8.00, abs=CENT)
    assert e.loc[("technical", "T2"), "variance"] == pytest.approx(10.10 - 8.00, abs=CENT)
    # |−1.32| + 9.90 + 6.72 + 2.10 = 20.04; billing/T2 carries 9.90 / 20.04 and is listed first
    assert e.index[0] == ("billing", "T2")
    assert e.loc[("billing", "T2"), "share_of_variance"] == pytest.approx(9.90 / 20.04, abs=1e-6)


def test_abandon_by_weekday_and_hour(hand):
    h = hand.tables["abandon_by_hour"].set_index(["weekday", "hour"])
    assert h["offered"].sum() == 6
    assert h.loc[("Fri", 11), "abandon_rate"] == 1.0  # c4, 2026-03-06 is a Friday
    assert h.loc[("Thu", 23), "offered"] == 1  # c3 at 23:50


def test_baseline_fields(hand):
    b = hand.baseline
    # 12 days (2 .. 13 March): 5 × 365 / 12 = 152.08 → 152
    assert b["contacts_per_year"] == 152
    assert b["cost_per_contact"] == pytest.approx(11.766, abs=CENT)
    # labour-seconds-weighted rate: (300×36 + 600×54 + 660×36 + 240×36 + 300×54) / 2100 = 43.714
    assert b["loaded_hourly_cost"] == pytest.approx(91800 / 2100, abs=1e-3)
    assert (b["occupancy"], b["shrinkage"]) == (0.8, 0.375)
    # agents are FTEs from paid hours, not the 3 agent ids seen: 2100 s handled = 0.58333 h in
    # 12 days, × 365/12 = 17.743 h a year, ÷ 0.8 ÷ (1 − 0.375) = 35.486 paid h, ÷ 2080 = 0.01706
    assert hand.summary["agent_ftes"] == pytest.approx(2100 / 3600 * 365 / 12 * 2 / 2080, rel=1e-9)
    assert (b["agents"], hand.summary["agent_ids_seen"]) == (0.02, 3)


def test_baseline_validates_as_case_baseline(hand):
    import yaml

    case = pytest.importorskip("roi_kit.case.schema")
    data = yaml.safe_load(hand.baseline_yaml())["baseline"]
    baseline = case.Baseline.model_validate(data)
    assert baseline.contacts_per_year == 152
    assert float(baseline.cost_per_contact) == pytest.approx(11.766, abs=CENT)


def test_default_rates_are_stated():
    r = load_rates({"default_hourly_cost": 30})
    assert (r.occupancy, r.shrinkage, r.repeat_window_days) == (0.85, 0.30, 7)
    # 300 s at 30/h: 300/3600 × 30 / 0.85 / 0.7 = 4.2017
    result = analyse(FIX / "hand.csv", r)
    c1_labour = 300 / 3600 * 30 / 0.85 / 0.70
    assert result.tables["by_team"].set_index("team").loc["T1", "labour_cost"] == pytest.approx(
        c1_labour + 660 / 3600 * 30 / 0.595 + 240 / 3600 * 30 / 0.595, abs=CENT)


def test_mapping_builds_timestamps_and_codes():
    r = analyse(FIX / "raw_export.csv", {"default_hourly_cost": 36, "occupancy": 0.8, "shrinkage": 0.375},
                FIX / "raw_mapping.yaml")
    s = r.summary
    assert (s["contacts_handled"], s["contacts_abandoned"]) == (2, 1)
    # talk derived from ended_at: 330 − 60 − 30 = 240; past midnight 600 − 60 = 540
    # labour (240+30+30)×0.02 = 6.00 and 540 × 0.02 = 10.80 → 16.80 / 2 = 8.40
    assert s["cost_per_contact"] == pytest.approx(8.40, abs=CENT)
    assert s["repaired"]["crossed_midnight"] == 1
    assert {"talk_seconds", "team", "segment"} <= set(s["missing_columns"])
    assert set(r.tables["by_channel"]["channel"]) == {"voice"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60))
def test_group_figures_by_selection_equal_the_sorted_ones(costs):
    """A group's P50, P90 and top decile come from a selection, the overall ones from a sort: the
    two must give the same figures (ranks exact, the top decile the same set of contacts)."""
    from roi_kit.costing.tables import order_figures, quantile, top_decile_cost

    ordered = np.sort(np.array(costs))[::-1]
    p50, p90, top = order_figures(np.array(costs))
    assert (p50, p90) == (quantile(ordered, 0.5), quantile(ordered, 0.9))
    assert top == pytest.approx(top_decile_cost(ordered), rel=1e-12, abs=1e-9)
