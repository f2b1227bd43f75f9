"""Headless chromium for the browser tests: Debian's /usr/bin/chromium, never a downloaded one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from roi_kit.board import export as report

REPORTS = Path(__file__).resolve().parents[2] / "reports" / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(report.CHROMIUM).exists():
        skip = pytest.mark.skip(
            reason=f"no chromium at {report.CHROMIUM}: apt-get install -y chromium"
        )
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@dataclass
class Visit:
    """What happened while a page was open: requests that tried to leave, errors, dialogs."""

    page: Any
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    """Open a local HTML file with every network request blocked and recorded."""
    contexts = []

    def open_page(path: Path) -> Visit:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)

        def route(route: Any) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                seen.requests.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page.on(
            "console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda e: seen.page_errors.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            seen.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri(), wait_until="load")
        report.wait_for_charts(page)
        return seen

    yield open_page
    for context in contexts:
        context.close()
