"""The embedded samples: the demo business units, the units table and the reference cases.

`make demo` turns the demo units into board reports a CFO reads, so each one must load, evaluate
under every scenario and show figures a practitioner finds plausible; the portfolio as a whole
must show every shape of case (segments, linear handle time, monthly discounting, a marginal case,
a long payback, three currencies). The two reference cases are checked to the cent against hand
arithmetic written out below.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from pathlib import Path

import pytest

from roi_kit.board import display
from roi_kit.board import export as report
from roi_kit.board.sections import ReportContext, section
from roi_kit.case import SCENARIOS, Case, load_case
from roi_kit.model.result import Result, evaluate, evaluate_scenarios

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "templates" / "units" / "demo"
DEMO_UNITS = sorted(DEMO.glob("*.yaml"))
DEMO_TABLE = ROOT / "templates" / "units" / "demo.csv"
BASE_CASE = ROOT / "templates" / "cases" / "example.yaml"
SEED_CFO = ROOT / "templates" / "cases" / "seed_cfo.yaml"
PUBLISHED_TEI = ROOT / "templates" / "cases" / "published_tei.yaml"
ALL_SAMPLES = [*DEMO_UNITS, SEED_CFO, PUBLISHED_TEI]


@cache
def _case(path: Path) -> Case:
    return load_case(path)


@cache
def _results(path: Path) -> dict[str, Result]:
    return evaluate_scenarios(_case(path))


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


# --------------------------------------------------------------------------------------------
# Every sample
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=_ids(ALL_SAMPLES))
def test_sample_has_its_tornado_and_monte_carlo_band(path: Path) -> None:
    # the report draws both for every unit: one that cannot is a failed unit in `make demo`
    from roi_kit import monte_carlo, sensitivity

    frame = sensitivity(_case(path))
    assert len(frame) > 0 and frame["label"].map(bool).all()
    assert frame.attrs["base_npv"] == pytest.approx(_results(path)["expected"].summary["npv"], abs=0.005)
    band = monte_carlo(_case(path), draws=200, seed=1)
    assert math.isfinite(float(band.npv.mean()))


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=_ids(ALL_SAMPLES))
def test_sample_evaluates_under_every_scenario(path: Path) -> None:
    results = _results(path)
    assert list(results) == list(SCENARIOS)
    for name, result in results.items():
        summary = result.summary
        assert result.scenario == name
        for key in ("npv", "pv_benefits", "pv_costs", "run_rate_benefit"):
            assert math.isfinite(summary[key]), f"{path.stem} {name}: {key} = {summary[key]}"
        assert summary["pv_costs"] > 0
    # scenarios are ordered: the conservative view is never the best one, the optimistic never the worst
    npv = {name: r.summary["npv"] for name, r in results.items()}
    assert npv["conservative"] < npv["expected"] < npv["optimistic"], npv


# --------------------------------------------------------------------------------------------
# The demo units, one by one
# --------------------------------------------------------------------------------------------


def test_there_are_at_least_six_demo_units_with_distinct_names() -> None:
    names = [_case(p).unit for p in DEMO_UNITS]
    assert len(names) >= 6
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("path", DEMO_UNITS, ids=_ids(DEMO_UNITS))
def test_demo_unit_figures_are_plausible(path: Path) -> None:
    case = _case(path)
    expected = _results(path)["expected"]
    b = case.baseline
    s = expected.summary
    assert 3.0 <= expected.baseline.cost_per_contact <= 12.0, expected.baseline.cost_per_contact
    assert -0.20 <= s["roi"] <= 4.0, s["roi"]
    assert s["payback_months"] is not None and 4.0 <= s["payback_months"] <= 30.0, s["payback_months"]
    # operating inputs a practitioner would recognise
    assert 0.25 <= b.shrinkage <= 0.35
    assert 0.75 <= b.occupancy <= 0.88
    assert 0.10 <= b.repeat_rate <= 0.25
    assert 0.03 <= b.abandon_rate <= 0.10
    if b.aht_seconds is not None:
        assert 300 <= b.aht_seconds <= 600
    if b.agent_attrition is not None:
        assert 0.25 <= b.agent_attrition <= 0.45
    if case.levers.deflection:
        assert 0.05 <= case.levers.deflection.rate <= 0.30
        assert 0.20 <= case.levers.deflection.automated_cost <= 1.50
    for line in case.costs.recurring:
        if line.per_seat_per_month is not None:
            assert 50 <= line.per_seat_per_month <= 150, line.name


@pytest.mark.parametrize("path", DEMO_UNITS, ids=_ids(DEMO_UNITS))
def test_demo_unit_is_fully_specified(path: Path) -> None:
    case = _case(path)
    plan = case.measurement_plan
    assert 6 <= len(plan) <= 8
    for metric in plan:
        assert metric.owner and metric.source and metric.cadence and metric.trigger, metric.metric
    assert len(case.sources) >= 5
    assert case.costs.one_time and case.costs.recurring
    assert set(case.scenarios) >= {"conservative", "optimistic"}
    assert any(getattr(case.risk_adjustment.benefits, p) > 0 for p in ("cost_savings", "revenue_protected"))
    assert case.risk_adjustment.costs > 0


# --------------------------------------------------------------------------------------------
# The demo portfolio: every shape of case is shown
# --------------------------------------------------------------------------------------------


def test_portfolio_uses_three_currencies() -> None:
    assert {_case(p).currency for p in DEMO_UNITS} >= {"USD", "EUR", "GBP"}


def test_portfolio_has_a_k_shaped_unit_whose_segments_agree_with_its_totals() -> None:
    segmented = [p for p in DEMO_UNITS if _case(p).baseline.segments]
    assert segmented
    for path in segmented:
        b = _case(path).baseline
        shares = [s.share_of_customers for s in b.segments]
        assert len(b.segments) >= 2 and min(shares) <= 0.10  # a mass segment and a small one
        value = sum(s.share_of_customers * s.annual_value_per_customer for s in b.segments)
        churn = sum(s.share_of_customers * s.churn_rate for s in b.segments)
        assert value == pytest.approx(b.annual_value_per_customer, rel=1e-4)
        assert churn == pytest.approx(b.churn_rate, rel=1e-4)
        # the small segment carries a disproportionate share of the value
        small = min(b.segments, key=lambda s: s.share_of_customers)
        assert small.share_of_customers * small.annual_value_per_customer >= 0.25 * value
        # its per-segment results add up to the unit's
        result = _results(path)["expected"]
        assert result.segments["total"].sum() == pytest.approx(sum(result.pillars.values()), rel=1e-9)


def test_portfolio_shows_linear_handle_time_and_monthly_discounting() -> None:
    cases = [_case(p) for p in DEMO_UNITS]
    assert any(c.levers.handle_time and c.levers.handle_time.basis == "linear" for c in cases)
    assert any(c.levers.handle_time and c.levers.handle_time.basis == "staffed" for c in cases)
    assert any(c.timeline.discounting == "monthly" for c in cases)


def test_portfolio_has_a_marginal_case_and_a_long_payback() -> None:
    conservative = {p.stem: _results(p)["conservative"].summary for p in DEMO_UNITS}
    expected = {p.stem: _results(p)["expected"].summary for p in DEMO_UNITS}
    # marginal: the conservative view is break-even or loses money (ROI between −10% and +5%)
    marginal = [k for k, s in conservative.items() if s["roi"] is not None and -0.10 <= s["roi"] <= 0.05]
    assert marginal, {k: s["roi"] for k, s in conservative.items()}
    assert any(s["npv"] < 0 for s in conservative.values())
    assert any(s["payback_months"] > 18 for s in expected.values())
    # and a quick win, so the portfolio is varied rather than uniformly middling
    assert any(s["payback_months"] < 9 for s in expected.values())


# --------------------------------------------------------------------------------------------
# The CFO article's worked baseline, to the cent
# --------------------------------------------------------------------------------------------


def test_seed_cfo_baseline_matches_the_article() -> None:
    result = evaluate(_case(SEED_CFO))
    b = result.baseline
    # cost a year:          1,200,000 contacts × 4.80            = 5,760,000.00
    assert round(b.total_cost, 2) == 5_760_000.00
    # resolutions:          1,200,000 × (1 − 0.14)               = 1,032,000
    assert round(b.resolutions, 6) == 1_032_000
    # cost per resolution:  5,760,000 ÷ 1,032,000 = 5.5814…      → 5.58
    assert round(b.cost_per_resolution, 2) == 5.58
    assert round(result.summary["cost_per_resolution_before"], 2) == 5.58
    # abandoned is 6% of offered: offered = 1,200,000 ÷ 0.94 = 1,276,595.74…;
    # abandoned = 1,200,000 × 0.06 ÷ 0.94 = 76,595.74…
    assert round(b.offered, 2) == 1_276_595.74
    assert round(b.abandoned, 2) == 76_595.74
    # deflection run-rate: 1,200,000 × 10% × ((1 − 15%) × 4.80 − 0.20) = 120,000 × 3.88 = 465,600.00
    line = result.lines.set_index("lever").loc["deflection"]
    assert round(line["run_rate"], 2) == 465_600.00


# --------------------------------------------------------------------------------------------
# The published TEI-style table, to the cent
# --------------------------------------------------------------------------------------------


def test_published_tei_annual_table_matches_the_study() -> None:
    result = evaluate(_case(PUBLISHED_TEI))
    table = result.annual.round(2)
    # entered as it stands: Initial 500,000 cost; Years 1–3: costs 200,000, benefits 600,000 / 900,000 / 1,100,000
    assert table.loc[["Initial", "Year 1", "Year 2", "Year 3"], "costs"].tolist() == [
        500_000.00, 200_000.00, 200_000.00, 200_000.00]
    assert table.loc[["Initial", "Year 1", "Year 2", "Year 3"], "benefits"].tolist() == [
        0.00, 600_000.00, 900_000.00, 1_100_000.00]
    assert table.loc[["Initial", "Year 1", "Year 2", "Year 3"], "net"].tolist() == [
        -500_000.00, 400_000.00, 700_000.00, 900_000.00]
    # totals: costs 500,000 + 3 × 200,000 = 1,100,000; benefits 600,000 + 900,000 + 1,100,000 = 2,600,000
    assert table.loc["Total", "costs"] == 1_100_000.00
    assert table.loc["Total", "benefits"] == 2_600_000.00
    # PV costs    = 500,000 + 200,000/1.1 + 200,000/1.21 + 200,000/1.331
    #             = 500,000 + 181,818.18 + 165,289.26 + 150,262.96 = 997,370.40
    # PV benefits = 600,000/1.1 + 900,000/1.21 + 1,100,000/1.331
    #             = 545,454.55 + 743,801.65 + 826,446.28 = 2,115,702.48
    assert table.loc["Present value", "costs"] == 997_370.40
    assert table.loc["Present value", "benefits"] == 2_115_702.48


def test_published_tei_npv_roi_and_payback_match_hand_computation() -> None:
    s = evaluate(_case(PUBLISHED_TEI)).summary
    # NPV = −500,000 + (600,000 − 200,000)/1.1 + (900,000 − 200,000)/1.1² + (1,100,000 − 200,000)/1.1³
    #     = −500,000 + 363,636.3636 + 578,512.3967 + 676,183.3208 = 1,118,332.08
    assert round(s["npv"], 2) == 1_118_332.08
    # ROI = NPV / PV costs = 1,118,332.08 / 997,370.40 = 112.13%
    assert round(s["roi"], 4) == 1.1213
    # payback: after Year 1 the cumulative net is −500,000 + 400,000 = −100,000; Year 2 nets
    # 700,000 / 12 = 58,333.33 a month, so 100,000 / 58,333.33 = 1.7143 months more → 13.71
    assert round(s["payback_months"], 2) == 13.71
    # no levers: every benefit is an explicit line
    assert not _case(PUBLISHED_TEI).levers.model_dump(exclude_none=True, exclude_defaults=True)


# --------------------------------------------------------------------------------------------
# The units table a finance team keeps
# --------------------------------------------------------------------------------------------


def _table_rows() -> list[dict[str, str]]:
    with DEMO_TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _as_number(text: str) -> float:
    text = text.strip()
    return float(text[:-1]) / 100.0 if text.endswith("%") else float(text)


def test_demo_table_rows_apply_over_the_base_case() -> None:
    rows = _table_rows()
    assert 4 <= len(rows) <= 6
    base = _case(BASE_CASE)
    names = set()
    for row in rows:
        name = row.pop("unit")
        names.add(name)
        case = base.with_overrides(row, unit=name)
        # every column took effect, "12%" read as 0.12
        for path, text in row.items():
            node = case
            for part in path.split("."):
                node = node[int(part)] if part.isdigit() else getattr(node, part)
            if path == "title":
                assert node == text
            else:
                assert node == pytest.approx(_as_number(text)), (name, path)
        summary = evaluate(case).summary
        assert math.isfinite(summary["npv"])
        assert 3.0 <= summary["cost_per_contact_before"] <= 12.0
    assert len(names) == len(rows)


@pytest.mark.parametrize("path", DEMO_UNITS, ids=_ids(DEMO_UNITS))
def test_every_report_section_builds_for_demo_unit(path: Path) -> None:
    """Each section the report notebook shows, run here with its display calls collected (no
    kernel): a unit whose section raises is a failed unit in `make demo`."""
    import re

    import nbformat

    from roi_kit import monte_carlo, sensitivity

    case = _case(path)
    ctx = ReportContext(case=case, scenario="expected", result=_results(path)["expected"],
                               results=_results(path), sensitivity=sensitivity(case),
                               monte_carlo=monte_carlo(case, draws=200, seed=3))
    names = [m.group(1) for cell in nbformat.read(report.notebook_path(), as_version=4).cells
             if (m := re.search(r'^section\(ctx, "(\w+)"\)', cell.source, re.M))]
    assert len(names) >= 10
    shown: list[dict] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(display, "_publish", lambda data: shown.append(dict(data)))
        for name in names:
            before = len(shown)
            section(ctx, name)
            assert len(shown) > before or (name == "segments" and not case.baseline.segments), name
