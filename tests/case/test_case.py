"""The case format: the shared example loads as it is; rates, overrides, hashes, introspection."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLE, SHARED_EXAMPLE

from roi_kit import load_case
from roi_kit.case import canonical_json, field_doc, iter_inputs
from roi_kit.errors import CaseError


@pytest.mark.skipif(not SHARED_EXAMPLE.exists(), reason="shared/ is not beside the checkout")
def test_shared_example_loads_as_it_is_and_matches_its_twin():
    assert load_case(SHARED_EXAMPLE) == load_case(EXAMPLE)


def test_example_values(example_case):
    b = example_case.baseline
    assert (b.contacts_per_year, b.shrinkage, b.repeat_rate, b.volume_growth) == (1_200_000, 0.30, 0.14, 0.03)
    assert b.service_level.target == 0.80
    # the example quotes "Admin, QA and workflow upkeep": YAML would split plain text at the comma
    assert [c.name for c in example_case.costs.recurring] == ["Licences", "Admin, QA and workflow upkeep"]
    assert example_case.costs.one_time[1].total == 3100 * 38


@pytest.mark.parametrize(("written", "value"), [(0.14, 0.14), ("14%", 0.14), ("14 %", 0.14), ("0.14", 0.14), ("0%", 0.0)])
def test_rates_as_fractions_or_percentages(written, value):
    case = load_case({"unit": "U", "baseline": {"contacts_per_year": 1, "cost_per_contact": 1, "repeat_rate": written}})
    assert case.baseline.repeat_rate == pytest.approx(value)


def test_json_and_mapping_load_the_same(tmp_path, example_case):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(example_case.model_dump(mode="json")))
    assert load_case(path) == example_case
    assert load_case(example_case.model_dump()) == example_case


def test_with_overrides_is_a_new_case(example_case):
    changed = example_case.with_overrides({"levers.deflection.rate": "12%", "timeline.horizon_months": 48})
    assert changed.levers.deflection.rate == 0.12 and changed.timeline.horizon_months == 48
    assert example_case.levers.deflection.rate == 0.10
    assert changed.input_hash != example_case.input_hash


def test_override_can_enable_a_lever(example_case):
    bare = example_case.with_overrides({"levers.upsell": None})
    assert bare.levers.upsell is None
    again = bare.with_overrides({"levers.upsell.eligible_share": 0.1, "levers.upsell.conversion_lift": 0.02,
                                 "levers.upsell.average_value": 100})
    assert again.levers.upsell.average_value == 100


def test_override_of_missing_field_is_refused(example_case):
    with pytest.raises(CaseError, match=r"levers\.deflection\.rat is not a field of levers\.deflection; did you mean rate\?"):
        example_case.with_overrides({"levers.deflection.rat": 0.1})


def test_scale_levers_scales_the_gap_not_the_level(example_case):
    half = example_case.with_overrides({"scale_levers": 0.5})
    assert half.levers.first_contact_resolution.repeat_rate_after == pytest.approx(0.14 - 0.5 * 0.03)
    assert half.levers.deflection.rate == pytest.approx(0.05)
    assert half.levers.risk[0].probability_after == pytest.approx(0.05 - 0.5 * 0.03)


def test_hash_is_canonical(example_case):
    again = load_case(json.loads(canonical_json(example_case)))
    assert again.input_hash == example_case.input_hash
    assert len(example_case.input_hash) == 64


def test_field_docs_carry_units_and_ranges():
    doc = field_doc("baseline.abandon_rate")
    assert (doc.unit, doc.minimum) == ("rate", 0.0)
    assert field_doc("timeline.horizon_months").maximum == 120
    assert field_doc("levers.risk.0.impact").unit == "money"
    with pytest.raises(CaseError):
        field_doc("baseline.nope")


def test_iter_inputs_lists_every_set_input_with_its_source(example_case):
    rows = {row.path: row for row in iter_inputs(example_case)}
    assert rows["baseline.cost_per_contact"].source == "FY25 finance allocation, cost centre 4410"
    assert rows["levers.deflection.rate"].unit == "rate"
    assert "levers.risk.1.impact" in rows and "costs.recurring.0.seats" in rows
    assert all(row.label for row in rows.values())


def test_field_doc_follows_dict_keys_and_segment_lever_overrides():
    # a dict key is documented by its dict's field; a segment's lever override by the lever's own field
    assert field_doc("sources.contacts").label == "Sources"
    assert field_doc("baseline.segments.0.levers.retention").label == "Retention"
    doc = field_doc("baseline.segments.0.levers.retention.churn_rate_after")
    assert (doc.unit, doc.minimum, doc.maximum) == ("rate", 0.0, 1.0)
