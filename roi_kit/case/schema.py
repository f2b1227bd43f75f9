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
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from roi_kit.errors import CaseError, Problem

PILLARS = ("cost_savings", "revenue_protected", "revenue_generated", "risk_avoided")


PILLAR_LABELS = {
    "cost_savings": "Cost savings",
    "revenue_protected": "Revenue protected",
    "revenue_generated": "Revenue generated",
    "risk_avoided": "Risk avoided",
}


SCENARIOS = ("conservative", "expected", "optimistic")


SCALE_SHORTCUTS = ("scale_levers", "scale_benefits", "scale_costs")


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


Number = Annotated[float, BeforeValidator(_refuse_bool)]


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


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)


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


class Segment(_Model):
    name: str = F(unit="text", desc="Segment name", min_length=1, max_length=80)
    share_of_contacts: Rate = R(desc="Share of the unit's handled contacts from this segment")
    share_of_customers: Rate | None = R(None, desc="Share of the unit's customers in this segment")
    annual_value_per_customer: Number | None = F(
        None, unit="money/customer/year", desc="Annual revenue per customer in this segment", ge=0
    )
    churn_rate: Rate | None = R(None, desc="Share of this segment's customers lost per year")
    cost_per_contact: Number | None = F(
        None, unit="money/contact", desc="Fully loaded cost per handled contact in this segment", ge=0
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
        unit="contacts/year", desc="Handled contacts per year, all channels", gt=0, le=1e10
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
    gross_margin: Rate = R(
        1.0, desc="Gross margin applied to revenue effects (1 counts revenue, not profit)"
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
    paid_hours_per_fte: Number = F(
        2080, unit="hours/year", desc="Paid hours per full-time agent per year (40 h × 52 w)", gt=0, le=4000
    )
    segments: list[Segment] = Field(
        default_factory=list, description="Customer segments (the K-shaped base); shares sum to 100%"
    )

    @model_validator(mode="after")
    def _costable(self) -> Baseline:
        if self.cost_per_contact is None and (self.aht_seconds is None or self.loaded_hourly_cost is None):
            raise ValueError(
                "needs cost_per_contact, or aht_seconds and loaded_hourly_cost to build it up"
            )
        if self.occupancy <= 0:
            raise ValueError(f"occupancy = {self.occupancy:g} must be above 0 (e.g. 0.85 or \"85%\")")
        _check_segments(self)
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


class HandleTime(_Model):
    seconds_saved: Number = F(unit="seconds", desc="Handle seconds saved per human contact", ge=0, le=36_000)
    basis: Literal["staffed", "linear"] = F(
        "staffed",
        unit="choice",
        desc="staffed: cash only for agents no longer needed (Erlang C); linear: every hour released",
    )


class FirstContactResolution(_Model):
    repeat_rate_after: Rate = R(desc="Repeat-contact rate after the change", lt=1.0)


class Abandonment(_Model):
    abandon_rate_after: Rate = R(desc="Abandon rate of offered contacts after the change", lt=1.0)
    conversion_rate: Rate = R(desc="Share of recovered contacts that lead to a sale or save")
    average_order: Number = F(unit="money", desc="Revenue per converted recovered contact", ge=0, le=1e9)


class Retention(_Model):
    churn_rate_after: Rate = R(desc="Share of customers lost per year after the change")


class Upsell(_Model):
    eligible_share: Rate = R(desc="Share of handled contacts eligible for an offer")
    conversion_lift: Rate = R(desc="Added conversion rate on eligible contacts")
    average_value: Number = F(unit="money", desc="Revenue per converted offer", ge=0, le=1e9)


class AgentAttrition(_Model):
    attrition_after: Rate = R(desc="Share of agents who leave per year after the change")
    cost_per_hire: Number = F(unit="money", desc="Cost to recruit and train one replacement agent", ge=0, le=1e7)


class RiskEvent(_Model):
    name: str = F(unit="text", desc="The loss event", min_length=1, max_length=120)
    probability_before: Rate = R(desc="Probability of the event in a year, today")
    probability_after: Rate = R(desc="Probability of the event in a year, after the change")
    impact: Number = F(unit="money", desc="Financial impact if the event happens", ge=0, le=1e12)


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
    initial: Number = F(0.0, unit="money", desc="Amount at time 0", ge=-1e12, le=1e12)
    per_year: list[Number] | Number = F(
        0.0, unit="money/year", desc="Amount per year (a list gives year 1, 2, …; a number every year)"
    )


class OneTimeCost(_Model):
    name: str = F(unit="text", desc="Cost line", min_length=1, max_length=120)
    amount: Number | None = F(None, unit="money", desc="Amount", ge=0, le=1e12)
    hours: Number | None = F(None, unit="hours", desc="Hours of effort (with hourly_cost)", ge=0, le=1e9)
    hourly_cost: Number | None = F(None, unit="money/hour", desc="Cost per hour of effort", ge=0, le=1e5)
    month: int = F(0, unit="month", desc="Month the cost falls in (0 = initial investment)", ge=0, le=240)

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
    seats: Number | None = F(None, unit="seats", desc="Seats paid for", ge=0, le=1e7)
    per_automated_contact: Number | None = F(
        None, unit="money/contact", desc="Price per automated contact (deflection volume)", ge=0, le=1e4
    )
    start_month: int = F(1, unit="month", desc="First month the cost is paid", ge=1, le=240)

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
    initial: Number = F(0.0, unit="money", desc="Amount at time 0", ge=0, le=1e12)
    per_year: list[Number] | Number = F(
        0.0, unit="money/year", desc="Amount per year (a list gives year 1, 2, …; a number every year)"
    )


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


class BenefitHaircuts(_Model):
    cost_savings: Rate = R(0.0, desc="Haircut on cost savings")
    revenue_protected: Rate = R(0.0, desc="Haircut on revenue protected")
    revenue_generated: Rate = R(0.0, desc="Haircut on revenue generated")
    risk_avoided: Rate = R(0.0, desc="Haircut on risk avoided")


class RiskAdjustment(_Model):
    benefits: BenefitHaircuts = Field(default_factory=BenefitHaircuts, description="Benefit haircuts by pillar")
    costs: Rate = R(0.0, desc="Uplift on every cost")


class Metric(_Model):
    metric: str = F(unit="text", desc="Outcome metric", min_length=1, max_length=200)
    owner: str = F("", unit="text", desc="Who owns it", max_length=120)
    source: str = F("", unit="text", desc="Where the data comes from", max_length=200)
    cadence: str = F("", unit="text", desc="How often it is reviewed", max_length=60)
    trigger: str = F("", unit="text", desc="The decision it triggers", max_length=400)


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
    baseline: Baseline = Field(description="The current state")
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
        for i, segment in enumerate(self.baseline.segments):
            for lever, fields in segment.levers.items():
                where = f"baseline.segments[{i}].levers.{lever}"
                base = getattr(self.levers, lever, None) if lever in Levers.model_fields else None
                if not isinstance(base, BaseModel):
                    raise ValueError(f"{where}: overrides a lever the case does not use")
                try:
                    type(base).model_validate({**base.model_dump(), **fields})
                except ValidationError as error:
                    from roi_kit.case.problems import (
                        _problem,  # walks these models: a cycle at import
                    )

                    first = _problem("", error.errors(include_url=False)[0], type(base))
                    raise ValueError(f"{where}.{first.path}: {first.message}") from None
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
        return self.memo(f"scenario:{name}", lambda: self.with_overrides(overrides))


def _default_scenario(case: Case, name: str) -> dict[str, Any]:
    ramp = case.timeline.ramp_months
    if name == "conservative":
        return {"scale_levers": 0.7, "timeline.ramp_months": min(60.0, ramp * 1.5)}
    return {"scale_levers": 1.2, "timeline.ramp_months": ramp * 0.75}


def _check_segments(baseline: Baseline) -> None:
    segments = baseline.segments
    if not segments:
        return
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
    return json.dumps(case.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file (draft 2020-12), for editors: rates accept 0.14 and "14%"."""
    schema = Case.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", "roi_kit case")
    return schema
