"""The jobs of a batch (one per unit and scenario) and the key that says whether a report is current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from roi_kit import __version__
from roi_kit._io import slugify
from roi_kit.batch.units import Unit
from roi_kit.board.export import notebook_parameters
from roi_kit.case.schema import SCENARIOS
from roi_kit.errors import BatchError


@dataclass(frozen=True)
class Job:
    """One report to make: a unit in a scenario. ``parameters`` are the notebook's (JSON-safe)."""

    unit: str
    scenario: str
    slug: str
    source: str
    key: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notebook: str = ""
    error: str = ""


def plan(units: Sequence[Unit], scenarios: Sequence[str], notebook: Path) -> list[Job]:
    """A job per unit and scenario, with safe unique slugs and the key that decides a rerun.

    With one scenario a report is ``<unit-slug>.html``; with several, ``<unit-slug>-<scenario>``.
    Two jobs with one slug are refused (never one report overwriting another).
    """

    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown or not scenarios:
        raise BatchError(f"--scenario {', '.join(unknown)} is not one of {', '.join(SCENARIOS)}")
    notebook_hash = hashlib.sha256(notebook.read_bytes()).hexdigest()
    jobs: list[Job] = []
    owners: dict[str, Job] = {}
    for unit in units:
        for scenario in dict.fromkeys(scenarios):
            slug = slugify(unit.name) if len(scenarios) == 1 else slugify(f"{unit.name}-{scenario}")
            job = Job(
                unit.name, scenario, slug, unit.source, notebook=str(notebook), error=unit.error
            )
            if slug in owners:
                other = owners[slug]
                raise BatchError(
                    f"units {other.unit!r} ({other.source}) and {unit.name!r} ({unit.source}) both "
                    f"make the file name {slug!r}: rename one (reports are never overwritten)"
                )
            owners[slug] = job
            if unit.case is not None:
                job = replace(
                    job,
                    key=_job_key(unit.case.input_hash, scenario, notebook_hash),
                    parameters=notebook_parameters(
                        case=unit.case.model_dump(mode="json"), scenario=scenario
                    ),
                )
            jobs.append(job)
    return jobs


def _job_key(input_hash: str, scenario: str, notebook_hash: str) -> str:
    """sha256 over what a report is made from: inputs, scenario, toolkit version, notebook."""
    text = json.dumps([input_hash, scenario, __version__, notebook_hash])
    return hashlib.sha256(text.encode()).hexdigest()
