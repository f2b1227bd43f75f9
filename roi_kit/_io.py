"""Small file helpers shared by the parts that write: atomic writes, safe slugs, CSV-safe cells."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


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
    >>> slugify("CON")
    'con-unit'
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_length].strip("-")
    if slug in _RESERVED:  # "con.html" cannot be created on Windows (nor copied there)
        slug += "-unit"
    return slug or "unit"


#: File names Windows reserves whatever the extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)


def csv_safe(value: object) -> object:
    """Neutralise a cell a spreadsheet would run as a formula (leading =, +, -, @, tab, CR).

    Numbers pass through unchanged; only text is prefixed with a single quote.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_safe(-12.5)
    -12.5
    """
    if isinstance(value, str) and value.startswith(_FORMULA_LEADS):
        return "'" + value
    return value
