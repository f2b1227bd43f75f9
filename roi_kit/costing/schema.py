"""The two small files a costing run reads besides the contacts: the mapping and the rates.

Both are pydantic models loaded from YAML (or given as dicts). Rates accept fractions (0.85) or
percentages ("85%"). Every problem becomes one :class:`~roi_kit.errors.CostingError` line naming
the file, the field, the value and what is accepted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from roi_kit.case.files import YamlProblem, parse_yaml, read_text_limited
from roi_kit.errors import CostingError

#: Largest rates or mapping file read (bytes): such a file is a few hundred bytes to a few kilobytes.
MAX_FILE_BYTES = 1_000_000

#: Canonical columns of one contact row. ``ended_at`` and ``segment`` are optional extras.
CANONICAL = (
    "contact_id",
    "customer_id",
    "channel",
    "contact_type",
    "started_at",
    "queue_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "agent_id",
    "team",
    "outcome",
    "segment",
    "ended_at",
)
#: Columns without which no cost can be built (``talk_seconds`` may be derived from ``ended_at``).
REQUIRED = ("channel", "contact_type", "started_at", "outcome", "talk_seconds")
OUTCOMES = ("handled", "abandoned")
#: An outcome the mapping may give a row that is not a contact (a virtual or test call): excluded.
VIRTUAL = "virtual"
#: Mapping sections and rates fields, listed when a file names one that does not exist.
MAPPING_KEYS = ("columns", "values", "missing", "constants", "timestamps", "events")
DURATIONS = ("queue_seconds", "talk_seconds", "hold_seconds", "acw_seconds")


def _fraction(value: Any) -> Any:
    """Accept ``0.85``, ``85%`` or ``"85 %"``; leave anything else for pydantic to refuse."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100
        except ValueError:
            return value
    return value


Fraction = Annotated[float, BeforeValidator(_fraction)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class TimestampSpec(_Model):
    """Build a timestamp from a date column and a time column (or one column with a format)."""

    date: str = Field(description="Source column holding the date (or the full timestamp).")
    time: str | None = Field(None, description="Source column holding the time of day.")
    format: str | None = Field(
        None,
        description="strptime format of date + ' ' + time, e.g. '%d/%m/%Y %H:%M:%S'; "
        "when absent DuckDB's ISO parsing is used.",
    )


class EventSpec(_Model):
    """An event log (one row per update of a ticket): one contact per ``key``, its last row."""

    key: str = Field(description="Source column naming the contact (e.g. an incident number).")
    order_by: str = Field(description="Source column ordering a key's rows (a number, else text); "
                          "the last row is the contact, ties go to the later row of the file.")


class Mapping(_Model):
    """How a real export's columns and codes map onto the canonical contact row.

    ``columns`` maps canonical name → source column; ``values`` maps, per canonical column,
    source code → canonical value (e.g. ``outcome: {AGENT: handled, HANG: abandoned}``; a code
    mapped to ``""`` means unknown; an outcome mapped to ``virtual`` is excluded as not a
    contact); ``missing`` lists, per canonical column (or ``"*"`` for every column), the source
    codes that mean unknown (``"0"``, ``"?"``, ``NO_SERVER``); ``constants`` gives a canonical
    column the export lacks one value for every row (a voice-only export's ``channel``, a
    standard ``talk_seconds``); ``timestamps`` builds ``started_at`` / ``ended_at`` from date
    and time columns; ``events`` turns an event log into contacts (see :class:`EventSpec`).
    Source columns not named keep their own name, so an export that already uses canonical names
    needs no mapping at all.
    """

    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    missing: dict[str, list[str]] = Field(default_factory=dict)
    constants: dict[str, str | float] = Field(default_factory=dict)
    timestamps: dict[str, TimestampSpec] = Field(default_factory=dict)
    events: EventSpec | None = None

    @field_validator("missing", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        """``missing: {customer_id: 0}`` or ``[0, "?"]``: codes are compared as the export's text."""
        if isinstance(value, dict):
            return {k: [str(c) for c in (v if isinstance(v, list) else [v])] for k, v in value.items()}
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {str(a): "" if b is None else str(b) for a, b in v.items()} if isinstance(v, dict) else v
                    for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _known_names(self) -> Mapping:
        for section in ("columns", "values", "missing", "constants", "timestamps"):
            for name in getattr(self, section):
                if name not in CANONICAL and not (section == "missing" and name == "*"):
                    extra = " or \"*\" for every column" if section == "missing" else ""
                    raise ValueError(
                        f"{section}.{name} is not a canonical column (accepted: {', '.join(CANONICAL)}{extra})"
                    )
        for name in self.timestamps:
            if name not in ("started_at", "ended_at"):
                raise ValueError(f"timestamps.{name}: only started_at and ended_at are built "
                                 "(accepted: started_at, ended_at)")
        for name, value in self.constants.items():
            if name in self.columns or name in self.timestamps:
                raise ValueError(f"constants.{name}: also mapped from a column; give one of the two")
            if name in DURATIONS and not isinstance(value, int | float):
                raise ValueError(f"constants.{name} = {value!r}: a duration is a number of seconds")
            if name in DURATIONS and value < 0:
                raise ValueError(f"constants.{name} = {value!r}: a duration is 0 seconds or more")
            if name in ("started_at", "ended_at"):
                raise ValueError(f"constants.{name}: a timestamp cannot be one value for every row "
                                 "(accepted: any other canonical column)")
        return self


class ChannelTech(_Model):
    """Technology cost of one channel: per connected minute and/or per contact offered."""

    per_minute: float = Field(0.0, ge=0, description="money per minute of queue + talk + hold")
    per_contact: float = Field(0.0, ge=0, description="money per contact offered")


class Overhead(_Model):
    """Overhead not in the loaded hourly cost: a share of labour and/or an amount per handled contact."""

    share_of_labour: Fraction = Field(0.0, ge=0, le=5)
    per_contact: float = Field(0.0, ge=0)


class Standard(_Model):
    """Standard for one contact type: handle seconds (priced like actual labour) or a cost."""

    handle_seconds: float | None = Field(None, gt=0)
    cost_per_contact: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one_of(self) -> Standard:
        if (self.handle_seconds is None) == (self.cost_per_contact is None):
            raise ValueError("give exactly one of handle_seconds or cost_per_contact")
        return self


class Rates(_Model):
    """Rate tables for pricing each contact.

    Defaults (stated here, echoed in every output): occupancy 85 %, shrinkage 30 % (the example
    case's figures, typical of voice centres), no technology cost, no overhead, no standards,
    repeat window 7 days, 2,080 paid hours per FTE-year (40 h × 52 weeks: agent FTEs = handled
    hours a year × the uplift ÷ these hours). ``default_hourly_cost`` is the only required field: a guessed price
    is exactly what bottom-up costing is meant to replace, so none is invented.
    """

    currency: str = "USD"
    default_hourly_cost: float = Field(gt=0, description="loaded cost per paid agent hour")
    hourly_cost_by_team: dict[str, float] = Field(default_factory=dict)
    hourly_cost_by_agent: dict[str, float] = Field(default_factory=dict)
    occupancy: Fraction = Field(0.85, gt=0, le=1)
    shrinkage: Fraction = Field(0.30, ge=0, lt=1)
    technology: dict[str, ChannelTech] = Field(default_factory=dict)
    overhead: Overhead = Field(default_factory=Overhead)
    standards: dict[str, Standard] = Field(default_factory=dict)
    repeat_window_days: float = Field(7, gt=0, le=365)
    paid_hours_per_fte: float = Field(2080, gt=0, le=4000,
                                      description="paid hours of one full-time agent a year (40 h × 52 w)")

    @property
    def uplift(self) -> float:
        """Paid time per hour of handling: 1 ÷ (occupancy × (1 − shrinkage))."""
        return 1.0 / (self.occupancy * (1.0 - self.shrinkage))

    @model_validator(mode="after")
    def _positive_rates(self) -> Rates:
        for section in ("hourly_cost_by_team", "hourly_cost_by_agent"):
            for key, value in getattr(self, section).items():
                if not value > 0:
                    raise ValueError(f"{section}.{key} = {value} must be a positive money/hour")
        return self


def _accepted_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model a location sits in (through sub-models and dict values)."""
    import typing

    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
        options = [a for a in typing.get_args(current) if a is not type(None)]
        if typing.get_origin(current) is not dict and options and not isinstance(current, type):
            current = options[0]
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _first_problem(error: ValidationError, model: type[BaseModel] | None = None) -> str:
    err = error.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    given = err.get("input")
    shown = "" if isinstance(given, dict) else f" = {given!r}"
    keys = _accepted_keys(model, tuple(err["loc"])) if model is not None and err["loc"] else []
    if err["type"] == "extra_forbidden" and keys:
        return f"{where}: not a known key (accepted: {', '.join(keys)})"
    if err["type"] == "missing" and keys:
        return f"{where}: required (keys: {', '.join(keys)})"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}{shown}: {msg}" if err["loc"] else msg


def _read_yaml(path: str | os.PathLike[str], what: str) -> dict[str, Any]:
    """A rates or mapping file as a mapping, read by the case loader's rules (no tags, aliases
    within a budget, plain keys read as text, at most :data:`MAX_FILE_BYTES`)."""
    p = Path(path)
    try:
        data = parse_yaml(read_text_limited(p, MAX_FILE_BYTES, kind=f"{what} file"))
    except YamlProblem as e:
        raise CostingError(f"{p}: {str(e).replace('the file', f'the {what} file', 1)}") from None
    except UnicodeDecodeError:
        raise CostingError(f"{p}: the {what} file is not UTF-8 text") from None
    except OSError as e:
        raise CostingError(f"{p}: cannot read the {what} file ({e.strerror or type(e).__name__})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CostingError(f"{p}: the {what} file must be a YAML mapping of fields, got {type(data).__name__}")
    return data


def _load(source: str | os.PathLike[str] | dict[str, Any], model: type[BaseModel], kind: str) -> Any:
    """Validate a dict, or a YAML file read from disk, as ``model``; problems as one CostingError line."""
    name = kind if isinstance(source, dict) else str(source)
    data = source if isinstance(source, dict) else _read_yaml(source, kind)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise CostingError(f"{name}: {_first_problem(e, model)}") from None


def load_rates(source: str | os.PathLike[str] | dict[str, Any] | Rates) -> Rates:
    """Load and validate a rates file (YAML) or dict; a file may be as small as ``default_hourly_cost: 30``."""
    return source if isinstance(source, Rates) else _load(source, Rates, "rates")


def load_mapping(source: str | os.PathLike[str] | dict[str, Any] | Mapping | None) -> Mapping:
    """Load and validate a mapping file (YAML) or dict; ``None`` means canonical names already."""
    if source is None:
        return Mapping()
    return source if isinstance(source, Mapping) else _load(source, Mapping, "mapping")
