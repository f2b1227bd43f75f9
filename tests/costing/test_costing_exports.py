"""Real exports' quirks, on synthetic exports written here: a bank's ACD call log and an IT
service desk's event log, through the mapping, to a starter case and its board appendix.

Rates everywhere: 36 an hour, occupancy 80 %, shrinkage 37.5 %, so one second of handling costs
36 / 3600 ÷ 0.8 ÷ 0.625 = 0.02 (no technology, no overhead): every cost below is seconds × 0.02.
"""

from __future__ import annotations

import hashlib
import re

import pytest
import yaml

from roi_kit.board.provenance import provenance_html
from roi_kit.case import load_case
from roi_kit.costing import analyse
from roi_kit.costing.cli import run_costs
from roi_kit.costing.guess import init_mapping
from roi_kit.costing.schema import load_mapping
from roi_kit.errors import CostingError

CENT = 0.005
RATES = {"default_hourly_cost": 36, "occupancy": 0.8, "shrinkage": 0.375}

# A bank's ACD log, tab-separated, as the public call-center logs are: two-digit years (990201),
# unpadded hours (0:05:09), customer_id 0 = "not identified", server NO_SERVER = no agent,
# PHANTOM = a virtual call, no hold and no after-call column.
BANK_HEADER = ["vru.line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
               "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server"]
BANK_ROWS = [
    # call, customer, priority, type, date, entry, q_time, outcome, ser_time, server
    ("1", "0", "0", "PS", "990201", "0:05:09", "10", "AGENT", "100", "ANNA"),
    ("2", "0", "0", "PS", "990201", "9:00:00", "20", "AGENT", "200", "BOB"),
    ("3", "555", "2", "IN", "990202", "10:00:00", "30", "AGENT", "300", "MIKE"),
    ("4", "555", "2", "IN", "990203", "11:00:00", "5", "AGENT", "150", "ANNA"),
    ("5", "777", "0", "PS", "990203", "12:00:00", "60", "HANG", "0", "NO_SERVER"),
    ("6", "0", "0", "PS", "990204", "13:00:00", "0", "PHANTOM", "0", "NO_SERVER"),
    ("7", "888", "0", "PS", "990204", "14:00:00", "0", "AGENT", "50", "NO_SERVER"),
]
BANK_MAPPING = {
    "columns": {"contact_id": "call_id", "contact_type": "type", "queue_seconds": "q_time",
                "talk_seconds": "ser_time", "agent_id": "server", "segment": "priority"},
    "timestamps": {"started_at": {"date": "date", "time": "vru_entry", "format": "%y%m%d %H:%M:%S"}},
    "values": {"outcome": {"AGENT": "handled", "HANG": "abandoned", "PHANTOM": "virtual"},
               "segment": {"0": "regular", "2": "priority"}},
    "missing": {"customer_id": ["0"], "agent_id": ["NO_SERVER"]},
    "constants": {"channel": "voice"},
}


def _bank_line(row: tuple[str, ...]) -> str:
    call, cust, prio, typ, date, entry, q, outcome, ser, server = row
    values = {"vru.line": "AA0101", "call_id": call, "customer_id": cust, "priority": prio, "type": typ,
              "date": date, "vru_entry": entry, "vru_exit": entry, "vru_time": "1", "q_start": entry,
              "q_exit": entry, "q_time": q, "outcome": outcome, "ser_start": entry, "ser_exit": entry,
              "ser_time": ser, "server": server}
    return "\t".join(values[c] for c in BANK_HEADER)


@pytest.fixture
def bank(tmp_path):
    path = tmp_path / "bank_calls.txt"  # tab-separated under a .txt name: the delimiter is sniffed
    path.write_text("\n".join(["\t".join(BANK_HEADER), *map(_bank_line, BANK_ROWS)]) + "\n", encoding="utf-8")
    return path


# An IT service desk's event log: one row per update of an incident (about six per incident in the
# public log), "?" for missing, no handle time. sys_mod_count orders the updates (10 after 9:
# ordered as numbers, not text).
DESK_HEADER = ["number", "incident_state", "sys_mod_count", "caller_id", "opened_at", "contact_type",
               "category", "assigned_to", "assignment_group"]
DESK_ROWS = [
    ("INC1", "New", "2", "Caller 1", "29/2/2016 1:16", "Phone", "Category 55", "?", "Group 5"),
    ("INC2", "New", "0", "?", "1/3/2016 9:00", "Email", "Category 40", "Resolver 2", "Group 7"),
    ("INC1", "Resolved", "10", "Caller 1", "29/2/2016 1:16", "Phone", "Category 55", "Resolver 1", "Group 5"),
    ("?", "New", "0", "Caller 9", "1/3/2016 12:00", "Phone", "Category 55", "?", "Group 5"),
    ("INC1", "Active", "9", "Caller 1", "29/2/2016 1:16", "Phone", "Category 55", "?", "Group 5"),
    ("INC3", "Closed", "1", "Caller 1", "2/3/2016 10:30", "Phone", "Category 55", "Resolver 1", "Group 5"),
    ("INC2", "Closed", "1", "?", "1/3/2016 9:00", "Email", "Category 40", "Resolver 2", "Group 7"),
]
DESK_MAPPING = {
    "columns": {"contact_id": "number", "customer_id": "caller_id", "channel": "contact_type",
                "contact_type": "category", "agent_id": "assigned_to", "team": "assignment_group"},
    "timestamps": {"started_at": {"date": "opened_at", "format": "%d/%m/%Y %H:%M"}},
    "missing": {"*": ["?"]},
    "constants": {"talk_seconds": 1200, "outcome": "handled"},
    "events": {"key": "number", "order_by": "sys_mod_count"},
}


@pytest.fixture
def desk(tmp_path):
    path = tmp_path / "incident_event_log.csv"
    path.write_text("\n".join(",".join(r) for r in [DESK_HEADER, *DESK_ROWS]) + "\n", encoding="utf-8")
    return path


class TestBankCallLog:
    def test_figures_to_the_cent(self, bank):
        """Handled: calls 1, 2, 3, 4, 7 (call 5 hung up, call 6 virtual). Cost = ser_time × 0.02:
        2.00 + 4.00 + 6.00 + 3.00 + 1.00 = 16.00; per handled contact 16.00 / 5 = 3.20.
        Customer 0 is unknown, so calls 1 and 2 are not linked: identified handled = 3, 4, 7; call 4
        repeats call 3 (customer 555, IN, next day) → repeat rate 1/3; resolutions 5 × 2/3 = 3.333;
        per resolution 16.00 / 3.333 = 4.80. AHT (100 + 200 + 300 + 150 + 50) / 5 = 160 s."""
        s = analyse(bank, RATES, BANK_MAPPING).summary
        assert (s["contacts_handled"], s["contacts_abandoned"]) == (5, 1)
        assert s["total_cost"] == pytest.approx(16.00, abs=CENT)
        assert s["cost_per_contact"] == pytest.approx(3.20, abs=CENT)
        assert (s["repeats"], s["unidentified_contacts"]) == (1, 2)
        assert s["repeat_rate"] == pytest.approx(1 / 3)
        assert s["cost_per_resolution"] == pytest.approx(4.80, abs=CENT)
        assert s["aht_seconds"] == pytest.approx(160.0)

    def test_rows_reconciled_and_nothing_repaired_for_absent_columns(self, bank):
        """7 rows in = 6 used + 1 virtual. No hold or after-call column: said once, not a repair of
        every row; the one repair is call 7, handled by NO_SERVER (no agent)."""
        s = analyse(bank, RATES, BANK_MAPPING).summary
        assert (s["rows_in"], s["rows_used"]) == (7, 6)
        assert {k: v for k, v in s["excluded"].items() if v} == {"virtual_contact": 1}
        assert s["rows_in"] == s["rows_used"] + sum(s["excluded"].values())
        assert {k: v for k, v in s["repaired"].items() if v} == {"handled_without_agent": 1}
        assert "no hold column: counted as 0 s" in s["notes"]
        assert "no after-call work column: counted as 0 s" in s["notes"]

    def test_unknown_codes_are_not_a_customer_or_an_agent(self, bank):
        """Without ``missing:``, customer 0 is one customer: call 2 'repeats' call 1 (2 of 5
        handled); NO_SERVER is an agent id (4 ids). With it: 1 of 3 identified, 3 agent ids."""
        plain = {k: v for k, v in BANK_MAPPING.items() if k != "missing"}
        naive = analyse(bank, RATES, plain).summary
        assert (naive["repeats"], naive["agent_ids_seen"]) == (2, 4)
        s = analyse(bank, RATES, BANK_MAPPING).summary
        assert (s["repeats"], s["agent_ids_seen"]) == (1, 3)
        # a code mapped to "" is unknown too (it was ignored before)
        by_value = {**plain, "values": {**plain["values"], "customer_id": {"0": ""}}}
        assert analyse(bank, RATES, by_value).summary["unidentified_contacts"] == 2

    def test_two_digit_years_and_unpadded_hours(self, bank):
        s = analyse(bank, RATES, BANK_MAPPING).summary
        assert s["period_start"] == "1999-02-01 00:05:09"
        assert s["period_end"] == "1999-02-04 14:00:00"
        assert s["period_days"] == 4

    def test_baseline_ftes_segments_channel_mix_profile(self, bank):
        """4 days → × 365/4 = 91.25: 5 × 91.25 = 456.25 → 456 contacts a year. FTEs: 800 s handled
        = 0.2222 h × 91.25 = 20.28 h a year ÷ 0.8 ÷ 0.625 = 40.56 paid h ÷ 2080 = 0.0195 → 0.02.
        Segments: regular = calls 1, 2, 7 (7.00 / 3 = 2.3333), priority = calls 3, 4 (9.00 / 2 = 4.50)."""
        r = analyse(bank, RATES, BANK_MAPPING)
        b = r.baseline
        assert b["contacts_per_year"] == 456
        assert r.summary["agent_ftes"] == pytest.approx(800 / 3600 * 91.25 * 2 / 2080)
        assert b["agents"] == 0.02
        assert b["channel_mix"] == [{"name": "voice", "share_of_contacts": 1.0}]
        seg = {s["name"]: s for s in b["segments"]}
        assert seg["regular"]["share_of_contacts"] == 0.6 and seg["priority"]["share_of_contacts"] == 0.4
        assert seg["regular"]["cost_per_contact"] == pytest.approx(7.00 / 3, abs=CENT)
        assert seg["priority"]["cost_per_contact"] == pytest.approx(4.50, abs=CENT)
        shares = b["interval_profile"]["shares"]
        # offered (6 used rows): 1999-02-01 is a Monday; 0:05 and 9:00 on Monday
        assert shares["Mon"][0] == pytest.approx(1 / 6, abs=1e-6) and shares["Mon"][9] == pytest.approx(1 / 6, abs=1e-6)
        assert sum(map(sum, shares.values())) == pytest.approx(1.0, abs=1e-5)

    def test_short_period_is_warned(self, bank):
        warnings = analyse(bank, RATES, BANK_MAPPING).summary["warnings"]
        assert len(warnings) == 1 and warnings[0].startswith("the export covers 4 days (under 60)")


class TestServiceDeskEventLog:
    def test_one_contact_per_incident(self, desk):
        """7 rows: INC1 has 3 updates (its last by sys_mod_count is 10, not '9' as text would
        order), INC2 2, INC3 1, and one row has no incident number ('?'). Used 3 = INC1, INC2, INC3;
        excluded 3 earlier updates + 1 without a key: 3 + 4 = 7."""
        r = analyse(desk, RATES, DESK_MAPPING)
        s = r.summary
        assert (s["rows_in"], s["rows_used"], s["contacts_handled"]) == (7, 3, 3)
        assert {k: v for k, v in s["excluded"].items() if v} == {"earlier_event": 3, "missing_event_key": 1}
        # the last update carries the resolver: no contact is left without an agent
        assert s["repaired"]["handled_without_agent"] == 0 and s["agent_ids_seen"] == 2

    def test_standard_handle_time_priced(self, desk):
        """Each incident at the standard 1,200 s × 0.02 = 24.00: total 72.00, per contact 24.00.
        INC2's caller is '?' (unknown): identified INC1 and INC3, same caller and category 2 days
        apart → 1 repeat of 2 = 50 %; resolutions 3 × 0.5 = 1.5 → 72.00 / 1.5 = 48.00."""
        s = analyse(desk, RATES, DESK_MAPPING).summary
        assert s["total_cost"] == pytest.approx(72.00, abs=CENT)
        assert s["cost_per_contact"] == pytest.approx(24.00, abs=CENT)
        assert (s["repeats"], s["unidentified_contacts"]) == (1, 1)
        assert s["cost_per_resolution"] == pytest.approx(48.00, abs=CENT)
        assert any(w.startswith("repeat rate 50.0% is above 40%") for w in s["warnings"])
        assert "no talk_seconds column: the mapping's constant is used for every row" in s["notes"]
        assert sum(s["repaired"].values()) == 0

    def test_without_events_updates_are_miscounted(self, desk):
        """Without ``events:`` an update that changed no canonical field reads as a copy
        (INC1's updates 2 and 9 are equal, INC2's two rows are equal: 2 'duplicates') and every
        other row as a contact: 5 contacts (the '?' row among them) instead of 3."""
        plain = {k: v for k, v in DESK_MAPPING.items() if k != "events"}
        s = analyse(desk, RATES, plain).summary
        assert (s["contacts_handled"], s["excluded"]["duplicate_row"]) == (5, 2)
        assert analyse(desk, RATES, DESK_MAPPING).summary["contacts_handled"] == 3


class TestMappingProblems:
    @pytest.mark.parametrize(("mapping", "expected"), [
        ({"colums": {}}, "colums: not a known key (accepted: columns, values, missing, constants, timestamps, events)"),
        ({"events": {"key": "number"}}, "events.order_by: required (keys: key, order_by)"),
        ({"events": {"key": "n", "order_by": "m", "sort": 1}}, "events.sort: not a known key (accepted: key, order_by)"),
        ({"missing": {"caller": ["?"]}}, "missing.caller is not a canonical column (accepted: contact_id,"),
        ({"constants": {"talk_seconds": "ten"}}, "constants.talk_seconds = 'ten': a duration is a number of seconds"),
    ])
    def test_every_problem_lists_what_is_accepted(self, mapping, expected):
        with pytest.raises(CostingError) as err:
            load_mapping(mapping)
        assert expected in str(err.value) and "\n" not in str(err.value)

    def test_event_key_column_must_exist(self, desk):
        with pytest.raises(CostingError, match=r"events.key names column 'incident'.*columns: number,"):
            analyse(desk, RATES, {**DESK_MAPPING, "events": {"key": "incident", "order_by": "sys_mod_count"}})

    def test_constant_and_column_for_one_field_refused(self, bank):
        mapping = {**BANK_MAPPING, "constants": {"channel": "voice", "customer_id": "x"}}
        with pytest.raises(CostingError, match=r"constants.customer_id = 'x', but the file has a column"):
            analyse(bank, RATES, mapping)


class TestInitMapping:
    def test_guessed_from_the_bank_header(self, bank):
        text = init_mapping(bank)
        guessed = yaml.safe_load(text)
        assert guessed["timestamps"]["started_at"] == {"date": "date", "time": "vru_entry",
                                                       "format": "%y%m%d %H:%M:%S"}
        assert guessed["values"]["outcome"] == {"AGENT": "handled", "HANG": "abandoned", "PHANTOM": "virtual"}
        assert guessed["missing"]["customer_id"] == ["0"] and guessed["missing"]["agent_id"] == ["NO_SERVER"]
        assert guessed["constants"] == {"channel": "voice"}
        assert guessed["columns"]["talk_seconds"] == "ser_time" and guessed["columns"]["agent_id"] == "server"
        # the guess runs as it stands and costs the calls as the hand-written mapping does
        assert analyse(bank, RATES, guessed).summary["total_cost"] == pytest.approx(16.00, abs=CENT)

    def test_event_log_is_recognised(self, desk):
        guessed = yaml.safe_load(init_mapping(desk))
        assert guessed["events"] == {"key": "number", "order_by": "sys_mod_count"}
        assert guessed["missing"]["*"] == ["?"]


class TestStarterCase:
    def test_costs_writes_a_case_that_validates(self, bank, tmp_path):
        """``roi-kit costs EXPORT --rates R --mapping M --unit NAME --out DIR`` writes DIR/case.yaml."""
        rates = tmp_path / "rates.yaml"
        rates.write_text(yaml.safe_dump({**RATES, "currency": "ILS"}), encoding="utf-8")
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text(yaml.safe_dump(BANK_MAPPING), encoding="utf-8")
        out = tmp_path / "out"
        text = run_costs(bank, rates=rates, mapping=mapping, out=out, unit="Bank <voice> & co")
        assert f"wrote {out / 'case.yaml'}" in text
        case = load_case(out / "case.yaml")
        assert (case.unit, case.currency) == ("Bank <voice> & co", "ILS")
        assert case.baseline.contacts_per_year == 456
        assert case.baseline.cost_per_contact == pytest.approx(3.20, abs=CENT)
        assert case.baseline.repeat_rate == pytest.approx(1 / 3, abs=1e-6)
        assert [s.name for s in case.baseline.segments] == ["regular", "priority"]
        src = case.baseline_source
        assert src.export_file == "bank_calls.txt"
        assert src.sha256 == hashlib.sha256(bank.read_bytes()).hexdigest()
        assert (src.rows_in, src.rows_used, src.excluded) == (7, 6, {"virtual_contact": 1})
        assert (src.rates, src.mapping, src.period_days) == ("rates.yaml", "mapping.yaml", 4)
        assert src.warnings and src.warnings[0].startswith("the export covers 4 days")
        raw = (out / "case.yaml").read_text(encoding="utf-8")
        assert "# levers:" in raw and "#   first_contact_resolution: {repeat_rate_after: 26.7%}" in raw

    def test_unit_needs_out(self, bank):
        with pytest.raises(CostingError, match="--unit 'X' needs --out DIR"):
            run_costs(bank, rates=None or _rates_dict(), mapping=None, unit="X")

    def test_provenance_appendix(self, bank, tmp_path):
        run_costs(bank, rates=_rates_dict(), mapping=_file(tmp_path, BANK_MAPPING), out=tmp_path / "o",
                  unit="Bank")
        case = load_case(tmp_path / "o" / "case.yaml")
        page = provenance_html(case)
        text = re.sub(r"<[^>]+>", " ", page)
        assert hashlib.sha256(bank.read_bytes()).hexdigest() in page
        assert "7 rows in, 6 used (85.7%)" in text
        assert "Virtual contacts (not a customer contact)" in text and "−1" in text
        assert "× 91.2500 (365 ÷ 4)" in text
        assert "the export covers 4 days (under 60)" in text
        assert "no after-call work column: counted as 0 s" in text
        assert "Busiest interval" in text

    def test_typed_in_baseline_says_so(self):
        from roi_kit.case import EXAMPLE

        assert "entered by hand" in provenance_html(load_case(EXAMPLE))

    def test_user_text_escaped(self, bank, tmp_path):
        evil = tmp_path / "<b>calls&.txt"
        evil.write_bytes(bank.read_bytes())
        run_costs(evil, rates=_rates_dict(), mapping=_file(tmp_path, BANK_MAPPING), out=tmp_path / "o", unit="U")
        page = provenance_html(load_case(tmp_path / "o" / "case.yaml"))
        assert "<b>calls" not in page and "&lt;b&gt;calls&amp;.txt" in page


def _rates_dict() -> dict:
    return dict(RATES)


def _file(tmp_path, data: dict):
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.slow
def test_starter_case_renders_a_board_report_with_the_appendix(bank, tmp_path):
    """The starter case, with one lever and one cost filled in, through the report notebook."""
    from roi_kit.board.export import render

    run_costs(bank, rates=_rates_dict(), mapping=_file(tmp_path, BANK_MAPPING), out=tmp_path / "o", unit="Bank")
    data = yaml.safe_load((tmp_path / "o" / "case.yaml").read_text(encoding="utf-8"))
    data["levers"] = {"first_contact_resolution": {"repeat_rate_after": "25%"}}
    data["costs"] = {"one_time": [{"name": "Setup", "amount": 10}]}
    case_path = tmp_path / "filled.yaml"
    case_path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    html_path = render(case_path, output=tmp_path / "report.html")
    page = html_path.read_text(encoding="utf-8")
    assert "Where the baseline comes from" in page
    assert hashlib.sha256(bank.read_bytes()).hexdigest() in page
    assert "Virtual contacts (not a customer contact)" in page


class TestWarningsShown:
    def test_in_json_text_and_page(self, bank, tmp_path):
        import json

        from roi_kit.costing import page

        mapping = _file(tmp_path, BANK_MAPPING)
        doc = json.loads(run_costs(bank, rates=_rates_dict(), mapping=mapping, as_json=True))
        assert doc["warnings"] == [w for w in doc["warnings"] if "\n" not in w] and len(doc["warnings"]) == 1
        assert doc["agent_ids_seen"] == 3 and doc["baseline"]["agents"] == 0.02
        text = run_costs(bank, rates=_rates_dict(), mapping=mapping)
        assert "  warning: the export covers 4 days (under 60)" in text
        assert "  note: no hold column: counted as 0 s" in text
        assert "3 agent ids seen" in text
        html = page.render(analyse(bank, RATES, BANK_MAPPING))
        assert "Check before you use these figures" in html and "the export covers 4 days (under 60)" in html
        assert "no after-call work column: counted as 0 s" in html

    def test_implausible_agent_and_customer_codes_warned(self, tmp_path):
        """Without missing: codes, a 'customer' 0 on 8 of 11 calls and a NO_SERVER on 6 of 11
        (with 5 real agent ids, so 6 ids seen) are flagged: 7 repeats of 11 = 63.6 % > 40 %;
        NO_SERVER 6 of 11 = 54.5 % > max(20 %, 3 ÷ 6 = 50 %)."""
        rows = [("1" + str(i), "0" if i < 8 else str(900 + i), "0", "PS", "990201", f"{8 + i}:00:00", "5",
                 "AGENT", "60", "NO_SERVER" if i < 6 else f"A{i}") for i in range(10)]
        rows.append(("99", "5", "0", "PS", "990201", "20:00:00", "5", "AGENT", "60", "A0"))
        path = tmp_path / "calls.tsv"
        path.write_text("\n".join(["\t".join(BANK_HEADER), *map(_bank_line, rows)]) + "\n", encoding="utf-8")
        plain = {k: v for k, v in BANK_MAPPING.items() if k != "missing"}
        w = analyse(path, RATES, plain).summary["warnings"]
        assert any(x.startswith("repeat rate 63.6% is above 40%") for x in w)
        assert any(x.startswith("agent id 'NO_SERVER' handled 54.5% of handled contacts (6 ids seen)") for x in w)
        w = analyse(path, RATES, BANK_MAPPING).summary["warnings"]
        assert any(x.startswith("8 of 11 handled contacts (72.7%) have no customer id") for x in w)
        assert not any("NO_SERVER" in x or x.startswith("repeat rate") for x in w)


def test_init_mapping_from_the_command_line(bank):
    from typer.testing import CliRunner

    from roi_kit.cli import app

    out = CliRunner().invoke(app, ["costs", str(bank), "--init-mapping"])
    assert out.exit_code == 0
    assert out.output.startswith("# Starter mapping guessed from bank_calls.txt")
    assert yaml.safe_load(out.output)["constants"] == {"channel": "voice"}


def test_wrong_mapping_key_exits_non_zero_with_the_accepted_keys(bank, tmp_path):
    from typer.testing import CliRunner

    from roi_kit.cli import app

    mapping = _file(tmp_path, {"colums": {"contact_id": "call_id"}})
    rates = tmp_path / "rates.yaml"
    rates.write_text("default_hourly_cost: 30\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["costs", str(bank), "--rates", str(rates), "--mapping", str(mapping)])
    assert out.exit_code != 0
    assert "colums: not a known key (accepted: columns, values, missing, constants, timestamps, events)" in out.output


def test_starter_case_survives_the_forms_save(bank, tmp_path):
    """The form writes rates as "60%": the channel mix and profile read them back unchanged."""
    from roi_kit.case import case_yaml

    run_costs(bank, rates=_rates_dict(), mapping=_file(tmp_path, BANK_MAPPING), out=tmp_path / "o", unit="Bank")
    case = load_case(tmp_path / "o" / "case.yaml")
    again = load_case(yaml.safe_load(case_yaml(case)))
    assert again == case and again.input_hash == case.input_hash
