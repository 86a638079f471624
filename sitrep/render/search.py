"""Search stage: run Pagefind over the staged site so the search page works without a server of its own.

Pages mark what is searchable with data-pagefind-body and what can be filtered with
data-pagefind-filter (country, actor, event type); Pagefind writes its index and UI to pagefind/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import RenderError

BUNDLE = "pagefind"
TIMEOUT_SECONDS = 300


def index_site(site_dir: Path, progress: Callable[[str], None]) -> set[str]:
    """Index the HTML under site_dir into site_dir/pagefind/; return the site-relative paths written."""
    bundle = site_dir / BUNDLE
    # The stage starts as hard links to the live output: Pagefind would rewrite those files in place,
    # so remove the old bundle and let Pagefind write new files.
    shutil.rmtree(bundle, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", BUNDLE,
               "--keep-index-url", "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"the search indexer (Pagefind) could not run: {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise RenderError("the search indexer (Pagefind) failed: " + " / ".join(detail))
    written = {p.relative_to(site_dir).as_posix() for p in bundle.rglob("*") if p.is_file()}
    if f"{BUNDLE}/pagefind-ui.js" not in written:
        raise RenderError("the search indexer (Pagefind) wrote no search interface; is the pagefind[bin] "
                          "package installed?")
    progress(f"indexed the site for search: {len(written)} files in {BUNDLE}/")
    return written
