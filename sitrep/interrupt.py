"""Safe points where a build the live preview no longer needs can be stopped."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

_checks = threading.local()


class Stopped(Exception):
    """A build stopped at a safe point because its result is no longer wanted (the content changed again)."""


@contextlib.contextmanager
def interruptible(check: Callable[[], None]) -> Iterator[None]:
    """Call check at every safe point of the builds this thread runs, so that it can stop them by raising.

    The live preview stops a pass the moment the content changes again, rather than at its end: safe
    points come while files are read and validated and while pages are listed and rendered, at most
    a few hundred milliseconds apart at 10,000 incidents, and the stage is then discarded as after
    any failure.
    """
    _checks.check = check
    try:
        yield
    finally:
        _checks.check = None


def checkpoint() -> None:
    """Give an interruptible build the chance to stop here (its check raises Stopped, or a subclass)."""
    check = getattr(_checks, "check", None)
    if check is not None:
        check()
