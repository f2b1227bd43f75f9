"""Issue 17: one hostile case file in a units folder is one failed unit, never the whole batch."""

from __future__ import annotations

from roi_kit.batch.units import units_from_folder

GOOD = "unit: Good\nbaseline: {contacts_per_year: 100000, cost_per_contact: 5}\n"


def test_a_tagged_a_nested_and_a_huge_file_are_failed_units_beside_a_good_one(tmp_path):
    (tmp_path / "a_good.yaml").write_text(GOOD)
    (tmp_path / "b_tag.yaml").write_text("unit: Tag\nbaseline: {contacts_per_year: !!float 5%}\n")
    (tmp_path / "c_deep.yaml").write_text("unit: " + "[" * 20_000 + "]" * 20_000 + "\n")
    (tmp_path / "d_digits.yaml").write_text(GOOD + "scenarios: {conservative: {scale_levers: " + "9" * 400 + "}}\n")
    units = units_from_folder(tmp_path)
    assert [(u.name, u.case is not None) for u in units] == [
        ("Good", True), ("b_tag", False), ("c_deep", False), ("d_digits", False)]
    assert units[1].error == ("b_tag: the file is refused: line 2, column 31: the tag !!float is not accepted "
                              "(write the plain value)")
