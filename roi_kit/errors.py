"""The toolkit's one exception tree.

Every error a user can cause derives from :class:`RoiKitError`, so the command line can turn any
of them into a clean one-line message and exit code instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class RoiKitError(Exception):
    """Raised for any problem the toolkit reports to a user (the base of the tree)."""


#: Bidirectional controls: they reorder how text shows (a title can display as another).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SHOWN_BIDI = {ord(ch): f"<U+{ord(ch):04X}>" for ch in BIDI_CONTROLS}


def show_direction_controls(text: str) -> str:
    r"""``text`` with each bidirectional control (U+202E …) written as ``<U+202E>``: on a terminal
    or a page it would reorder the text around it (``evil\u202egnp.exe`` shows as ``evilexe.png``).

    >>> show_direction_controls("evil\u202egnp.exe")
    'evil<U+202E>gnp.exe'
    """
    return text.translate(_SHOWN_BIDI) if not BIDI_CONTROLS.isdisjoint(text) else text


@dataclass(frozen=True)
class Problem:
    """One problem found in a case: where it is, what was given, and what is accepted."""

    unit: str
    path: str
    message: str

    def __str__(self) -> str:
        unit = " ".join(str(self.unit).split())  # one line, whatever the unit's name holds
        where = f"{unit}: " if unit else ""
        text = f"{where}{self.path}{' ' if self.path else ''}{self.message}".strip()
        # a direction control (U+202E …) from a file name would reorder the line on a terminal
        return show_direction_controls(text)


class CaseError(RoiKitError):
    """Raised when a case file or mapping is not a valid case; holds every problem found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ModelError(RoiKitError):
    """Raised when a valid case cannot be evaluated (e.g. a lever needs an input the case lacks)."""


class ReportError(RoiKitError):
    """Raised when a report cannot be executed or exported."""


class BatchError(RoiKitError):
    """Raised when a batch cannot start (bad units source, slug clash, bad output folder)."""


class CostingError(RoiKitError):
    """Raised when interaction data, a rates file or a mapping file cannot be used."""


class TrackError(RoiKitError):
    """Raised when actuals cannot be set against a case (bad rows, unknown metrics, no start month)."""
