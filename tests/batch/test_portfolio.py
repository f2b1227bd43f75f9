"""The portfolio page: totals by hand, user text escaped, failures listed, nothing fetched."""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime

import pytest

from roi_kit.batch.portfolio import (
    group_totals,
    read_fx,
    render_portfolio,
    scenario_totals,
    totals,
)
from roi_kit.errors import BatchError

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def _row(unit, npv, pv_costs, pv_benefits, payback, *, currency="USD", run_rate=0.0, slug=None):
    return {
        "unit": unit,
        "scenario": "expected",
        "status": "ok",
        "error": "",
        "currency": currency,
        "npv": npv,
        "roi": npv / pv_costs,
        "irr": 0.5,
        "payback_months": payback,
        "pv_benefits": pv_benefits,
        "pv_costs": pv_costs,
        "run_rate_net_benefit": run_rate,
        "report": f"{slug or unit.lower()}.html",
        "source": f"{unit}.yaml",
    }


ROWS = [
    _row("North", 1_500_000.0, 1_000_000.0, 2_500_000.0, 7.5, run_rate=900_000.0),
    _row("South", -200_000.0, 800_000.0, 600_000.0, None, run_rate=-50_000.0),
    {
        "unit": "<script>alert('x')</script>",
        "scenario": "expected",
        "status": "failed",
        "error": "baseline.abandon_rate = 6 is not a fraction <b>",
        "currency": "",
        "source": "bad.yaml",
        "report": "",
    },
]


def test_totals_by_hand():
    t = totals(ROWS)["USD"]
    # NPV 1,500,000 − 200,000 = 1,300,000; PV costs 1,000,000 + 800,000 = 1,800,000
    assert t["npv"] == pytest.approx(1_300_000.0)
    assert t["pv_costs"] == pytest.approx(1_800_000.0)
    assert t["pv_benefits"] == pytest.approx(3_100_000.0)
    # portfolio ROI = Σ NPV / Σ PV costs = 1.3M / 1.8M = 72.2%, not the mean of 150% and −25%
    assert t["roi"] == pytest.approx(1_300_000 / 1_800_000)
    assert t["units"] == 2 and t["paid_back"] == 1  # South never pays back; the failed unit is out


def test_totals_keep_currencies_apart():
    t = totals([*ROWS[:2], _row("Paris", 100.0, 50.0, 150.0, 3.0, currency="EUR")])
    assert set(t) == {"USD", "EUR"}
    assert t["EUR"]["npv"] == 100.0 and t["USD"]["npv"] == pytest.approx(1_300_000.0)


def test_page_escapes_user_text_and_lists_failures():
    page = render_portfolio(ROWS, generated_at=WHEN)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "fraction &lt;b&gt;" in page
    assert "Failed (1)" in page
    # a failed unit has no link; units that ran link to their report
    assert 'href="north.html"' in page and 'href="south.html"' in page
    assert page.count("<a href=") == 2 * 3  # NPV bars, payback bars, table: once each per ok unit


def test_page_is_offline_and_has_every_section():
    page = render_portfolio(ROWS, generated_at=WHEN)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page  # pure HTML/CSS and inline SVG
    for heading in ("Portfolio totals", "Net present value by unit", "Payback by unit",
                    "Investment against NPV", "All units"):
        assert heading in page
    assert "2026-11-22 09:30 UTC" in page
    assert page.count("<circle") == 2  # one point per unit that ran


def test_bars_sorted_by_npv_and_negative_in_red():
    page = render_portfolio(ROWS, generated_at=WHEN)
    npv_section = page.split("Net present value by unit")[1].split("Payback by unit")[0]
    assert npv_section.index("North") < npv_section.index("South")
    assert "#D55E00" in npv_section  # South's negative bar


def test_no_unit_ran():
    page = render_portfolio(ROWS[2:], generated_at=WHEN)
    assert "No unit ran" in page and "Failed (1)" in page
    assert math.isnan(totals([{**ROWS[0], "pv_costs": 0.0, "npv": 0.0}])["USD"]["roi"])


def test_money_is_never_charted_across_currencies():
    pass

    rows = [
        {"unit": "Bank", "scenario": "expected", "status": "ok", "currency": "USD", "npv": 2e6, "roi": 0.5,
         "pv_costs": 4e6, "payback_months": 14.0, "slug": "bank", "html": "bank.html"},
        {"unit": "Telco", "scenario": "expected", "status": "ok", "currency": "GBP", "npv": 9e6, "roi": 0.9,
         "pv_costs": 10e6, "payback_months": 13.0, "slug": "telco", "html": "telco.html"},
    ]
    page = render_portfolio(rows)
    # a currency with one unit gets a line of table, not a one-point chart
    assert page.count('<svg class="pf-scatter"') == 0 and page.count("pf-single") == 2
    assert "Units reporting in GBP" in page and "Units reporting in USD" in page
    assert "no exchange rate is applied" in page
    single = render_portfolio(rows[:1])
    assert single.count("pf-single") == 1 and "Units reporting in" not in single
    two = render_portfolio([rows[0], {**rows[1], "currency": "USD", "unit": "Telco"}])
    assert two.count('<svg class="pf-scatter"') == 1


def _ok(unit, scenario, currency, npv, pv_costs, pv_benefits, run_rate):
    return {"unit": unit, "scenario": scenario, "status": "ok", "currency": currency, "npv": npv,
            "pv_costs": pv_costs, "pv_benefits": pv_benefits, "run_rate_net_benefit": run_rate,
            "roi": npv / pv_costs, "payback_months": 12.0, "report": f"{unit}.html"}


def test_totals_are_per_scenario_never_added_across_scenarios():
    """Expected: NPV 13.0M = 9.0M + 4.0M; conservative 4.2M = 3.0M + 1.2M; never 17.2M."""
    rows = [
        _ok("North", "conservative", "USD", 3_000_000.0, 2_000_000.0, 5_000_000.0, 1.0),
        _ok("North", "expected", "USD", 9_000_000.0, 2_000_000.0, 11_000_000.0, 1.0),
        _ok("South", "conservative", "USD", 1_200_000.0, 1_000_000.0, 2_200_000.0, 1.0),
        _ok("South", "expected", "USD", 4_000_000.0, 1_000_000.0, 5_000_000.0, 1.0),
    ]
    by = scenario_totals(rows)
    assert by[("expected", "USD")]["npv"] == 13_000_000.0
    assert by[("conservative", "USD")]["npv"] == 4_200_000.0
    assert by[("expected", "USD")] == totals([r for r in rows if r["scenario"] == "expected"])["USD"]
    page = render_portfolio(rows)
    assert "$13.0M" in page and "$4.2M" in page and "$17.2M" not in page
    assert 'data-scenario="expected"' in page and 'data-scenario="conservative"' in page


def test_fx_gives_one_group_total_with_the_conversion_stated(tmp_path):
    """By hand, EUR group total, expected scenario:
    NPV: 2,000,000 USD x 0.92 = 1,840,000.00 EUR; 1,000,000 GBP x 1.17 = 1,170,000.00 EUR;
    500,000 EUR x 1 = 500,000.00 EUR; total 3,510,000.00 EUR.
    PV costs: 4,000,000 x 0.92 = 3,680,000.00; 2,000,000 x 1.17 = 2,340,000.00; 1,000,000;
    total 7,020,000.00 EUR; ROI = 3,510,000 / 7,020,000 = 50%.
    """
    fx_file = tmp_path / "fx.yaml"
    fx_file.write_text("currency: EUR\ndate: 2026-11-30\nsource: ECB reference rates\n"
                       "rates: {USD: 0.92, GBP: 1.17}\n")
    fx = read_fx(fx_file)
    rows = [
        _ok("Bank", "expected", "USD", 2_000_000.0, 4_000_000.0, 6_000_000.0, 100_000.0),
        _ok("Telco", "expected", "GBP", 1_000_000.0, 2_000_000.0, 3_000_000.0, 100_000.0),
        _ok("Utility", "expected", "EUR", 500_000.0, 1_000_000.0, 1_500_000.0, 100_000.0),
    ]
    group = group_totals(rows, fx)["expected"]
    assert round(group["npv"], 2) == 3_510_000.00
    assert round(group["pv_costs"], 2) == 7_020_000.00
    assert group["roi"] == pytest.approx(0.5)
    page = render_portfolio(rows, fx=fx)
    assert page.count('class="pf-tiles"') == 1 and 'data-currency="EUR"' in page
    assert "1 USD = 0.92 EUR" in page and "1 GBP = 1.17 EUR" in page
    assert "2026-11-30" in page and "ECB reference rates" in page
    with pytest.raises(BatchError, match="no rate for JPY"):
        render_portfolio([*rows, _ok("Tokyo", "expected", "JPY", 1.0, 1.0, 1.0, 1.0)], fx=fx)
    fx_file.write_text("currency: EUR\ndate: 2026-11-30\nsource: x\nrates: {USD: -1}\n")
    with pytest.raises(BatchError, match=r"rates.USD = -1 is not accepted"):
        read_fx(fx_file)


def test_scatter_ticks_fall_on_round_values_and_labels_are_whole():
    long = "Customer Operations — Northern Europe and the Baltics"
    rows = [
        _ok(long, "expected", "EUR", 226_000.0, 3_400_000.0, 1.0, 1.0),
        _ok("South", "expected", "EUR", 1_900_000.0, 1_300_000.0, 1.0, 1.0),
    ]
    page = render_portfolio(rows)
    scatter = page.split('<svg class="pf-scatter"')[1].split("</svg>")[0]
    ticks = re.findall(r'class="pf-tick">([^<]+)<', scatter)
    assert "€4M" in ticks or "€4.0M" in ticks
    assert not any("226" in t or "3.4M" in t for t in ticks)
    assert html.escape(long) in scatter
