"""Text entry: what a CX leader types into a box, read as the number (or list of numbers) they meant.

Numbers are read by Babel in the user's locale (:func:`default_locale` from the environment, or
the form's locale option): ``4,80`` is 4.80 where the comma is the decimal mark (de_DE, fr_FR),
``1,200,000`` is 1,200,000 where it groups thousands (en_US). Text that does not follow the
locale's own pattern (``4,80`` in en_US, ``1.5`` in de_DE: it could mean either) is refused with
a hint naming both readings, never scaled silently (:class:`EntryError`).
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal

#: The locale used when the environment names none (or one Babel does not know).
FALLBACK_LOCALE = "en_US"

_SPACES = "\u00a0\u202f\u2009 "


class EntryError(ValueError):
    """Typed text that is not a number in the box's locale: ``str(error)`` is the one-line hint."""


def default_locale(environ: dict[str, str] | None = None) -> str:
    """The user's locale for numbers: ``LC_ALL``, ``LC_NUMERIC`` or ``LANG`` (``de_DE.UTF-8`` → ``de_DE``).

    ``C``/``POSIX`` or a locale Babel does not know gives :data:`FALLBACK_LOCALE`.
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_NUMERIC", "LANG"):
        value = (env.get(name) or "").split(".")[0].split("@")[0]
        if value and value not in {"C", "POSIX"}:
            try:
                return str(Locale.parse(value))
            except (ValueError, UnknownLocaleError):
                continue
    return FALLBACK_LOCALE


def check_locale(locale: str) -> str:
    """``locale`` as Babel names it (``de-DE`` → ``de_DE``); an unknown one raises :class:`EntryError`."""
    try:
        return str(Locale.parse(str(locale).replace("-", "_")))
    except (ValueError, UnknownLocaleError) as error:
        raise EntryError(f"{locale!r} is not a locale (write one like en_US, de_DE or fr_FR)") from error


def marks(locale: str) -> tuple[str, str]:
    """The locale's decimal mark and thousands separator: ``("." , ",")`` for en_US."""
    return get_decimal_symbol(locale), get_group_symbol(locale)


def _shown(value: float, percent: bool) -> float:
    """What a number box shows: percentages for rates, rounded off binary noise (14.000000000000002)."""
    return round(value * 100, 10) if percent else value


def _number_text(value: Any, percent: bool = False, locale: str = FALLBACK_LOCALE) -> str:
    """A number as typed in a text box, in ``locale``: 1200000, 4.8 (4,8 in de_DE), 12.5 for a 12.5% rate.

    No thousands separators (what is shown must parse back to the same number in any locale).
    """
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    v = _shown(float(value), percent)
    text = str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    decimal = get_decimal_symbol(locale)
    return text.replace(".", decimal) if decimal != "." else text


def _normalise(text: str, group: str) -> str:
    """Spaces typed where the locale groups with a (narrow, no-break) space become its own mark."""
    if group and group in _SPACES:
        return re.sub(f"[{_SPACES}]+", group, text)
    return text


def _parse_one(text: str, locale: str) -> float:
    decimal, group = marks(locale)
    cleaned = _normalise(text.strip(), group)
    try:
        number = parse_decimal(cleaned, locale, strict=True)
    except NumberFormatError as error:
        raise EntryError(_hint(text.strip(), locale, decimal, group, error.suggestions)) from error
    except (InvalidOperation, ValueError) as error:
        raise EntryError(f"{text.strip()!r} is not a number") from error
    if not isinstance(number, Decimal) or not number.is_finite():
        raise EntryError(f"{text.strip()!r} is not a number")
    return float(number)


def _hint(text: str, locale: str, decimal: str, group: str, suggestions: list[str] | None) -> str:
    name = Locale.parse(locale).display_name or locale
    marks_text = f"in {name} the decimal mark is {decimal!r} and {group!r} groups thousands"
    if suggestions:
        readings = " or ".join(repr(s) for s in suggestions)
        return f"{text!r} could be read more than one way ({marks_text}): write {readings}"
    return f"{text!r} is not a number ({marks_text})"


def parse_number(text: str | None, *, locale: str = FALLBACK_LOCALE, percent: bool = False) -> float | None:
    """Typed text to a number in ``locale`` (``""`` is None); what is not one raises :class:`EntryError`.

    A percent box reads ``14`` or ``14%`` as 0.14.
    """
    text = (text or "").strip()
    if not text:
        return None
    if percent:
        body = text.removesuffix("%").strip()
        if not body:
            raise EntryError(f"{text!r} is not a percentage (write one like 14 or 14%)")
        return _parse_one(body, locale) / 100.0
    return _parse_one(text, locale)


def _split_list(text: str, locale: str) -> list[str]:
    """The items of a year list: split at ``;``, at a comma followed by a space, and at spaces
    where the locale does not group with a space (``40,000, 60,000`` → ``40,000`` and ``60,000``)."""
    _decimal, group = marks(locale)
    pattern = r";|,\s+" if group in _SPACES else r";|,\s+|\s+"
    return [p.strip() for p in re.split(pattern, text.strip().strip("[]")) if p.strip()]


def parse_number_list(text: str | None, *, locale: str = FALLBACK_LOCALE) -> float | list[float]:
    """``"40,000, 60,000"`` → [40000.0, 60000.0] (en_US); one number alone → that number (every year).

    Blank is 0. An item that is not a number raises :class:`EntryError` naming the year.
    """
    text = (text or "").strip()
    if not text:
        return 0.0
    parts = _split_list(text, locale)
    values: list[float] = []
    for i, part in enumerate(parts, start=1):
        try:
            values.append(_parse_one(part, locale))
        except EntryError as error:
            where = f"year {i}: " if len(parts) > 1 else ""
            raise EntryError(f"{where}{error} (separate the years with '; ')") from error
    return values[0] if len(values) == 1 and not re.search(r";|,\s", text) else values


def number_list_text(value: Any, locale: str = FALLBACK_LOCALE) -> str:
    """A year list as the box shows it: ``40000; 60000`` (``;`` parses back in every locale)."""
    if isinstance(value, list):
        return "; ".join(_number_text(v, locale=locale) for v in value)
    return _number_text(value, locale=locale)
