"""Worker processes that never outlive the build that started them.

A build killed with SIGKILL (the out-of-memory killer does this) cannot tell its workers to stop:
they would live on, reparented to init, about 100 MB each. So every worker asks the kernel to kill it
when the build dies (Linux's PR_SET_PDEATHSIG), or watches for it where that is missing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
WATCH_SECONDS = 0.5


def start_worker(build_pid: int) -> None:
    """Set up a pool worker: leave Ctrl-C to the build, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal sends Ctrl-C to workers too
    die_with(build_pid)


def die_with(build_pid: int) -> None:
    """Make this process end when the build process (its parent) ends, however it ends."""
    if not _kernel_kills_on_parent_death():
        threading.Thread(target=_watch, args=(build_pid,), name="sitrep-parent-watch", daemon=True).start()
    if os.getppid() != build_pid:  # the build died before the request was made
        os._exit(1)


def _kernel_kills_on_parent_death() -> bool:
    """Ask Linux to send SIGKILL when the parent dies; False where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(build_pid: int) -> None:
    """Exit as soon as the build is gone: a dead parent leaves this process to init."""
    while os.getppid() == build_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)
