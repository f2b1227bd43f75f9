"""Engine speed beside the naive way, measured in the same run.

    .venv/bin/python bench/bench_engine.py [--draws 100000]

* full evaluation: the example case (36 months, every lever, segments, three scenarios) — target
  ≤ 5 ms — beside the same evaluation with every table materialised eagerly;
* tornado: every uncertain input at the ends of its range in one vectorised call — target
  ≤ 100 ms — beside one evaluation per input end;
* Monte Carlo: 100,000 draws with the inputs drawn together (the default delivery rank
  correlation, Gaussian copula) — target ≤ 1 s and ≥ 50× faster than evaluating draws one by one
  (the one-by-one rate is measured on 300 draws and scaled); beside it the same run drawn
  independently (correlation 0), which shows what the correlation costs.


Staffed handle time is solved by Erlang C for every open half-hour of the week at each year's
volume, vectorised over draws; the traffic n agents carry is tabulated per lattice handle time
and kept (like ``agents_for``'s cache), so the timed runs (after one warm-up) reuse the tables.
The cold figures (tables built inside the timed call) are printed too.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from pathlib import Path

from roi_kit import CaseError, evaluate, evaluate_scenarios, load_case, monte_carlo, sensitivity
from roi_kit.model import staffing

EXAMPLE = Path(__file__).resolve().parents[1] / "templates" / "cases" / "example.yaml"


def timed(fn, repeat: int) -> float:
    """Median seconds of ``repeat`` calls after one warm-up."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def eager(case) -> None:
    for result in evaluate_scenarios(case).values():
        _ = result.monthly, result.annual, result.lines, result.cost_lines, result.waterfall


def tornado_naive(case) -> None:
    """One validated case and one evaluation per input end (inputs the validator ties, such as a
    segment's value that must agree with the unit's, are refused there and cost only validation)."""
    frame = sensitivity(case)
    for row in frame.itertuples():
        for value in (row.low_value, row.high_value):
            with contextlib.suppress(CaseError):
                evaluate(case.with_overrides({row.path: value}))


def one_by_one(case, draws: int, seed: int) -> None:
    mc = monte_carlo(case, draws=draws, seed=seed)  # same draws, then each evaluated alone
    for i in range(draws):
        evaluate(case.with_overrides({path: float(values[i]) for path, values in mc.samples.items()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    args = parser.parse_args()
    case = load_case(EXAMPLE)

    full = timed(lambda: evaluate_scenarios(case), 50)
    full_eager = timed(lambda: eager(case), 20)
    print(f"full evaluation, 3 scenarios   {full * 1e3:8.2f} ms  (target ≤ 5 ms)   "
          f"eager tables {full_eager * 1e3:.2f} ms  ratio {full_eager / full:.1f}×")
    single = timed(lambda: evaluate(case), 50)
    print(f"one scenario                   {single * 1e3:8.2f} ms")

    tornado = timed(lambda: sensitivity(case), 10)
    inputs = len(sensitivity(case))
    naive_tornado = timed(lambda: tornado_naive(case), 2) - tornado
    print(f"tornado, {inputs} inputs            {tornado * 1e3:8.2f} ms  (target ≤ 100 ms)  "
          f"one by one {naive_tornado * 1e3:.0f} ms  ratio {naive_tornado / tornado:.1f}×")

    staffing._THRESHOLDS.clear()
    start = time.perf_counter()
    evaluate_scenarios(load_case(EXAMPLE))
    cold_full = time.perf_counter() - start
    staffing._THRESHOLDS.clear()
    start = time.perf_counter()
    monte_carlo(load_case(EXAMPLE), draws=args.draws, seed=1)
    cold_mc = time.perf_counter() - start
    print(f"cold staffing tables           3 scenarios {cold_full * 1e3:.1f} ms, Monte Carlo {cold_mc:.3f} s")

    mc = timed(lambda: monte_carlo(case, draws=args.draws, seed=1), 3)
    independent = case.with_overrides({"uncertainty_correlation": {"delivery": 0.0, "baseline": 0.0}})
    mc_independent = timed(lambda: monte_carlo(independent, draws=args.draws, seed=1), 3)
    inputs = len(monte_carlo(case, draws=10, seed=1).inputs)
    print(f"Monte Carlo inputs drawn: {inputs}; drawn independently {mc_independent:.3f} s, "
          f"together (rank correlation {case.uncertainty_correlation or 0.6}) {mc:.3f} s")
    probe = 300
    start = time.perf_counter()
    one_by_one(case, probe, 1)
    per_draw = (time.perf_counter() - start) / probe
    naive = per_draw * args.draws
    print(f"Monte Carlo, {args.draws:,} draws  {mc:8.3f} s   (target ≤ 1 s)    "
          f"one by one {naive:.1f} s (scaled from {probe})  ratio {naive / mc:.0f}× (target ≥ 50×)")


if __name__ == "__main__":
    main()
