"""The ``roi-kit costs`` command: JSON contract, output folder, and one-line errors with exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from roi_kit.cli import app
from roi_kit.costing import analyse
from roi_kit.errors import CostingError

FIX = Path(__file__).parent / "fixtures"
CONTRACT = ("rows_in", "rows_used", "excluded", "repaired", "contacts_handled", "contacts_abandoned",
            "abandon_rate", "aht_seconds", "cost_per_contact", "cost_per_resolution", "repeat_rate",
            "top_decile_cost_share", "by_channel", "by_type")


@pytest.fixture
def runner():
    return CliRunner()


def test_json_contract(runner, tmp_path):
    rates = tmp_path / "rates.yaml"
    rates.write_text("default_hourly_cost: 30\n")
    res = runner.invoke(app, ["costs", str(FIX / "hand.csv"), "--rates", str(rates), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(CONTRACT) <= set(data)
    assert {row["channel"] for row in data["by_channel"]} == {"voice", "chat"}
    assert sum(row["contacts_handled"] for row in data["by_type"]) == data["contacts_handled"] == 5


def test_out_writes_tables_baseline_and_page(runner, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["costs", str(FIX / "raw_export.csv"), "--rates", str(FIX / "hand_rates.yaml"),
                              "--mapping", str(FIX / "raw_mapping.yaml"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"by_channel.csv", "by_type.csv", "by_team.csv", "by_segment.csv", "efficiency.csv",
            "abandon_by_hour.csv", "data_quality.csv", "baseline.yaml", "costs.html"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    assert "baseline" in yaml.safe_load((out / "baseline.yaml").read_text())
    html = (out / "costs.html").read_text()
    assert html.count("Plotly.newPlot") == 2
    page = re.sub(r'<script data-roi-kit="plotlyjs">.*?</script>', "", html, flags=re.DOTALL)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.IGNORECASE)


def test_csv_cells_are_formula_safe(tmp_path):
    from roi_kit.costing import write_outputs

    path = tmp_path / "e.csv"
    path.write_text((FIX / "hand.csv").read_text().replace("T1", "=HYPERLINK(1)"))
    write_outputs(analyse(path, {"default_hourly_cost": 30}), tmp_path / "o")
    assert "'=HYPERLINK(1)" in (tmp_path / "o" / "by_team.csv").read_text()


@pytest.mark.parametrize(("args", "needle"), [
    (["missing.csv", "--rates", "{rates}"], "missing.csv: no such file"),
    (["{hand}"], "no rates given"),
    (["{hand}", "--rates", "{badrates}"], "default_hourly_cost"),
    (["{hand}", "--rates", "{rates}", "--mapping", "{badmap}"], "'Nope'"),
    (["{nochannel}", "--rates", "{rates}"], "required column 'channel'"),
    (["{weird}", "--rates", "{rates}"], "unknown file type"),
    (["{hand}", "--rates", "{rates}", "--memory-limit", "lots"], "memory_limit = 'lots' is not accepted"),
])
def test_bad_input_is_one_line_exit_2(runner, tmp_path, args, needle):
    files = {"rates": "default_hourly_cost: 30\n", "badrates": "default_hourly_cost: -4\n",
             "badmap": "columns: {channel: Nope}\n"}
    paths = {k: tmp_path / f"{k}.yaml" for k in files}
    for k, text in files.items():
        paths[k].write_text(text)
    paths["hand"] = FIX / "hand.csv"
    paths["nochannel"] = tmp_path / "nochannel.csv"
    paths["nochannel"].write_text((FIX / "hand.csv").read_text().replace("channel,", "medium,", 1))
    paths["weird"] = tmp_path / "contacts.json"
    paths["weird"].write_text("{}")
    res = runner.invoke(app, ["costs", *[a.format(**{k: str(v) for k, v in paths.items()}) for a in args]])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in res.output


def test_bad_rate_value_names_field_and_value():
    with pytest.raises(CostingError, match=r"occupancy = 1.5: .*less than or equal to 1"):
        analyse(FIX / "hand.csv", {"default_hourly_cost": 30, "occupancy": "150%"})


def test_unmatched_percent_text_is_refused():
    with pytest.raises(CostingError, match="shrinkage"):
        analyse(FIX / "hand.csv", {"default_hourly_cost": 30, "shrinkage": "lots"})


def test_spilling_under_a_small_memory_limit_gives_the_same_figures(runner, tmp_path):
    """Data larger than the memory limit: DuckDB spills to --temp-dir and the figures do not change.
    400,000 contacts need ~40 MB in the checked table alone, over a 24 MB limit."""
    from roi_kit.costing import write_contacts

    path = write_contacts(tmp_path / "big.parquet", 400_000, seed=11, dirty=0.002)
    rates = tmp_path / "rates.yaml"
    rates.write_text("default_hourly_cost: 30\n")
    spill = tmp_path / "spill"
    base = ["costs", str(path), "--rates", str(rates), "--json", "--threads", "1"]
    small = runner.invoke(app, [*base, "--memory-limit", "24MB", "--temp-dir", str(spill)])
    assert small.exit_code == 0, small.output
    plain = json.loads(runner.invoke(app, base).output)
    tight = json.loads(small.output)
    for key in ("rows_in", "rows_used", "excluded", "repaired", "repeats", "contacts_handled"):
        assert tight[key] == plain[key], key
    for key in ("total_cost", "cost_per_contact", "cost_p90", "top_decile_cost_share"):
        assert tight[key] == pytest.approx(plain[key], rel=1e-12), key
    # the limit is really applied: far below what even spilling needs, the run stops with one line
    starved = runner.invoke(app, [*base, "--memory-limit", "1MB", "--temp-dir", str(spill)])
    assert starved.exit_code == 2 and "Out of Memory" in starved.output
    assert "--memory-limit" in starved.output and len(starved.output.strip().splitlines()) == 1
