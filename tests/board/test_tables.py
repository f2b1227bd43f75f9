"""Sections: HTML fragments show the engine's numbers through fmt, and every user string is inert."""

from __future__ import annotations

import html
import re

import pytest

from roi_kit import evaluate, evaluate_scenarios, load_case
from roi_kit.board import tables as sections
from roi_kit.board.methodology import formula_text, methodology, notes
from roi_kit.case import iter_inputs, read_case_file
from roi_kit.page import fmt

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = SCRIPT + IMG


@pytest.fixture(scope="module")
def hostile_case(example_path):
    """The example with hostile text in every free-text field a report shows."""
    data = read_case_file(example_path)
    data["unit"] = HOSTILE
    data["title"] = HOSTILE
    data["costs"]["one_time"][0]["name"] = HOSTILE
    data["benefits"][0]["name"] = HOSTILE
    data["baseline"]["segments"][0]["name"] = HOSTILE[:80]
    data["measurement_plan"][0] = {k: HOSTILE for k in ("metric", "owner", "source", "cadence", "trigger")}
    data["sources"]["baseline.cost_per_contact"] = HOSTILE
    return load_case(data)


def _all_fragments(case):
    r = evaluate(case)
    return {
        "baseline": sections.baseline_table(r),
        "scenarios": sections.scenario_table(evaluate_scenarios(case)),
        "costs": sections.cost_table(r),
        "annual": sections.annual_table(r),
        "measurement": sections.measurement_plan(case),
        "assumptions": sections.assumptions_register(case),
        "methodology": methodology(r),
    }


def _rows(fragment: str) -> dict[str, list[str]]:
    """{first cell text: [other cell texts]} of an HTML table (unescaped), for value checks."""
    out = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr)]
        if cells:
            out[cells[0]] = cells[1:]
    return out


class TestEscaping:
    def test_hostile_text_is_escaped_in_every_fragment(self, hostile_case):
        fragments = _all_fragments(hostile_case)
        for name, fragment in fragments.items():
            assert "<script" not in fragment, name
            assert "<img" not in fragment, name
            assert "onerror=alert(1)>" not in fragment, name
        escaped = html.escape(HOSTILE, quote=True)
        for name in ("baseline", "costs", "measurement", "assumptions", "methodology"):
            assert escaped in fragments[name], name

    def test_only_our_own_tags(self, hostile_case):
        allowed = {"table", "caption", "thead", "tbody", "tr", "th", "td", "br", "code", "div", "dl",
                   "dt", "dd", "span", "ul", "li"}
        for fragment in _all_fragments(hostile_case).values():
            assert set(re.findall(r"<([a-z]+)", fragment)) <= allowed


class TestTables:
    def test_styling_contract(self, result):
        frag = sections.annual_table(result)
        assert frag.startswith('<table class="roi-table roi-annual">')
        assert '<td class="num">' in frag and 'class="num neg"' in frag

    def test_annual_table_is_the_tei_layout_of_result_annual(self, result):
        rows = _rows(sections.annual_table(result))
        a = result.annual
        assert rows[""] == list(a.index)  # Initial, Year 1..N, Total, Present value
        assert rows["Net cash flow"] == [fmt.money(v, compact=False) for v in a["net"]]
        assert rows["Costs"] == [fmt.money(-v, compact=False) for v in a["costs"]]
        assert rows["Revenue protected"] == [fmt.money(v, compact=False) for v in a["revenue_protected"]]
        labels = list(rows)
        assert labels.index("Revenue protected") < labels.index("Cost savings")  # revenue first

    def test_cost_table_adjusted_total_equals_the_annual_costs(self, result, example_case):
        rows = _rows(sections.cost_table(result))
        # the example: one-time 450,000 + 3,100 h × $38 + 180,000 + 60,000 = 807,800; × 1.10 = 888,580
        # (columns: kind, the line's risk uplift, Initial, Year 1..N, Total)
        assert rows["Total before risk adjustment"][2] == "$807,800"
        assert rows["Total, risk-adjusted"][2] == "$888,580"
        assert example_case.risk_adjustment.costs == 0.10
        assert rows["Platform setup and integration"][1] == "10%"  # the case's uplift, no line of its own
        assert rows["Total, risk-adjusted"][2:] == [
            fmt.money(v, compact=False) for v in result.annual["costs"].iloc[:-1]
        ]
        for name in result.cost_lines["name"]:
            assert name in rows

    def test_scenario_table_has_each_scenarios_figures(self, scenarios):
        rows = _rows(sections.scenario_table(scenarios))
        assert rows[""] == ["Conservative", "Expected", "Optimistic"]
        assert rows["Net present value"] == [fmt.money(r.summary["npv"], compact=False) for r in scenarios.values()]
        assert rows["Payback"][1] == (
            f"{fmt.months(scenarios['expected'].summary['payback_months'])} "
            f"({fmt.duration(scenarios['expected'].summary['payback_months'])})"
        )
        assert rows["IRR, annual"] == [fmt.pct(r.summary["irr"]) for r in scenarios.values()]

    def test_baseline_table_matches_the_reference_case(self, result):
        rows = _rows(sections.baseline_table(result))
        # DESIGN reference: 1,200,000 × $4.80 = $5,760,000; 14% repeats -> 1,032,000 resolutions, $5.58
        assert rows["Operating cost per year"][0] == "$5,760,000"
        assert rows["Resolutions"][0] == "1,032,000"
        assert rows["Cost per resolution"][0] == "$5.58"

    def test_assumptions_register_lists_every_input_with_its_source(self, example_case):
        frag = sections.assumptions_register(example_case)
        inputs = iter_inputs(example_case)
        # every input, then one row per correlation group (delivery, baseline)
        assert frag.split("<tbody>")[1].count("<tr>") == len(inputs) + 2
        for row in inputs:
            assert f"<code class=\"note\">{html.escape(row.path)}</code>" in frag
        assert "FY25 finance allocation, cost centre 4410" in frag
        assert "$4.80" in frag and "USD per contact" in frag
        # list items are grouped under their own name; pillar keys read as labels
        assert '<tr class="group"><th scope="row" colspan="5">Levers · Risk · Mis-disclosure fine</th></tr>' in frag
        assert "<td>cost_savings</td>" not in frag and ">Cost savings<" in frag

    def test_assumptions_register_repeats_its_title_in_its_header(self, example_case):
        # printed over several pages, the register is titled on each: chromium repeats a thead
        # on every page, never a caption, so the caption is also the header's first row
        frag = sections.assumptions_register(example_case)
        caption = re.search(r"<caption>(.*?)</caption>", frag).group(1)
        head = frag.split("<thead>")[1].split("</thead>")[0]
        rows = re.findall(r"<tr[^>]*>.*?</tr>", head)
        columns = re.findall(r'<th[^>]*scope="col"', rows[-1])
        assert rows[0] == (f'<tr class="roi-table__title"><th colspan="{len(columns)}" '
                           f'scope="colgroup">{caption}</th></tr>')
        assert len(rows) == 2 and len(columns) == 5

    def test_assumptions_register_shows_the_range_the_tornado_and_the_simulation_use(self, example_case):
        from roi_kit import sensitivity

        case = example_case.with_overrides({"uncertainty": {"levers.deflection.rate": {"low": "6%", "high": "12%"}},
                                            "uncertainty_correlation": 0.8})
        rows = _rows(sections.assumptions_register(case))
        # the tornado's row for the rate runs 6% to 12%: the register says so, and whence
        tornado = sensitivity(case).set_index("path").loc["levers.deflection.rate"]
        assert (tornado.low_value, tornado.high_value) == (pytest.approx(0.06), pytest.approx(0.12))
        assert rows["Deflection ratelevers.deflection.rate"][2] == "6.0% – 12.0% (triangular, the case's uncertainty section)"
        # the default cost overrun: 95% to 135% of $450,000
        assert rows["Amountcosts.one_time.0.amount"][2] == "$427,500 – $607,500 (triangular, default cost overrun)"
        assert rows["Automated costlevers.deflection.automated_cost"][2] == "fixed"
        delivery = rows["Delivery group (programme delivery: levers, ramp and costs)"]
        assert delivery[0] == "0.8" and delivery[-1] == "the case's uncertainty_correlation"

    def test_measurement_plan(self, example_case):
        rows = _rows(sections.measurement_plan(example_case))
        first = example_case.measurement_plan[0]
        assert rows[first.metric] == [first.owner, first.source, first.cadence, first.trigger]

    def test_methodology_plugs_in_the_numbers(self, result):
        frag = html.unescape(methodology(result))
        s = result.summary
        m = lambda x: fmt.money(x, compact=False)  # noqa: E731
        assert f"{m(s['pv_benefits'])} − {m(s['pv_costs'])} = {m(s['npv'])}" in frag
        assert f"= {fmt.pct(s['roi'])}" in frag
        for note in notes(result.case):
            assert note in frag
        for _, line in result.lines.iterrows():
            assert formula_text(line["lever"], line["terms"], result.case.currency) in frag
