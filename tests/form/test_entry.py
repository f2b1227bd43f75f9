"""Number entry in the user's locale (Babel), the app's helpers, and the form's file handling."""

from __future__ import annotations

import json

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from roi_kit.case import EXAMPLE, load_case
from roi_kit.case.files import save_case
from roi_kit.form import controller
from roi_kit.form.app import strip_outputs, voila_command
from roi_kit.form.controller import case_form
from roi_kit.form.entry import (
    EntryError,
    _number_text,
    check_locale,
    default_locale,
    number_list_text,
    parse_number,
    parse_number_list,
)
from roi_kit.page import fmt

EXAMPLE_CASE = load_case(EXAMPLE)


@pytest.mark.parametrize(("text", "locale", "value"), [
    ("4,80", "de_DE", 4.8),
    ("4,80", "fr_FR", 4.8),
    ("1,200,000", "en_US", 1_200_000.0),
    ("1.200.000", "de_DE", 1_200_000.0),
    ("1 200 000", "fr_FR", 1_200_000.0),  # a plain space where French groups with a narrow one
    ("1.200,50", "de_DE", 1200.5),
    ("1200000", "de_DE", 1_200_000.0),
    ("-5", "en_US", -5.0),
    ("  12.5 ", "en_US", 12.5),
    ("", "en_US", None),
])
def test_numbers_are_read_in_the_locale(text, locale, value):
    assert parse_number(text, locale=locale) == value


@pytest.mark.parametrize(("text", "locale", "readings"), [
    ("4,80", "en_US", "'480' or '4.8'"),
    ("1.5", "de_DE", "'15' or '1,5'"),
])
def test_text_that_could_mean_either_is_refused_with_both_readings(text, locale, readings):
    with pytest.raises(EntryError) as caught:
        parse_number(text, locale=locale)
    assert str(caught.value).startswith(f"{text!r} could be read more than one way")
    assert str(caught.value).endswith(f"write {readings}")


def test_a_grouping_of_another_locale_is_refused_not_scaled():
    with pytest.raises(EntryError, match="not a number"):
        parse_number("1,200,000", locale="de_DE")


def test_percent_boxes_read_percent():
    assert parse_number("14", locale="en_US", percent=True) == 0.14
    assert parse_number("14%", locale="en_US", percent=True) == 0.14
    assert parse_number("12,5 %", locale="de_DE", percent=True) == 0.125


def test_year_lists_accept_grouped_numbers():
    assert parse_number_list("40,000, 60,000", locale="en_US") == [40_000.0, 60_000.0]
    assert parse_number_list("40,000; 60,000; 60,000", locale="en_US") == [40_000.0, 60_000.0, 60_000.0]
    assert parse_number_list("40.000; 60.000,5", locale="de_DE") == [40_000.0, 60_000.5]
    assert parse_number_list("40 000; 60 000", locale="fr_FR") == [40_000.0, 60_000.0]
    assert parse_number_list("40000 60000", locale="en_US") == [40_000.0, 60_000.0]
    assert parse_number_list("50,000", locale="en_US") == 50_000.0  # one amount: every year
    assert parse_number_list("", locale="en_US") == 0.0
    with pytest.raises(EntryError, match=r"^year 2: '6,00' could be read"):
        parse_number_list("40000; 6,00", locale="en_US")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from(["en_US", "de_DE", "fr_FR", "de_CH"]),
       st.booleans())
def test_what_a_box_shows_reads_back_to_the_same_number(value, locale, percent):
    shown = _number_text(value, percent, locale)
    back = parse_number(shown, locale=locale, percent=percent)
    assert back == pytest.approx(value, rel=1e-9, abs=1e-12)


def test_a_year_list_shown_reads_back():
    for locale in ("en_US", "de_DE", "fr_FR"):
        assert parse_number_list(number_list_text([40000.5, 60000.0], locale), locale=locale) == [40000.5, 60000.0]


def test_the_locale_defaults_from_the_environment():
    assert default_locale({"LANG": "de_DE.UTF-8"}) == "de_DE"
    assert default_locale({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}) == "fr_FR"
    assert default_locale({"LANG": "C.UTF-8"}) == "en_US"
    assert default_locale({}) == "en_US"
    assert default_locale({"LANG": "xx_YY"}) == "en_US"
    assert check_locale("de-DE") == "de_DE"
    with pytest.raises(EntryError, match="'klingon' is not a locale"):
        check_locale("klingon")


# --------------------------------------------------------------------------- the form


@pytest.fixture(scope="module")
def form():
    return case_form(debounce=0, locale="en_US")


@pytest.fixture
def fresh(form):
    form.set_locale("en_US")
    form.load(EXAMPLE_CASE)
    return form


def test_4_80_is_refused_in_en_us_and_read_as_4_80_once_the_locale_says_so(fresh):
    box = fresh.field("baseline.cost_per_contact")
    box.value = "4,80"
    assert fresh.case is None
    assert "could be read more than one way" in fresh.errors["baseline.cost_per_contact"]
    assert "480" in fresh._index["baseline.cost_per_contact"].error.value
    assert "Fix the problems" in fresh.headline.value  # the figures wait, never jump to $80M
    fresh.set_locale("de_DE")
    assert fresh.errors == {} and fresh.case.baseline.cost_per_contact == 4.8
    assert fresh.field("baseline.contacts_per_year").value == "1200000"
    assert fresh.field("timeline.discount_rate").value == "10"
    box.value = "5,25"
    assert fresh.case.baseline.cost_per_contact == 5.25
    fresh.set_locale("en_US")
    assert box.value == "5.25"


def test_every_number_box_is_text_sent_as_the_user_types(fresh):
    """Required, optional and list boxes alike: no Enter or Tab needed (the figures are debounced)."""
    import ipywidgets as w

    from roi_kit.form.nodes import _Leaf

    numeric = [n for n in fresh._index.values() if isinstance(n, _Leaf) and n.numeric]
    kinds = {n.kind for n in numeric}
    assert {"float", "optional_float", "number_list"} <= kinds
    for node in numeric:
        assert type(node.widget) is w.Text and node.widget.continuous_update, node.path


def test_a_required_number_box_left_blank_says_so(fresh):
    fresh.field("baseline.contacts_per_year").value = ""
    assert fresh.errors["baseline.contacts_per_year"] == "is required: type a number"
    fresh.field("baseline.contacts_per_year").value = "1,200,000"
    assert fresh.case == EXAMPLE_CASE


def test_the_units_folder_is_listed_and_a_pick_loads_the_case(fresh, tmp_path):
    other = EXAMPLE_CASE.with_overrides({"unit": "APAC Telco"})
    fresh.save_folder.value = str(tmp_path)
    path = save_case(other, tmp_path)
    fresh.list_cases()
    assert [label for label, _ in fresh.case_picker.options] == ["(pick a saved case)", "apac-telco.yaml"]
    fresh.case_picker.value = str(path)
    assert fresh.case == other and "Loaded APAC Telco" in fresh.status.value
    fresh.save(tmp_path)  # saving lists the new file at once
    assert len(fresh.case_picker.options) == 2


def test_a_costing_baseline_yaml_loads_into_the_case(fresh, tmp_path):
    """``roi-kit costs --out`` writes ``baseline.yaml``: a ``baseline:`` section with comments."""
    path = tmp_path / "baseline.yaml"
    path.write_text("# Built bottom-up by roi_kit.costing\nbaseline:\n  contacts_per_year: 950000\n"
                    "  cost_per_contact: 5.12\n")
    fresh.load(path)
    assert fresh.case == EXAMPLE_CASE.with_overrides(
        {"baseline.contacts_per_year": 950_000, "baseline.cost_per_contact": 5.12})
    assert "Loaded baseline from" in fresh.status.value


def test_the_headline_names_the_net_benefit_as_the_report_does(fresh):
    s = fresh.summary
    assert fmt.RUN_RATE_NET_BENEFIT in fresh.headline.value
    assert fmt.money(s["run_rate_net_benefit"], "USD") in fresh.headline.value
    assert "Run-rate benefit" not in fresh.headline.value


def test_the_report_link_goes_through_voila_in_the_app(tmp_path, monkeypatch):
    out = tmp_path / "reports" / "preview" / "a.html"
    monkeypatch.setenv("VOILA_SERVER_URL", "/")
    monkeypatch.setenv(controller.APP_ROOT_ENV, str(tmp_path))
    assert controller._report_href(out) == "/voila/files/reports/preview/a.html"
    monkeypatch.delenv("VOILA_SERVER_URL")
    monkeypatch.chdir(tmp_path / "..")
    assert controller._report_href(out) == f"{tmp_path.name}/reports/preview/a.html"


# --------------------------------------------------------------------------- the app's helpers


def test_strip_outputs_empties_a_notebook_before_it_is_saved():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("form.widget")]
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "x"})]
    nb.cells[1].execution_count = 3
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    model = {"type": "notebook", "content": json.loads(nbformat.writes(nb))}
    strip_outputs(model, path="x.ipynb")
    code = model["content"]["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert "widgets" not in model["content"]["metadata"]
    other = {"type": "file", "content": "text"}
    strip_outputs(other)
    assert other == {"type": "file", "content": "text"}


def test_the_committed_notebooks_have_no_outputs():
    from pathlib import Path

    for path in (Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path
        assert "widgets" not in nb.metadata, path


def test_the_app_listens_on_localhost_only_and_serves_only_previews(tmp_path):
    cmd = voila_command(tmp_path, 9999, open_browser=False)
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=9999" in cmd and "--no-browser" in cmd
    assert [c for c in cmd if "file_allowlist" in c] == [r"--VoilaConfiguration.file_allowlist=reports/preview/[^/]+\.html"]
    assert "--template=roi_kit" in cmd
