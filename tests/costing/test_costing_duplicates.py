"""Duplicates are found by a row hash and then verified field by field: both halves must hold.

The engine hashes a few nearly-unique fields to find candidates and compares candidates in every
canonical field. These tests force the rare paths: rows that share the hashed fields but differ
elsewhere (a hash "collision" by construction) must stay two contacts, and rows written
differently in the file but equal once canonical (spaces, upper case) are still one contact.
"""

from __future__ import annotations

import pandas as pd
import pytest

from roi_kit.costing import analyse, contacts_frame, quality

RATES = {"default_hourly_cost": 36, "occupancy": 0.8, "shrinkage": 0.375}
ROW = {"contact_id": "k1", "customer_id": "CU1", "channel": "voice", "contact_type": "billing",
       "started_at": "2026-03-02 09:00:00", "queue_seconds": "10", "talk_seconds": "100",
       "hold_seconds": "0", "acw_seconds": "20", "agent_id": "a1", "team": "T1", "outcome": "handled"}


def _run(tmp_path, rows):
    path = tmp_path / "export.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return analyse(path, RATES)


def test_same_hashed_fields_different_channel_are_two_contacts(tmp_path):
    # customer_id, started_at and every duration equal: same row hash; channel differs
    r = _run(tmp_path, [ROW, {**ROW, "channel": "chat"}])
    assert r.summary["excluded"]["duplicate_row"] == 0
    assert r.summary["contacts_handled"] == 2


def test_rows_differing_only_in_contact_id_are_two_contacts(tmp_path):
    # contact_id is not hashed, so these two share a row hash: only the exact comparison parts them
    r = _run(tmp_path, [ROW, {**ROW, "contact_id": "k2"}])
    assert r.summary["excluded"]["duplicate_row"] == 0
    assert r.summary["contacts_handled"] == 2


def test_contact_id_with_spaces_is_the_same_contact(tmp_path):
    # " k1 " trims to "k1": a copy of the first row, though its exported text differs
    r = _run(tmp_path, [ROW, {**ROW, "contact_id": " k1 "}])
    assert r.summary["excluded"]["duplicate_row"] == 1


def test_rows_equal_once_canonical_are_duplicates(tmp_path):
    # " voice " trims to "voice" and "HANDLED" lowers to "handled": the same canonical row
    r = _run(tmp_path, [ROW, {**ROW, "channel": " voice ", "outcome": "HANDLED"}, dict(ROW)])
    assert r.summary["excluded"]["duplicate_row"] == 2
    assert r.summary["contacts_handled"] == 1
    # one contact: (100 + 0 + 20) s / 3600 × 36 ÷ (0.8 × 0.625) = 1.2 / 0.5 = 2.40
    assert r.summary["total_cost"] == pytest.approx(2.40, abs=0.005)


def test_weak_hash_gives_the_same_result(tmp_path, monkeypatch):
    """With a hash of one low-cardinality field almost every row is a candidate; the exact
    comparison must still keep every distinct row and drop only true copies."""
    frame = contacts_frame(3000, seed=3, dirty=0.02)
    path = tmp_path / "contacts.parquet"
    frame.to_parquet(path, index=False)
    normal = analyse(path, RATES)
    monkeypatch.setattr(quality, "hashed_columns", lambda source: ["channel"])
    weak = analyse(path, RATES)
    expected_copies = len(frame) - len(frame.drop_duplicates())
    assert normal.summary["excluded"]["duplicate_row"] == expected_copies > 0
    assert weak.summary["excluded"] == normal.summary["excluded"]
    for key in ("contacts_handled", "repeats", "cost_p50", "cost_p90", "top_decile_cost_share"):
        assert weak.summary[key] == pytest.approx(normal.summary[key], rel=1e-12), key
    assert weak.summary["total_cost"] == pytest.approx(normal.summary["total_cost"], rel=1e-12)


def test_parquet_with_its_own_file_row_number_column(tmp_path):
    # DuckDB's reader cannot add its row number beside a column of that name: the file is then
    # loaded into a table and numbered there; the costing must not change
    frame = contacts_frame(400, seed=5, dirty=0.02)
    plain, odd = tmp_path / "plain.parquet", tmp_path / "odd.parquet"
    frame.to_parquet(plain, index=False)
    frame.assign(file_row_number=7).to_parquet(odd, index=False)
    a, b = analyse(plain, RATES), analyse(odd, RATES)
    assert b.summary["rows_in"] == a.summary["rows_in"] == len(frame)
    assert b.summary["excluded"] == a.summary["excluded"]
    assert b.summary["total_cost"] == pytest.approx(a.summary["total_cost"], rel=1e-12)
