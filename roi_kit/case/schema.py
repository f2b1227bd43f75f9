"""The case format: what a CX leader writes for one business unit.

One small pydantic model per area (``Baseline``, each lever, ``Costs``, ``Timeline``,
``RiskAdjustment``, ``Case``). Every field carries a unit, an accepted range and a description:
the description labels the input form and the assumptions register, so one definition serves the
form, the validation and the report.

Rates are fractions (0.14); the loaders also accept ``"14%"``. A case is immutable: scenarios and
what-ifs are new cases made with :meth:`Case.with_overrides`.

Every problem in a file is reported, one line each, naming the unit, the field path, the value,
what is accepted, and a hint where a slip is likely::

    EMEA Retail Support: baseline.abandon_rate = 6 is not a fraction between 0 and 1 (write 0.06 or "6%")
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from roi_kit.case.provenance import (
    WEEKDAYS,
    BaselineSource,
    ChannelShare,
    check_channel_mix,
    drop_unset,
)
from roi_kit.errors import BIDI_CONTROLS, CaseError, Problem

PILLARS = ("cost_savings", "revenue_protected", "revenue_generated", "risk_avoided")


PILLAR_LABELS = {
    "cost_savings": "Cost savings",
    "revenue_protected": "Revenue protected",
    "revenue_generated": "Revenue generated",
    "risk_avoided": "Risk avoided",
}


#: The order pages tell the pillars in: revenue first (the seed's revenue-first story), then cost, then risk.
REVENUE_FIRST = ("revenue_protected", "revenue_generated", "cost_savings", "risk_avoided")
SCENARIOS = ("conservative", "expected", "optimistic")


SCALE_SHORTCUTS = ("scale_levers", "scale_benefits", "scale_costs")


DISTRIBUTIONS = ("triangular", "pert", "uniform")


#: Correlation groups every case has: the programme-delivery factor (levers, ramp, costs) and the
#: baseline (today's volumes and unit costs). Their rank correlation unless the case says otherwise.
DEFAULT_CORRELATION = {"delivery": 0.6, "baseline": 0.0}


#: Lever fields that are effects: the path of today's value (None: today is 0) and which way is
#: better (+1 higher, -1 lower). An effect's range never passes today's value.
EFFECTS: dict[str, tuple[str | None, int]] = {
    "deflection.rate": (None, 1),
    "handle_time.seconds_saved": (None, 1),
    "first_contact_resolution.repeat_rate_after": ("baseline.repeat_rate", -1),
    "abandonment.abandon_rate_after": ("baseline.abandon_rate", -1),
    "retention.churn_rate_after": ("baseline.churn_rate", -1),
    "upsell.conversion_lift": (None, 1),
    "agent_attrition.attrition_after": ("baseline.agent_attrition", -1),
}


#: Inputs the model reads as the case's structure, never as a number that can be drawn.
FIXED_INPUTS = (
    "timeline.horizon_months",
    ".month",
    ".start_month",
    "baseline.service_level.",
    ".per_year.",
    "baseline.interval_profile.",
    "baseline_source.",
)


def is_fixed(path: str) -> bool:
    """Whether the model reads the input at ``path`` as structure (:data:`FIXED_INPUTS`, and an
    explicit benefit's initial amount), so that a range on it would never be drawn."""
    parts = path.split(".")
    return any(token in path for token in FIXED_INPUTS) or (parts[0] == "benefits" and parts[-1] == "initial")


def today_value(today_path: str | None, numbers: Mapping[str, float]) -> float | None:
    """Today's value of an effect (:func:`effect_of`'s path): 0 for None; a segment without its own
    churn has the unit's; None when the case does not give it."""
    if today_path is None:
        return 0.0
    if today_path in numbers:
        return numbers[today_path]
    if today_path.startswith("baseline.segments.") and today_path.endswith(".churn_rate"):
        return numbers.get("baseline.churn_rate")
    return None


def effect_of(path: str) -> tuple[str | None, int] | None:
    """Today's path (None: 0) and the better direction of a lever effect at ``path``; else None.

    >>> effect_of("levers.retention.churn_rate_after")
    ('baseline.churn_rate', -1)
    >>> effect_of("baseline.segments.1.levers.retention.churn_rate_after")
    ('baseline.segments.1.churn_rate', -1)
    >>> effect_of("levers.risk.0.probability_after")
    ('levers.risk.0.probability_before', -1)
    """
    parts = path.split(".")
    if parts[:2] == ["levers", "risk"] and len(parts) == 4 and parts[3] == "probability_after":
        return f"levers.risk.{parts[2]}.probability_before", -1
    if parts[0] == "levers" and len(parts) == 3:
        return EFFECTS.get(".".join(parts[1:]))
    if parts[:2] == ["baseline", "segments"] and len(parts) == 6 and parts[3] == "levers":
        found = EFFECTS.get(".".join(parts[4:]))
        if found is None:
            return None
        today, better = found
        if today in ("baseline.churn_rate",):
            today = f"baseline.segments.{parts[2]}.churn_rate"
        return today, better
    return None


Pillar = Literal["cost_savings", "revenue_protected", "revenue_generated", "risk_avoided"]


def _parse_rate(value: Any) -> Any:
    """Accept 0.14, "0.14" and "14%" for a rate; leave anything else for pydantic to refuse."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.endswith("%"):
            try:
                return float(text[:-1]) / 100.0
            except ValueError:
                return value
        return text
    return value


def _refuse_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("is a yes/no value, not a number")
    return value


#: How a rate reads in the case format's JSON Schema (``roi-kit schema``): 0.14 or "14%".
RATE_JSON_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\s*-?[0-9]+(\.[0-9]+)?\s*%\s*$"},
    ],
    "description": "a fraction (0.14) or a percentage (\"14%\")",
}


Rate = Annotated[
    float,
    BeforeValidator(_parse_rate),
    BeforeValidator(_refuse_bool),
    WithJsonSchema(RATE_JSON_SCHEMA),
]


def _bound(value: Any) -> Any:
    """A range bound: a number, or a percentage kept as written ("130%") until the field is known."""
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.endswith("%"):
            try:
                float(text[:-1])
            except ValueError:
                raise ValueError(f"= {value!r} is not a number or a percentage like \"130%\"") from None
            return text
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"= {value!r} is not a number or a percentage like \"130%\"") from None
    return value


Bound = Annotated[float | str, BeforeValidator(_bound), BeforeValidator(_refuse_bool)]


def _correlation(value: Any, key: str = "") -> float:
    """A rank correlation between 0 and 1, as 0.6 or "60%"."""
    number = _parse_rate(value)
    if isinstance(number, bool) or not isinstance(number, int | float) or not 0.0 <= number <= 1.0:
        where = f"has {key} = {value!r}, which" if key else f"= {value!r}"
        raise ValueError(f"{where} is not a rank correlation between 0 and 1 (e.g. 0.6)")
    return float(number)


Number = Annotated[float, BeforeValidator(_refuse_bool)]


#: Largest money amount anywhere in a case (a trillion: bounds every amount, so figures stay finite).
MAX_MONEY = 1e12


def _list_or_number(value: Any) -> str | None:
    """Which branch of "a list by year, or one number every year" ``value`` is (None: neither)."""
    if isinstance(value, list | tuple):
        return "list[money]"
    if isinstance(value, dict | set | frozenset):
        return None
    return "float"


def _by_year(low: float) -> Any:
    """Money per year, given as a list (year 1, 2, …) or one number (every year), each in bounds."""
    amount = Annotated[float, BeforeValidator(_refuse_bool), Field(ge=low, le=MAX_MONEY)]
    return Annotated[
        Annotated[list[amount], Tag("list[money]")] | Annotated[amount, Tag("float")],
        Discriminator(
            _list_or_number,
            custom_error_type="list_or_number",
            custom_error_message="is not a number or a list of numbers (year 1, 2, …)",
        ),
    ]


def F(
    default: Any = ...,
    *,
    unit: str,
    desc: str,
    label: str | None = None,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    **extra: Any,
) -> Any:
    """A field with its unit, label and description (shown by the form and the register)."""
    schema_extra = {"unit": unit}
    if label:
        schema_extra["label"] = label
    return Field(
        default, description=desc, ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=schema_extra, **extra
    )


def R(default: Any = ..., *, desc: str, label: str | None = None, lt: float | None = None) -> Any:
    """A rate field: a fraction between 0 and 1 (written 0.14 or "14%")."""
    return F(default, unit="rate", desc=desc, label=label, ge=0.0, le=None if lt else 1.0, lt=lt)


def _absent(value: Any) -> bool:
    """Optional tracking fields left out of a dump when not given: a case written before they
    existed keeps its canonical JSON, so its input hash (and its report) stay the same."""
    return value is None


def line_haircut() -> Any:
    """A benefit line's own ``risk_adjustment`` (TEI: each line adjusted on its own)."""
    return R(None, desc="Haircut on this benefit line (overrides its pillar's haircut)", label="Risk adjustment")


def line_uplift() -> Any:
    """A cost line's own ``risk_adjustment`` (TEI: each line adjusted on its own)."""
    return R(None, desc="Risk uplift on this cost line (overrides the cost uplift)", label="Risk adjustment")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_direction_controls(cls, value: Any) -> Any:
        """Refuse text holding a right-to-left override or another bidirectional control."""
        if isinstance(value, str) and not BIDI_CONTROLS.isdisjoint(value):
            char = next(ch for ch in value if ch in BIDI_CONTROLS)
            raise ValueError(
                f"holds the direction control U+{ord(char):04X}, which reorders the text on screen; remove it"
            )
        return value


class ServiceLevel(_Model):
    target: Rate = R(0.8, desc="Share of contacts to answer within the threshold", label="Service-level target")
    answer_within_seconds: Number = F(
        20, unit="seconds", desc="Answer threshold of the service-level target", ge=0, le=3600
    )

    @model_validator(mode="after")
    def _target_inside(self) -> ServiceLevel:
        if not 0 < self.target < 1:
            raise ValueError(f"target = {self.target:g} must be above 0 and below 1 (e.g. 0.8 or \"80%\")")
        return self


def _profile_grid(value: Any) -> Any:
    """An interval profile as 7 lists of 24 shares: accepts 7×24 nested lists, or a mapping of
    weekday (0 = Monday … 6) to 24 shares or to a mapping of hour (0-23) to share (hours left out
    are closed, weekdays left out are closed)."""
    if isinstance(value, Mapping) and set(value) == {"shares"}:  # as `roi-kit costs` writes it
        value = value["shares"]
    if isinstance(value, Mapping):
        grid = [[0.0] * 24 for _ in range(7)]
        for day, hours in value.items():
            if isinstance(day, str) and day[:3].title() in WEEKDAYS:  # Mon … Sun
                day = WEEKDAYS.index(day[:3].title())
            try:
                d = int(day)
            except (TypeError, ValueError):
                raise ValueError(f"weekday {day!r} is not a whole number from 0 (Monday) to 6") from None
            if not 0 <= d <= 6:
                raise ValueError(f"weekday {day!r} is not a whole number from 0 (Monday) to 6")
            if isinstance(hours, Mapping):
                for hour, share in hours.items():
                    try:
                        h = int(hour)
                    except (TypeError, ValueError):
                        raise ValueError(f"hour {hour!r} of weekday {d} is not a whole number from 0 to 23") from None
                    if not 0 <= h <= 23:
                        raise ValueError(f"hour {hour!r} of weekday {d} is not a whole number from 0 to 23")
                    grid[d][h] = share
            else:
                grid[d] = hours
        return grid
    return value


INTERVAL_PROFILE_DESC = (
    "Share of weekly handled volume in each hour of the week: 7 lists (weekday 0 = Monday … 6 = "
    "Sunday) of 24 shares (hour 0-23), or a mapping weekday → 24 shares or weekday → {hour: share}; "
    "shares ≥ 0 summing to 1, an hour with share 0 is closed. Staffing (Erlang C) is solved for "
    "each open half-hour (half the hour's share each). Absent: a default profile, open "
    "hours_open_per_year ÷ 365 hours every day from 08:00, busier on weekdays and late morning."
)


class Segment(_Model):
    name: str = F(unit="text", desc="Segment name", min_length=1, max_length=80)
    share_of_contacts: Rate = R(desc="Share of the unit's handled contacts from this segment")
    share_of_customers: Rate | None = R(None, desc="Share of the unit's customers in this segment")
    annual_value_per_customer: Number | None = F(
        None, unit="money/customer/year", desc="Annual revenue per customer in this segment", ge=0, le=1e9
    )
    churn_rate: Rate | None = R(None, desc="Share of this segment's customers lost per year")
    cost_per_contact: Number | None = F(
        None, unit="money/contact", desc="Fully loaded cost per handled contact in this segment", ge=0,
        le=10_000,
    )
    levers: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Lever fields this segment overrides (e.g. retention.churn_rate_after)",
        json_schema_extra={"unit": "overrides"},
    )

    @field_validator("levers", mode="before")
    @classmethod
    def _rates_in_overrides(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                lever: {k: _parse_rate(v) for k, v in fields.items()} if isinstance(fields, Mapping) else fields
                for lever, fields in value.items()
            }
        return value


class Baseline(_Model):
    contacts_per_year: Number = F(
        unit="contacts/year", desc="Handled contacts per year, all channels (1 to 10,000,000,000)", ge=1,
        le=1e10,
    )
    cost_per_contact: Number | None = F(
        None,
        unit="money/contact",
        desc="Fully loaded cost per handled contact; when given it wins over the labour build-up",
        ge=0,
        le=10_000,
    )
    aht_seconds: Number | None = F(
        None, unit="seconds", desc="Average handle time: talk plus hold", label="Average handle time", gt=0, le=36_000
    )
    acw_seconds: Number = F(0, unit="seconds", desc="After-call work per contact", label="After-call work", ge=0, le=36_000)
    loaded_hourly_cost: Number | None = F(
        None, unit="money/hour", desc="Wage plus benefits plus overhead per paid agent hour", ge=0, le=10_000
    )
    shrinkage: Rate = R(0.30, desc="Share of paid time not available for contacts", lt=1.0)
    occupancy: Rate = R(0.85, desc="Share of available time spent handling contacts")
    repeat_rate: Rate = R(0.0, desc="Share of handled contacts that repeat an unresolved issue", lt=1.0)
    abandon_rate: Rate = R(0.0, desc="Share of offered contacts abandoned before an answer", lt=1.0)
    volume_growth: Rate = F(0.0, unit="rate/year", desc="Contact volume growth per year", ge=-0.5, le=1.0)
    customers: Number | None = F(None, unit="customers", desc="Active customers served by the unit", ge=0, le=1e10)
    churn_rate: Rate | None = R(None, desc="Share of customers lost per year")
    annual_value_per_customer: Number | None = F(
        None, unit="money/customer/year", desc="Annual revenue per customer", ge=0, le=1e9
    )
    gross_margin: Rate | None = R(
        None, desc="Gross margin applied to revenue effects (needed by revenue levers; 100% counts revenue as profit)"
    )
    agents: Number | None = F(
        None, unit="agents", desc="Agent headcount (derived from workload when absent)", ge=0, le=1e6
    )
    agent_attrition: Rate | None = R(None, desc="Share of agents who leave per year")
    service_level: ServiceLevel = Field(
        default_factory=ServiceLevel, description="Service-level target used for staffing (Erlang C)"
    )
    hours_open_per_year: Number = F(
        4380, unit="hours/year", desc="Hours the contact center is open per year (12 h × 365 d = 4,380)", gt=0, le=8784
    )
    interval_profile: Annotated[list[list[Number]] | None, BeforeValidator(_profile_grid)] = F(
        None, unit="profile", desc=INTERVAL_PROFILE_DESC, label="Interval profile"
    )
    paid_hours_per_fte: Number = F(
        2080, unit="hours/year", desc="Paid hours per full-time agent per year (40 h × 52 w)", gt=0, le=4000
    )
    segments: list[Segment] = Field(
        default_factory=list, description="Customer segments (the K-shaped base); shares sum to 100%"
    )
    channel_mix: list[ChannelShare] = Field(default_factory=list, description="Handled contacts by channel")

    @model_serializer(mode="wrap")
    def _left_out_unset(self, handler: Any) -> Any:
        return drop_unset(handler(self))

    @model_validator(mode="after")
    def _costable(self) -> Baseline:
        if self.cost_per_contact is None and (self.aht_seconds is None or self.loaded_hourly_cost is None):
            raise ValueError(
                "needs cost_per_contact, or aht_seconds and loaded_hourly_cost to build it up"
            )
        if self.occupancy <= 0:
            raise ValueError(f"occupancy = {self.occupancy:g} must be above 0 (e.g. 0.85 or \"85%\")")
        _check_segments(self)
        check_channel_mix(self.channel_mix)
        _check_profile(self.interval_profile)
        return self


class Deflection(_Model):
    rate: Rate = R(desc="Share of handled contacts moved to automation", label="Deflection rate")
    automated_cost: Number = F(
        0.0, unit="money/contact", desc="Cost of one automated contact", ge=0, le=10_000
    )
    leakage: Rate = R(0.0, desc="Share of automated contacts that still reach an agent")
    human_cost: Number | None = F(
        None, unit="money/contact", desc="Cost of a human-handled contact (defaults to the baseline's)", ge=0, le=10_000
    )
    risk_adjustment: Rate | None = line_haircut()


class HandleTime(_Model):
    seconds_saved: Number = F(unit="seconds", desc="Handle seconds saved per human contact", ge=0, le=36_000)
    basis: Literal["staffed", "linear"] = F(
        "staffed",
        unit="choice",
        desc="staffed: cash only for agents no longer needed (Erlang C); linear: every hour released",
    )
    risk_adjustment: Rate | None = line_haircut()


class FirstContactResolution(_Model):
    repeat_rate_after: Rate = R(desc="Repeat-contact rate after the change", lt=1.0)
    risk_adjustment: Rate | None = line_haircut()


class Abandonment(_Model):
    abandon_rate_after: Rate = R(desc="Abandon rate of offered contacts after the change", lt=1.0)
    conversion_rate: Rate = R(desc="Share of recovered contacts that lead to a sale or save")
    average_order: Number = F(unit="money", desc="Revenue per converted recovered contact", ge=0, le=1e9)
    risk_adjustment: Rate | None = line_haircut()


class Retention(_Model):
    churn_rate_after: Rate = R(desc="Share of customers lost per year after the change")
    risk_adjustment: Rate | None = line_haircut()
    timing: Literal["mid_year", "start_of_year"] = F(
        "mid_year",
        unit="choice",
        desc="When in the year a kept customer would have left: mid_year (the year counts half a "
        "year of their value) or start_of_year (the whole year)",
    )


class Upsell(_Model):
    eligible_share: Rate = R(desc="Share of handled contacts eligible for an offer")
    conversion_lift: Rate = R(desc="Added conversion rate on eligible contacts")
    average_value: Number = F(unit="money", desc="Revenue per converted offer", ge=0, le=1e9)
    risk_adjustment: Rate | None = line_haircut()


class AgentAttrition(_Model):
    attrition_after: Rate = R(desc="Share of agents who leave per year after the change")
    cost_per_hire: Number = F(unit="money", desc="Cost to recruit and train one replacement agent", ge=0, le=1e7)
    risk_adjustment: Rate | None = line_haircut()


class RiskEvent(_Model):
    name: str = F(unit="text", desc="The loss event", min_length=1, max_length=120)
    probability_before: Rate = R(desc="Probability of the event in a year, today")
    probability_after: Rate = R(desc="Probability of the event in a year, after the change")
    impact: Number = F(unit="money", desc="Financial impact if the event happens", ge=0, le=1e12)
    risk_adjustment: Rate | None = line_haircut()


class Levers(_Model):
    deflection: Deflection | None = Field(None, description="AI self-service deflection")
    handle_time: HandleTime | None = Field(None, description="Agent-assist handle-time savings")
    first_contact_resolution: FirstContactResolution | None = Field(
        None, description="Fewer repeat contacts"
    )
    abandonment: Abandonment | None = Field(None, description="Fewer abandoned contacts")
    retention: Retention | None = Field(None, description="Lower customer churn")
    upsell: Upsell | None = Field(None, description="Upsell and cross-sell in service contacts")
    agent_attrition: AgentAttrition | None = Field(None, description="Lower agent attrition")
    risk: list[RiskEvent] = Field(default_factory=list, description="Loss events made less likely")


class BenefitLine(_Model):
    name: str = F(unit="text", desc="Benefit name", min_length=1, max_length=120)
    pillar: Pillar = F(unit="choice", desc="cost_savings, revenue_protected, revenue_generated or risk_avoided")
    initial: Number = F(0.0, unit="money", desc="Amount at time 0", ge=-MAX_MONEY, le=MAX_MONEY)
    per_year: _by_year(-MAX_MONEY) = F(
        0.0, unit="money/year",
        desc="Amount per year, -1e12 to 1e12 (a list gives year 1, 2, …; a number every year)",
    )
    risk_adjustment: Rate | None = line_haircut()


class OneTimeCost(_Model):
    name: str = F(unit="text", desc="Cost line", min_length=1, max_length=120)
    amount: Number | None = F(None, unit="money", desc="Amount", ge=0, le=1e12)
    hours: Number | None = F(None, unit="hours", desc="Hours of effort (with hourly_cost)", ge=0, le=1e9)
    hourly_cost: Number | None = F(None, unit="money/hour", desc="Cost per hour of effort", ge=0, le=1e5)
    month: int = F(0, unit="month", desc="Month the cost falls in (0 = initial investment)", ge=0, le=240)
    risk_adjustment: Rate | None = line_uplift()

    @model_validator(mode="after")
    def _one_basis(self) -> OneTimeCost:
        by_hours = self.hours is not None or self.hourly_cost is not None
        if (self.amount is None) == (not by_hours) or (by_hours and (self.hours is None or self.hourly_cost is None)):
            raise ValueError("needs either amount, or hours and hourly_cost")
        return self

    @property
    def total(self) -> float:
        return self.amount if self.amount is not None else self.hours * self.hourly_cost


class RecurringCost(_Model):
    name: str = F(unit="text", desc="Cost line", min_length=1, max_length=120)
    per_year: Number | None = F(None, unit="money/year", desc="Amount per year", ge=0, le=1e12)
    per_month: Number | None = F(None, unit="money/month", desc="Amount per month", ge=0, le=1e11)
    per_seat_per_month: Number | None = F(None, unit="money/seat/month", desc="Price per seat per month", ge=0, le=1e7)
    seats: Annotated[float, BeforeValidator(_refuse_bool), Field(ge=0, le=1e7)] | Literal["follow_staffing"] | None = F(
        None, unit="seats",
        desc="Seats paid for, or follow_staffing: the agents still needed after the levers, year by year",
    )
    per_automated_contact: Number | None = F(
        None, unit="money/contact", desc="Price per automated contact (deflection volume)", ge=0, le=1e4
    )
    start_month: int = F(1, unit="month", desc="First month the cost is paid", ge=1, le=240)
    risk_adjustment: Rate | None = line_uplift()

    @model_validator(mode="after")
    def _one_basis(self) -> RecurringCost:
        bases = [
            self.per_year is not None,
            self.per_month is not None,
            self.per_seat_per_month is not None or self.seats is not None,
            self.per_automated_contact is not None,
        ]
        seat_pair = (self.per_seat_per_month is None) == (self.seats is None)
        if sum(bases) != 1 or not seat_pair:
            raise ValueError(
                "needs exactly one of per_year, per_month, per_seat_per_month with seats, "
                "or per_automated_contact"
            )
        return self


class CustomCost(_Model):
    name: str = F(unit="text", desc="Cost line", min_length=1, max_length=120)
    initial: Number = F(0.0, unit="money", desc="Amount at time 0", ge=0, le=MAX_MONEY)
    per_year: _by_year(0.0) = F(
        0.0, unit="money/year",
        desc="Amount per year, 0 to 1e12 (a list gives year 1, 2, …; a number every year); "
        "a credit is a benefit line",
    )
    risk_adjustment: Rate | None = line_uplift()


class Costs(_Model):
    one_time: list[OneTimeCost] = Field(default_factory=list, description="One-time costs")
    recurring: list[RecurringCost] = Field(default_factory=list, description="Recurring costs")
    custom: list[CustomCost] = Field(default_factory=list, description="Explicit cost lines by year")


class Timeline(_Model):
    horizon_months: int = F(36, unit="months", desc="Months the case covers", ge=12, le=120)
    ramp_months: Number = F(6, unit="months", desc="Months from go-live to full adoption", ge=0, le=60)
    ramp_shape: Literal["linear", "s-curve"] = F(
        "s-curve", unit="choice", desc="Adoption curve: linear or s-curve"
    )
    discount_rate: Rate = R(0.10, desc="Annual discount rate (cost of capital)")
    discounting: Literal["annual", "monthly"] = F(
        "annual", unit="choice", desc="annual: end-of-year (TEI convention); monthly: each month"
    )
    start: str | None = F(
        None, unit="month", desc="Calendar month of month 1, go-live (YYYY-MM); needed to track actuals",
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$", exclude_if=_absent,
    )


class BenefitHaircuts(_Model):
    cost_savings: Rate = R(0.0, desc="Haircut on cost savings")
    revenue_protected: Rate = R(0.0, desc="Haircut on revenue protected")
    revenue_generated: Rate = R(0.0, desc="Haircut on revenue generated")
    risk_avoided: Rate = R(0.0, desc="Haircut on risk avoided")


class RiskAdjustment(_Model):
    benefits: BenefitHaircuts = Field(default_factory=BenefitHaircuts, description="Benefit haircuts by pillar")
    costs: Rate = R(0.0, desc="Uplift on every cost")


Measurable = Literal[
    "levers.deflection.rate",
    "levers.handle_time.seconds_saved",
    "levers.first_contact_resolution.repeat_rate_after",
    "levers.abandonment.abandon_rate_after",
    "levers.retention.churn_rate_after",
    "levers.upsell.conversion_lift",
    "levers.agent_attrition.attrition_after",
    "baseline.contacts_per_year",
]


#: Inputs a measurement-plan metric may measure (``measures``): the ones benefits tracking can set
#: against the plan and carry into the re-forecast (each lever's effect, and contact volume).
MEASURABLE: tuple[str, ...] = get_args(Measurable)


class UncertainRange(_Model):
    """One uncertain input's range: its low, most likely and high value, and the distribution between.

    A bound is a number in the field's own unit, or a percentage: of the base value for money,
    counts, seconds and months (``high: 130%`` is a 30% overrun), the rate itself for a rate
    (``low: 6%`` is 0.06). A bound left out keeps the default range's (else the base value).
    """

    low: Bound | None = F(None, unit="value or %", desc="Lowest plausible value")
    mode: Bound | None = F(None, unit="value or %", desc="Most likely value (defaults to the case's value)")
    high: Bound | None = F(None, unit="value or %", desc="Highest plausible value")
    distribution: Literal["triangular", "pert", "uniform"] = F(
        "triangular", unit="choice", desc="Shape between low and high: triangular, pert or uniform"
    )
    group: str | None = F(
        None, unit="text", desc="Correlation group: delivery, baseline, or one named in uncertainty_correlation",
        max_length=40,
    )


def resolve_bound(bound: float | str | None, base: float, unit: str) -> float | None:
    """A bound as a number: "130%" of a money field is 1.3 × base; "6%" of a rate is 0.06.

    >>> resolve_bound("130%", 450_000, "money"), resolve_bound("6%", 0.10, "rate"), resolve_bound(12, 30, "seconds")
    (585000.0, 0.06, 12.0)
    """
    if bound is None:
        return None
    if isinstance(bound, str):
        share = float(bound[:-1]) / 100.0
        return share if unit.startswith("rate") else share * base
    return float(bound)


class Metric(_Model):
    metric: str = F(unit="text", desc="Outcome metric", min_length=1, max_length=200)
    owner: str = F("", unit="text", desc="Who owns it", max_length=120)
    source: str = F("", unit="text", desc="Where the data comes from", max_length=200)
    cadence: str = F("", unit="text", desc="How often it is reviewed", max_length=60)
    trigger: str = F("", unit="text", desc="The decision it triggers", max_length=400)
    key: str | None = F(
        None, unit="text", desc="Identifier the actuals file uses for this metric (e.g. containment)",
        pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,59}$", exclude_if=_absent,
    )
    measures: Measurable | None = F(
        None, unit="choice", desc="The input whose realised value the metric reports (e.g. levers.deflection.rate)",
        exclude_if=_absent,
    )
    threshold: Rate | None = F(
        None, unit="number", desc="Value at which the trigger fires (rates as 0.08 or \"8%\")", exclude_if=_absent,
    )
    direction: Literal["below", "above"] | None = F(
        None, unit="choice", desc="below or above: which side of the threshold fires the trigger", exclude_if=_absent,
    )

    @model_validator(mode="after")
    def _threshold_with_direction(self) -> Metric:
        if (self.threshold is None) != (self.direction is None):
            raise ValueError("threshold and direction go together: give both (e.g. threshold: 8%, direction: below)")
        if (self.measures is not None or self.threshold is not None) and self.key is None:
            raise ValueError("a metric with measures or a threshold needs a key, the name the actuals file uses")
        return self


DEFAULT_MEASUREMENT_PLAN = (
    Metric(metric="Customer Effort Score by channel", owner="CX Insights", source="post-contact survey",
           cadence="monthly", trigger="worse two months running: review automated journeys"),
    Metric(metric="First-contact resolution of AI-assisted contacts", owner="Operations",
           source="CRM case links", cadence="weekly", trigger="repeat within 7 days rises: retrain intents"),
    Metric(metric="Post-AI interaction NPS", owner="CX Insights", source="post-contact survey",
           cadence="monthly", trigger="below the human-handled NPS: review hand-offs"),
    Metric(metric="Retention delta, AI-assisted vs not", owner="Finance", source="billing",
           cadence="quarterly", trigger="delta below plan: revisit the retention lever"),
    Metric(metric="Revenue per retained customer", owner="Finance", source="billing",
           cadence="quarterly", trigger="flat or falling: review offers in service"),
    Metric(metric="Escalation quality score", owner="Quality", source="QA sampling",
           cadence="monthly", trigger="below target: fix bot-to-agent context transfer"),
    Metric(metric="Agent Experience Index", owner="Workforce", source="pulse survey and attrition",
           cadence="monthly", trigger="two-month decline: coaching and workload review"),
)


class Case(_Model):
    """One business unit's ROI case."""

    unit: str = F(unit="text", desc="Business unit", min_length=1, max_length=120)
    title: str = F("", unit="text", desc="What the investment is", max_length=200)
    currency: str = F("USD", unit="text", desc="ISO 4217 currency code of every amount", pattern=r"^[A-Z]{3}$")
    baseline: Baseline | None = Field(
        None, description="The current state (needed by the levers; a case of explicit lines may omit it)"
    )
    levers: Levers = Field(default_factory=Levers, description="The change, lever by lever")
    benefits: list[BenefitLine] = Field(default_factory=list, description="Explicit benefit lines by year")
    costs: Costs = Field(default_factory=Costs, description="What the change costs")
    timeline: Timeline = Field(default_factory=Timeline, description="Horizon, ramp and discounting")
    risk_adjustment: RiskAdjustment = Field(default_factory=RiskAdjustment, description="TEI-style risk adjustment")
    scenarios: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Overrides per scenario (dotted paths or scale shortcuts)"
    )
    measurement_plan: list[Metric] = Field(
        default_factory=lambda: list(DEFAULT_MEASUREMENT_PLAN), description="Outcome metrics to track"
    )
    sources: dict[str, str] = Field(default_factory=dict, description="Where each number came from")
    baseline_source: BaselineSource | None = Field(None, description="The export the baseline was built from")

    @model_serializer(mode="wrap")
    def _left_out_unset(self, handler: Any) -> Any:
        return drop_unset(handler(self))


    uncertainty: dict[str, UncertainRange] = Field(
        default_factory=dict,
        description="Range of each uncertain input by dotted path (defaults: the scenarios, cost overruns, key baseline inputs)",
        json_schema_extra={"unit": "ranges"},
    )
    uncertainty_correlation: float | dict[str, float] | None = Field(
        None,
        description="Rank correlation of the delivery group's inputs (0 to 1), or one per group name",
        json_schema_extra={"unit": "correlation"},
    )

    @field_validator("uncertainty_correlation", mode="before")
    @classmethod
    def _correlations(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Mapping):
            return {str(k): _correlation(v, str(k)) for k, v in value.items()}
        return _correlation(value)

    # Derived from the (immutable) fields and kept once made: scenario cases, flattened numbers.
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Equal when every field is equal (what was derived and kept is not compared)."""
        if not isinstance(other, Case):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # lists inside: a case is not hashable

    def memo(self, key: str, make: Any) -> Any:
        """``make()`` once per case and key; a case never changes, so neither does the value."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = make()
            return value

    @model_validator(mode="after")
    def _plan_keys_once(self) -> Case:
        seen: dict[tuple[str, str], str] = {}
        for i, m in enumerate(self.measurement_plan):
            for kind, value in (("key", m.key), ("measures", m.measures)):
                if value is None:
                    continue
                if (kind, value) in seen:
                    raise ValueError(
                        f"measurement_plan[{i}].{kind} = {value!r} is already used by "
                        f"measurement_plan[{seen[(kind, value)]}]; each metric needs its own"
                    )
                seen[(kind, value)] = str(i)
            lever = m.measures.split(".")[1] if m.measures and m.measures.startswith("levers.") else None
            if lever and getattr(self.levers, lever) is None:
                raise ValueError(
                    f"measurement_plan[{i}].measures = {m.measures!r} measures a lever the case does not use"
                )
        return self

    @field_validator("unit", "title", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        """Names are shown on one line everywhere: runs of white space become one space."""
        return " ".join(value.split()) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _known_scenarios(self) -> Case:
        for name in self.scenarios:
            if name not in SCENARIOS:
                raise ValueError(
                    f"scenarios.{name}: is not a scenario; use {', '.join(SCENARIOS)}"
                )
        _check_levers_need_baseline(self)
        _check_fits_horizon(self)
        for i, segment in enumerate(self.baseline.segments if self.baseline else ()):
            for lever, fields in segment.levers.items():
                where = f"baseline.segments[{i}].levers.{lever}"
                base = getattr(self.levers, lever, None) if lever in Levers.model_fields else None
                if not isinstance(base, BaseModel):
                    raise ValueError(f"{where}: overrides a lever the case does not use")
                unit_wide = _UNIT_WIDE.get(lever, ())
                for name in fields if unit_wide == "*" else [f for f in fields if f in unit_wide]:
                    raise ValueError(
                        f"{where}.{name}: is unit-wide and cannot differ by segment "
                        f"(agents and their tools are shared); set levers.{lever}.{name}"
                    )
                try:
                    type(base).model_validate({**base.model_dump(), **fields})
                except ValidationError as error:
                    from roi_kit.case.problems import (
                        _problem,  # walks these models: a cycle at import
                    )

                    first = _problem("", error.errors(include_url=False)[0], type(base))
                    raise ValueError(f"{where}.{first.path}: {first.message}") from None
        _check_uncertainty(self)
        return self

    # -- derived ----------------------------------------------------------------------------
    @property
    def input_hash(self) -> str:
        """sha256 of the case's canonical JSON: the report footer's proof of which inputs it used."""
        return self.memo("hash", lambda: hashlib.sha256(canonical_json(self).encode()).hexdigest())

    # -- new cases from old -----------------------------------------------------------------
    def with_overrides(self, overrides: Mapping[str, Any], *, unit: str | None = None) -> Case:
        """A new case with dotted-path ``overrides`` (and scale shortcuts) applied; self is untouched.

        >>> case = load_case(EXAMPLE)
        >>> case.with_overrides({"levers.deflection.rate": "12%"}).levers.deflection.rate
        0.12
        >>> case.levers.deflection.rate
        0.1
        """
        data = self.model_dump(mode="python")
        from roi_kit.case.overrides import apply_overrides  # walks these models: a cycle at import

        data = apply_overrides(data, overrides, unit=unit or self.unit, copy_data=False)
        return _validate(data, unit=unit or self.unit)

    def scenario_case(self, name: str) -> Case:
        """The case a scenario describes: its overrides, or the default ones, applied to this case.

        Defaults when a scenario is not written: conservative scales lever effects by 0.7 and takes
        1.5 times as long to ramp; optimistic scales them by 1.2 and ramps in 0.75 of the time.
        """
        if name not in SCENARIOS:
            raise CaseError([Problem(self.unit, "scenario", f"= {name!r} is not one of {', '.join(SCENARIOS)}")])
        if name == "expected" and "expected" not in self.scenarios:
            return self
        overrides = self.scenarios.get(name)
        if overrides is None:
            overrides = _default_scenario(self, name)
        if self.uncertainty:  # the ranges are the unit's, around its expected values: not a scenario's
            overrides = {**overrides, "uncertainty": {}}
        return self.memo(f"scenario:{name}", lambda: self.with_overrides(overrides))


def correlation_groups(case: Case) -> dict[str, float]:
    """Rank correlation by group: the defaults, with the case's ``uncertainty_correlation`` on top
    (a single number is the delivery group's)."""
    given = case.uncertainty_correlation
    if given is None:
        return dict(DEFAULT_CORRELATION)
    if isinstance(given, dict):
        return {**DEFAULT_CORRELATION, **given}
    return {**DEFAULT_CORRELATION, "delivery": float(given)}


def numbers_by_path(case: Case, exclude: Any = None) -> dict[str, float]:
    """The case's numeric inputs by dotted path (lists by index), ``exclude`` as ``model_dump`` takes it:
    what the model reads (:func:`roi_kit.model.inputs.flatten`) and what a range may name."""
    out: dict[str, float] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, f"{prefix}{key}.")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{prefix}{i}.")
        elif isinstance(node, int | float) and not isinstance(node, bool):
            out[prefix[:-1]] = float(node)

    walk(case.model_dump(mode="python", exclude=exclude), "")
    return out


def _numbers(case: Case) -> dict[str, float]:
    """The numbers an ``uncertainty:`` entry may name."""
    return numbers_by_path(case, {"scenarios", "measurement_plan", "sources", "uncertainty", "uncertainty_correlation"})


def _check_uncertainty(case: Case) -> None:
    """Each ``uncertainty:`` entry names a number the case has and the model can draw, its bounds
    are in order around the value, a rate stays within 0..1 and an effect never passes today's."""
    if not case.uncertainty:
        return
    from roi_kit.case.fields import field_doc  # walks these models: a cycle at import
    from roi_kit.case.overrides import _resolve

    numbers = _numbers(case)
    groups = correlation_groups(case)
    for path, entry in case.uncertainty.items():
        where = f"uncertainty.{path}"
        ok, why = _resolve(path)
        if not ok:
            raise ValueError(f"{where}: {why}")
        if path not in numbers:
            raise ValueError(f"{where}: the case gives no number at {path} (is the lever or line in the case?)")
        if is_fixed(path):
            raise ValueError(f"{where}: {path} is part of the case's structure and cannot be uncertain")
        unit = field_doc(path).unit
        base = numbers[path]
        low, mode, high = (resolve_bound(b, base, unit) for b in (entry.low, entry.mode, entry.high))
        mode = base if mode is None else mode
        if (low is not None and low > mode) or (high is not None and high < mode):
            shown = ", ".join(f"{k} = {v:g}" for k, v in (("low", low), ("mode", mode), ("high", high)) if v is not None)
            raise ValueError(f"{where}: {shown} are not in order (low ≤ mode ≤ high; the mode defaults to the case's {base:g})")
        if unit == "rate" and any(v is not None and not 0.0 <= v <= 1.0 for v in (low, high)):
            raise ValueError(f"{where}: a rate's range must stay between 0 and 1 (write low: 6% for 0.06)")
        negative = [(k, v) for k, v in (("low", low), ("high", high)) if v is not None and v < 0]
        if negative and not path.endswith("volume_growth"):
            raise ValueError(f"{where}: {negative[0][0]} = {negative[0][1]:g} is below 0, which {path} cannot be")
        effect = effect_of(path)
        if effect is not None:
            today_path, better = effect
            today = today_value(today_path, numbers)
            worst = low if better > 0 else high
            if worst is not None and today is not None and (worst - today) * better < -1e-12:
                side = "low" if better > 0 else "high"
                raise ValueError(
                    f"{where}: {side} = {worst:g} is worse than today's {today:g}: an effect ranges "
                    f"from no change to more than planned, never past today's level"
                )
        if entry.group is not None and entry.group not in groups:
            raise ValueError(
                f"{where}: group = {entry.group!r} has no correlation; name it in uncertainty_correlation "
                f"or use {', '.join(groups)}"
            )


#: Levers that count revenue, so need a gross margin.
REVENUE_LEVERS = ("abandonment", "retention", "upsell")


def _check_levers_need_baseline(case: Case) -> None:
    used = [name for name in Levers.model_fields if getattr(case.levers, name)]
    if case.baseline is None:
        if used:
            raise ValueError(
                f"baseline: is missing; levers.{used[0]} needs it (only a case of explicit benefit "
                "and cost lines may omit the baseline)"
            )
        if any(c.per_automated_contact is not None for c in case.costs.recurring):
            raise ValueError("baseline: is missing; a per_automated_contact cost needs levers.deflection")
        return
    revenue = [name for name in REVENUE_LEVERS if getattr(case.levers, name)]
    if revenue and case.baseline.gross_margin is None:
        raise ValueError(
            f"baseline.gross_margin: is missing; levers.{revenue[0]} counts revenue at the gross margin "
            "(write e.g. 40%, or 100% to count revenue as profit)"
        )


def _check_fits_horizon(case: Case) -> None:
    """Amounts the horizon cannot hold are refused, not cut or moved (lists may end early)."""
    horizon = case.timeline.horizon_months
    years = -(-horizon // 12)
    span = f"the horizon is {horizon} months ({years} year{'s' if years > 1 else ''})"
    lists = [(f"benefits[{i}].per_year", b.per_year) for i, b in enumerate(case.benefits)]
    lists += [(f"costs.custom[{i}].per_year", c.per_year) for i, c in enumerate(case.costs.custom)]
    for where, amounts in lists:
        if isinstance(amounts, list) and len(amounts) > years:
            raise ValueError(
                f"{where}: has {len(amounts)} yearly amounts but {span}; give at most {years} "
                "or lengthen timeline.horizon_months"
            )
    for i, cost in enumerate(case.costs.one_time):
        if cost.month > horizon:
            raise ValueError(
                f"costs.one_time[{i}].month: = {cost.month} falls after the horizon's last month; "
                f"{span}"
            )
    for i, cost in enumerate(case.costs.recurring):
        if cost.start_month > horizon:
            raise ValueError(
                f"costs.recurring[{i}].start_month: = {cost.start_month} falls after the horizon's "
                f"last month; {span}"
            )


# Lever fields a segment may not override: the agent pool is shared by every segment, so its
# staffing basis and its attrition are the unit's ("*": the whole lever); retention timing is one convention.
_UNIT_WIDE: dict[str, Any] = {"handle_time": ("basis",), "agent_attrition": "*", "retention": ("timing",)}


def _default_scenario(case: Case, name: str) -> dict[str, Any]:
    ramp = case.timeline.ramp_months
    if name == "conservative":
        return {"scale_levers": 0.7, "timeline.ramp_months": min(60.0, ramp * 1.5)}
    return {"scale_levers": 1.2, "timeline.ramp_months": ramp * 0.75}


def _check_segments(baseline: Baseline) -> None:
    segments = baseline.segments
    if not segments:
        return
    seen: dict[str, int] = {}
    for i, segment in enumerate(segments):
        key = " ".join(segment.name.split()).casefold()
        if key in seen:
            raise ValueError(
                f"segments[{i}].name: = {segment.name!r} is also the name of segments[{seen[key]}]: "
                "segment names must be unique"
            )
        seen[key] = i
    total = sum(s.share_of_contacts for s in segments)
    if abs(total - 1.0) > 5e-4:
        raise ValueError(
            f"segments: share_of_contacts sums to {total:.2%}, not 100% (difference {total - 1:+.2%})"
        )
    if any(s.share_of_customers is not None for s in segments):
        total = sum((s.share_of_customers if s.share_of_customers is not None else 0.0) for s in segments)
        if abs(total - 1.0) > 5e-4:
            raise ValueError(
                f"segments: share_of_customers sums to {total:.2%}, not 100% (difference {total - 1:+.2%})"
            )
    for field, fmt in (("annual_value_per_customer", "{:,.2f}"), ("churn_rate", "{:.2%}")):
        unit_value = getattr(baseline, field)
        values = [getattr(s, field) for s in segments]
        if unit_value is None or any(v is None for v in values):
            continue
        weighted = sum(_customer_share(s) * v for s, v in zip(segments, values, strict=True))
        tolerance = max(abs(unit_value) * 5e-3, 1e-9)
        if abs(weighted - unit_value) > tolerance:
            raise ValueError(
                f"segments: {field} weighted by customer share is {fmt.format(weighted)}, "
                f"but the unit's is {fmt.format(unit_value)} (difference {fmt.format(weighted - unit_value)})"
            )


def _check_profile(grid: list[list[float]] | None) -> None:
    if grid is None:
        return
    if len(grid) != 7 or any(len(day) != 24 for day in grid):
        shape = f"{len(grid)} weekdays with " + "/".join(sorted({str(len(d)) for d in grid})) + " hours"
        raise ValueError(f"interval_profile: has {shape}; give 7 weekdays (0 = Monday) of 24 hours each")
    for d, day in enumerate(grid):
        for h, share in enumerate(day):
            if not 0 <= share <= 1:
                raise ValueError(f"interval_profile: weekday {d} hour {h} = {share:g} is not a share between 0 and 1")
    total = sum(map(sum, grid))
    if abs(total - 1.0) > 1e-3:
        raise ValueError(f"interval_profile: shares sum to {total:.2%}, not 100% (difference {total - 1:+.2%})")


def _customer_share(segment: Segment) -> float:
    return segment.share_of_customers if segment.share_of_customers is not None else segment.share_of_contacts


def _validate(data: Mapping[str, Any], *, unit: str) -> Case:
    try:
        return Case.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        from roi_kit.case.problems import _problem  # walks these models: a cycle at import

        problems = [_problem(unit, e) for e in errors]
        # A misspelt field also leaves the real one missing: say it once, as the misspelling.
        suggested = {
            p.path.rsplit(".", 1)[0] + "." + p.message.rsplit("did you mean ", 1)[1].rstrip("?")
            for p in problems
            if "did you mean " in p.message and "." in p.path
        } | {
            p.message.rsplit("did you mean ", 1)[1].rstrip("?")
            for p in problems
            if "did you mean " in p.message and "." not in p.path
        }
        problems = [
            p for p, e in zip(problems, errors, strict=True) if not (e["type"] == "missing" and p.path in suggested)
        ]
        raise CaseError(problems) from None


def canonical_json(case: Case) -> str:
    """The case as sorted, compact JSON: equal cases give equal text (and equal hashes)."""
    data = case.model_dump(mode="json")
    for key in ("uncertainty", "uncertainty_correlation"):  # added later: unset, the hash stays as it was
        if not data.get(key):
            data.pop(key, None)
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file (draft 2020-12), for editors: rates accept 0.14 and "14%"."""
    schema = Case.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", "roi_kit case")
    return schema
