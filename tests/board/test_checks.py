"""Issue 11, part A, on the page: the Checks box, no-baseline reports, per-line risk adjustment,
"not estimated" in place of $0, the methodology's conventions, and the warnings in JSON and batch."""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from conftest import EXAMPLE, ROOT
from typer.testing import CliRunner

from roi_kit import evaluate, load_case
from roi_kit.batch.manifest import COLUMNS
from roi_kit.batch.run import summary_row
from roi_kit.board import sections, tables
from roi_kit.board.methodology import methodology, notes
from roi_kit.board.summary import summary_json, summary_text
from roi_kit.cli import app

TEI = ROOT / "templates" / "cases" / "published_tei.yaml"
BANK = ROOT / "templates" / "units" / "demo" / "retail_bank.yaml"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _report(path) -> tuple[list[str], list[str]]:
    """Every section of the report for ``path``, without a kernel: (HTML fragments, chart names)."""
    shown: list[str] = []
    charts: list[str] = []
    with mock.patch.object(sections, "show_html", shown.append), \
            mock.patch.object(sections, "show_figure", lambda fig, name: charts.append(name)), \
            mock.patch.object(sections, "publish_meta", lambda meta: None):
        ctx = sections.prepare(str(path))
        for name in sections.SECTIONS:
            sections.section(ctx, name)
    return shown, charts


def test_the_checks_box_is_in_the_headline_escaped():
    case = load_case(EXAMPLE).with_overrides({"costs.recurring.0.name": "<b>Licences</b>"})
    result = evaluate(case)
    box = tables.checks_box(result)
    assert box.startswith('<aside class="roi-checks"') and ">Checks<" in box
    assert box.count("<li>") == len(result.warnings) >= 2
    assert "$4.80" in box and "$7.18" in box
    shown, _ = _report(EXAMPLE)
    assert any('class="roi-checks"' in h for h in shown[:4])  # with the headline, before the story


def test_a_report_of_explicit_lines_has_no_baseline_figure():
    """The TEI table has no baseline: no baseline table, no cost curve, no cost per contact or
    per resolution anywhere (the old placeholder showed "$5.00" and "cost per resolution")."""
    shown, charts = _report(TEI)
    text = _text("".join(shown))
    assert "cost-curve" not in charts
    assert "waterfall" in charts and "payback-timeline" in charts
    assert "no baseline" in text
    assert "Cost per resolution" not in text and "$5.00" not in text
    assert 'class="roi-table roi-baseline"' not in "".join(shown)
    assert "$1,118,332" in text


def test_unknown_is_not_estimated_not_zero():
    """The bank demo: 7% abandon rate and no order value, so abandon exposure is not estimated."""
    text = _text(tables.baseline_table(evaluate(load_case(BANK))))
    assert "Abandon exposure per year not estimated: no order value given" in text
    assert "Abandon exposure per year $0" not in text
    assert "churn exposure only; the other is not estimated" in text


def test_cost_table_and_annual_table_show_the_risk_adjustment():
    """Implementation $1,190,000 at its own 10%: uplift $119,000, adjusted $1,309,000."""
    case = load_case({"unit": "T", "costs": {"one_time": [
        {"name": "Implementation", "amount": 1_190_000, "risk_adjustment": "10%"}]},
        "benefits": [{"name": "B", "pillar": "cost_savings", "per_year": 1_000_000, "risk_adjustment": "5%"}]})
    result = evaluate(case)
    costs = _text(tables.cost_table(result))
    assert "Implementation One-time 10% $1,190,000" in costs
    assert "Risk uplift $119,000" in costs and "Total, risk-adjusted $1,309,000" in costs
    annual = _text(tables.annual_table(result))
    assert "of which risk uplift −$119,000" in annual
    assert "of which risk haircut $0 −$50,000" in annual


def test_gross_margin_of_100_percent_shows_in_the_register():
    case = load_case({"unit": "T", "baseline": {"contacts_per_year": 1000, "cost_per_contact": 4,
                                                "gross_margin": "100%"},
                      "levers": {"upsell": {"eligible_share": 0.1, "conversion_lift": 0.1, "average_value": 10}}})
    assert "Gross margin baseline.gross_margin 100.0%" in _text(tables.assumptions_register(case))


def test_methodology_states_the_conventions_in_house_money():
    result = evaluate(load_case(EXAMPLE))
    said = " ".join(notes(result.case))
    assert "stays non-negative to the end of the horizon" in said
    assert "never improves the case" in said
    assert "contact-handling costs only" in said
    assert "run-rate figures are those of the horizon's final year" in said
    page = methodology(result)
    assert "USD 4.80" not in page and "$4.80" in page


def test_evaluate_json_and_text_carry_the_warnings():
    done = CliRunner().invoke(app, ["evaluate", str(EXAMPLE), "--json"])
    out = json.loads(done.stdout)
    assert out["warnings"] == list(evaluate(load_case(EXAMPLE)).warnings)
    assert any("$7.18" in w for w in out["warnings"])
    assert "Check: Cost per contact given ($4.80)" in summary_text(evaluate(load_case(EXAMPLE)))


def test_batch_summary_has_a_warnings_column():
    job = mock.Mock(unit="U", scenario="expected", error="", source="u.yaml", slug="u", key="k")
    figures = summary_json(evaluate(load_case(EXAMPLE)))
    row = summary_row(job, figures)
    assert "warnings" in COLUMNS
    assert row["warnings"] == " | ".join(figures["warnings"]) and "$7.18" in row["warnings"]


@pytest.mark.parametrize("path", [TEI, BANK, EXAMPLE])
def test_summary_json_is_json(path):
    json.dumps(summary_json(evaluate(load_case(path))))
