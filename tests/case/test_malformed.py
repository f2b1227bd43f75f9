"""Every malformed case in tests/malformed/ gives exactly the one-line message its first line names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from roi_kit import load_case
from roi_kit.errors import CaseError

CORPUS = sorted((Path(__file__).parent / "malformed").glob("*.yaml"))


def expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 25


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_message(path: Path):
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert [str(p) for p in caught.value.problems] == [expected(path)]


def test_cli_validate_lists_each_problem_and_exits_2():
    picked = [CORPUS[1], CORPUS[3]]
    done = subprocess.run(
        [sys.executable, "-m", "roi_kit.cli", "validate", *map(str, picked)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [f"{p}: {expected(p)}" for p in picked]
