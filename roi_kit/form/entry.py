"""Text entry: what a CX leader types into a box, read as the number (or list of numbers) they meant.
"""

from __future__ import annotations

import re
from typing import Any


def _shown(value: float, percent: bool) -> float:
    """What a number widget shows: percentages for rates, rounded off binary noise (14.000000000000002)."""
    return round(value * 100, 10) if percent else value


def _number_text(value: Any, percent: bool = False) -> str:
    """A number as typed in a text box: 1200000, 4.8, 12.5 (a rate in percent)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    v = _shown(float(value), percent)
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)


def _parse_number(text: str, percent: bool = False) -> Any:
    """Typed text to a number (``""`` is None); what does not parse goes to the model as typed.

    Rates are typed in percent (``"14"`` or ``"14%"`` → 0.14); thousands separators and spaces are
    ignored in plain numbers (``"1,200,000"``).
    """
    text = (text or "").strip()
    if not text:
        return None
    if percent:
        try:
            return float(text.removesuffix("%").strip()) / 100.0
        except ValueError:
            return text
    cleaned = re.sub(r"[,_\s]", "", text)
    try:
        return float(cleaned)
    except ValueError:
        return text  # as typed: the model says what it accepts


def _parse_number_list(text: str) -> Any:
    """``"40000, 60000, 60000"`` → [40000.0, 60000.0, 60000.0]; one number → that number."""
    text = (text or "").strip()
    if not text:
        return 0.0
    parts = [p for p in re.split(r"[;,\s]+", text.strip("[]")) if p]
    values: list[Any] = []
    for part in parts:
        try:
            values.append(float(part))
        except ValueError:
            values.append(part)
    return values[0] if len(values) == 1 and "," not in text and ";" not in text else values
