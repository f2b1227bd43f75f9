"""Benefits tracking: re-forecasts checked against hand computations, statuses, and bad actuals.

The small case used throughout (``SMALL``), worked by hand:

* 120,000 contacts a year at $5.00, deflection 10% with no automated cost and no leakage:
  run-rate 120,000 × 0.10 × $5.00 = $60,000 a year, $5,000 a month; no ramp (ramp_months 0), so
  every month from go-live carries the full $5,000.
* Costs: $50,000 set-up in month 0, licences $1,000 a month; no risk adjustment.
* 24 months, 10% a year, annual discounting (each month's flow at the end of its year).
* Plan NPV = −50,000 + (60,000 − 12,000)/1.1 + (60,000 − 12,000)/1.21
  = −50,000 + 43,636.3636 + 39,669.4215 = $33,305.79.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from roi_kit.case import EXAMPLE
from roi_kit.case.files import load_case
from roi_kit.case.schema import Case, canonical_json
from roi_kit.cli import app
from roi_kit.errors import CaseError, TrackError
from roi_kit.model.result import evaluate
from roi_kit.track import read_actuals, track, tracking_json
from roi_kit.track.page import headline, render

ROOT = Path(__file__).resolve().parents[2]
TRACKED = ROOT / "templates" / "cases" / "tracked.yaml"
ACTUALS = ROOT / "templates" / "track" / "actuals.csv"
runner = CliRunner()

SMALL = {
    "unit": "Small Unit",
    "baseline": {"contacts_per_year": 120000, "cost_per_contact": 5.0},
    "levers": {"deflection": {"rate": 0.10}},
    "costs": {"one_time": [{"name": "Setup", "amount": 50000}],
              "recurring": [{"name": "Licences", "per_month": 1000}]},
    "timeline": {"horizon_months": 24, "ramp_months": 0, "discount_rate": 0.10, "start": "2026-01"},
    "measurement_plan": [{"metric": "Containment", "key": "containment", "measures": "levers.deflection.rate",
                          "threshold": "6%", "direction": "below", "trigger": "below 6%: review intents"}],
}
PLAN_NPV = -50000 + 48000 / 1.1 + 48000 / 1.21


def small(**timeline) -> Case:
    data = json.loads(json.dumps(SMALL))
    data["timeline"].update(timeline)
    return Case.model_validate(data)


def write(tmp_path: Path, rows: list[tuple[str, str, object]], name: str = "actuals.csv") -> Path:
    path = tmp_path / name
    path.write_text("month,metric,value\n" + "".join(f"{m},{k},{v}\n" for m, k, v in rows), encoding="utf-8")
    return path


def months(n: int, start: int = 1) -> list[str]:
    return [f"2026-{m:02d}" for m in range(start, start + n)]


class TestReforecast:
    def test_plan_npv_is_the_hand_computed_one(self):
        """The small case's plan: $33,305.79 (module docstring)."""
        assert evaluate(small()).summary.npv == pytest.approx(PLAN_NPV, abs=0.005)
        assert round(PLAN_NPV, 2) == 33305.79

    def test_actuals_equal_to_plan_give_the_plans_npv_to_the_cent(self, tmp_path):
        """Containment 10%, 10,000 contacts and $1,000 licences for six months: exactly the plan,
        so the re-forecast NPV is the plan's $33,305.79 and net to date is −50,000 + 6 × 4,000 = −$26,000."""
        rows = [(m, "containment", "10%") for m in months(6)]
        rows += [(m, "contacts", 10000) for m in months(6)] + [(m, "spend:Licences", 1000) for m in months(6)]
        case = small()
        t = track(case, read_actuals(write(tmp_path, rows), case))
        assert round(t.reforecast.npv, 2) == round(t.plan.npv, 2) == 33305.79
        assert round(t.actual_net_to_date, 2) == round(t.planned_net_to_date, 2) == -26000.00
        assert [m.status for m in t.metrics] == ["on_track", "on_track"]

    def test_actuals_equal_to_plan_on_an_s_curve_ramp_give_the_plans_npv(self, tmp_path):
        """The tracked example (s-curve ramp, segments, risk adjustment, every lever): actuals equal to
        each metric's plan for five months, mid-ramp, leave NPV, payback and net to date unchanged."""
        case = load_case(TRACKED)
        plan = track(case, read_actuals(write(tmp_path, [], "none.csv"), case))
        rows = [(f"2026-{m:02d}", mt.key, repr(float(mt.plan[m]))) for mt in plan.metrics if mt.plan is not None
                for m in range(1, 6)]
        rows += [(f"2026-{m:02d}", "contacts", repr(case.baseline.contacts_per_year / 12)) for m in range(1, 6)]
        t = track(case, read_actuals(write(tmp_path, rows), case))
        assert round(t.reforecast.npv, 2) == round(t.plan.npv, 2) == round(evaluate(case).summary.npv, 2)
        assert t.reforecast.payback_months == pytest.approx(t.plan.payback_months, abs=1e-9)
        assert round(t.actual_net_to_date, 2) == round(t.planned_net_to_date, 2)
        assert all(abs(s.amount) < 0.005 for s in t.bridge[1:-1])

    def test_containment_at_half_the_plan_for_six_months(self, tmp_path):
        """Containment 5% against 10% for six months: realised share 0.5, and the months to come keep
        the latest ratio to plan (0.5), so deflection is worth $2,500 a month throughout:
        NPV = −50,000 + (30,000 − 12,000)/1.1 + (30,000 − 12,000)/1.21
            = −50,000 + 16,363.6364 + 14,876.0331 = −$18,760.33;
        net to date −50,000 + 6 × (2,500 − 1,000) = −$41,000 against −$26,000 planned; 5% is below the
        6% threshold, so the trigger fires."""
        case = small()
        t = track(case, read_actuals(write(tmp_path, [(m, "containment", "5%") for m in months(6)]), case))
        assert round(t.reforecast.npv, 2) == -18760.33
        assert round(t.actual_net_to_date, 2) == -41000.00
        assert round(t.planned_net_to_date, 2) == -26000.00
        (m,) = t.metrics
        assert (m.status, m.latest, m.plan_latest, m.latest_month) == ("triggered", 0.05, 0.10, 6)
        assert [round(s.amount, 2) for s in t.bridge] == [-26000.00, -15000.00, -41000.00]
        out = tracking_json(t)
        assert out["metrics"][0] == {"key": "containment", "metric": "Containment", "measures": "levers.deflection.rate",
                                     "status": "triggered", "latest": 0.05, "latest_month": "2026-06", "plan": 0.1,
                                     "threshold": 0.06, "direction": "below"}

    def test_back_on_plan_in_the_latest_month_continues_at_plan(self, tmp_path):
        """5% for months 1–5, then 10% in month 6: only five months lose $2,500 each, all in year 1:
        NPV = 33,305.79 − 5 × 2,500/1.1 = 33,305.79 − 11,363.64 = $21,942.15; status on track."""
        rows = [(m, "containment", "5%") for m in months(5)] + [("2026-06", "containment", "10%")]
        case = small()
        t = track(case, read_actuals(write(tmp_path, rows), case))
        assert round(t.reforecast.npv, 2) == 21942.15
        assert t.metrics[0].status == "on_track"

    def test_off_track_more_than_ten_percent_below_plan(self, tmp_path):
        """8.9% against 10% is 11% below plan (off track) but above the 6% threshold (not triggered);
        9.1% is 9% below (on track)."""
        case = small()
        off = track(case, read_actuals(write(tmp_path, [("2026-01", "containment", "8.9%")]), case))
        on = track(case, read_actuals(write(tmp_path, [("2026-01", "containment", "9.1%")]), case))
        assert (off.metrics[0].status, on.metrics[0].status) == ("off_track", "on_track")

    def test_spend_above_plan_on_one_line_moves_costs_by_exactly_that_amount(self, tmp_path):
        """Licences $4,000 in March against $1,000 planned: costs to date up $3,000 exactly, NPV down
        3,000/1.1 = $2,727.27 to 33,305.79 − 2,727.27 = $30,578.51; the bridge's spend step is −$3,000."""
        case = small()
        t = track(case, read_actuals(write(tmp_path, [("2026-03", "spend:Licences", 4000)]), case))
        planned, actual = t.costs_to_date()
        assert round(actual - planned, 2) == 3000.00
        assert round(t.reforecast.npv, 2) == 30578.51
        assert round(t.plan.npv - t.reforecast.npv, 2) == 2727.27
        assert [(s.label, round(s.amount, 2)) for s in t.bridge][1] == ("Spend: Licences", -3000.00)
        assert t.spend() == [{"name": "Licences", "months": 1, "planned": 1000.0, "spent": 4000.0,
                              "difference": 3000.0}]

    def test_spend_replaces_the_risk_adjusted_plan_without_uplift(self, tmp_path):
        """With a 10% cost uplift the plan carries $1,100 a month of licences; $1,100 spent leaves
        costs as planned, $1,000 spent saves $100 (the uplift is for forecasts, not money spent)."""
        data = json.loads(json.dumps(SMALL))
        data["risk_adjustment"] = {"costs": 0.10}
        case = Case.model_validate(data)
        same = track(case, read_actuals(write(tmp_path, [("2026-02", "spend:Licences", 1100)]), case))
        less = track(case, read_actuals(write(tmp_path, [("2026-02", "spend:Licences", 1000)]), case))
        assert round(same.reforecast.npv, 2) == round(same.plan.npv, 2)
        assert round(less.costs_to_date()[0] - less.costs_to_date()[1], 2) == 100.00

    def test_contacts_above_plan_scale_volume_driven_benefits(self, tmp_path):
        """12,000 contacts a month against 10,000 planned: volume factor 1.2 to date and after, so
        deflection is worth $6,000 a month: NPV = −50,000 + 60,000/1.1 + 60,000/1.21 = $54,132.23."""
        case = small()
        t = track(case, read_actuals(write(tmp_path, [(m, "contacts", 12000) for m in months(3)]), case))
        assert round(t.reforecast.npv, 2) == 54132.23

    def test_no_actuals_is_the_plan(self, tmp_path):
        case = small()
        t = track(case, read_actuals(write(tmp_path, []), case))
        assert (t.months_elapsed, t.metrics[0].status, round(t.reforecast.npv, 2)) == (0, "no_data", 33305.79)
        assert headline(t).startswith("No actuals yet")

    def test_rolling_view_averages_the_last_twelve_months(self, tmp_path):
        """Months 1–13 at 1%, 2%, … 13%: the rolling value in month 13 is the mean of 2%…13% = 7.5%."""
        case = small()
        rows = [(f"{2026 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", "containment", f"{m}%") for m in range(1, 14)]
        t = track(case, read_actuals(write(tmp_path, rows), case))
        assert t.metrics[0].rolling_actual[13] == pytest.approx(0.075)
        assert np.isnan(t.metrics[0].rolling_actual[0])


class TestBadActuals:
    @pytest.mark.parametrize("rows, message", [
        ([("2026-01", "containmnet", "5%")], "row 2: metric = 'containmnet' is not a plan metric key, "
                                             "spend:<cost line> or contacts; did you mean containment?"),
        ([("2025-12", "containment", "5%")], "row 2: month = 2025-12 is before timeline.start 2026-01"),
        ([("2028-01", "containment", "5%")], "row 2: month = 2028-01 is past the horizon (24 months, to 2027-12)"),
        ([("2026-01", "containment", "5%"), ("2026-01", "containment", "6%")],
         "row 3: containment in 2026-01 is given twice (rows 2 and 3); keep one"),
        ([("2026-01", "containment", "lots")], "row 2: value = 'lots' for containment in 2026-01 is not a number"),
        ([("2026-1", "containment", "5%")], "row 2: month = '2026-1' is not a month; write YYYY-MM"),
        ([("2026-01", "containment", "5")], "row 2: value = 5 for containment in 2026-01 is not a fraction"),
        ([("2026-01", "spend:Licence", "5")], "did you mean spend:Licences?"),
    ])
    def test_one_line_exit_2_nothing_written(self, tmp_path, rows, message):
        case_path = tmp_path / "case.json"
        case_path.write_text(json.dumps(SMALL), encoding="utf-8")
        out = tmp_path / "out.html"
        done = runner.invoke(app, ["track", str(case_path), str(write(tmp_path, rows)), "-o", str(out)])
        assert done.exit_code == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and lines[0].startswith("error: Small Unit: actuals.csv")
        assert not out.exists()

    def test_every_problem_is_listed(self, tmp_path):
        case = small()
        rows = [("2026-01", "x", 1), ("2026-02", "containment", "?"), ("2026-03", "containment", "5%")]
        with pytest.raises(TrackError) as error:
            read_actuals(write(tmp_path, rows), case)
        assert [line.split(":")[1].strip() for line in str(error.value).splitlines()] == [
            "actuals.csv row 2", "actuals.csv row 3"]

    def test_a_case_without_timeline_start(self, tmp_path):
        out = tmp_path / "out.html"
        done = runner.invoke(app, ["track", str(EXAMPLE), str(ACTUALS), "-o", str(out)])
        assert done.exit_code == 2 and not out.exists()
        assert done.stderr.strip().splitlines() == [
            "error: EMEA Retail Support: timeline.start is not given; tracking needs the calendar month of "
            "month 1, go-live (e.g. timeline: {start: 2026-01})"]

    def test_excel_actuals(self, tmp_path):
        import pandas as pd

        path = tmp_path / "actuals.xlsx"
        pd.DataFrame({"month": ["2026-01", "2026-02"], "metric": ["containment"] * 2, "value": [0.05, "5%"]}
                     ).to_excel(path, index=False)
        case = small()
        assert read_actuals(path, case).values == {"containment": {1: 0.05, 2: 0.05}}


class TestCaseFields:
    def test_cases_without_tracking_fields_keep_their_hash(self, example_case):
        """The new optional fields are left out of the canonical JSON when absent."""
        text = canonical_json(example_case)
        assert '"start"' not in text and '"measures"' not in text and '"key"' not in text

    @pytest.mark.parametrize("change, message", [
        ({"timeline": {"start": "2026-13"}}, "timeline.start"),
        ({"measurement_plan": [{"metric": "M", "key": "m", "threshold": 0.1}]}, "threshold and direction go together"),
        ({"measurement_plan": [{"metric": "M", "key": "m", "measures": "levers.upsell.conversion_lift"}]},
         "measures a lever the case does not use"),
        ({"measurement_plan": [{"metric": "M", "key": "m", "measures": "levers.deflection.rates"}]}, "measures"),
        ({"measurement_plan": [{"metric": "M", "key": "m"}, {"metric": "N", "key": "m"}]}, "already used"),
        ({"measurement_plan": [{"metric": "M", "measures": "levers.deflection.rate"}]}, "needs a key"),
    ])
    def test_bad_tracking_fields(self, change, message):
        data = json.loads(json.dumps(SMALL))
        for k, v in change.items():
            data[k] = {**data[k], **v} if isinstance(v, dict) else v
        with pytest.raises(CaseError, match=message):
            _validate(data)


def _validate(data):
    from roi_kit.case.schema import _validate as validate

    return validate(data, unit=data["unit"])


class TestCommand:
    def test_json_has_the_agreed_fields(self, tmp_path):
        out = tmp_path / "track.html"
        done = runner.invoke(app, ["track", str(TRACKED), str(ACTUALS), "-o", str(out), "--json"])
        assert done.exit_code == 0, done.stderr
        data = json.loads(done.stdout)
        assert {"unit", "as_of", "months_elapsed", "plan_npv", "reforecast_npv", "planned_net_to_date",
                "actual_net_to_date", "metrics"} <= set(data)
        assert (data["as_of"], data["months_elapsed"]) == ("2026-06", 6)
        assert all({"key", "status", "latest", "plan"} <= set(m) for m in data["metrics"])
        assert out.exists() and "<script data-roi-kit=\"plotlyjs\">" in out.read_text(encoding="utf-8")

    def test_page_states_the_reforecast_in_one_sentence(self, tmp_path):
        case = load_case(TRACKED)
        t = track(case, read_actuals(ACTUALS, case))
        page = render(t)
        assert headline(t) == ("6 months in (to Jun 2026), the re-forecast NPV is $4.0M, $386k (9%) below the "
                               "plan's $4.4M, and payback moves from month 10 to month 11.")
        assert headline(t).replace("'", "&#39;") in page


class TestContinuing:
    def test_a_month_without_an_actual_carries_the_ratio_before_it(self, tmp_path):
        """5% in January and March, nothing in February: February carries January's ratio (0.5), so
        all 24 months are at half, as in the six-month case: NPV −$18,760.33."""
        case = small()
        rows = [("2026-01", "containment", "5%"), ("2026-03", "containment", "5%")]
        t = track(case, read_actuals(write(tmp_path, rows), case))
        assert round(t.reforecast.npv, 2) == -18760.33
        assert np.isnan(t.metrics[0].actual[2]) and t.months_elapsed == 3

    def test_a_metric_measuring_contacts_per_year_sets_volume(self, tmp_path):
        """144,000 contacts a year against 120,000 is the 1.2 volume factor of 12,000 a month: $54,132.23."""
        data = json.loads(json.dumps(SMALL))
        data["measurement_plan"].append({"metric": "Contacts, annualised", "key": "volume",
                                         "measures": "baseline.contacts_per_year"})
        case = Case.model_validate(data)
        t = track(case, read_actuals(write(tmp_path, [("2026-01", "volume", 144000)]), case))
        assert round(t.reforecast.npv, 2) == 54132.23
        with pytest.raises(TrackError, match="gives both contacts and volume"):
            read_actuals(write(tmp_path, [("2026-01", "volume", 144000), ("2026-01", "contacts", 12000)]), case)

    @given(k=st.integers(1, 24), ramp=st.sampled_from([0, 3, 6, 9, 30]),
           shape=st.sampled_from(["linear", "s-curve"]), discounting=st.sampled_from(["annual", "monthly"]))
    def test_actuals_equal_to_plan_never_move_the_npv(self, tmp_path_factory, k, ramp, shape, discounting):
        """Whatever the ramp, its shape, the discounting and the months elapsed, actuals equal to
        each month's plan leave NPV and net to date as planned (to the cent)."""
        case = small(ramp_months=ramp, ramp_shape=shape, discounting=discounting)
        blank = track(case, read_actuals(write(tmp_path_factory.mktemp("a"), []), case))
        plan = blank.metrics[0].plan
        rows = [(f"{2026 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", "containment", repr(float(plan[m])))
                for m in range(1, k + 1)]
        t = track(case, read_actuals(write(tmp_path_factory.mktemp("b"), rows), case))
        assert round(t.reforecast.npv, 2) == round(t.plan.npv, 2)
        assert round(t.actual_net_to_date, 2) == round(t.planned_net_to_date, 2)
