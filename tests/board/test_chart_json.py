"""The board charts are assembled whole (one plotly validation pass each): for the reference case
and every demo unit, each chart's JSON is the one the step-by-step build drew, kept in
tests/snapshots/charts.json (``ROI_KIT_UPDATE_SNAPSHOT=1`` rewrites it, with a reason)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import plotly.io as pio
import pytest

from roi_kit.board import charts
from roi_kit.case import EXAMPLE, load_case
from roi_kit.model.result import evaluate_scenarios
from roi_kit.model.uncertainty import monte_carlo, sensitivity

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "snapshots" / "charts.json"
CASES = [EXAMPLE, *sorted((ROOT / "templates" / "units" / "demo").glob("*.yaml"))]


def _charts(path: Path) -> dict:
    case = load_case(path)
    results = evaluate_scenarios(case)
    result = results["expected"]
    figures = {
        "cost_curve": charts.cost_curve(result),
        "waterfall": charts.waterfall(result),
        "payback": charts.payback_timeline(results),
        "tornado": charts.tornado(sensitivity(case), result),
        "npv": charts.npv_distribution(monte_carlo(case), result, results=results),
        "segments": charts.segments(result),
    }
    return {k: None if f is None else json.loads(pio.to_json(f)) for k, f in figures.items()}


@pytest.mark.slow
def test_every_chart_of_every_demo_unit_is_the_snapshot():
    now = {path.name: _charts(path) for path in CASES}
    if os.environ.get("ROI_KIT_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(now, indent=0, sort_keys=True), encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(now) == sorted(expected)
    for name, figures in now.items():
        for chart, fig in figures.items():
            assert fig == expected[name][chart], f"{name}: {chart} changed"
