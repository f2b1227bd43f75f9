"""Fuzz the case format: every input is accepted with finite figures, or refused with the
toolkit's own error (:class:`~roi_kit.errors.RoiKitError`), never another exception.

Inputs are valid cases (tests/strategies.py) with one to three hostile edits: a field set to a
non-finite, huge, tiny, negative, wrong-typed, formula or direction-control value, a field
dropped or invented, a list emptied or doubled; and YAML texts of such cases with hostile text
spliced in (tags, aliases, merge keys, brackets, NUL and other control characters, long
numbers). The quick loop runs a small budget; the slow-marked tests run 10,000 examples each.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import case_data

from roi_kit import load_case
from roi_kit.errors import RoiKitError
from roi_kit.model.result import evaluate

HOSTILE_VALUES = st.one_of(
    st.sampled_from([
        math.nan, math.inf, -math.inf, 1e308, -1e308, 1e-300, 5e-324, 10**30, -(10**30), 0, -1, -0.0,
        True, False, None, "", " ", "5%", "500%", "-5%", "nan", "inf", "1e999", "=2", "\r=2",
        "\u202eevil", "x" * 500, [], [1e308, 1], [math.nan], {}, {"a": 1}, dt.date(2025, 1, 1),
        [[[[1]]]], "0x10", "1_000",
    ]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.text(max_size=20),
)

HOSTILE_TEXT = st.sampled_from([
    "!!float ", "!!int ", "!!timestamp ", "!!python/object:os.system ", "&a ", "*a ", "<<: *a\n",
    "? [a, b]\n: 1\n", "[" * 200, "{" * 50, "]", "\x00", "\x07", "\ufeff", "\u202e", "9" * 400,
    ".nan", ".inf", "-.inf", "~", "'", '"', ": ", ", ", "\t", "\n  - ", "%YAML 1.1\n---\n", "---\n", "...\n",
    "1e308", "2099-01-01", "{name: Admin, QA, per_year: 1}",
])


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into ``data`` (mappings and lists), leaves and branches."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*prefix, i))
    return found


def _set(data: Any, path: tuple, value: Any, how: str) -> None:
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "drop":
        del parent[last]
    elif how == "double" and isinstance(parent[last], list):
        parent[last] = parent[last] + copy.deepcopy(parent[last])
    elif how == "invent" and isinstance(parent, dict):
        parent[f"{last}_x"] = value
    else:
        parent[last] = value


@st.composite
def hostile_mappings(draw) -> dict:
    data = draw(case_data())
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["set", "set", "set", "drop", "double", "invent"]))
        _set(data, path, copy.deepcopy(draw(HOSTILE_VALUES)), how)
    return data


@st.composite
def hostile_texts(draw) -> str:
    data = draw(case_data())
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=draw(st.booleans()))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(HOSTILE_TEXT) + text[at:]
    return text


def _accepted_or_refused(source: Any) -> None:
    try:
        case = load_case(source)
        result = evaluate(case)
    except RoiKitError:
        return
    for key, value in result.summary.items():
        assert value is None or not isinstance(value, float) or math.isfinite(value), (key, value)
    for key in ("npv", "pv_benefits", "pv_costs", "total_benefits", "total_costs"):
        assert isinstance(result.summary[key], float) and math.isfinite(result.summary[key]), key


def _check_text(folder: Path, text: str) -> None:
    path = folder / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _accepted_or_refused(path)


QUICK = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
FULL = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(hostile_mappings())
def test_fuzz_mappings_quick(data):
    _accepted_or_refused(data)


@QUICK
@given(text=hostile_texts())
def test_fuzz_texts_quick(tmp_path_factory, text):
    _check_text(tmp_path_factory.getbasetemp(), text)


@pytest.mark.slow
@FULL
@given(hostile_mappings())
def test_fuzz_mappings_10000(data):
    _accepted_or_refused(data)


@pytest.mark.slow
@FULL
@given(text=hostile_texts())
def test_fuzz_texts_10000(tmp_path_factory, text):
    _check_text(tmp_path_factory.getbasetemp(), text)
