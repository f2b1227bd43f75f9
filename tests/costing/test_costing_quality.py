"""Each data-quality rule on a crafted file: one good row plus one row that breaks the rule."""

from __future__ import annotations

import pandas as pd
import pytest

from roi_kit.costing import analyse
from roi_kit.costing.quality import EXCLUSIONS, REPAIRS

RATES = {"default_hourly_cost": 36, "occupancy": 0.8, "shrinkage": 0.375}
GOOD = {"contact_id": "k1", "customer_id": "CU1", "channel": "voice", "contact_type": "billing",
        "started_at": "2026-03-02 09:00:00", "queue_seconds": "10", "talk_seconds": "100",
        "hold_seconds": "0", "acw_seconds": "20", "agent_id": "a1", "team": "T1", "outcome": "handled"}


def _run(tmp_path, *rows, mapping=None):
    path = tmp_path / "export.csv"
    pd.DataFrame([GOOD, *rows]).to_csv(path, index=False)
    return analyse(path, RATES, mapping)


EXCLUDED_ROWS = {
    "duplicate_row": dict(GOOD),
    "bad_started_at": {**GOOD, "contact_id": "k2", "started_at": "31/02/2026 25:00"},
    "unknown_outcome": {**GOOD, "contact_id": "k2", "outcome": "transferred"},
    "missing_channel": {**GOOD, "contact_id": "k2", "channel": ""},
    "missing_contact_type": {**GOOD, "contact_id": "k2", "contact_type": " "},
    "unparseable_duration": {**GOOD, "contact_id": "k2", "talk_seconds": "1:40"},
    "missing_talk_time": {**GOOD, "contact_id": "k2", "talk_seconds": ""},
    "negative_duration": {**GOOD, "contact_id": "k2", "hold_seconds": "-5"},
    "duration_over_24h": {**GOOD, "contact_id": "k2", "talk_seconds": "90000"},
    "virtual_contact": {**GOOD, "contact_id": "k2", "outcome": "virtual"},
    # event logs (mapping EVENTS): an update of k1 before the good row's (queue 5 < 10), a row with no key
    "earlier_event": {**GOOD, "queue_seconds": "5", "talk_seconds": "50"},
    "missing_event_key": {**GOOD, "contact_id": "", "talk_seconds": "50"},
}
EVENTS = {"events": {"key": "contact_id", "order_by": "queue_seconds"}}


# stray_started_at needs a bulk of rows to stand out from: tests/costing/test_costing_hardening.py
@pytest.mark.parametrize("reason", [r for r, _ in EXCLUSIONS if r != "stray_started_at"])
def test_each_exclusion_rule(tmp_path, reason):
    r = _run(tmp_path, EXCLUDED_ROWS[reason], mapping=EVENTS if "event" in reason else None)
    s = r.summary
    assert s["excluded"] == {k: int(k == reason) for k, _ in EXCLUSIONS}
    assert (s["rows_in"], s["rows_used"]) == (2, 1)
    # the good row alone is costed: (100 + 0 + 20) s × 0.02 = 2.40
    assert s["total_cost"] == pytest.approx(2.40, abs=0.005)
    dq = r.tables["data_quality"].set_index("rule")
    assert dq.loc[reason, "rows"] == 1 and dq.loc[reason, "action"] == "excluded"


REPAIRED_ROWS = {
    "contact_id_scientific_notation": ({**GOOD, "contact_id": "1.23457E+11"}, None),
    "customer_id_scientific_notation": ({**GOOD, "contact_id": "k2", "customer_id": "4.5E+09"}, None),
    "id_decimal_suffix": ({**GOOD, "contact_id": "k2", "customer_id": "778.0"}, None),
    "missing_duration_zeroed": ({**GOOD, "contact_id": "k2", "acw_seconds": ""}, 2.00),  # 100 s × 0.02
    "abandoned_with_service_time": ({**GOOD, "contact_id": "k2", "outcome": "abandoned",
                                     "agent_id": "", "talk_seconds": "35"}, 0.0),
    "handled_without_agent": ({**GOOD, "contact_id": "k2", "agent_id": ""}, 2.40),
}


@pytest.mark.parametrize("rule", [r for r, _ in REPAIRS if r != "crossed_midnight"])
def test_each_repair_rule(tmp_path, rule):
    row, cost = REPAIRED_ROWS[rule]
    r = _run(tmp_path, row)
    s = r.summary
    assert s["repaired"] == {k: int(k == rule) for k, _ in REPAIRS}
    assert (s["rows_in"], s["rows_used"]) == (2, 2) and sum(s["excluded"].values()) == 0
    if cost is not None:
        assert s["total_cost"] == pytest.approx(2.40 + cost, abs=0.005)


def test_scientific_customer_is_unidentified_not_a_repeat(tmp_path):
    # two contacts of "the same" mangled customer must not be linked as a repeat
    r = _run(tmp_path, {**GOOD, "contact_id": "k2", "customer_id": "1.2E+10"},
             {**GOOD, "contact_id": "k3", "customer_id": "1.2E+10", "started_at": "2026-03-02 10:00:00"})
    assert r.summary["repeats"] == 0
    assert r.summary["unidentified_contacts"] == 2


@pytest.mark.parametrize(("field", "text", "rule"), [
    ("contact_id", " 1.23457E+11 ", "contact_id_scientific_notation"),
    ("contact_id", "9.9e5 ", "contact_id_scientific_notation"),
    ("customer_id", "  4.5E+09", "customer_id_scientific_notation"),
    ("customer_id", " 778.00 ", "id_decimal_suffix"),
])
def test_mangled_ids_are_found_through_surrounding_spaces(tmp_path, field, text, rule):
    r = _run(tmp_path, {**GOOD, "contact_id": "k2", field: text})
    assert r.summary["repaired"] == {k: int(k == rule) for k, _ in REPAIRS}


@pytest.mark.parametrize("text", ["CUSTOMER.ONE", "Eve-7", "e", "12.5", "1e"])
def test_ids_with_an_e_or_a_dot_are_not_mangled(tmp_path, text):
    # the cheap 'e' / '.' test only picks ids to match; these do not match the patterns
    r = _run(tmp_path, {**GOOD, "contact_id": text, "customer_id": text})
    assert sum(r.summary["repaired"].values()) == 0


def test_customer_ids_with_spaces_are_one_customer(tmp_path):
    # " CU1" and "CU1 " are the customer of the good row: both later contacts are repeats
    r = _run(tmp_path, {**GOOD, "contact_id": "k2", "customer_id": " CU1", "started_at": "2026-03-03 09:00:00"},
             {**GOOD, "contact_id": "k3", "customer_id": "CU1 ", "started_at": "2026-03-04 09:00:00"})
    assert r.summary["repeats"] == 2 and r.summary["unidentified_contacts"] == 0


@pytest.mark.parametrize("order", [("T2", "T1"), ("T1", "T2")])
def test_simultaneous_contacts_repeat_in_a_fixed_order(tmp_path, order):
    # CU9 calls twice about billing at the same instant, through teams T1 and T2: whichever row
    # the file lists first, T1 (first in team order) has the first contact and T2 the repeat
    rows = [{**GOOD, "contact_id": f"s{i}", "customer_id": "CU9", "team": team} for i, team in enumerate(order)]
    r = _run(tmp_path, *rows)
    by_team = r.tables["by_team"].set_index("team")["repeats"]
    assert (by_team["T1"], by_team["T2"]) == (0, 1)


def test_crossed_midnight_rule(tmp_path):
    path = tmp_path / "e.csv"
    rows = [{k: v for k, v in GOOD.items() if k != "talk_seconds"} | {"ended_at": "2026-03-02 09:02:10"},
            {k: v for k, v in GOOD.items() if k != "talk_seconds"}
            | {"contact_id": "k2", "started_at": "2026-03-02 23:58:00", "ended_at": "2026-03-02 00:01:00"}]
    pd.DataFrame(rows).to_csv(path, index=False)
    s = analyse(path, RATES).summary
    assert s["repaired"]["crossed_midnight"] == 1
    # talk = (130 − 10) and (180 − 10): labour (120 + 20) × 0.02 + (170 + 20) × 0.02 = 2.80 + 3.80
    assert s["total_cost"] == pytest.approx(6.60, abs=0.005)


def test_duplicates_of_an_excluded_row_count_once_each(tmp_path):
    bad = {**GOOD, "contact_id": "k2", "hold_seconds": "-5"}
    s = _run(tmp_path, bad, dict(bad)).summary
    assert s["excluded"]["negative_duration"] == 1 and s["excluded"]["duplicate_row"] == 1
    assert s["rows_in"] == s["rows_used"] + sum(s["excluded"].values()) == 3
