"""Where a case's baseline came from, when it was built from a contact center's own export.

``roi-kit costs EXPORT ... --unit NAME --out DIR`` writes a starter case whose ``baseline`` holds
the measured figures and whose ``baseline_source`` holds their provenance: the export's file name
and SHA-256, the period and its annualisation, the reconciliation (rows in = rows used + rows
excluded, by reason), the stated assumptions (absent columns, mapping constants) and the
plausibility warnings. The board report shows it as the appendix "Where the baseline comes from".

The baseline also gains ``channel_mix`` (share of handled contacts by channel, descriptive: the
model does not read it); the export's weekday × hour profile is written as the baseline's
``interval_profile`` (``shares: {Mon: [24 shares], …}``), which the staffed handle-time lever reads
(see :class:`roi_kit.case.schema.Baseline`).

Only pydantic and the standard library here (and :mod:`roi_kit.errors`' conventions): the case
layer hooks these models in.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: How far shares rounded to six places may sum from 1 (168 cells × 0.5e-6, with room).
SHARE_TOLERANCE = 5e-4


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("is a yes/no value, not a number")
    return value


def _percent(value: Any) -> Any:
    """Accept 0.14, "0.14" and "14%" as a share (as the case's rates do); leave the rest to pydantic."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1].strip()) / 100.0
        except ValueError:
            return value
    return value


Share = Annotated[float, BeforeValidator(_percent), BeforeValidator(_no_bool), Field(ge=0.0, le=1.0)]
Count = Annotated[int, BeforeValidator(_no_bool), Field(ge=0)]


def _field(default: Any = ..., *, unit: str, desc: str, **extra: Any) -> Any:
    return Field(default, description=desc, json_schema_extra={"unit": unit}, **extra)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChannelShare(_Model):
    """One channel's share of the unit's handled contacts."""

    name: str = _field(unit="text", desc="Channel", min_length=1, max_length=80)
    share_of_contacts: Share = _field(unit="rate", desc="Share of the unit's handled contacts in this channel")


def check_channel_mix(mix: list[ChannelShare]) -> None:
    """Channel names are unique and their shares sum to 100 % (within rounding)."""
    if not mix:
        return
    names = [c.name for c in mix]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"channel_mix: channel {twice[0]!r} is listed twice")
    total = sum(c.share_of_contacts for c in mix)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"channel_mix: share_of_contacts sums to {total:.2%}, not 100% "
                         f"(difference {total - 1:+.2%})")


class BaselineSource(_Model):
    """The provenance of a baseline built from an interaction export by ``roi-kit costs``."""

    export_file: str = _field(unit="text", desc="The export's file name", min_length=1, max_length=260)
    sha256: str = _field(unit="text", desc="SHA-256 of the export file, in hex", pattern=r"^[0-9a-f]{64}$")
    period_start: str = _field(unit="date-time", desc="First contact's start", min_length=1)
    period_end: str = _field(unit="date-time", desc="Last contact's start", min_length=1)
    period_days: Count = _field(unit="days", desc="Calendar days covered (first to last start, inclusive)")
    annualisation_factor: float = _field(unit="factor", desc="365 ÷ period_days: period figures to a year", gt=0)
    rows_in: Count = _field(unit="rows", desc="Rows in the export")
    excluded: dict[str, Count] = _field(
        default_factory=dict, unit="rows", desc="Rows excluded, by the first rule each broke")
    rows_used: Count = _field(unit="rows", desc="Rows priced and counted (handled and abandoned contacts)")
    notes: list[str] = _field(default_factory=list, unit="text",
                              desc="Assumptions stated once for every row (absent columns, mapping constants)")
    warnings: list[str] = _field(default_factory=list, unit="text", desc="Plausibility warnings of the run")
    rates: str = _field("", unit="text", desc="The rates file the contacts were priced with", max_length=260)
    mapping: str = _field("", unit="text", desc="The mapping file the export was read with", max_length=260)
    generated_by: str = _field("", unit="text", desc="The tool and version that built the baseline", max_length=120)

    @field_validator("period_start", "period_end", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        """YAML reads an unquoted date-time as a datetime: keep it as the text it was written as."""
        return str(value) if value is not None and not isinstance(value, str) else value

    @model_validator(mode="after")
    def _reconciled(self) -> BaselineSource:
        excluded = sum(self.excluded.values())
        if self.rows_used + excluded != self.rows_in:
            raise ValueError(
                f"baseline_source: rows_used {self.rows_used:,} + excluded {excluded:,} = "
                f"{self.rows_used + excluded:,}, not rows_in {self.rows_in:,} (every row must be accounted for)")
        return self


#: Fields a case leaves out of its dump (and so out of its input hash) while unset, so a case
#: written before they existed keeps its hash.
UNSET_LEFT_OUT = ("channel_mix", "interval_profile", "baseline_source")


def drop_unset(dumped: Any) -> Any:
    """A model's dump with the :data:`UNSET_LEFT_OUT` fields removed where empty or None."""
    if isinstance(dumped, dict):
        for name in UNSET_LEFT_OUT:
            if name in dumped and dumped[name] in (None, [], {}):
                del dumped[name]
    return dumped
