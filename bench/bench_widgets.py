"""Input form: changed input → updated figures, in Python (target ≤ 150 ms) and in the browser.

Python, headless, as the kernel does it after the debounce timer fires: type into a box (text
read in the locale) → validate the case → evaluate the three scenarios → rebuild the three board
charts → send them to the live charts widget (one JSON message). The naive way, measured in the
same run, does the same but builds a new plotly ``FigureWidget`` per chart each change (what a
first version of a live form does), which re-validates every figure property.

Browser (unless ``--no-browser``; needs Debian's chromium): the app as ``make app`` serves it (Voilà on a
free localhost port, driven by Playwright), median of 10 edits typed into "Contacts per year":
the time from the edit to the three charts redrawn (debounce included), and the redraw alone in
the page (``Plotly.react`` of the changed figures), beside a fresh-figure redraw
(``Plotly.purge`` + ``Plotly.newPlot`` of the same figures) measured in the same page.

Run: .venv/bin/python bench/bench_widgets.py [--runs 21] [--no-browser]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import plotly.graph_objects as go

from roi_kit.board import charts
from roi_kit.board import export as report
from roi_kit.case import load_case
from roi_kit.form.app import voila_command, voila_env
from roi_kit.form.controller import DEBOUNCE_SECONDS, _spec, case_form
from roi_kit.model.result import evaluate_scenarios

TARGET_MS = 150.0
ROOT = Path(__file__).resolve().parents[1]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def form_way(runs: int) -> tuple[float, dict[str, float]]:
    """Median ms per change through the form (debounce 0: the refresh runs inside the change)."""
    form = case_form(debounce=0, locale="en_US")
    box = form.field("baseline.contacts_per_year")
    box.value = "1,100,000"  # warm up: first chart build, first push
    samples = []
    for i in range(runs):
        value = 1_200_000 + 1_000 * (i + 1)
        t0 = time.perf_counter()
        box.value = f"{value:,}"
        samples.append(time.perf_counter() - t0)
        assert form.case is not None and form.case.baseline.contacts_per_year == value
    # where the time goes, stage by stage, on the same case
    parts: dict[str, list[float]] = {"validate": [], "evaluate": [], "charts": [], "send": []}
    for _ in range(max(5, runs // 3)):
        t0 = time.perf_counter()
        case = load_case(form.data())
        t1 = time.perf_counter()
        results = evaluate_scenarios(case)
        t2 = time.perf_counter()
        figs = {"cost_curve": charts.cost_curve(results["expected"]),
                "waterfall": charts.waterfall(results["expected"]),
                "payback_timeline": charts.payback_timeline(results)}
        t3 = time.perf_counter()
        form.charts.show({name: _spec(fig) for name, fig in figs.items()})
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


def browser_way(edits: int = 10) -> dict[str, float]:
    """Edit → charts redrawn in chromium, and the in-page redraw against a fresh-figure one (ms)."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(voila_command(ROOT, port, open_browser=False, python=sys.executable),
                            env=voila_env(ROOT), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=report.CHROMIUM, args=list(report.CHROMIUM_ARGS))
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.roi-live-charts .gtitle').length === 3", timeout=180_000)
            charts_el = page.locator(".roi-live-charts").first
            box = page.get_by_label("Contacts per year", exact=True).first
            total, react = [], []
            for i in range(edits + 1):  # the first edit warms up
                draws = int(charts_el.get_attribute("data-draws") or 0)
                t0 = time.perf_counter()
                box.fill(str(1_300_000 + 10_000 * i))
                page.wait_for_function(
                    f"() => Number(document.querySelector('.roi-live-charts').dataset.draws) > {draws}",
                    timeout=60_000, polling=5)
                if i:
                    total.append(time.perf_counter() - t0)
                    react.append(float(charts_el.get_attribute("data-draw-ms")) / 1000)
            fresh = []
            for _ in range(edits):
                page.evaluate("() => document.querySelector('.roi-live-charts').roiKitRedraw(true)")
                fresh.append(float(charts_el.get_attribute("data-draw-ms")) / 1000)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"edit_to_charts": _median_ms(total), "react": _median_ms(react), "fresh": _median_ms(fresh)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--no-browser", action="store_true", help="skip the chromium measure (starts Voilà)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    form_ms, parts = form_way(args.runs)
    build_s = time.perf_counter() - t0
    naive_ms = naive_way(args.runs)
    print(f"input form, changed input → updated figures, median of {args.runs} changes (Python):")
    print(f"  roi_kit form (one JSON message to the live charts): {form_ms:7.1f} ms")
    print("    stages: " + ", ".join(f"{k} {v:.1f} ms" for k, v in parts.items()))
    print(f"  naive (new FigureWidgets each change):             {naive_ms:7.1f} ms")
    print(f"  ratio naive / form: {naive_ms / form_ms:.2f}×")
    print(f"  target ≤ {TARGET_MS:.0f} ms: {'met' if form_ms <= TARGET_MS else 'NOT met'}")
    print(f"  (form build and warm-up, {args.runs} changes and stage timing: {build_s:.1f} s)")
    if not args.no_browser and Path(report.CHROMIUM).exists():
        b = browser_way()
        print("in the browser (Voilà + chromium, 1440 px), median of 10 edits:")
        print(f"  edit → three charts redrawn: {b['edit_to_charts']:7.1f} ms "
              f"(includes the {DEBOUNCE_SECONDS * 1000:.0f} ms debounce)")
        print(f"  redraw in the page, Plotly.react:            {b['react']:7.1f} ms")
        print(f"  fresh-figure redraw, purge + Plotly.newPlot: {b['fresh']:7.1f} ms")
        print(f"  ratio fresh / react: {b['fresh'] / b['react']:.2f}×")


if __name__ == "__main__":
    main()
