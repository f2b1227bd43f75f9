"""Issue 17 for costing: stray timestamps, hostile rates and mapping files, empty exports, outputs
that land together or not at all. Each message is one line naming the file, the field or row,
the value and what is accepted."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest

from roi_kit.costing import analyse
from roi_kit.costing.output import write_outputs
from roi_kit.costing.schema import load_mapping, load_rates
from roi_kit.errors import CostingError

RATES = {"default_hourly_cost": 36, "occupancy": 0.8, "shrinkage": 0.375}
GOOD = {"contact_id": "k1", "customer_id": "CU1", "channel": "voice", "contact_type": "billing",
        "started_at": "2026-03-02 09:00:00", "queue_seconds": "10", "talk_seconds": "100",
        "hold_seconds": "0", "acw_seconds": "20", "agent_id": "a1", "team": "T1", "outcome": "handled"}


def _export(tmp_path: Path, stray: list[str], n: int = 400) -> Path:
    """``n`` contacts, one an hour from 2026-01-01 00:00 (n hours = 16.67 days), plus ``stray`` starts."""
    start = pd.Timestamp("2026-01-01")
    rows = [{**GOOD, "contact_id": f"k{i}", "customer_id": f"C{i}",
             "started_at": str(start + pd.Timedelta(hours=i))} for i in range(n)]
    rows += [{**GOOD, "contact_id": f"s{i}", "customer_id": f"S{i}", "started_at": s} for i, s in enumerate(stray)]
    path = tmp_path / "export.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_stray_timestamps_are_excluded_by_their_own_reason_and_the_period_is_the_real_span(tmp_path):
    """400 contacts from 2026-01-01 00:00 to 2026-01-17 15:00 (17 calendar days) plus one 1970
    and one 2099 start. Without the rule the period is 47,482 days and contacts_per_year
    = 402 × 365 / 47,482 = 3. With it: 400 used, period 17 days, contacts_per_year
    = 400 × 365 / 17 = 8,588.24 → 8,588."""
    r = analyse(_export(tmp_path, ["1970-01-01 00:00:00", "2099-06-01 12:00:00"]), RATES)
    s = r.summary
    assert s["excluded"]["stray_started_at"] == 2
    assert (s["rows_in"], s["rows_used"]) == (402, 400)
    assert s["period_days"] == 17
    assert s["period_start"].startswith("2026-01-01") and s["period_end"].startswith("2026-01-17")
    assert r.baseline["contacts_per_year"] == 8588
    dq = r.tables["data_quality"].set_index("rule")
    assert dq.loc["stray_started_at", "rows"] == 2 and dq.loc["stray_started_at", "action"] == "excluded"


def test_a_real_tail_is_not_stray(tmp_path):
    """Starts a week before and after the bulk are data, not strays: nothing is excluded."""
    r = analyse(_export(tmp_path, ["2025-12-25 09:00:00", "2026-01-24 09:00:00"]), RATES)
    assert r.summary["excluded"]["stray_started_at"] == 0 and r.summary["rows_used"] == 402


def test_a_header_only_export_is_one_clear_line(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(GOOD) + "\n")
    with pytest.raises(CostingError) as caught:
        analyse(path, RATES)
    assert str(caught.value) == f"{path}: the file has a header row but no contacts (nothing to cost)"


def test_an_empty_export_is_one_clear_line(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(CostingError) as caught:
        analyse(path, RATES)
    assert str(caught.value) == (f"{path}: the file is empty (give an export with a header row and a row "
                                 "per contact)")


def test_an_export_where_every_row_is_excluded_still_gives_tables(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame([{**GOOD, "outcome": "transferred"}]).to_csv(path, index=False)
    r = analyse(path, RATES)
    assert (r.summary["rows_in"], r.summary["rows_used"]) == (1, 0)
    assert r.summary["excluded"]["unknown_outcome"] == 1


@pytest.mark.parametrize(("text", "message"), [
    ("default_hourly_cost: .inf\n", "default_hourly_cost = inf: Input should be a finite number"),
    ("default_hourly_cost: 30\nhourly_cost_by_team: {T1: .nan}\n",
     "hourly_cost_by_team.T1 = nan: Input should be a finite number"),
    ("default_hourly_cost: 30\noverhead: {per_contact: .inf}\n",
     "overhead.per_contact = inf: Input should be a finite number"),
    ("default_hourly_cost: !!float 30\n",
     "the rates file is refused: line 1, column 22: the tag !!float is not accepted (write the plain value)"),
    ("default_hourly_cost: 30\nhourly_cost_by_team: {? [a, b] : 1}\n",
     "the rates file is refused: line 2, column 25: a key is a list or mapping; keys are field names (plain text)"),
    ("base: &b {default_hourly_cost: 30}\n<<: *b\n",
     "the rates file is refused: line 2, column 1: the merge key <<: is not accepted (write each field out)"),
    ("default_hourly_cost: " + "[" * 200 + "]" * 200 + "\n",
     "the rates file is refused: line 1, column 121: nested more than 100 levels deep; a case nests a few levels"),
    ("default_hourly_cost: " + "9" * 400 + "\n",
     "the rates file is refused: line 1, column 22: a number of 400 digits is too long (a case's numbers have at most 20 digits)"),
    ("default_hourly_cost: 3\x000\n",
     "the rates file is not valid YAML or JSON: line 1, column 23: the character U+0000 is not accepted in YAML text"),
])
def test_hostile_rates_files_are_one_line(tmp_path, text, message):
    path = tmp_path / "rates.yaml"
    path.write_text(text)
    with pytest.raises(CostingError) as caught:
        load_rates(path)
    assert str(caught.value) == f"{path}: {message}"


def test_team_ids_written_as_numbers_are_text_keys(tmp_path):
    path = tmp_path / "rates.yaml"
    path.write_text("default_hourly_cost: 30\nhourly_cost_by_team: {101: 35, 2025-01-01: 40}\n")
    assert load_rates(path).hourly_cost_by_team == {"101": 35.0, "2025-01-01": 40.0}


def test_an_alias_bomb_mapping_file_is_refused_fast(tmp_path):
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    rows += [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    path = tmp_path / "mapping.yaml"
    path.write_text("\n".join(rows) + "\ncolumns: *i\n")
    with pytest.raises(CostingError) as caught:
        load_mapping(path)
    assert "aliases (*name) expand to more than 10,000 values" in str(caught.value)


def test_a_rates_file_above_the_size_limit(tmp_path):
    path = tmp_path / "rates.yaml"
    path.write_text("default_hourly_cost: 30\n" + "#\n" * 600_000)
    with pytest.raises(CostingError) as caught:
        load_rates(path)
    assert str(caught.value) == (f"{path}: the rates file is {path.stat().st_size:,} bytes; "
                                 "a rates file may be at most 1,000,000 bytes")


def test_outputs_land_together_or_not_at_all(tmp_path, monkeypatch):
    """A full disk after some files: no output file of the run is left, nor any temporary."""
    path = _export(tmp_path, [])
    result = analyse(path, RATES)
    out = tmp_path / "out"
    write_outputs(result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) >= 5

    from roi_kit.costing import page

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(page, "write_page", full)
    fresh = tmp_path / "fresh"
    with pytest.raises(OSError):
        write_outputs(result, fresh)
    assert not fresh.exists() or list(fresh.iterdir()) == []
    with pytest.raises(OSError):
        write_outputs(result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old run, whole


def test_costs_out_on_a_full_disk_is_one_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from roi_kit.cli import app

    path = _export(tmp_path, [])
    rates = tmp_path / "rates.yaml"
    rates.write_text("default_hourly_cost: 36\n")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("roi_kit.costing.output.write_atomic", full)
    done = CliRunner().invoke(app, ["costs", str(path), "--rates", str(rates), "--out", str(tmp_path / "o")])
    assert done.exit_code == 2
    assert done.stderr.strip() == f"error: {tmp_path / 'o'}: cannot be written (No space left on device)"


def test_a_team_named_with_a_carriage_return_starts_no_row_with_a_formula(tmp_path):
    """Issue 17: a team, channel, type or segment named "\\r=2" wrote a row beginning =2 into
    by_team.csv and its siblings."""
    import csv

    rows = [{**GOOD, "contact_id": f"k{i}", "customer_id": f"C{i}", "team": "\r=2", "channel": "\r+1",
             "contact_type": "x\r@3", "segment": "\n-4"} for i in range(3)]
    path = tmp_path / "export.parquet"  # Parquet carries any text; a CSV reader balks at a bare CR
    pd.DataFrame(rows).to_parquet(path, index=False)
    out = tmp_path / "out"
    write_outputs(analyse(path, RATES), out)
    for table in out.glob("*.csv"):
        raw = table.read_bytes()
        assert b"\r" not in raw, table.name
        assert not any(line.startswith(("=", "+", "@")) for line in raw.decode().splitlines()), table.name
    with open(out / "by_team.csv", newline="", encoding="utf-8") as f:
        teams = [r["team"] for r in csv.DictReader(f)]
    assert "\n'=2" in teams


class _Recording:
    """A DuckDB connection that records the text of every statement it is given."""

    def __init__(self, con, seen: list[str]):
        self._con, self._seen = con, seen

    def execute(self, sql, *args, **kwargs):
        self._seen.append(sql)
        return self._con.execute(sql, *args, **kwargs)

    def sql(self, sql, *args, **kwargs):
        self._seen.append(sql)
        return self._con.sql(sql, *args, **kwargs)

    def executemany(self, sql, *args, **kwargs):
        self._seen.append(sql)
        return self._con.executemany(sql, *args, **kwargs)

    def cursor(self):
        return _Recording(self._con.cursor(), self._seen)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_rate_values_reach_the_engine_bound_never_as_sql_text(tmp_path, monkeypatch):
    """Every rate value (and a mapping's constant duration) is a bound parameter: none of the
    distinctive values below appears in any statement's text, and the cost is still the hand one.

    One voice contact of team T1 (41.4375/h), uplift 1 / (0.8 × 0.625) = 2, 120 s of handling:
    labour 120/3600 × 41.4375 × 2 = 2.7625; technology 0.0131/min × 110 s + 0.0977 = 0.12171667;
    overhead 0.0625 × 2.7625 + 0.1875 = 0.36015625; cost 3.24437292.
    """
    import roi_kit.costing.tables as tables

    seen: list[str] = []
    real = tables.connect
    monkeypatch.setattr(tables, "connect", lambda **kw: _Recording(real(**kw), seen))
    path = tmp_path / "export.csv"
    pd.DataFrame([{k: v for k, v in GOOD.items() if k != "hold_seconds"}]).to_csv(path, index=False)
    rates = {**RATES, "default_hourly_cost": 36.8125, "hourly_cost_by_team": {"T1": 41.4375},
             "technology": {"voice": {"per_minute": 0.0131, "per_contact": 0.0977}},
             "overhead": {"share_of_labour": 0.0625, "per_contact": 0.1875},
             "standards": {"billing": {"handle_seconds": 123.5}}}
    result = analyse(path, rates, {"constants": {"hold_seconds": 0.0}})
    assert result.summary["total_cost"] == pytest.approx(3.24437292, abs=1e-8)
    assert result.summary["cost_per_contact"] == pytest.approx(3.24, abs=0.005)
    text = "\n".join(seen)
    assert "FROM checked" in text  # the recording saw the costing's statements
    for value in ("36.8125", "41.4375", "0.0131", "0.0977", "0.0625", "0.1875", "123.5"):
        assert value not in text, value
