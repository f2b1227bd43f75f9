"""Small file helpers shared by the parts that write: atomic writes, safe slugs, CSV-safe cells."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

#: Names Windows reserves for devices, whatever the extension (``con.html`` cannot be opened).
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (back as it was after): for imports, which
    allocate objects by the hundred thousand and free almost none, while each automatic
    collection walks every one of them (a fifth of the batch command's import time)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only if the block succeeds.

    Readers never see a half-written file, and an interrupted write (an exception, Ctrl-C) leaves
    the old file, or no file, and no temporary behind.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; a report is for others to read
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    with atomic_path(path) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
    return Path(path)


def slugify(text: str, *, max_length: int = 80) -> str:
    """A file-name-safe slug of user text: ASCII letters, digits and single hyphens, never empty.

    >>> slugify("EMEA Retail Support")
    'emea-retail-support'
    >>> slugify("../../etc/passwd")
    'etc-passwd'

    A name Windows reserves for a device (CON, PRN, AUX, NUL, COM1-9, LPT1-9) gets ``-unit``:

    >>> slugify("CON")
    'con-unit'
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].strip("-")
    if slug in _RESERVED_NAMES:
        return f"{slug}-unit"
    return slug or "unit"


def csv_safe(value: object) -> object:
    """Neutralise a cell a spreadsheet would run as a formula (leading =, +, -, @, tab, CR).

    Numbers pass through unchanged; only text is changed. Every line of the text is checked, not
    only the first: a line break inside a cell is where a lenient reader starts a new row. Bare
    carriage returns and CRLF become LF, so a CSV writer (Python's csv, pandas) quotes every cell
    holding a line break (it quotes LF but not a lone CR); each line that starts with a formula
    lead is prefixed with a single quote.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_safe(-12.5)
    -12.5
    >>> csv_safe("a\\r=2")
    "a\\n'=2"
    """
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in value:
        return "'" + value if value.startswith(_FORMULA_LEADS) else value
    return "\n".join("'" + line if line.startswith(_FORMULA_LEADS) else line for line in value.split("\n"))


def skip_iri_format_check() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (≈1.2 s) to check "iri" formats that no
    notebook schema uses; call before nbformat is first imported (a no-op after). jupyterlab
    installs it, and nbformat — so papermill, nbconvert and plotly's widgets — loads jsonschema."""
    sys.modules.setdefault("rfc3987_syntax", None)
