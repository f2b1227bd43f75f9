"""Do the scenarios, the tornado and the simulation tell one story? Checked for the demo units and the example.

    .venv/bin/python scripts/check_uncertainty.py [--draws 10000] [CASE.yaml ...]

For each case, the checks of issue 12's "It must show" list:

* ``expected_in_band``: P10 ≤ expected NPV ≤ P90;
* ``loss_visible``: a negative conservative NPV comes with a probability of loss of at least 1%
  (the share the report shows as a whole percentage rather than "under 1%");
* ``band_in_scenarios``: conservative NPV ≤ P10 and P90 ≤ optimistic NPV;
* ``band_not_bunched``: P10 and P90 each reach at least 20% of the way from the expected NPV to
  the conservative and optimistic NPVs;
* ``levers_not_worse``: no tornado value of a lever effect is worse than today's value.

Exits non-zero when a check fails. ``tests/model/test_uncertainty.py`` runs the same checks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from roi_kit import evaluate, load_case, monte_carlo, sensitivity
from roi_kit.case.schema import effect_of, today_value
from roi_kit.model.inputs import flatten

ROOT = Path(__file__).resolve().parents[1]
CASES = [*sorted((ROOT / "templates/units/demo").glob("*.yaml")), ROOT / "templates/cases/example.yaml"]

#: The least share of the way from the expected NPV to each scenario's the P10 and P90 must reach.
SPREAD = 0.2

#: The least probability of loss that reads as a visible one ("1%", not "under 1%").
VISIBLE = 0.01


def checks(case, draws: int = 10_000, seed: int = 2026) -> dict[str, object]:
    """The figures and the checks for one case (see the module docstring)."""
    npv = {name: evaluate(case, name).summary["npv"] for name in ("conservative", "expected", "optimistic")}
    mc = monte_carlo(case, draws=draws, seed=seed)
    p = mc.percentiles["npv"]
    cons, exp, opt = npv["conservative"], npv["expected"], npv["optimistic"]
    base = flatten(case.scenario_case("expected"))
    worse = []
    for row in sensitivity(case).itertuples():
        effect = effect_of(row.path)
        if effect is None:
            continue
        today_path, better = effect
        today = today_value(today_path, base)
        worst = row.low_value if better > 0 else row.high_value
        if today is None or (worst - today) * better < -1e-12:
            worse.append(row.path)
    return {
        "conservative": cons, "expected": exp, "optimistic": opt,
        "p10": p["p10"], "p50": p["p50"], "p90": p["p90"], "p_loss": mc.p_loss, "p_payback": mc.p_payback,
        "expected_in_band": p["p10"] <= exp <= p["p90"],
        "loss_visible": cons >= 0 or mc.p_loss >= VISIBLE,
        "band_in_scenarios": cons <= p["p10"] and p["p90"] <= opt,
        "band_not_bunched": (exp - p["p10"]) >= SPREAD * (exp - cons) and (p["p90"] - exp) >= SPREAD * (opt - exp),
        "levers_not_worse": not worse,
        "worse_than_today": worse,
    }


CHECKS = ("expected_in_band", "loss_visible", "band_in_scenarios", "band_not_bunched", "levers_not_worse")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", type=Path, default=CASES)
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args()
    failed = 0
    print(f"{'case':22s} {'conservative':>13s} {'P10':>12s} {'expected':>12s} {'P90':>12s} {'optimistic':>12s}"
          f" {'P(loss)':>8s} {'P(payback)':>10s}  checks")
    for path in args.cases:
        case = load_case(path)
        c = checks(case, args.draws)
        bad = [name for name in CHECKS if not c[name]]
        failed += bool(bad)
        print(f"{path.name:22s} {c['conservative']:>13,.0f} {c['p10']:>12,.0f} {c['expected']:>12,.0f} "
              f"{c['p90']:>12,.0f} {c['optimistic']:>12,.0f} {c['p_loss']:>8.1%} {c['p_payback']:>10.1%}  "
              f"{'ok' if not bad else 'FAILED: ' + ', '.join(bad)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
