"""Hostile or odd case files: each is refused in one line (or read as written), never a crash.

The reproducers of issue 17 that need a file built at test time (too big, a folder, a mapping
given in code); the rest are files in tests/case/malformed/.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from roi_kit import load_case
from roi_kit.case.files import MAX_CASE_BYTES, case_yaml
from roi_kit.errors import CaseError
from roi_kit.model.result import evaluate

BASE = {"unit": "U", "baseline": {"contacts_per_year": 100_000, "cost_per_contact": 5}}


def _one_line(source) -> str:
    with pytest.raises(CaseError) as caught:
        load_case(source)
    assert len(caught.value.problems) == 1, caught.value.problems
    return str(caught.value.problems[0])


def test_a_case_file_above_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("unit: U\n" + "# padding\n" * (MAX_CASE_BYTES // 10 + 1))
    size = path.stat().st_size
    assert _one_line(path) == f"big: the file is {size:,} bytes; a case file may be at most 1,000,000 bytes"


def test_a_folder_given_as_a_case(tmp_path):
    assert _one_line(tmp_path) == f"{tmp_path} is a folder, not a case file (give a .yaml or .json file)"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("contacts_per_year", math.inf, "U: baseline.contacts_per_year = inf is not a finite number (write a number in contacts/year)"),
    ("cost_per_contact", math.nan, "U: baseline.cost_per_contact = nan is not a finite number (write a number in money/contact)"),
])
def test_non_finite_numbers_in_a_mapping(field, value, message):
    data = {**BASE, "baseline": {**BASE["baseline"], field: value}}
    assert _one_line(data) == message


def test_duplicate_segment_names_refused_even_in_other_case_and_spacing():
    """Two segments named alike would overwrite each other's benefits (issue 17: halved savings)."""
    data = {**BASE, "baseline": {**BASE["baseline"], "segments": [
        {"name": "Premium", "share_of_contacts": 0.5}, {"name": " premium ", "share_of_contacts": 0.5}]}}
    assert _one_line(data) == ("U: baseline.segments[1].name = ' premium ' is also the name of segments[0]: "
                               "segment names must be unique")


def test_a_negative_cost_is_refused_and_a_credit_is_a_benefit_line():
    """per_year of a custom cost is 0 to 1e12; a benefit line may be negative (a dis-benefit)."""
    cost = {**BASE, "costs": {"custom": [{"name": "C", "per_year": -5}]}}
    assert _one_line(cost) == "U: costs.custom[0].per_year = -5 must be at least 0 money/year (a credit is a benefit line)"
    credit = load_case({**BASE, "benefits": [{"name": "Credit", "pillar": "cost_savings", "per_year": [-5, 10]}]})
    assert credit.benefits[0].per_year == [-5, 10]


def test_every_amount_is_bounded_so_the_figures_stay_finite():
    """The largest amounts the case accepts still give finite figures."""
    data = {**BASE, "baseline": {"contacts_per_year": 1e10, "cost_per_contact": 10_000},
            "benefits": [{"name": "B", "pillar": "cost_savings", "initial": 1e12, "per_year": [1e12] * 3}],
            "costs": {"custom": [{"name": "C", "initial": 1e12, "per_year": 1e12}]}}
    summary = evaluate(load_case(data)).summary
    assert all(math.isfinite(summary[k]) for k in ("npv", "total_benefits", "total_costs"))


def test_an_alias_within_the_budget_is_read_and_a_long_value_is_cut_in_the_message(tmp_path):
    """A value repeated by an alias is fine; a message shows at most ~60 characters of a value."""
    path = tmp_path / "alias.yaml"
    long_list = "[" + ", ".join(["12345678"] * 900) + "]"
    path.write_text(f"unit: U\nbaseline: {{contacts_per_year: 100000, cost_per_contact: 5}}\n"
                    f"title: &t {long_list}\nsources: {{x: *t}}\n")
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert all(len(str(p)) < 200 for p in caught.value.problems), caught.value.problems


def test_a_unit_name_with_a_direction_control_is_not_used_to_label_the_problems():
    data = {**BASE, "unit": "evil\u202egnp.exe"}
    assert _one_line(data) == ("case: unit = 'evil\\u202egnp.exe' holds the direction control U+202E, "
                               "which reorders the text on screen; remove it")


def test_keys_are_read_as_written(tmp_path):
    """``on:`` is the text "on" (YAML 1.1 would make it true), a date key stays text."""
    path = tmp_path / "keys.yaml"
    path.write_text("unit: U\nbaseline: {contacts_per_year: 100000, cost_per_contact: 5}\n"
                    "sources: {baseline.contacts_per_year: 2025-01-01 export}\n")
    assert load_case(path).sources == {"baseline.contacts_per_year": "2025-01-01 export"}
    path.write_text("unit: U\nbaseline: {contacts_per_year: 100000, cost_per_contact: 5}\non: 1\n")
    assert _one_line(path).startswith("U: on is not a field of the case; accepted: unit, title,")


def test_a_quoted_comma_loads_and_the_case_writes_back_quoted(example_case):
    assert "Admin, QA and workflow upkeep" in [c.name for c in example_case.costs.recurring]
    assert load_case(__import__("yaml").safe_load(case_yaml(example_case))) == example_case


def test_a_file_name_with_a_direction_control_is_shown_escaped(tmp_path):
    """The unit of a file's problems is its name; a U+202E in it would reorder the terminal line."""
    path = tmp_path / "evil\u202elmth.yaml"
    path.write_text("unit: [\n")
    line = _one_line(path)
    assert "\u202e" not in line and line.startswith("evil<U+202E>lmth: the file is not valid YAML or JSON")


def test_a_denormal_cost_gives_no_infinite_ratio():
    """Found by the fuzz test: costs of 1.1e-308 a year made simple_roi = benefits / 1e-308 = inf;
    like roi, a ratio that does not come out finite is reported as none."""
    data = {**BASE, "costs": {"recurring": [{"name": "L", "per_year": 1.1125369292536007e-308}]},
            "benefits": [{"name": "B", "pillar": "cost_savings", "per_year": 1000}]}
    summary = evaluate(load_case(data)).summary
    assert summary["simple_roi"] is None and summary["roi"] is None
    assert summary["total_benefits"] == pytest.approx(3000, abs=0.005)  # three years of $1,000


_TRICKY = [
    "a: 1\n", "a: [1, 2, {b: 3}]\n", "x: &a [1, 2]\ny: *a\n", "a: 'it''s'\n", 'a: "\\u00e9"\n',
    "a: 1\na: 2\n", "a: !!float 5%\n", "? [a, b]\n: 1\n", "<<: {a: 1}\n", "a: \x00\n", "a: \x07\n",
    "a: \ufffe\n", "\ufeffa: 1\n", "a:\tb\n", "a: {name: Admin, QA and upkeep, per_year: 1}\n",
    "a: " + "9" * 400 + "\n", "[" * 300, "a: |\n  x\n   y\n", "- a\n- b\n", "a: b: c\n", "a: 0x1F\n",
    "2025-01-01: 4\n", "on: yes\n", "a: .inf\n", "a: 1e5\n", "a: '\\x41'\n", 'a: "\\U7fffffff"\n',
    "%YAML 1.1\n---\na: 1\n", "--- a\n--- b\n", "a: *undefined\n", "&x a: 1\n",
]


@pytest.mark.parametrize("text", _TRICKY + [p.read_text(encoding="utf-8") for p in
                                            sorted((Path(__file__).parents[2] / "templates").rglob("*.yaml"))]
                         + [p.read_text(encoding="utf-8") for p in
                            sorted((Path(__file__).parent / "malformed").glob("*.yaml"))])
def test_the_c_loader_reads_exactly_what_the_python_loader_reads(text, monkeypatch):
    """A case is read on libyaml's parser when it reads without a problem, else worded by the
    pure-Python loader: every text gets the same value, or the same one-line refusal, as it
    does on the pure-Python loader alone."""
    from roi_kit.case import files

    def read():
        try:
            return "ok", files.parse_yaml(text)
        except files.YamlProblem as problem:
            return "refused", str(problem)

    assert files._FastCaseLoader is not files._CaseLoader  # PyYAML's wheels carry libyaml
    fast = read()
    monkeypatch.setattr(files, "_FastCaseLoader", files._CaseLoader)
    assert fast == read()
