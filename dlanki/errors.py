"""Problems found in a project, each carrying its location."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Untrusted text (ids, names, values from a card file) made safe for a terminal or a log line:
    control characters, including ESC and newlines, and bidirectional overrides become visible escapes."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class ExitStatus(IntEnum):
    """Exit codes of the command line, named once (README, "Exit codes")."""

    OK = 0
    BAD_INPUT = 1
    """The sources (or a file given on the command line) have errors; they are printed."""
    USAGE = 2
    """Bad options or arguments: Click's own code."""
    INTERNAL_ERROR = 70
    """A bug in dlanki: sysexits.h's EX_SOFTWARE, "an internal software error has been detected"."""
    INTERRUPTED = 130
    """Stopped with Ctrl+C: 128 + SIGINT, as shells report it."""


class Loc(NamedTuple):
    """A place in a source file: path relative to the project root, 1-based line and column.

    A named tuple, not a frozen dataclass: a 10,000-card file set makes 150,000 of them, and a tuple is
    made (and pickled into the build cache) several times faster."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        if not self.col:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    loc: Loc
    message: str
    hint: str = ""
    card_id: str = ""
    level: str = "error"
    """"error" blocks the build; "warning" does not (unless --strict)."""

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        card = f" [{printable(self.card_id)}]" if self.card_id else ""
        text = f"{printable(str(self.loc))}: {self.level}:{card} {printable(self.message)}"
        return f"{text}\n    hint: {printable(self.hint)}" if self.hint else text


class BuildFailed(Exception):
    """Raised when a run found errors; carries every problem of the run."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = sum(p.is_error for p in problems)
        super().__init__(f"{errors} error(s); nothing written")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Order problems by file and position, as a reader scans them."""
    return sorted(problems, key=lambda p: (p.loc.path, p.loc.line, p.loc.col, p.message))
