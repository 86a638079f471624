"""Problems found in content, and the exceptions that carry them."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: What the machine refuses (a full disk or quota, a read-only mount, no permission, a failing disk):
#: the user's environment, not a bug, so reported in one line with its own exit status.
SYSTEM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO,
                           errno.EFBIG})
EXIT_SYSTEM = 74  # EX_IOERR from sysexits.h


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a content file, located by path, line and column (1-based)."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"
    #: another file the message names, written in it as path is: shown where the user can open it, as path is
    related: str = ""

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


@contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """Name path in an OS error raised while writing it (a write that fills the disk names no file)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def system_refusal(exc: BaseException) -> OSError | None:
    """Return the OS error of the machine's own refusal behind exc (a full disk, a read-only mount), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in SYSTEM_ERRNOS:
            return current
        current = current.__cause__ or current.__context__
    return None


def describe_refusal(error: OSError, folder: Path | None = None) -> str:
    """Return one line naming the path and the OS error: 'cannot write PATH: No space left on device'.

    A write that fills the disk may name no file: then the folder the command was writing into.
    """
    where = f" {error.filename}" if error.filename is not None else f" into {folder}" if folder else ""
    name = errno.errorcode.get(error.errno or 0, "")
    return f"cannot write{where}: {error.strerror or error}" + (f" ({name})" if name else "")



#: Where an editor breaks lines: LF, CRLF or a lone CR.
EDITOR_BREAK = re.compile("\r\n|[\n\r]")


def editor_lines(text: str) -> list[str]:
    """Split text into the lines an editor shows (str.splitlines also splits at U+2028, U+0085 and others)."""
    if not any(ch in text for ch in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        return text.splitlines()
    lines = EDITOR_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines

def excerpt(path: Path, line: int, column: int) -> str:
    """Return the offending source line with a caret under the column, or '' if unreadable."""
    try:
        lines = editor_lines(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].replace("\t", " ")
    if len(text) > 160:
        text = text[:157] + "..."
    caret = " " * max(0, min(column - 1, len(text))) + "^"
    return f"    {line:>4} | {text}\n         | {caret}"
