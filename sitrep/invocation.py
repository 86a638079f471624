"""How to tell the user to run sitrep: a command that works as printed from where they are."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = PROJECT_ROOT / "content"


def command(*words: str, content: Path | None = None) -> str:
    """Return the shell command that runs `build.py WORDS` on the content folder from the current folder.

    From the project folder on its own content, `make check` and its kin set up the virtual
    environment first; anywhere else it is the interpreter running now (plain Debian has no `python`,
    and the system's `python3` lacks sitrep's libraries).
    """
    default = content is None or _same(content, DEFAULT_CONTENT)
    if default and list(words) in (["check"], ["serve"]) and _same(Path.cwd(), PROJECT_ROOT):
        return f"make {words[0]}"
    parts = [_interpreter(), _shown(PROJECT_ROOT / "build.py"), *words]
    if not default and content is not None:
        parts += ["--content", _shown(content)]
    return shlex.join(parts)


def module(name: str, *words: str) -> str:
    """Return the shell command that runs `python -m NAME WORDS` from the current folder, as printed."""
    line = shlex.join([_interpreter(), "-m", name, *words])
    return line if _same(Path.cwd(), PROJECT_ROOT) else f"cd {shlex.quote(_shown(PROJECT_ROOT))} && {line}"


def program() -> str:
    """Return how the running command line was started, for usage lines."""
    return command()


def _interpreter() -> str:
    interpreter = _shown(Path(sys.executable))
    if os.sep not in interpreter:  # a bare name would be looked up on PATH
        interpreter = os.path.join(os.curdir, interpreter)
    return interpreter


def _shown(path: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    return relative if len(relative) < len(absolute) else absolute


def _same(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False
