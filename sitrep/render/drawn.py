"""Maps and charts kept between builds, each under a digest of everything it is drawn from.

Drawing is the costliest part of the pages that show a map or charts: matplotlib alone takes a third of
a second to load, and a map places its labels one at a time. An edit rarely changes what a drawing
shows (a title or a summary edited leaves the brief's charts and map as they were), so each drawing is
kept in a file of the build cache named after which drawing it is (kind, page, medium), holding the
digest of its inputs and the drawing; it is reused while the digest is the same, and replaced when it
is drawn again. Deleting the cache changes no byte of the output.

Forked renderers read and write the files themselves (each write replaces a file at once), and hand
back the names they used, so that a build that draws everything can delete the files it did not use.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from ..cache import code_fingerprint
from ..errors import writing

T = TypeVar("T")

_folder: Path | None = None  # where drawings are kept in this build; None: draw everything, keep nothing
_used: set[str] = set()  # the files this process read or wrote since keep_in


def keep_in(folder: Path | None) -> None:
    """Keep drawings in folder from now on, or (None) stop keeping them."""
    global _folder
    _folder = folder
    _used.clear()


def kept(name: tuple[Any, ...], inputs: tuple[Any, ...], draw: Callable[[], T]) -> T:
    """Return the drawing called name: the one kept if it was drawn from the same inputs, else draw() it.

    inputs must hold everything the drawing is made from, by value: their repr is what is compared.
    """
    if _folder is None:
        return draw()
    file = _folder / f"{_digest(repr(name))[:40]}.pickle"
    digest = _digest(f"{code_fingerprint()}\n{name!r}\n{inputs!r}")
    _used.add(file.name)
    try:
        with file.open("rb") as stream:
            kept_digest, value = pickle.load(stream)
        if kept_digest == digest:
            return value  # type: ignore[no-any-return]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass  # none kept yet, or unreadable: drawn again and replaced
    value = draw()
    _write(file, (digest, value))
    return value


def take_used() -> set[str]:
    """Return and forget the files this process used (a forked renderer hands them back to the build)."""
    used = set(_used)
    _used.clear()
    return used


def add_used(names: Iterable[str]) -> None:
    """Count files used by a forked renderer as used by this build."""
    _used.update(names)


def prune() -> None:
    """Delete the drawings this build did not use (call after a build that drew every page)."""
    if _folder is None or not _folder.is_dir():
        return
    for entry in os.scandir(_folder):
        if entry.name not in _used:
            Path(entry.path).unlink(missing_ok=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write(file: Path, data: Any) -> None:
    """Write a pickle, replacing the file at once (a renderer in another process may read it)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    with writing(file), temporary.open("wb") as stream:
        pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, file)
