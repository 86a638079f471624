"""Problems found in content, and the exceptions that carry them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file, located by path, line and column (1-based)."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        """Return True unless this is only a warning."""
        return self.severity == "error"


class SitrepError(Exception):
    """Base of every error sitrep reports to the user without a traceback."""

    exit_code = 1


class ContentErrors(SitrepError):
    """The content has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in content")


class UsageError(SitrepError):
    """The command line was wrong."""

    exit_code = 2


class RenderError(SitrepError):
    """A template or the PDF renderer failed on otherwise valid content."""


def excerpt(path: Path, line: int, column: int) -> str:
    """Return the offending source line with a caret under the column, or '' if unreadable."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].replace("\t", " ")
    if len(text) > 160:
        text = text[:157] + "..."
    caret = " " * max(0, min(column - 1, len(text))) + "^"
    return f"    {line:>4} | {text}\n         | {caret}"
