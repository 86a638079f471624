"""Snapshots of folder trees and build runs: what the tests compare to say "nothing changed"."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sitrep import cache, cli

ROOT = Path(__file__).resolve().parent.parent
BUILD_PY = ROOT / "build.py"


def tree_digest(folder: Path) -> dict[str, str]:
    """Return every file, folder and link under folder mapped to a digest of what it holds (mtimes ignored)."""
    digest: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            digest[relative] = "link:" + os.readlink(path)
        elif path.is_dir():
            digest[relative] = "folder"
        else:
            digest[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def copy_build(output: Path, target: Path) -> Path:
    """Copy a complete build and its build cache to target, as if it had been built there; return target.

    Times are kept, so that building the same content into the copy finds nothing changed.
    """
    shutil.copytree(output, target, symlinks=True)
    shutil.copytree(cache.folder_for(output), cache.folder_for(target), symlinks=True)
    return target


def leftovers(output: Path) -> list[str]:
    """Return the stage and trash folders a build left beside its output."""
    return sorted(p.name for p in output.parent.iterdir()
                  if p.name.startswith((".sitrep-stage-", ".sitrep-trash-")))


@dataclass(frozen=True)
class Run:
    """What one run of the command line returned and printed."""

    status: int
    out: str
    err: str


def run_cli(*args: str | Path) -> Run:
    """Run the command line in this process and return its status and output."""
    out, err = io.StringIO(), io.StringIO()
    status = cli.main([str(a) for a in args], out=out, err=err)
    return Run(status, out.getvalue(), err.getvalue())


def build(content: Path, output: Path, *extra: str | Path) -> Run:
    """Build content into output in this process, without the search index."""
    return run_cli("build", "--content", content, "--output", output, "--no-search", *extra)


def start_build(content: Path, output: Path, *extra: str, steps: bool = False) -> subprocess.Popen[str]:
    """Start `python build.py` in its own process group, as a user would from a shell.

    Quiet, or with steps, printing each step of the build on stderr as it is reached (--verbose).
    """
    command = [sys.executable, str(BUILD_PY), "build", "--content", str(content), "--output", str(output),
               "--no-search", "--verbose" if steps else "-q", *extra]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=ctrl_c_as_in_a_terminal)  # noqa: PLW1509 - sets one signal


def ctrl_c_as_in_a_terminal() -> None:
    """Let Ctrl-C (SIGINT) reach a started command as it does in a terminal.

    A test run started in the background by a shell without job control (`make test &`) inherits
    SIGINT ignored, and would pass that on to every command it starts.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
