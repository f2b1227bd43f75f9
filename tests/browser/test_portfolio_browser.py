"""The portfolio page on a phone (390 px): nothing wider than the screen, unit names broken only
between words, a one-unit currency as a table, nothing fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roi_kit.batch.portfolio import render_portfolio

LONG = "Customer Operations — Northern Europe and the Baltics"


def _row(unit: str, npv: float, currency: str = "USD", payback: float | None = 7.5) -> dict:
    return {
        "unit": unit, "scenario": "expected", "status": "ok", "error": "", "currency": currency,
        "npv": npv, "roi": npv / 1_000_000.0, "irr": 0.5, "payback_months": payback,
        "pv_benefits": npv + 1_000_000.0, "pv_costs": 1_000_000.0, "run_rate_net_benefit": npv / 3,
        "report": f"u{abs(hash(unit)) % 1000}.html", "source": "u.yaml",
    }


@pytest.mark.browser
def test_portfolio_reads_on_a_phone(browser: Any, tmp_path: Path) -> None:
    rows = [
        _row(LONG, 1_500_000.0),
        _row("Southern Retail Banking Contact Centre", -200_000.0, payback=None),
        _row("Business Customers", 640_000.0),
        _row("Zürich Private Clients", 310_000.0, currency="CHF"),  # one unit: a table, no chart
    ]
    page_file = tmp_path / "index.html"
    page_file.write_text(render_portfolio(rows), encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        page = context.new_page()
        leaving: list[str] = []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else (leaving.append(r.request.url), r.abort()))
        page.goto(page_file.as_uri(), wait_until="load")
        seen = page.evaluate("""() => {
            const canvas = document.createElement("canvas").getContext("2d");
            const names = [...document.querySelectorAll(".pf-name, .pf-table td:first-child")]
              .filter(el => el.textContent.trim());
            const broken = names.filter(el => {
              const style = getComputedStyle(el);
              canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
              const widest = Math.max(...el.textContent.trim().split(/\\s+/)
                .map(w => canvas.measureText(w).width));
              return el.getBoundingClientRect().width + 0.5 < widest;  // a word cut inside
            }).map(el => el.textContent.trim());
            const wide = [...document.querySelectorAll("body *")].filter(el => {
              if (el.closest(".pf-scroll")) return false;  // a table may scroll on its own
              const box = el.getBoundingClientRect();
              return box.width > 0 && box.right > window.innerWidth + 1;
            }).map(el => el.className || el.tagName);
            return {
              overflow: document.documentElement.scrollWidth > window.innerWidth,
              broken, wide: wide.slice(0, 5), names: names.length,
              scatters: document.querySelectorAll("svg.pf-scatter").length,
              text: document.body.innerText,
            };
        }""")
    finally:
        context.close()
    assert not leaving
    assert not seen["overflow"], seen["wide"]
    assert seen["wide"] == []
    assert seen["names"] >= 4 and seen["broken"] == [], seen["broken"]
    assert LONG in seen["text"] and "Zürich Private Clients" in seen["text"]
    assert seen["scatters"] == 1  # the USD units' chart; CHF, one unit, is a table
