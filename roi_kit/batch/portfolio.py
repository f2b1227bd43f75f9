"""The batch's portfolio page: every unit's case rolled up on one offline HTML page.

``render_portfolio(rows)`` takes the batch summary rows (``roi_kit.batch``: unit, scenario, status,
error, currency, npv, roi, irr, payback_months, pv_benefits, pv_costs, run_rate_net_benefit,
report …) and returns one self-contained page in the board report's style: portfolio totals per
currency, NPV and payback by unit as bars, investment (PV of costs) against NPV as a scatter,
a table linking to each report, and the failures. Charts are plain HTML/CSS and inline SVG: no
script, no network reference, and it prints. All user text is escaped.

Totals: NPV, PV of benefits, PV of costs and run-rate net benefit are sums over the units that
ran, one scenario at a time (a unit's conservative and expected cases are never added); portfolio
ROI = Σ NPV / Σ PV(costs) (the same definition as a unit's ROI, not an average). With exchange
rates (:func:`read_fx`, ``--fx FX.yaml``) each scenario also gets one group total in the group
currency, the rates, their date and source stated on the page; without, totals stay per currency.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from roi_kit import __version__
from roi_kit.errors import BatchError
from roi_kit.page import fmt
from roi_kit.page.resources import generation_stamp
from roi_kit.page.theme import nice_ticks

NAVY, INK, MUTED, RULE = "#0b2545", "#1d2733", "#7b8794", "#d5dbe1"
GOOD, BAD, ACCENT = "#0072B2", "#D55E00", "#e69f00"  # Okabe-Ito blue / vermillion, board amber

Row = Mapping[str, Any]


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)



def _num(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    number = float(value)
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class FxRates:
    """Exchange rates into one group currency: ``rates[c]`` group units per 1 unit of ``c``."""

    currency: str
    rates: Mapping[str, float]
    as_of: str
    source: str

    def rate(self, currency: str) -> float:
        if currency == self.currency:
            return 1.0
        try:
            return self.rates[currency]
        except KeyError:
            raise BatchError(
                f"--fx: no rate for {currency} (rates given: {', '.join(sorted(self.rates)) or 'none'}); "
                f"add '{currency}: <{self.currency} per 1 {currency}>' under rates"
            ) from None

    def note(self, currencies: Sequence[str]) -> str:
        pairs = ", ".join(
            f"1 {c} = {self.rate(c):g} {self.currency}" for c in currencies if c != self.currency
        )
        return f"Converted to {self.currency} at {pairs or 'no conversion'} (rates of {self.as_of}, source: {self.source})."


def read_fx(path: str | os.PathLike[str]) -> FxRates:
    """An FX file: ``currency`` (the group's), ``date``, ``source`` and ``rates`` (per 1 unit)::

        currency: EUR
        date: 2026-11-30
        source: ECB reference rates
        rates: {USD: 0.92, GBP: 1.17}
    """
    where = Path(path)
    try:
        data = yaml.safe_load(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise BatchError(f"--fx {where}: cannot read it ({' '.join(str(error).split())})") from None
    if not isinstance(data, dict):
        raise BatchError(f"--fx {where}: expected a mapping with currency, date, source, rates")
    missing = [k for k in ("currency", "date", "source", "rates") if not data.get(k)]
    if missing:
        raise BatchError(f"--fx {where}: missing {', '.join(missing)} (needs currency, date, source, rates)")
    currency = str(data["currency"]).strip().upper()
    when = data["date"]
    if not isinstance(when, date):
        raise BatchError(f"--fx {where}: date = {when!r} is not a date (write it as 2026-11-30)")
    if not isinstance(data["rates"], dict):
        raise BatchError(f"--fx {where}: rates must map a currency to its rate, e.g. USD: 0.92")
    rates = {}
    for code, value in data["rates"].items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise BatchError(
                f"--fx {where}: rates.{code} = {value!r} is not accepted (a positive number: "
                f"{currency} per 1 {code})"
            )
        rates[str(code).strip().upper()] = float(value)
    return FxRates(currency, rates, when.isoformat(), str(data["source"]))


_TOTAL_KEYS = ("npv", "pv_benefits", "pv_costs", "run_rate_net_benefit")


def group_totals(rows: Sequence[Row], fx: FxRates) -> dict[str, dict[str, float]]:
    """Per scenario, one total in ``fx.currency``: each unit's amounts times its currency's rate."""
    out: dict[str, dict[str, float]] = {}
    for row in rows:
        if row.get("status") != "ok":
            continue
        t = out.setdefault(
            str(row.get("scenario")), dict.fromkeys(("units", *_TOTAL_KEYS, "paid_back"), 0.0)
        )
        rate = fx.rate(fmt.currency_of(row))
        t["units"] += 1
        for key in _TOTAL_KEYS:
            t[key] += (_num(row.get(key)) or 0.0) * rate
        t["paid_back"] += _num(row.get("payback_months")) is not None
    for t in out.values():
        t["roi"] = t["npv"] / t["pv_costs"] if t["pv_costs"] else math.nan
    return out


def scenario_totals(rows: Sequence[Row]) -> dict[tuple[str, str], dict[str, float]]:
    """Totals per (scenario, currency): the same unit's scenarios are never added together."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    for scenario in dict.fromkeys(str(r.get("scenario")) for r in rows):
        part = [r for r in rows if str(r.get("scenario")) == scenario]
        for currency, t in totals(part).items():
            out[(scenario, currency)] = t
    return out


def totals(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """Portfolio totals per currency over the units that ran (ROI = Σ NPV / Σ PV costs); give it
    one scenario's rows (:func:`scenario_totals` splits them)."""
    out: dict[str, dict[str, float]] = {}
    for row in rows:
        if row.get("status") != "ok":
            continue
        t = out.setdefault(
            str(row.get("currency") or ""),
            dict.fromkeys(
                ("units", "npv", "pv_benefits", "pv_costs", "run_rate_net_benefit", "paid_back"),
                0.0,
            ),
        )
        t["units"] += 1
        for key in ("npv", "pv_benefits", "pv_costs", "run_rate_net_benefit"):
            t[key] += _num(row.get(key)) or 0.0
        t["paid_back"] += _num(row.get("payback_months")) is not None
    for t in out.values():
        t["roi"] = t["npv"] / t["pv_costs"] if t["pv_costs"] else math.nan
    return out


def _link(row: Row) -> str:
    name = _e(row.get("unit"))
    report = row.get("report")
    if row.get("status") == "ok" and report:
        return f'<a href="{_e(report)}">{name}</a>'
    return name


def _label(row: Row, many_scenarios: bool) -> str:
    extra = f' <span class="pf-muted">{_e(row.get("scenario"))}</span>' if many_scenarios else ""
    return _link(row) + extra


def _bars(rows: Sequence[Row], key: str, fmt_value, *, many: bool, reverse: bool) -> str:
    """Horizontal bars around a zero line, one per unit, sorted by ``key``."""
    ok = [r for r in rows if r.get("status") == "ok"]
    if not ok:
        return '<p class="pf-muted">No unit ran.</p>'
    values = [_num(r.get(key)) for r in ok]
    finite = [v for v in values if v is not None]
    lo, hi = min([0.0, *finite]), max([0.0, *finite])
    span = (hi - lo) or 1.0
    zero = (0 - lo) / span * 100
    order = sorted(
        zip(ok, values, strict=True),
        key=lambda rv: (rv[1] is None, -(rv[1] or 0) if reverse else (rv[1] or 0)),
    )
    out = []
    for row, value in order:
        if value is None:
            bar = '<span class="pf-none">not within the horizon</span>'
        else:
            left = min(zero, (value - lo) / span * 100)
            width = max(abs(value) / span * 100, 0.4)
            colour = BAD if value < 0 else GOOD
            bar = (
                f'<span class="pf-bar" style="left:{left:.2f}%;width:{width:.2f}%;'
                f'background:{colour}"></span>'
            )
        out.append(
            f'<div class="pf-row"><div class="pf-name">{_label(row, many)}</div>'
            f'<div class="pf-track"><span class="pf-zero" style="left:{zero:.2f}%"></span>{bar}'
            f'</div><div class="pf-val">{_e(fmt_value(row, value))}</div></div>'
        )
    return "\n".join(out)


def _scatter(rows: Sequence[Row], *, many: bool) -> str:
    """Inline SVG: PV of costs (x) against NPV (y), one labelled point per unit."""
    pts = [
        (r, _num(r.get("pv_costs")), _num(r.get("npv"))) for r in rows if r.get("status") == "ok"
    ]
    pts = [(r, x, y) for r, x, y in pts if x is not None and y is not None]
    if not pts:
        return '<p class="pf-muted">No unit ran.</p>'
    currency = fmt.currency_of(pts[0][0])
    if len(pts) == 1:  # one point is no chart: say it in a line of table
        row, x, y = pts[0]
        return (
            '<table class="pf-table pf-single"><thead><tr><th>Unit</th><th>Investment (PV of '
            f'costs)</th><th>NPV</th></tr></thead><tbody><tr><td>{_label(row, many)}</td>'
            f'<td class="pf-n">{_e(fmt.money(x, currency))}</td>'
            f'<td class="pf-n">{_e(fmt.money(y, currency))}</td></tr></tbody></table>'
        )
    w, h, ml, mr, mt, mb = 900, 380, 80, 30, 20, 50
    xs, ys = [p[1] for p in pts], [p[2] for p in pts]
    xticks = nice_ticks(0.0, max(xs) or 1.0, target=4)
    yticks = nice_ticks(min(0.0, min(ys)), max(0.0, max(ys)), target=4)
    x0, x1 = xticks[0], xticks[-1]
    y0, y1 = yticks[0], yticks[-1]

    def sx(v: float) -> float:
        return ml + (v - x0) / (x1 - x0) * (w - ml - mr)

    def sy(v: float) -> float:
        return mt + (y1 - v) / (y1 - y0) * (h - mt - mb)

    parts = [
        f'<svg class="pf-scatter" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="Investment (PV of costs) against NPV by unit">',
        f'<line x1="{ml}" x2="{w - mr}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" stroke="{MUTED}"/>',
        f'<line x1="{ml}" x2="{ml}" y1="{mt}" y2="{h - mb}" stroke="{RULE}"/>',
    ]
    for xv in xticks:  # round values only (nice_ticks): $0, $1M, $2M …
        parts.append(
            f'<text x="{sx(xv):.1f}" y="{h - mb + 20}" text-anchor="middle" class="pf-tick">'
            f"{_e(fmt.money(xv, currency))}</text>"
        )
    for yv in yticks:
        parts.append(
            f'<text x="{ml - 8}" y="{sy(yv) + 4:.1f}" text-anchor="end" class="pf-tick">'
            f"{_e(fmt.money(yv, currency))}</text>"
        )
    parts.append(
        f'<text x="{(ml + w - mr) / 2}" y="{h - 8}" text-anchor="middle" class="pf-axis">'
        "Investment (present value of costs)</text>"
        f'<text x="14" y="{(mt + h - mb) / 2}" text-anchor="middle" class="pf-axis" '
        f'transform="rotate(-90 14 {(mt + h - mb) / 2})">Net present value</text>'
    )
    for row, x, y in pts:
        colour = BAD if y < 0 else GOOD
        right_half = sx(x) > (ml + w - mr) / 2  # label on the side with room
        anchor, dx = ("end", -10) if right_half else ("start", 10)
        name = str(row.get("unit"))
        if many:
            name += f" ({row.get('scenario')})"
        parts.append(
            f"<g><title>{_e(name)}: NPV {_e(fmt.money(y, currency))}, investment "
            f'{_e(fmt.money(x, currency))}</title><circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="7" '
            f'fill="{colour}" fill-opacity="0.85" stroke="#fff"/><text x="{sx(x) + dx:.1f}" '
            f'y="{sy(y) + 4:.1f}" text-anchor="{anchor}" class="pf-point">{_e(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _per_currency(rows: Sequence[Row], draw) -> str:
    """``draw`` once per currency: money is never put on one scale across currencies."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(fmt.currency_of(row), []).append(row)
    if len(groups) <= 1:
        return draw(rows)
    return "\n".join(
        f'<h3 class="pf-sub">Units reporting in {_e(cur)}</h3>{draw(group)}'
        for cur, group in sorted(groups.items())
    )


def _tiles(rows: Sequence[Row], fx: FxRates | None = None) -> str:
    """Total tiles per scenario (and per currency, or one group total with ``fx``)."""
    scenarios = list(dict.fromkeys(str(r.get("scenario")) for r in rows))
    out = []
    for scenario in scenarios:
        part = [r for r in rows if str(r.get("scenario")) == scenario]
        if fx is not None:
            groups = group_totals(part, fx)
            found = {fx.currency: groups[scenario]} if scenario in groups else {}
        else:
            found = totals(part)
        if len(scenarios) > 1 and found:
            out.append(f'<h3 class="pf-sub">{_e(scenario.capitalize())} scenario</h3>')
        out.append(_tile_sets(found, scenario))
    if fx is not None:
        currencies = sorted({fmt.currency_of(r) for r in rows if r.get("status") == "ok"})
        out.append(f'<p class="pf-fx">{_e(fx.note(currencies))}</p>')
    return "\n".join(o for o in out if o) or '<p class="pf-muted">No unit ran, so there are no totals.</p>'


def _tile_sets(found: Mapping[str, Mapping[str, float]], scenario: str) -> str:
    out = []
    for currency, t in sorted(found.items()):
        cur = currency or "USD"
        tiles = (
            ("Total NPV", fmt.money(t["npv"], cur)),
            ("Portfolio ROI", fmt.pct(t["roi"], 0)),
            ("PV of benefits", fmt.money(t["pv_benefits"], cur)),
            ("PV of investment", fmt.money(t["pv_costs"], cur)),
            (fmt.RUN_RATE_NET_BENEFIT, fmt.money(t["run_rate_net_benefit"], cur)),
            ("Pay back within horizon", f"{int(t['paid_back'])} of {int(t['units'])}"),
        )
        cells = "".join(
            f'<div class="pf-tile"><div class="pf-tile__k">{_e(k)}</div>'
            f'<div class="pf-tile__v">{_e(v)}</div></div>'
            for k, v in tiles
        )
        out.append(
            f'<div class="pf-tiles" data-currency="{_e(cur)}" data-scenario="{_e(scenario)}">'
            f"{cells}</div>"
        )
    return "\n".join(out)


def _table(rows: Sequence[Row], many: bool) -> str:
    head = (
        "<tr><th>Unit</th><th>Scenario</th><th>NPV</th><th>ROI</th><th>IRR</th><th>Payback</th>"
        f"<th>PV benefits</th><th>PV costs</th><th>{_e(fmt.RUN_RATE_NET_BENEFIT)}</th><th>Status</th></tr>"
    )
    body = []
    for row in rows:
        cur = fmt.currency_of(row)
        ok = row.get("status") == "ok"
        cells = (
            [fmt.money(_num(row.get(k)), cur) for k in ("npv",)]
            + [fmt.pct(_num(row.get("roi")), 0), fmt.pct(_num(row.get("irr")), 0)]
            + [
                fmt.months(_num(row.get("payback_months")), never="beyond horizon")
                if ok
                else fmt.DASH
            ]
            + [fmt.money(_num(row.get(k)), cur) for k in ("pv_benefits", "pv_costs")]
            + [fmt.money(_num(row.get("run_rate_net_benefit")), cur)]
        )
        status = "ok" if ok else ("not run" if row.get("status") == "not run" else "failed")
        css = status.replace(" ", "-")
        body.append(
            f'<tr class="pf-{css}"><td>{_link(row)}</td><td>{_e(row.get("scenario"))}</td>'
            + "".join(f'<td class="pf-n">{_e(c)}</td>' for c in cells)
            + f'<td><span class="pf-status pf-status--{css}">{status}</span></td></tr>'
        )
    return f'<table class="pf-table"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


TRACKING_WORDS = {"triggered": "trigger fired", "off_track": "off track", "on_track": "on track",
                  "no_data": "no data yet", "no_actuals": "no actuals", "failed": "actuals rejected"}


def _tracking(rows: Sequence[Row]) -> str:
    """Plan against re-forecast per unit, with its tracking status (``batch --actuals``)."""
    tracked = [r for r in rows if "tracking_status" in r]
    if not tracked:
        return ""
    body = []
    for r in tracked:
        cur, status = fmt.currency_of(r), str(r.get("tracking_status"))
        plan, re = _num(r.get("plan_npv")), _num(r.get("reforecast_npv"))
        name = (f'<a href="{_e(r.get("tracking_page"))}">{_e(r.get("unit"))}</a>' if r.get("tracking_page")
                else _e(r.get("unit")))
        gap = re - plan if plan is not None and re is not None else None
        why = f'<br><code>{_e(r.get("tracking_error"))}</code>' if r.get("tracking_error") else ""
        body.append(
            f'<tr class="pf-tracking pf-tracking--{_e(status)}"><td>{name}{why}</td><td>{_e(r.get("as_of") or fmt.DASH)}</td>'
            + "".join(f'<td class="pf-n">{_e(fmt.money(v, cur))}</td>' for v in (plan, re, gap))
            + f'<td><span class="pf-status pf-status--{"ok" if status == "on_track" else "failed"}" '
            f'data-tracking="{_e(status)}">{_e(TRACKING_WORDS.get(status, status))}</span></td></tr>')
    head = ("<tr><th>Unit</th><th>Actuals to</th><th>Plan NPV</th><th>Re-forecast NPV</th><th>Difference</th>"
            "<th>Tracking</th></tr>")
    return (f'<section class="pf-section pf-tracking"><h2>Plan against re-forecast</h2>'
            f'<p class="pf-lede">Each unit\'s approved case re-evaluated with its months to date replaced by '
            f'actuals; the status is its worst metric\'s. Click a unit for its tracking page.</p>'
            f'<table class="pf-table"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></section>')


def _failures(rows: Sequence[Row]) -> str:
    failed = [r for r in rows if r.get("status") != "ok"]
    if not failed:
        return ""
    items = "".join(
        f'<li><strong>{_e(r.get("unit"))}</strong> <span class="pf-muted">'
        f"{_e(r.get('scenario'))} · {_e(r.get('source'))}</span><br><code>{_e(r.get('error'))}</code></li>"
        for r in failed
    )
    return (
        f'<section class="pf-section pf-failures"><h2>Failed ({len(failed)})</h2>'
        f"<p>These units have no report. Fix the input and rerun the batch: units that "
        f"succeeded are not redone.</p><ul>{items}</ul></section>"
    )


CSS = f"""
*{{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}}
body{{margin:0;color:{INK};font:15px/1.55 "Helvetica Neue",Helvetica,"Segoe UI",Arial,
"Liberation Sans","DejaVu Sans",sans-serif;-webkit-font-smoothing:antialiased}}
h1,h2{{font-family:"Iowan Old Style","Palatino Linotype",Palatino,Georgia,"DejaVu Serif",serif;
font-weight:400;color:{NAVY}}}
.pf-cover{{background:{NAVY};color:#fff;border-bottom:6px solid {ACCENT}}}
.pf-wrap{{max-width:1000px;margin:0 auto;padding:0 24px}}
.pf-cover .pf-wrap{{padding:56px 24px 36px}}
.pf-kicker{{font-size:12px;letter-spacing:.16em;text-transform:uppercase;color:#aebdd0;margin:0 0 14px}}
.pf-cover h1{{color:#fff;font-size:40px;line-height:1.15;margin:0 0 24px}}
.pf-facts{{display:flex;flex-wrap:wrap;gap:10px 44px;margin:0}}
.pf-facts dt{{font-size:11px;letter-spacing:.14em;text-transform:uppercase;color:#93a5bb}}
.pf-facts dd{{margin:2px 0 0;font-size:16px;font-variant-numeric:tabular-nums}}
.pf-section{{margin:44px 0 0;padding-top:16px;border-top:1px solid {RULE};break-inside:avoid}}
.pf-section h2{{font-size:26px;margin:0 0 4px}}
.pf-lede{{color:#4a5563;margin:0 0 18px}}
.pf-sub{{font:600 13px/1.3 system-ui,sans-serif;letter-spacing:.06em;text-transform:uppercase;color:#4a5563;margin:22px 0 8px}}
.pf-tiles{{display:grid;grid-template-columns:repeat(3,1fr);gap:1px;background:{RULE};
border:1px solid {RULE};margin:18px 0}}
.pf-tile{{background:#fff;padding:14px 18px}}
.pf-tile__k{{font-size:11px;letter-spacing:.12em;text-transform:uppercase;color:{MUTED}}}
.pf-tile__v{{font-size:26px;color:{NAVY};font-variant-numeric:tabular-nums}}
.pf-row{{display:grid;grid-template-columns:230px 1fr 120px;align-items:center;gap:12px;
padding:5px 0;border-bottom:1px solid #eef1f4}}
.pf-name{{overflow-wrap:break-word;min-width:0}}
.pf-track{{position:relative;height:18px}}
.pf-bar{{position:absolute;top:2px;height:14px;border-radius:1px}}
.pf-zero{{position:absolute;top:-4px;bottom:-4px;border-left:1px solid {MUTED}}}
.pf-none{{position:absolute;left:0;top:0;font-size:12px;color:{MUTED};font-style:italic}}
.pf-val{{text-align:right;font-variant-numeric:tabular-nums}}
.pf-scatter{{width:100%;height:auto}}
.pf-tick{{font-size:12px;fill:{MUTED}}} .pf-axis{{font-size:13px;fill:#4a5563}}
.pf-point{{font-size:12px;fill:{INK}}}
.pf-table{{width:100%;border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums}}
.pf-table th{{text-align:left;font-weight:600;color:{NAVY};border-bottom:2px solid {NAVY};
padding:6px 8px;font-size:12px;text-transform:uppercase;letter-spacing:.06em}}
.pf-table td{{padding:6px 8px;border-bottom:1px solid #eef1f4;overflow-wrap:break-word}}
.pf-n{{text-align:right;white-space:nowrap}}
.pf-status{{font-size:11px;text-transform:uppercase;letter-spacing:.08em;padding:2px 6px}}
.pf-status--ok{{color:{GOOD};border:1px solid {GOOD}}}
.pf-status--failed{{color:{BAD};border:1px solid {BAD}}}
.pf-failures li{{margin:0 0 10px}} .pf-failures code{{color:{BAD};white-space:pre-wrap;
overflow-wrap:anywhere}}
.pf-muted{{color:{MUTED}}}
a{{color:{NAVY}}}
footer{{margin:48px 0 32px;padding-top:12px;border-top:1px solid {RULE};font-size:12px;color:{MUTED}}}
.pf-fx{{font-size:13px;color:#4a5563}}
.pf-scroll{{overflow-x:auto}}
@media (max-width:600px){{.pf-wrap{{padding:0 14px}} .pf-cover h1{{font-size:30px}}
.pf-tiles{{grid-template-columns:1fr 1fr}} .pf-tile__v{{font-size:20px}}
.pf-row{{grid-template-columns:1fr auto;gap:2px 10px}} .pf-track{{grid-column:1/-1;grid-row:2}}
.pf-name,.pf-table td{{overflow-wrap:break-word;word-break:normal;hyphens:auto}}}}
@media print{{@page{{size:A4 landscape;margin:14mm}} .pf-cover .pf-wrap{{padding:28px 24px}}
a{{text-decoration:none}}}}
"""


def render_portfolio(
    rows: Sequence[Row],
    *,
    title: str = "Contact-centre AI portfolio",
    generated_at: datetime | None = None,
    fx: FxRates | None = None,
) -> str:
    """The portfolio page for a batch's summary rows, as one HTML string (``fx``: one group total
    per scenario in its currency, the conversion stated)."""
    stamp = generation_stamp(generated_at)["generated_at"]
    scenarios = list(dict.fromkeys(str(r.get("scenario")) for r in rows))
    many = len(scenarios) > 1
    ok = sum(1 for r in rows if r.get("status") == "ok")
    units = len({r.get("unit") for r in rows})

    def money(row: Row, v: float | None) -> str:
        return fmt.money(v, fmt.currency_of(row))

    def payback(row: Row, v: float | None) -> str:
        return fmt.months(v, never="beyond horizon")

    facts = (
        ("Units", str(units)),
        ("Scenario", ", ".join(scenarios)),
        ("Reports", f"{ok} of {len(rows)}"),
        ("Generated", stamp),
    )
    currencies = sorted({fmt.currency_of(r) for r in rows})
    currency_note = (
        f" Amounts stay in each unit's currency ({', '.join(currencies)}); no exchange rate is applied."
        if len(currencies) > 1
        else ""
    )
    if fx is not None:
        for currency in currencies:
            fx.rate(currency)  # a currency without a rate: one clear line, before any page
    facts_html = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{CSS}</style></head>
<body><header class="pf-cover"><div class="pf-wrap"><p class="pf-kicker">Portfolio roll-up</p>
<h1>{_e(title)}</h1><dl class="pf-facts">{facts_html}</dl></div></header>
<main class="pf-wrap">
<section class="pf-section"><h2>Portfolio totals</h2>
<p class="pf-lede">Sums over the units that ran, one scenario at a time; ROI is total NPV over total present value of costs.</p>
{_tiles(rows, fx) if fx is not None else _per_currency(rows, _tiles)}</section>
<section class="pf-section"><h2>Net present value by unit</h2>
<p class="pf-lede">Risk-adjusted, over each case's horizon; click a unit for its board report.{currency_note}</p>
{_per_currency(rows, lambda group: _bars(group, "npv", money, many=many, reverse=True))}</section>
<section class="pf-section"><h2>Payback by unit</h2>
<p class="pf-lede">The month in which the cumulative net turns positive; shorter is better.</p>
{_bars(rows, "payback_months", payback, many=many, reverse=False)}</section>
<section class="pf-section"><h2>Investment against NPV</h2>
<p class="pf-lede">Each point is a unit: how much it costs (present value) and what it returns.</p>
{_per_currency(rows, lambda group: _scatter(group, many=many))}</section>
<section class="pf-section"><h2>All units</h2><div class="pf-scroll">{_table(rows, many)}</div></section>
{_tracking(rows)}
{_failures(rows)}
<footer>roi_kit {_e(__version__)} · generated {_e(stamp)} ·
figures from each unit's report; see summary.csv for the full table.</footer>
</main></body></html>
"""
