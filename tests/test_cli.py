"""The evaluate and validate commands, as an analyst runs them."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLE
from typer.testing import CliRunner

from roi_kit import evaluate, load_case
from roi_kit.cli import app

runner = CliRunner()

KEYS = {"unit", "scenario", "currency", "npv", "roi", "simple_roi", "irr", "payback_months", "pv_benefits",
        "pv_costs", "run_rate_net_benefit", "cost_per_contact_before", "cost_per_contact_after",
        "cost_per_resolution_before", "cost_per_resolution_after", "pillars", "annual"}


def test_evaluate_json_contract():
    done = runner.invoke(app, ["evaluate", str(EXAMPLE), "--scenario", "conservative", "--json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    assert set(out) >= KEYS
    expected = evaluate(load_case(EXAMPLE), "conservative").summary
    assert out["scenario"] == "conservative"
    assert out["npv"] == expected["npv"]
    assert out["roi"] == expected["roi"] and out["roi"] < 10  # a fraction, not a percentage
    assert [row["period"] for row in out["annual"]][:2] == ["Initial", "Year 1"]
    assert out["annual"][0]["costs"] > 0  # costs are positive amounts
    assert set(out["pillars"]) == {"cost_savings", "revenue_protected", "revenue_generated", "risk_avoided"}


def test_evaluate_never_paying_back_gives_null(tmp_path):
    path = tmp_path / "loss.yaml"
    path.write_text("unit: Loss\nbaseline: {contacts_per_year: 1000, cost_per_contact: 1}\n"
                    "costs: {one_time: [{name: Big, amount: 1000000}]}\n")
    out = json.loads(runner.invoke(app, ["evaluate", str(path), "--json"]).stdout)
    assert out["payback_months"] is None and out["irr"] is None


def test_evaluate_text_summary():
    done = runner.invoke(app, ["evaluate", str(EXAMPLE)])
    assert done.exit_code == 0
    assert "EMEA Retail Support" in done.stdout and "NPV" in done.stdout and "Payback" in done.stdout


def test_bad_case_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("unit: EMEA-2\nbaseline: {contacts_per_year: 1000, cost_per_contact: 1, abandon_rate: 6}\n")
    done = runner.invoke(app, ["evaluate", str(path)])
    assert done.exit_code == 2
    assert done.stderr.strip() == 'error: EMEA-2: baseline.abandon_rate = 6 is not a fraction between 0 and 1 (write 0.06 or "6%")'


def test_unknown_scenario_exit_2():
    done = runner.invoke(app, ["evaluate", str(EXAMPLE), "--scenario", "rosy"])
    assert done.exit_code == 2
    assert "is not one of conservative, expected, optimistic" in done.stderr


def test_validate_ok():
    done = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert done.exit_code == 0 and done.stdout.strip().endswith(": ok")


def test_validate_reports_what_the_model_needs(tmp_path):
    path = tmp_path / "retention.yaml"
    path.write_text("unit: Care\nbaseline: {contacts_per_year: 1000, cost_per_contact: 4, gross_margin: 40%}\n"
                    "levers: {retention: {churn_rate_after: 5%}}\n")
    done = runner.invoke(app, ["validate", str(path)])
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        f"{path}: Care: levers.retention needs baseline.customers, baseline.churn_rate "
        "and baseline.annual_value_per_customer")


@pytest.mark.parametrize(("args", "needle"), [
    (["batch", "units", "-o", "out", "--workers", "0"], "roi-kit batch: Invalid value for '--workers'"),
    (["costs", "x.csv", "--threads", "0"], "roi-kit costs: Invalid value for '--threads'"),
    (["evaluate"], "roi-kit evaluate: Missing argument 'case'"),
    (["evaluate", "case.yaml", "--bogus"], "roi-kit evaluate: No such option: --bogus"),
    (["evalute", "case.yaml"], "roi-kit: No such command 'evalute'"),
])
def test_a_mistyped_command_line_is_one_line_and_exit_2(args, needle):
    done = runner.invoke(app, args, prog_name="roi-kit")
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {needle}"), done.stderr
    assert lines[0].endswith("--help)") and not done.stdout


def test_help_and_no_arguments_still_show_the_help():
    assert runner.invoke(app, ["costs", "--help"]).exit_code == 0
    done = runner.invoke(app, [])
    assert "Usage" in done.output and "error:" not in done.output


# -- issue 17: output places that cannot be written, Ctrl-C, hostile files: one line each ----------

def _no_kernel(monkeypatch, error: BaseException | None = None):
    """Replace the report's renderer: these tests are about the command's handling, not a kernel."""
    calls = []

    def fake_render(case, *, scenario, output, pdf):
        calls.append(output)
        if error is not None:
            raise error
        return output

    monkeypatch.setattr("roi_kit.cli.render", fake_render)
    return calls


def test_report_on_a_folder_is_one_line_before_any_kernel_starts(tmp_path, monkeypatch):
    calls = _no_kernel(monkeypatch)
    done = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path)])
    assert done.exit_code == 2 and calls == []
    assert done.stderr.strip() == f"error: {tmp_path}: is a folder; give the report's file name, e.g. {tmp_path}/report.html"


def test_report_under_an_existing_file_is_one_line(tmp_path, monkeypatch):
    calls = _no_kernel(monkeypatch)
    (tmp_path / "plain").write_text("x")
    target = tmp_path / "plain" / "report.html"
    done = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(target)])
    assert done.exit_code == 2 and calls == []
    assert done.stderr.strip() == f"error: {target}: cannot be written: {tmp_path / 'plain'} is a file, not a folder"


@pytest.mark.parametrize(("errno_", "words"), [(28, "No space left on device"), (13, "Permission denied"),
                                               (30, "Read-only file system")])
def test_report_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, errno_, words):
    """A full disk, a read-only place: the renderer writes atomically, so nothing is half-written."""
    import os

    _no_kernel(monkeypatch, OSError(errno_, os.strerror(errno_)))
    target = tmp_path / "r.html"
    done = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(target)])
    assert done.exit_code == 2
    assert done.stderr.strip() == f"error: {target}: cannot be written ({words})"
    assert "Traceback" not in done.output


def test_ctrl_c_in_report_and_validate_is_one_line_exit_130(monkeypatch, tmp_path):
    _no_kernel(monkeypatch, KeyboardInterrupt())
    done = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 130
    assert done.stderr.strip() == "interrupted: no report written"

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("roi_kit.cli.load_case", interrupt)
    done = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert done.exit_code == 130
    assert done.stderr.strip() == "interrupted: 0 of 1 files checked"


def test_validate_a_folder_and_an_alias_bomb_one_line_each(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    bomb.write_text("\n".join(rows) + "\nunit: *i\n")
    done = runner.invoke(app, ["validate", str(tmp_path), str(bomb)])
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0] == f"{tmp_path}: {tmp_path} is a folder, not a case file (give a .yaml or .json file)"
    assert lines[1].startswith(f"{bomb}: bomb: the file is refused: line 5, column ")
    assert lines[1].endswith("aliases (*name) expand to more than 10,000 values; a case is far smaller (write the values out)")
    assert len(lines) == 2


def test_version_and_python_dash_m():
    import subprocess
    import sys

    from roi_kit import __version__

    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0 and done.stdout.strip() == f"roi-kit {__version__}"
    module = subprocess.run([sys.executable, "-m", "roi_kit", "--version"], capture_output=True, text=True)
    assert module.returncode == 0 and module.stdout.strip() == f"roi-kit {__version__}"
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout


def test_schema_accepts_percent_strings_and_the_example():
    import jsonschema

    from roi_kit.case import read_case_file

    done = runner.invoke(app, ["schema"])
    assert done.exit_code == 0
    schema = json.loads(done.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    data = read_case_file(EXAMPLE)
    assert list(validator.iter_errors(data)) == []
    data["levers"]["deflection"]["rate"] = "14%"
    assert list(validator.iter_errors(data)) == []
    data["levers"]["deflection"]["rate"] = "lots"
    assert list(validator.iter_errors(data))


def test_validate_json(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit: X\nbaseline: {contacts_per_year: -5}\n")
    done = runner.invoke(app, ["validate", str(EXAMPLE), str(bad), "--json"])
    assert done.exit_code == 2
    out = json.loads(done.stdout)
    assert out["ok"] is False
    assert [f["ok"] for f in out["files"]] == [True, False]
    assert out["files"][1]["problems"]
