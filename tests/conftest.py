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


@pytest.fixture(scope="session")
def browser():
    """The session's one headless chromium (Debian's). Playwright's sync API allows one per
    thread: a test (or module) starting its own while another was open failed, depending on
    which tests an xdist worker had run before ("Sync API inside the asyncio loop")."""
    from playwright.sync_api import sync_playwright

    from roi_kit.board import export as report

    if not Path(report.CHROMIUM).exists():
        pytest.skip(f"no chromium at {report.CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=report.CHROMIUM, args=list(report.CHROMIUM_ARGS)
        )
        yield chromium
        chromium.close()


#: Fixtures that start a kernel, a browser or a cluster: a test using one is slow, whatever it says.
SLOW_FIXTURES = frozenset({"fixture_nb", "fixture_html", "example_html", "chromium", "browser", "browser_page", "warm"})
#: Modules whose every test starts kernels or worker processes.
SLOW_MODULES = ("batch/test_run.py", "batch/test_kernel.py")


def pytest_collection_modifyitems(config, items):
    """Mark as ``slow`` every test that starts kernels, browsers or clusters, so the quick loop
    (``pytest -m "not slow"``) runs the rest in about a minute; ``make test`` runs everything."""
    for item in items:
        path = str(item.path)
        if (
            item.get_closest_marker("browser")
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or path.endswith(SLOW_MODULES)
        ):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI (``CI`` set) a test that skips because a tool is missing did not run: it fails.
    Only an opt-in test (its skip reason says "opt-in") may skip there."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and "opt-in" not in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"skipped on CI, so it did not run: {report.longrepr}"

