"""Terminal output: problems grouped by file with the offending lines marked, progress, summaries.

Colour, spinners and bars appear only on a terminal (rich decides from isatty, NO_COLOR and TERM);
piped or captured output is plain text with one `path:line:col: message` per problem, so editors
and CI logs can still jump to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

from rich.console import Console, ConsoleOptions
from rich.control import STRIP_CONTROL_CODES, strip_control_codes
from rich.segment import Segment
from rich.text import Text

from .errors import Problem, editor_lines
from .load import leaves_content

T = TypeVar("T")
CONTEXT_LINES = 1  # lines shown above the offending one
BAR_FROM = 200  # fewer items than this go by too fast for a bar to help
MAX_SHOWN_WIDTH = 160


def make_console(stream: TextIO) -> Console:
    """Return a console writing to stream: styled on a terminal, plain text anywhere else."""
    # soft_wrap: never break a 'path:line:col: message' line at 80 columns when piped
    return Console(file=stream, highlight=False, emoji=False, soft_wrap=True)


class Reporter:
    """What the user sees: errors always, the summary unless quiet, every step when verbose."""

    def __init__(self, out: TextIO, err: TextIO, *, quiet: bool = False, verbose: bool = False) -> None:
        self.out = make_console(out)
        self.err = make_console(err)
        self.quiet = quiet
        self.verbose = verbose
        self._started = time.perf_counter()

    @property
    def interactive(self) -> bool:
        """Return True when progress can be drawn (a terminal, not quiet)."""
        return self.err.is_terminal and not self.quiet

    def summary(self, text: str | Text) -> None:
        """Print the closing line of a command (on stdout) unless quiet."""
        if not self.quiet:
            self.out.print(text)

    def info(self, text: str | Text) -> None:
        """Print a note on stderr unless quiet."""
        if not self.quiet:
            self.err.print(text)

    def step(self, text: str) -> None:
        """Print one step of the work with the time since the start, when verbose."""
        if self.verbose and not self.quiet:
            self.err.print(Text(f"{time.perf_counter() - self._started:6.2f} s  {text}", style="dim"))

    def error(self, text: str) -> None:
        """Print an error that belongs to no file."""
        self.err.print(Text.assemble(("error: ", "bold red"), text))

    def problems(self, problems: Sequence[Problem], content: Path | None) -> None:
        """Print problems grouped by file, then a count of errors; errors alone when quiet."""
        print_problems(self.err, [p for p in problems if p.is_error] if self.quiet else problems, content)

    def track(self, items: Sequence[T], description: str) -> Iterable[T]:
        """Return items, drawing a progress bar over them on a terminal."""
        if not self.interactive or len(items) < BAR_FROM:
            return items
        import rich.progress  # a fortieth of a second to import, for a bar only a terminal shows

        return rich.progress.track(items, description=description, console=self.err, transient=True)

    @contextlib.contextmanager
    def status(self, text: str) -> Iterator[Status]:
        """Show a spinner with the current step on a terminal; print steps when verbose."""
        if not self.interactive:
            yield Status(self, None)
            return
        with self.err.status(text, spinner="dots") as live:
            yield Status(self, live)


class Status:
    """The current step of a long piece of work."""

    def __init__(self, reporter: Reporter, live: object | None) -> None:
        self.reporter = reporter
        self.live = live

    def update(self, text: str) -> None:
        """Show a new step."""
        self.reporter.step(text)
        if self.live is not None:
            self.live.update(text)  # type: ignore[attr-defined]


def print_problems(console: Console, problems: Sequence[Problem], content: Path | None) -> None:
    """Print problems grouped by file, each followed by its line with the bad spot marked."""
    if problems:
        print_lines(console, _report(problems, content))


# A line of output as Text.assemble takes it: plain strings and (text, style) pairs. Thousands of
# problems are reported as these, and become rich Text only on a terminal, where they are styled.
Line = tuple[str | tuple[str, str], ...]


def problem_report(problems: Sequence[Problem], content: Path | None) -> list[Text]:
    """Return the lines that report problems: by file, each problem with its line and the bad spot marked."""
    return [Text.assemble(*line) for line in _report(problems, content)]


def _report(problems: Sequence[Problem], content: Path | None) -> list[Line]:
    base = content.absolute().parent if content else Path.cwd()
    report: list[Line] = []
    for path, group in _by_file(problems):
        errors = sum(p.is_error for p in group)
        warnings = len(group) - errors
        resolved = _resolve(base, content, path)
        shown = shown_path(resolved)
        report.append(())
        report.append(((visible(shown), "bold"), (f"  ({_counted(errors, warnings)})", "dim")))
        lines = source_lines(resolved, content)
        separator = "," if path.endswith(".csv") else None
        for problem in group:
            related = shown_path(_resolve(base, content, problem.related)) if problem.related else None
            report.append(_problem_line(problem, shown, related))
            report.extend(_excerpt(lines, problem.line, problem.column, problem.is_error, separator))
    errors = sum(p.is_error for p in problems)
    if errors:
        files = len({p.path for p in problems if p.is_error})
        report.append(())
        report.append(((f"{_plural(errors, 'error')} in {_plural(files, 'file')}; nothing was written, "
                        "output left as it was.", "bold red"),))
    return report


def print_lines(console: Console, lines: Sequence[Line]) -> None:
    """Print lines at once, each as console.print would print Text.assemble(*line).

    rich lays out every print anew (terminal size, wrapping, styles): about 0.1 ms a line, seconds for
    the thousands of warnings of a large corpus. Off a terminal rich writes plain text (without the
    control codes Text drops), so the lines are written as that; on one, their styled segments go
    through a single print (which keeps a spinner below them).
    """
    if not console.is_terminal:
        text = "".join("".join(piece if isinstance(piece, str) else piece[0] for piece in line) + "\n"
                       for line in lines)
        if any(code in text for code in _STRIPPED):  # a search is a hundred times faster than translate
            text = strip_control_codes(text)
        console.file.write(text)
        console.file.flush()
        return
    console.print(_Rendered(lines), end="")


_STRIPPED = "".join(map(chr, STRIP_CONTROL_CODES))


class _Rendered:
    """Lines as rich segments, one line each, never wrapped (the console's soft_wrap)."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for line in self.lines:
            yield from Text.assemble(*line).render(console, end="")
            yield Segment.line()


def shown_path(path: Path) -> str:
    """Return a file's path as the user can open it from where they ran the command.

    Relative to the working folder when the file is inside it, absolute otherwise: a path relative
    to the content folder's parent cannot be clicked from anywhere else.
    """
    absolute, here = os.path.abspath(path), os.getcwd()  # strings: called once per file of thousands
    if absolute == here:
        return "."
    inside = here.rstrip(os.sep) + os.sep
    return absolute[len(inside):] if absolute.startswith(inside) else absolute


def problem_line(problem: Problem, shown: str | None = None) -> Text:
    """Return 'path:line:col: message' with the severity coloured; shown replaces the problem's path."""
    return Text.assemble(*_problem_line(problem, shown))


def _problem_line(problem: Problem, shown: str | None = None, related: str | None = None) -> Line:
    """Return a problem's line; shown and related replace its path and the other file's path in its message."""
    style = "red" if problem.is_error else "yellow"
    location = f"{visible(shown or problem.path)}:{problem.line}:{problem.column}: "
    prefix = "" if problem.is_error else "warning: "
    message = problem.message.replace(problem.related, visible(related), 1) if related else problem.message
    return "  ", (location, "bold"), (prefix, style), message


def excerpt_lines(lines: list[str] | None, line: int, column: int, is_error: bool = True,
                  separator: str | None = None) -> list[Text]:
    """Return the offending line and the one above it, with carets under the bad spot.

    A long line is shown from a little before the column, so the mark always points at text.
    With a separator (',' for CSV) the mark spans one field instead of one YAML key or value.
    """
    return [Text.assemble(*shown) for shown in _excerpt(lines, line, column, is_error, separator)]


def _excerpt(lines: list[str] | None, line: int, column: int, is_error: bool = True,
             separator: str | None = None) -> list[Line]:
    if not lines or not 1 <= line <= len(lines):
        return []
    width = max(4, len(str(line)))
    skip = max(0, column - 1 - (MAX_SHOWN_WIDTH - 60))
    shown: list[Line] = []
    for number in range(max(1, line - CONTEXT_LINES), line + 1):
        text = _window(lines[number - 1], skip)
        if number < line and not text.strip():
            continue
        style = "" if number == line else "dim"
        shown.append(((f"    {number:>{width}} │ ", "dim"), (text, style)))
    text = _window(lines[line - 1], skip)
    start = max(0, min(column - 1 - skip + (3 if skip else 0), len(text)))
    length = field_length(text, start, separator) if separator else token_length(text, start)
    marks = "^" + "~" * max(0, min(length, len(text) - start) - 1)
    shown.append(((f"    {'':>{width}} │ ", "dim"), " " * start,
                  (marks, "bold red" if is_error else "bold yellow")))
    return shown


# A content file (or its name) may hold terminal escape sequences or bidi controls; printed raw they
# would clear or retitle the analyst's terminal or reorder the line. Each becomes one visible symbol,
# so the carets under the line still point at the right column.
_VISIBLE = {**{code: 0x2400 + code for code in range(0x20)}, 0x7F: 0x2421,
            **dict.fromkeys([*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)], 0xFFFD)}


def visible(text: str) -> str:
    """Return text with control and bidi characters replaced by visible symbols, one for one."""
    # every character replaced is unprintable; translate looks up each character (16 µs a line)
    return text if text.isprintable() else text.translate(_VISIBLE)


def _window(line: str, skip: int) -> str:
    line = visible(line.replace("\t", " "))
    if skip:
        line = "..." + line[skip:]
    return line if len(line) <= MAX_SHOWN_WIDTH else line[:MAX_SHOWN_WIDTH - 3] + "..."


def token_length(text: str, start: int) -> int:
    """Return the length of the YAML key or value starting at start (a quoted string as a whole)."""
    rest = text[start:]
    if not rest:
        return 1
    if rest[0] in "\"'":
        end = rest.find(rest[0], 1)
        return end + 1 if end > 0 else len(rest.rstrip())
    for stop in (": ", " #"):
        index = rest.find(stop)
        if index > 0:
            rest = rest[:index]
    rest = rest.removesuffix(":")
    return max(1, len(rest.rstrip()))


def field_length(text: str, start: int, separator: str) -> int:
    """Return the length of the CSV field starting at start (a quoted field as a whole)."""
    quoted = False
    for index, char in enumerate(text[start:]):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            return max(1, index)
    return max(1, len(text) - start)


def _by_file(problems: Iterable[Problem]) -> list[tuple[str, list[Problem]]]:
    groups: dict[str, list[Problem]] = {}
    for problem in sorted(problems):
        groups.setdefault(problem.path, []).append(problem)
    return list(groups.items())


def _resolve(base: Path, content: Path | None, path: str) -> Path:
    """Return the file a problem names: content-relative paths start with the content folder's name."""
    if os.path.isabs(path):
        return Path(path)
    for folder in (base, content, Path.cwd()):
        if folder is not None and os.path.isfile(os.path.join(folder, path)):
            return folder / path
    return base / path


def source_lines(path: Path, content: Path | None) -> list[str] | None:
    """Return the lines of the file a problem names; None for a file that a link in content/ reaches outside it."""
    if content is not None:
        top, absolute = content.absolute(), path.absolute()
        if absolute.is_relative_to(top) and leaves_content(absolute, top):
            return None  # its first line may be /etc/passwd's, bound for a CI log or the serve overlay
    try:
        return editor_lines(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def _counted(errors: int, warnings: int) -> str:
    parts = [_plural(errors, "error")] if errors else []
    parts += [_plural(warnings, "warning")] if warnings else []
    return ", ".join(parts)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def plural(count: int, noun: str) -> str:
    """Return '1 incident' or '3 incidents'."""
    return _plural(count, noun)


def write_crash_log() -> Path:
    """Write the exception being handled to a log file for a bug report, and return its path."""
    # mkstemp: two crashes in the same second (parallel builds, the preview server) keep both logs
    handle, name = tempfile.mkstemp(prefix=f"sitrep-crash-{dt.datetime.now():%Y%m%d-%H%M%S}-", suffix=".log")
    with open(handle, "w", encoding="utf-8") as log:
        log.write(traceback.format_exc())
    return Path(name)
