"""Case files, both ways: read YAML/JSON into a validated case, write a case as readable YAML.

Reading refuses duplicate keys and reports every problem in one line each; writing keeps model
order, writes rates as ``"14%"`` and leaves unset values out, atomically, and loads back equal.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
)

from roi_kit._io import slugify, write_atomic
from roi_kit.case.fields import _is_rate
from roi_kit.case.overrides import _resolve
from roi_kit.case.schema import Case, _validate
from roi_kit.errors import BIDI_CONTROLS, CaseError, Problem

#: Largest case file read (bytes): a case is a few kilobytes; a 50 MB one took minutes and 3 GB.
MAX_CASE_BYTES = 1_000_000
#: Deepest nesting of lists and mappings accepted (a case nests four or five levels).
MAX_DEPTH = 100
#: Most values aliases (``*name``) may repeat in one file (a "billion laughs" file repeats 10⁹).
MAX_ALIAS_VALUES = 10_000
#: Most digits in an integer (a case's largest bound, 10¹², has 13).
MAX_DIGITS = 20

_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"

try:  # libyaml, which PyYAML's wheels carry
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    CParser = None


class YamlProblem(ValueError):
    """A YAML text that cannot be read, or that is refused; ``str()`` is one line (where, what)."""


class _Refused(Exception):
    """Raised inside the loader for what a case (or a costing file) may not use."""

    def __init__(self, mark: yaml.Mark | None, what: str):
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        super().__init__(f"{where}{what}")


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _Hardened(yaml.composer.Composer):
    """The composing half of :class:`_CaseLoader`: what it refuses is decided here, on events."""

    def _harden(self) -> None:
        self._depth = 0
        self._open_anchors: list[str | None] = []
        self._alias_values = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                raise _Refused(event.start_mark, f"the alias *{event.anchor} repeats the value that holds it (a loop)")
            node = self.anchors.get(event.anchor)
            if node is not None:
                self._alias_values += self._size(node)
                if self._alias_values > MAX_ALIAS_VALUES:
                    raise _Refused(
                        event.start_mark,
                        f"aliases (*name) expand to more than {MAX_ALIAS_VALUES:,} values; "
                        "a case is far smaller (write the values out)",
                    )
            return super().compose_node(parent, index)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _Refused(event.start_mark, f"the tag {_short_tag(tag)} is not accepted (write the plain value)")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    event.start_mark, f"nested more than {MAX_DEPTH} levels deep; a case nests a few levels"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_sequence_node(self, anchor: str | None) -> Any:
        self._open_anchors.append(anchor)
        try:
            return super().compose_sequence_node(anchor)
        finally:
            self._open_anchors.pop()

    def compose_mapping_node(self, anchor: str | None) -> Any:
        self._open_anchors.append(anchor)
        try:
            return super().compose_mapping_node(anchor)
        finally:
            self._open_anchors.pop()

    def _size(self, node: yaml.Node) -> int:
        """Values in ``node`` counted as its aliases expand them (a complete node: sizes are kept)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return size


class _CaseLoader(_Hardened, yaml.SafeLoader):
    """A safe YAML loader for files people write, refusing what such a file never needs.

    Refused, each with its line and column: explicit tags (``!!float 5%``), keys that are lists or
    mappings, merge keys (``<<:``), nesting deeper than :data:`MAX_DEPTH`, aliases repeating more
    than :data:`MAX_ALIAS_VALUES` values (or themselves), integers longer than :data:`MAX_DIGITS`,
    duplicate keys, and a flow-mapping entry with no value right after plain text (YAML split
    the text at a comma: ``{name: Admin, QA and upkeep}``). Keys are read as text, as written
    (``2025-01-01:`` is the text "2025-01-01", ``on:`` is "on").
    """

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._harden()


if CParser is not None:
    class _FastCaseLoader(_Hardened, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """:class:`_CaseLoader` on libyaml's scanner and parser (C): the same composer, constructors
        and refusals on the same events, several times faster on a case file (a batch reads each unit
        twice). Used only for files that read without a problem: any problem is worded by
        :class:`_CaseLoader` (its marks carry the text the messages quote)."""

        def __init__(self, stream: Any):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._harden()
else:  # pragma: no cover
    _FastCaseLoader = _CaseLoader


def _mapping(loader: _CaseLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    """A mapping with text keys, each once; refuses merge keys, complex keys and split text."""
    out: dict[str, Any] = {}
    previous: yaml.Node | None = None
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            raise _Refused(key_node.start_mark, "the merge key <<: is not accepted (write each field out)")
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(key_node.start_mark, "a key is a list or mapping; keys are field names (plain text)")
        bare = (
            node.flow_style
            and not key_node.style  # plain: None from PyYAML's parser, "" from libyaml's
            and isinstance(value_node, yaml.ScalarNode)
            and value_node.tag == _NULL_TAG
            and value_node.value == ""
        )
        if (
            bare
            and isinstance(previous, yaml.ScalarNode)
            and not previous.style
            and previous.tag == _STR_TAG
        ):
            start, end = previous.start_mark, key_node.end_mark
            whole = (
                start.buffer[start.pointer:end.pointer]
                if start.buffer is not None and end.buffer is start.buffer
                else f"{previous.value}, {key_node.value}"
            )
            raise _Refused(
                key_node.start_mark,
                f"{key_node.value!r} has no value: YAML splits unquoted text at a comma; "
                f'quote the whole text ("{whole}")',
            )
        key = key_node.value
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (each field may appear once)", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
        previous = value_node
    return out


def _int(loader: _CaseLoader, node: yaml.ScalarNode) -> int:
    digits = sum(ch.isdigit() for ch in str(node.value))
    if digits > MAX_DIGITS:
        raise _Refused(
            node.start_mark,
            f"a number of {digits} digits is too long (a case's numbers have at most {MAX_DIGITS} digits)",
        )
    return loader.construct_yaml_int(node)


for _loader in dict.fromkeys((_CaseLoader, _FastCaseLoader)):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor("tag:yaml.org,2002:int", _int)


def parse_yaml(text: str) -> Any:
    """Parse YAML (or JSON) text written by a person with :class:`_CaseLoader`.

    Raises :class:`YamlProblem` with one line: ``the file is not valid YAML or JSON: line L,
    column C: …`` or ``the file is refused: line L, column C: …`` (what it may not use).
    """
    if _FastCaseLoader is not _CaseLoader and "\t" not in text:  # libyaml takes a tab PyYAML refuses
        try:
            return yaml.load(text, Loader=_FastCaseLoader)
        except Exception:  # worded below, by the loader whose marks hold the text
            pass
    try:
        return yaml.load(text, Loader=_CaseLoader)
    except _Refused as error:
        raise YamlProblem(f"the file is refused: {error}") from None
    except RecursionError:
        raise YamlProblem(
            f"the file is refused: nested more than {MAX_DEPTH} levels deep (through aliases)"
        ) from None
    except yaml.reader.ReaderError as error:
        pos = max(0, int(error.position))
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = error.character if isinstance(error.character, str) else chr(int(error.character))
        raise YamlProblem(
            f"the file is not valid YAML or JSON: line {line}, column {column}: "
            f"the character U+{ord(char):04X} is not accepted in YAML text"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = error.problem or error.context or "unreadable"
        raise YamlProblem(f"the file is not valid YAML or JSON: {where}{what}") from None
    except yaml.YAMLError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise YamlProblem(f"the file is not valid YAML or JSON: {first}") from None
    except (ValueError, OverflowError):  # PyYAML's scanner: an escape such as "\U7fffffff" past Unicode
        raise YamlProblem(
            "the file is not valid YAML or JSON: a quoted text holds an escape (\\x, \\u or \\U) "
            "that names no Unicode character"
        ) from None


def read_text_limited(path: Path, limit: int, kind: str = "case file") -> str:
    """The UTF-8 text of ``path``, refusing a file above ``limit`` bytes before reading it.

    Raises ``IsADirectoryError``, ``FileNotFoundError``, other ``OSError``, ``UnicodeDecodeError``
    or :class:`YamlProblem` (too large), for the caller to word.
    """
    if path.is_dir():
        raise IsADirectoryError(str(path))
    size = path.stat().st_size
    if size > limit:
        raise YamlProblem(f"the file is {size:,} bytes; a {kind} may be at most {limit:,} bytes")
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:  # grew while being read
        raise YamlProblem(f"the file is over {limit:,} bytes; a {kind} may be at most {limit:,} bytes")
    return data.decode("utf-8")


def read_case_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON case file into a mapping, refusing what is not a case-shaped file.

    A case file may be at most :data:`MAX_CASE_BYTES` bytes (1 MB); see :class:`_CaseLoader` for
    what its YAML may not use.
    """
    path = Path(path)
    label = path.stem
    try:
        text = read_text_limited(path, MAX_CASE_BYTES)
    except IsADirectoryError:
        raise CaseError([Problem("", str(path), "is a folder, not a case file (give a .yaml or .json file)")]) from None
    except FileNotFoundError:
        raise CaseError([Problem("", str(path), "does not exist")]) from None
    except YamlProblem as error:
        raise CaseError([Problem(label, "", str(error))]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError([Problem("", str(path), f"cannot be read as UTF-8 text ({error.__class__.__name__})")]) from None
    if not text.strip():
        raise CaseError([Problem(label, "", "the file is empty: a case needs at least unit and baseline")])
    try:
        data = parse_yaml(text)
    except YamlProblem as error:
        raise CaseError([Problem(label, "", str(error))]) from None
    if data is None:
        raise CaseError([Problem(label, "", "the file is empty: a case needs at least unit and baseline")])
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise CaseError([Problem(label, "", f"the file holds a {kind}, not a mapping of case fields (unit:, baseline:, …)")])
    return data


def _label(data: Mapping[str, Any], fallback: str) -> str:
    """The unit named in problems: the case's unit when it is short plain text, else ``fallback``."""
    unit = data.get("unit")
    if isinstance(unit, str) and unit.strip() and len(unit) <= 120 and BIDI_CONTROLS.isdisjoint(unit):
        return unit
    return fallback


def load_case(source: str | Path | Mapping[str, Any]) -> Case:
    """Load and validate a case from a YAML/JSON file or a mapping; every problem is reported.

    >>> case = load_case(EXAMPLE)
    >>> case.unit, case.baseline.contacts_per_year, case.baseline.repeat_rate
    ('EMEA Retail Support', 1200000.0, 0.14)
    """
    if isinstance(source, Mapping):
        data = dict(source)
        label = _label(data, "case")
    else:
        data = read_case_file(source)
        label = _label(data, Path(source).stem)
    case = _validate(data, unit=label)
    problems: list[Problem] = []
    for name in case.scenarios:
        try:
            case.scenario_case(name)
        except CaseError as error:
            problems.extend(
                Problem(p.unit, f"scenarios.{name}.{p.path}" if p.path else f"scenarios.{name}", p.message)
                for p in error.problems
            )
    for path in case.sources:
        ok, why = _resolve(path)
        if not ok:
            problems.append(Problem(case.unit, f"sources.{path}", why))
    if problems:
        raise CaseError(problems)
    return case


def _example() -> Path:
    """The reference case: the checkout's ``templates/cases``, else where a wheel puts it."""
    checkout = Path(__file__).resolve().parents[2] / "templates" / "cases" / "example.yaml"
    installed = Path(sys.prefix) / "share" / "roi_kit" / "templates" / "cases" / "example.yaml"
    return checkout if checkout.exists() or not installed.exists() else installed


EXAMPLE = _example()


FILE_HEADER = (
    "# ROI case saved from the roi_kit input form (notebooks/build_case.ipynb).\n"
    "# Rates are percentages; money is in the case's currency. Edit here or in the form.\n"
)


def percent_text(rate: float) -> str:
    """The shortest percentage string that loads back to exactly ``rate`` ("14%" for 0.14).

    >>> percent_text(0.14), percent_text(0.0625), percent_text(-0.5)
    ('14%', '6.25%', '-50%')
    """
    for digits in range(0, 18):
        text = f"{round(rate * 100, digits):.{digits}f}"
        if float(text) / 100.0 == rate:
            return f"{text}%".replace("-0%", "0%")
    return repr(rate)  # no percentage divides back to exactly this float: keep the fraction


class _Flow(list):
    """A list written inline (``[40000, 60000]``) in an otherwise block-style file."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


_Dumper.add_representer(float, _represent_float)


_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Text as PyYAML writes it, except that YAML's other line breaks are escaped.

    PyYAML writes U+0085 (NEL) raw inside a single-quoted scalar and reads it back as a space;
    double quotes escape it (``\\N``), so such text survives the round trip.
    """
    if any(ch in value for ch in _LINE_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def _plain(model: BaseModel) -> dict[str, Any]:
    """A model as plain data for the file: model order, unset (None) values left out, rates as "14%"."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None or (value in ({}, []) and not info.is_required() and info.get_default(
            call_default_factory=True
        ) == value):
            continue  # unset, or an empty list the model gives by default
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = str(extra.get("unit", ""))
        if isinstance(value, BaseModel):
            out[name] = _plain(value)
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            out[name] = [_plain(v) for v in value]
        elif isinstance(value, list) and all(isinstance(v, int | float) for v in value):
            out[name] = _Flow(value)
        elif _is_rate(unit) and isinstance(value, float):
            text = percent_text(value)
            out[name] = text if text.endswith("%") else value
        elif isinstance(value, dict):
            out[name] = _plain_mapping(value)
        else:
            out[name] = value
    return out


def _plain_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): _plain(v) if isinstance(v, BaseModel) else _plain_mapping(v) if isinstance(v, Mapping) else v
            for k, v in value.items()}


def case_yaml(case: Case) -> str:
    """The case as a YAML file a person can read; :func:`load_case` gives back an equal case."""
    body = yaml.dump(
        _plain(case), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )
    return FILE_HEADER + body


def case_file_path(case: Case, path: str | os.PathLike[str]) -> Path:
    """Where a case is saved: ``path`` itself for a file name, ``<path>/<unit slug>.yaml`` for a folder."""
    target = Path(path)
    if target.is_dir() or target.suffix.lower() not in {".yaml", ".yml"}:
        return target / f"{slugify(case.unit)}.yaml"
    return target


def save_case(case: Case, path: str | os.PathLike[str]) -> Path:
    """Write ``case`` as YAML (atomically) into a file or a units folder; returns the file."""
    return write_atomic(case_file_path(case, path), case_yaml(case))
