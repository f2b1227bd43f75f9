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
