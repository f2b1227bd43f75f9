"""Fetch the smallest official plotly.js bundle the report needs into ``roi_kit/static/``.

Run once at set-up time (``make setup`` calls it); reports never fetch anything at view time::

    .venv/bin/python scripts/fetch_plotly_bundle.py            # idempotent: skips if present
    .venv/bin/python scripts/fetch_plotly_bundle.py --force

The npm package ``plotly.js-finance-dist-min`` holds the trace types the report draws (see
:mod:`roi_kit.page.bundle`). Its version is matched to the plotly.js version the installed plotly Python
package targets: same major.minor, the newest patch not above it (plotly 7.1.0 targets plotly.js
4.1.1 -> finance-dist-min 4.1.0). The file lands as ``roi_kit/static/plotly-finance-<ver>.min.js``
(git-ignored). Uses the ordinary ``npm`` client against the npm registry; nothing else.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from roi_kit.page.bundle import (
    BUNDLE_FILE_IN_PACKAGE,
    NPM_PACKAGE,
    STATIC_DIR,
    bundle_path,
    pick_version,
    target_version,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))



def _npm(*args: str) -> str:
    done = subprocess.run(["npm", *args], check=True, capture_output=True, text=True)
    return done.stdout


def fetch(*, force: bool = False) -> Path:
    """Download and unpack the matched bundle; return its path."""
    wanted = target_version()
    versions = json.loads(_npm("view", NPM_PACKAGE, "versions", "--json"))
    version = pick_version(wanted, versions if isinstance(versions, list) else [versions])
    dest = bundle_path(version)
    if dest.exists() and not force:
        print(f"{dest.relative_to(ROOT)} already present (plotly.js {wanted})")
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        _npm("pack", f"{NPM_PACKAGE}@{version}", "--pack-destination", tmp)
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(f"package/{BUNDLE_FILE_IN_PACKAGE}")
            if member is None:
                raise SystemExit(f"{tarball.name} has no package/{BUNDLE_FILE_IN_PACKAGE}")
            data = member.read()
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    for old in STATIC_DIR.glob("plotly-*.js"):
        old.unlink()
    tmp_dest = dest.with_suffix(".part")
    tmp_dest.write_bytes(data)
    tmp_dest.replace(dest)
    print(
        f"{dest.relative_to(ROOT)}: {len(data) / 1e6:.2f} MB ({NPM_PACKAGE}@{version} for plotly.js {wanted})"
    )
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="download even if present")
    fetch(force=parser.parse_args().force)


if __name__ == "__main__":
    main()
