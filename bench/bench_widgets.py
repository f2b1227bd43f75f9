"""Input form: median time from a changed input to updated figures (target ≤ 150 ms).

Measured headless, as the kernel does it after the debounce timer fires: set a widget's value →
validate the case → evaluate the three scenarios → rebuild the three board charts → push them to
the FigureWidgets (one Plotly.update message each). The naive way, measured in the same run, does
the same but replaces each FigureWidget with a new one built from the chart (what a first version
of a live form does), which re-validates every figure property.

Run: .venv/bin/python bench/bench_widgets.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import time

import plotly.graph_objects as go

from roi_kit.board import charts
from roi_kit.case import load_case
from roi_kit.form.controller import _push, case_form
from roi_kit.model.result import evaluate_scenarios

TARGET_MS = 150.0


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def form_way(runs: int) -> tuple[float, dict[str, float]]:
    """Median ms per change through the form (debounce 0: the refresh runs inside the change)."""
    form = case_form(debounce=0)
    box = form.field("baseline.contacts_per_year")
    box.value = 1_100_000  # warm up: first chart build, first push
    samples = []
    for i in range(runs):
        t0 = time.perf_counter()
        box.value = 1_200_000 + 1_000 * (i + 1)
        samples.append(time.perf_counter() - t0)
        assert form.case is not None and form.case.baseline.contacts_per_year == 1_200_000 + 1_000 * (i + 1)
    # where the time goes, stage by stage, on the same case
    parts: dict[str, list[float]] = {"validate": [], "evaluate": [], "charts": [], "push": []}
    pass

    for _ in range(max(5, runs // 3)):
        t0 = time.perf_counter()
        case = load_case(form.data())
        t1 = time.perf_counter()
        results = evaluate_scenarios(case)
        t2 = time.perf_counter()
        figs = (charts.cost_curve(results["expected"]), charts.waterfall(results["expected"]),
                charts.payback_timeline(results))
        t3 = time.perf_counter()
        for widget, fig in zip(form.figures.values(), figs, strict=True):
            _push(widget, fig)
        t4 = time.perf_counter()
        for key, (a, b) in zip(parts, ((t0, t1), (t1, t2), (t2, t3), (t3, t4)), strict=True):
            parts[key].append(b - a)
    return _median_ms(samples), {k: _median_ms(v) for k, v in parts.items()}


def naive_way(runs: int) -> float:
    """Median ms per change when each change builds new FigureWidgets from the charts."""
    form = case_form(debounce=0)
    form.auto_refresh = False
    data = form.data()
    samples = []
    for i in range(runs):
        data["baseline"]["contacts_per_year"] = 1_200_000 + 1_000 * (i + 1)
        t0 = time.perf_counter()
        case = load_case(data)
        results = evaluate_scenarios(case)
        widgets = [
            go.FigureWidget(charts.cost_curve(results["expected"])),
            go.FigureWidget(charts.waterfall(results["expected"])),
            go.FigureWidget(charts.payback_timeline(results)),
        ]
        samples.append(time.perf_counter() - t0)
        assert len(widgets) == 3
    return _median_ms(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    t0 = time.perf_counter()
    form_ms, parts = form_way(args.runs)
    build_s = time.perf_counter() - t0
    naive_ms = naive_way(args.runs)
    print(f"input form, changed input → updated figures, median of {args.runs} changes:")
    print(f"  roi_kit form (in-place Plotly.update): {form_ms:7.1f} ms")
    print("    stages: " + ", ".join(f"{k} {v:.1f} ms" for k, v in parts.items()))
    print(f"  naive (new FigureWidgets each change): {naive_ms:7.1f} ms")
    print(f"  ratio naive / form: {naive_ms / form_ms:.2f}×")
    print(f"  target ≤ {TARGET_MS:.0f} ms: {'met' if form_ms <= TARGET_MS else 'NOT met'}")
    print(f"  (form build and warm-up, {args.runs} changes and stage timing: {build_s:.1f} s)")


if __name__ == "__main__":
    main()
