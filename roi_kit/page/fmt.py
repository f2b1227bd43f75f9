"""One place for every number a reader sees: money, percentages, months, multiples, counts.

The HTML tables, the chart axes and hover labels, and the narrative sentences all format through
these functions, so "$4.2M" in a headline is "$4.2M" on the waterfall and in the scenario table.

Conventions (decided once, here):

- **Negative numbers** use the true minus sign U+2212 before the currency symbol: ``−$310k``.
- **Missing values** (``None``, NaN) read as an em dash ``—``.
- **Rounding** is half-up on the decimal value as written (``5.575`` → ``5.58``), not banker's
  rounding and not the binary float's error: money to the cent matches a hand computation.
- **Compact money** keeps about three significant figures: ``$845k``, ``$8.5k``, ``$1.2M``,
  ``$120M``, ``$1.4B``. Billions are ``B`` (never plotly's SI ``G``); below one thousand the whole
  amount is shown (``$310``). A value that rounds up to the next scale moves to it
  (999,960 → ``$1.0M``, not ``$1,000k``).
- **Currency**: a symbol for common ISO codes (USD ``$``, EUR ``€``, GBP ``£`` …), otherwise the
  code and a space (``CHF 1.2M``). Yen and won have no minor unit, so their exact form has no cents.
- **Payback phrasing**: payback is a month count interpolated from the cumulative net (6.4 means
  the cumulative net turns non-negative 40% of the way through the 7th month). It is reported as
  the month *during which* it happens — ``payback_month(6.4) == 7``, "pays back in month 7";
  exactly 6.0 is month 6 (it turns at the end of month 6). ``None`` (never within the horizon)
  reads "not within the horizon". ``duration(6.4)`` gives the raw "6.4 months" for tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

#: The one name of ``summary["run_rate_net_benefit"]`` (benefits a year at full run-rate, less the
#: running costs) wherever a reader meets it: the form's headline, the report, the portfolio.
RUN_RATE_NET_BENEFIT = "Net benefit a year, at run-rate"

MINUS = "\u2212"
DASH = "\u2014"

CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "KRW": "₩",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "MXN": "MX$",
    "BRL": "R$",
}
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW"})

_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def is_missing(x: object) -> bool:
    """True for ``None`` and NaN (what every formatter shows as an em dash)."""
    return x is None or (isinstance(x, Real) and math.isnan(float(x)))


def _round_half_up(x: float, places: int) -> Decimal:
    """``x`` rounded half-up to ``places`` decimals, on its shortest decimal repr (5.575 → 5.58)."""
    quantum = Decimal(1).scaleb(-places)
    return Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)


def _grouped(d: Decimal, places: int) -> str:
    return f"{d:,.{places}f}"



def currency_of(obj: object) -> str:
    """The currency a result, case or summary row is in: ``obj.case.currency``, ``obj.currency`` or
    ``obj["currency"]``; USD when it names none."""
    case = getattr(obj, "case", obj)
    found = case.get("currency") if isinstance(case, dict) else getattr(case, "currency", None)
    return str(found or "USD")


def currency_symbol(currency: str = "USD") -> str:
    """The prefix for ``currency``: a symbol when common (``$``), else the ISO code and a space."""
    code = (currency or "USD").upper()
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def _signed(body: str, negative: bool, currency: str) -> str:
    return f"{MINUS if negative else ''}{currency_symbol(currency)}{body}"


def compact_number(x: float) -> str:
    """A number in about three significant figures with a k/M/B/T suffix: 845k, 8.5k, 1.2M, 120M.

    One decimal below 100 of the unit, none above; a value that rounds into the next unit moves
    up (999,960 → 1.0M).

    >>> compact_number(1_234_567), compact_number(845_000), compact_number(8_450), compact_number(310)
    ('1.2M', '845k', '8.5k', '310')
    >>> compact_number(999_960), compact_number(-42_250)
    ('1.0M', '−42.3k')
    """
    if is_missing(x):
        return DASH
    a = abs(float(x))
    scales = ((1.0, ""), *reversed(_SCALES))
    i = max(k for k, (size, _) in enumerate(scales) if a >= size or k == 0)
    while True:
        size, suffix = scales[i]
        places = 0 if suffix == "" or a / size >= 100 else 1
        rounded = _round_half_up(a / size, places)
        if rounded >= 1000 and i + 1 < len(scales):
            i += 1
            continue
        break
    if rounded == 0:
        return "0"
    sign = MINUS if float(x) < 0 else ""
    return f"{sign}{rounded:,.{places}f}{suffix}"


def money(x: float | None, currency: str = "USD", *, compact: bool = True, trim: bool = False) -> str:
    """Money for readers: ``$1.2M``, ``$845k``, ``−$310k`` (compact) or ``$1,234,567`` (whole units).

    ``trim=True`` drops a trailing ".0" (``$2M``), for chart ticks that are round by construction.

    >>> money(1_234_567), money(-310_000), money(1_234_567, compact=False), money(2e9, "EUR")
    ('$1.2M', '−$310k', '$1,234,567', '€2.0B')
    >>> money(2_000_000, trim=True), money(2_500_000, trim=True)
    ('$2M', '$2.5M')
    """
    if is_missing(x):
        return DASH
    v = float(x)
    if compact:
        body = compact_number(abs(v))
        if trim and "." in body:
            number_part, suffix = body[:-1], body[-1]
            if not suffix.isdigit() and number_part.endswith(".0"):
                body = number_part[:-2] + suffix
    else:
        d = _round_half_up(abs(v), 0)
        body = _grouped(d, 0)
    negative = v < 0 and body.strip("0.,") != ""
    return _signed(body, negative, currency)


def money_exact(x: float | None, currency: str = "USD") -> str:
    """Money to the cent with thousands separators: ``$5.58``, ``−$1,234.50`` (no cents for JPY/KRW).

    >>> money_exact(5760000 / 1032000), money_exact(-1234.5), money_exact(0.205)
    ('$5.58', '−$1,234.50', '$0.21')
    """
    if is_missing(x):
        return DASH
    places = 0 if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else 2
    d = _round_half_up(abs(float(x)), places)
    return _signed(_grouped(d, places), float(x) < 0 and d != 0, currency)


def money_unit(x: float | None, currency: str = "USD") -> str:
    """Money at the precision its value carries: cents only for a fractional amount below 1,000.

    >>> money_unit(4.8), money_unit(38), money_unit(450000), money_unit(1234.56)
    ('$4.80', '$38', '$450,000', '$1,235')
    """
    if is_missing(x):
        return DASH
    v = float(x)
    if abs(v) < 1000 and abs(v - round(v)) >= 0.005:
        return money_exact(v, currency)
    return money(v, currency, compact=False)


def pct(x: float | None, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: ``pct(0.143) == "14.3%"``, ``pct(3.287, 0) == "329%"``.

    >>> pct(0.143), pct(3.287, 0), pct(-0.1), pct(0.02, signed=True)
    ('14.3%', '329%', '−10.0%', '+2.0%')
    """
    if is_missing(x):
        return DASH
    d = _round_half_up(abs(float(x)) * 100, digits)
    negative = float(x) < 0 and d != 0
    sign = MINUS if negative else ("+" if signed and d != 0 else "")
    return f"{sign}{d:,.{digits}f}%"


def points(x: float | None, digits: int = 1) -> str:
    """A difference of two rates in percentage points: ``points(0.08) == "8.0 pts"``."""
    if is_missing(x):
        return DASH
    d = _round_half_up(abs(float(x)) * 100, digits)
    sign = MINUS if float(x) < 0 and d != 0 else ""
    unit = "pt" if d == 1 else "pts"
    return f"{sign}{d:.{digits}f} {unit}"


def multiple(x: float | None, digits: int = 1) -> str:
    """A ratio as a multiple: ``multiple(3.287) == "3.3×"``."""
    if is_missing(x):
        return DASH
    d = _round_half_up(abs(float(x)), digits)
    sign = MINUS if float(x) < 0 and d != 0 else ""
    return f"{sign}{d:.{digits}f}×"


def number(x: float | None, digits: int = 0, *, compact: bool = False) -> str:
    """A plain count: ``number(1234567) == "1,234,567"``; ``compact=True`` gives ``"1.2M"``."""
    if is_missing(x):
        return DASH
    if compact:
        return compact_number(x)
    d = _round_half_up(abs(float(x)), digits)
    sign = MINUS if float(x) < 0 and d != 0 else ""
    return f"{sign}{d:,.{digits}f}"


def payback_month(payback_months: float | None) -> int | None:
    """The month during which payback happens: ``ceil`` of the interpolated figure, at least 1.

    6.4 → 7 (during the 7th month); 6.0 → 6 (at the end of the 6th); 0 → 1; None → None.
    """
    if is_missing(payback_months):
        return None
    return max(1, math.ceil(round(float(payback_months), 6)))  # ignore interpolation noise


def months(payback_months: float | None, *, never: str = "not within the horizon") -> str:
    """A payback figure as a reader says it: ``months(6.4) == "month 7"``; ``None`` → ``never``."""
    m = payback_month(payback_months)
    return never if m is None else f"month {m}"


def duration(n_months: float | None, digits: int = 1) -> str:
    """A length of time in months: ``duration(6.4) == "6.4 months"``, ``duration(36, 0) == "36 months"``."""
    if is_missing(n_months):
        return DASH
    d = _round_half_up(float(n_months), digits)
    unit = "month" if d == 1 else "months"
    return f"{d:,.{digits}f} {unit}"


def horizon(n_months: float | int) -> str:
    """A horizon as a reader says it: 36 → "36 months (3 years)", 30 → "30 months"."""
    n = int(n_months)
    if n % 12 == 0 and n >= 12:
        years = n // 12
        return f"{n} months ({years} year{'s' if years != 1 else ''})"
    return f"{n} months"


def value(x: object, unit: str = "", currency: str = "USD") -> str:
    """An input value formatted by its unit (the assumptions register and tornado labels).

    Units as in ``roi_kit.case.field_doc``: ``money`` and ``money/…`` (:func:`money_unit`:
    ``$4.80``, ``$38``, ``$450,000``), ``month`` (a month index: ``month 0``), ``rate`` and ``rate/…`` (percent with the decimals the
    value needs: ``12.5%``, ``6.25%``), ``seconds…`` (``30 s``), ``hours…`` (``3,100 h``),
    ``months`` (``6 months``), ``text``; anything else is a count (``1,200,000``). Lists are
    formatted element-wise and joined; booleans read yes/no.
    """
    if isinstance(x, bool):
        return "yes" if x else "no"
    if is_missing(x):
        return DASH
    if isinstance(x, Sequence) and not isinstance(x, str):
        return ", ".join(value(v, unit, currency) for v in x)
    if not isinstance(x, Real):
        return str(x)
    u = (unit or "").lower()
    v = float(x)
    if u.startswith("money"):
        return money_unit(v, currency)
    if u.startswith(("rate", "fraction", "share")):
        return pct(v, _rate_digits(v))
    if u.startswith("seconds"):
        return f"{number(v, _digits(v))} s"
    if u.startswith("hours"):
        return f"{number(v, _digits(v))} h"
    if u.startswith("months"):
        return f"{number(v, _digits(v))} month{'' if v == 1 else 's'}"
    if u == "month":  # a month index: 0 is the initial investment, 1 the first month
        return f"month {number(v, _digits(v))}"
    return number(v, _digits(v))


def unit_label(unit: str, currency: str = "USD") -> str:
    """A unit as a reader says it: ``money/contact`` → ``USD per contact``, ``rate/year`` → ``% per year``.

    >>> unit_label("money/customer/year", "EUR"), unit_label("rate"), unit_label("contacts/year")
    ('EUR per customer per year', '%', 'contacts per year')
    """
    if not unit or unit in {"text", "choice", "month"}:
        return ""
    head, *rest = unit.split("/")
    words = {"money": currency, "rate": "%", "seconds": "seconds", "hours": "hours"}.get(head, head)
    return " per ".join([words, *rest])


def _digits(x: float) -> int:
    """Decimals needed to show ``x`` faithfully (0 for whole numbers, up to 2)."""
    for places in (0, 1, 2):
        if abs(x - round(x, places)) < 1e-9:
            return places
    return 2


def _rate_digits(x: float) -> int:
    """Decimals needed to show the rate ``x`` as a percentage faithfully (1 at least, up to 3)."""
    for places in (1, 2, 3):
        if abs(x * 100 - round(x * 100, places)) < 1e-9:
            return places
    return 3
