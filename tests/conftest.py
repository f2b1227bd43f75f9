from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "templates" / "cases" / "example.yaml"
SHARED_EXAMPLE = ROOT.parent / "shared" / "examples" / "case.yaml"

settings.register_profile(
    "roi_kit", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "roi_kit"))


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_case():
    from roi_kit import load_case

    return load_case(EXAMPLE)


@pytest.fixture(scope="session")
def result(example_case):
    """The example evaluated under the expected scenario."""
    from roi_kit import evaluate

    return evaluate(example_case)


@pytest.fixture(scope="session")
def scenarios(example_case):
    """The example under conservative, expected and optimistic."""
    from roi_kit import evaluate_scenarios

    return evaluate_scenarios(example_case)
