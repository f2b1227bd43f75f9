"""Issue 11 part B in the report: agents before and after by year, the cap said, conventions noted."""

from __future__ import annotations

import numpy as np

from roi_kit import evaluate, load_case
from roi_kit.board.methodology import formula_text, notes
from roi_kit.board.tables import staffing_table

TWO_HOURS = [[0.5 if (d, h) in {(0, 9), (0, 10)} else 0.0 for h in range(24)] for d in range(7)]


def _case(**levers):
    return load_case({
        "unit": "Test Unit",
        "baseline": {"contacts_per_year": 10_400, "cost_per_contact": 5.0, "gross_margin": 1.0, "aht_seconds": 360,
                     "loaded_hourly_cost": 38, "interval_profile": TWO_HOURS},
        "levers": {"handle_time": {"seconds_saved": 30}, **levers},
        "timeline": {"ramp_months": 0, "horizon_months": 24},
    })


def test_agents_before_and_after_by_year(example_case):
    """The example: one row per year, agents as the model's terms (scheduled FTEs), in the report."""
    r = evaluate(example_case)
    html = staffing_table(r)
    terms = r.lines.set_index("lever").loc["handle_time", "terms"]
    for y in range(3):
        assert f"<th scope=\"row\">Year {y + 1}</th>" in html
        assert f"{np.atleast_2d(terms['agents_before'])[0, y]:,.1f}" in html
        assert f"{np.atleast_2d(terms['agents_after'])[0, y]:,.1f}" in html


def test_cap_is_said():
    """Two open hours a week: staffed $5,661 a year is above linear $5,535: capped, and both say so."""
    r = evaluate(_case())
    html = staffing_table(r)
    assert "capped at the linear bound in year 1, 2" in html and "$5,535" in html and "$5,661" in html
    t = r.lines.set_index("lever").loc["handle_time", "terms"]
    text = formula_text("handle_time", t, "USD")
    assert "capped at the linear figure" in text and "in year 1, 2" in text
    assert "the case's interval profile" in text


def test_no_table_on_the_linear_basis():
    assert staffing_table(evaluate(_case().with_overrides({"levers.handle_time.basis": "linear"}))) == ""


def test_conventions_in_the_appendix(example_case):
    listed = " ".join(notes(example_case))
    assert "Levers act in order" in listed
    assert "each open half-hour of the week" in listed and "Never above the linear figure" in listed
    assert "Retention counts cohorts" in listed and "half a year" in listed
    seats = example_case.with_overrides({"costs.recurring.0.seats": "follow_staffing"})
    assert "follow_staffing" in " ".join(notes(seats))
