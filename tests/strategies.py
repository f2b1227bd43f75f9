"""Hypothesis strategies for valid and invalid cases, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

rate = st.floats(0.0, 0.6, allow_nan=False)
money = st.floats(0.0, 5_000_000, allow_nan=False)


@st.composite
def case_data(draw, *, max_levers: int = 8) -> dict:
    """A valid case as a mapping: random baseline, a random subset of levers, random cost lines."""
    repeat = draw(st.floats(0.0, 0.4))
    abandon = draw(st.floats(0.0, 0.2))
    churn = draw(st.floats(0.01, 0.4))
    baseline = {
        "contacts_per_year": draw(st.floats(1_000, 5_000_000)),
        "cost_per_contact": draw(st.floats(0.5, 20)),
        "aht_seconds": draw(st.floats(60, 900)),
        "acw_seconds": draw(st.floats(0, 120)),
        "loaded_hourly_cost": draw(st.floats(10, 90)),
        "shrinkage": draw(st.floats(0.0, 0.45)),
        "occupancy": draw(st.floats(0.5, 0.95)),
        "repeat_rate": repeat,
        "abandon_rate": abandon,
        "volume_growth": draw(st.floats(-0.1, 0.2)),
        "customers": draw(st.floats(100, 2_000_000)),
        "churn_rate": churn,
        "annual_value_per_customer": draw(st.floats(10, 5_000)),
        "gross_margin": draw(st.floats(0.05, 1.0)),
        "agents": draw(st.floats(1, 2_000)),
        "agent_attrition": draw(st.floats(0.05, 0.6)),
    }
    levers_all = {
        "deflection": {"rate": draw(st.floats(0, 0.4)), "automated_cost": draw(st.floats(0, 2)),
                       "leakage": draw(st.floats(0, 0.5))},
        "handle_time": {"seconds_saved": draw(st.floats(0, 59)),
                        "basis": draw(st.sampled_from(["staffed", "linear"]))},
        "first_contact_resolution": {"repeat_rate_after": draw(st.floats(0, repeat))},
        "abandonment": {"abandon_rate_after": draw(st.floats(0, abandon)), "conversion_rate": draw(rate),
                        "average_order": draw(st.floats(0, 1_000))},
        "retention": {"churn_rate_after": draw(st.floats(0, churn))},
        "upsell": {"eligible_share": draw(rate), "conversion_lift": draw(st.floats(0, 0.1)),
                   "average_value": draw(st.floats(0, 1_000))},
        "agent_attrition": {"attrition_after": draw(st.floats(0, baseline["agent_attrition"])),
                            "cost_per_hire": draw(st.floats(0, 20_000))},
    }
    chosen = draw(st.lists(st.sampled_from(sorted(levers_all)), unique=True, max_size=max_levers))
    levers = {name: levers_all[name] for name in chosen}
    if draw(st.booleans()):
        levers["risk"] = [{"name": "Event", "probability_before": 0.2, "probability_after": draw(st.floats(0, 0.2)),
                           "impact": draw(money)}]
    years = draw(st.integers(1, 5))
    return {
        "unit": draw(st.text(min_size=1, max_size=30).filter(lambda s: s.strip())),
        "baseline": baseline,
        "levers": levers,
        "costs": {
            "one_time": [{"name": "Setup", "amount": draw(money)}],
            "recurring": [{"name": "Licences", "per_year": draw(st.floats(0, 1_000_000))}],
        },
        "timeline": {"horizon_months": years * 12, "ramp_months": draw(st.floats(0, 12)),
                     "ramp_shape": draw(st.sampled_from(["linear", "s-curve"])),
                     "discount_rate": draw(st.floats(0, 0.3)),
                     "discounting": draw(st.sampled_from(["annual", "monthly"]))},
    }


# (path, bad value) pairs that a valid case must refuse
CORRUPTIONS = [
    (("baseline", "contacts_per_year"), -1),
    (("baseline", "contacts_per_year"), "many"),
    (("baseline", "abandon_rate"), 6),
    (("baseline", "shrinkage"), "140%"),
    (("baseline", "occupancy"), True),
    (("baseline", "typo_field"), 1),
    (("timeline", "horizon_months"), 6),
    (("timeline", "ramp_shape"), "instant"),
    (("timeline", "discount_rate"), -0.2),
    (("currency", None), "us dollars"),
    (("costs", "one_time"), [{"name": "Setup"}]),
    (("costs", "recurring"), [{"name": "Licences", "per_year": 1, "per_month": 1}]),
]


def case(**sections):
    """A minimal valid case (1M contacts at $5.00, no ramp, no growth, 36 months) with the given
    sections merged in: a dict section is merged key by key into the default one."""
    from roi_kit import load_case

    data = {
        "unit": "Test Unit",
        "baseline": {"contacts_per_year": 1_000_000, "cost_per_contact": 5.0},
        "timeline": {"ramp_months": 0, "horizon_months": 36},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return load_case(data)
