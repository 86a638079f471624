#!/usr/bin/env python3
"""Print bench/work/results.json (written by bench/run.py) as the Markdown tables of bench/RESULTS.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "work" / "results.json"


def seconds(value: float | None) -> str:
    """Return a duration as the tables show it."""
    if value is None:
        return "–"
    return f"{value:,.2f} s" if value < 10 else f"{value:,.1f} s"


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def size_table(sizes: dict[str, Any]) -> list[str]:
    """Return the main table: one column per corpus size."""
    names = list(sizes)
    lines = [row("", *(f"{int(n):,} incidents" for n in names)), row(*["---"] * (len(names) + 1))]
    for label, show in ROWS:
        cells = []
        for name in names:
            try:
                cells.append(show(sizes[name]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("not measured")
        lines.append(row(label, *cells))
    return lines


def _corpus(s: dict[str, Any]) -> str:
    return "{incidents:,}, {briefs:,}, {locations:,}, {actors:,}".format(**s["corpus"])


def _timed(run: dict[str, Any]) -> str:
    return f"{seconds(run['wall'])}, {run['peak_mib']:,} MiB"


def _cold(s: dict[str, Any]) -> str:
    return f"{seconds(s['cold_site']['wall'])} ({s['cold_site']['report']['pages']:,} pages)"


def _without_search(run: dict[str, Any]) -> float:
    return run["wall"] - run["search_seconds"]


def _pdf_change(s: dict[str, Any]) -> str:
    run = s["pdfs"]["one_change_with_pdfs"]
    return f"{seconds(run['wall'])} ({run['report']['pdfs_rendered']} of {s['corpus']['briefs']})"


def _speed_up(s: dict[str, Any]) -> str:
    one, two = (s["pdfs"][f"sample_jobs_{n}"]["render_seconds"] for n in (1, 2))
    return f"{seconds(two)} ({one / two:.2f}×)"


def _busy(serve: dict[str, Any]) -> str:
    busy = serve.get("during_background_pass")
    return f"{seconds(busy['reload'])} ({seconds(busy['loaded'])})" if busy else "not measured"


ROWS: list[tuple[str, Any]] = [
    ("content files (incidents, briefs, places, actors)", _corpus),
    ("`build.py check` (load + validate)", lambda s: _timed(s["check"])),
    ("Hugo, cold (pages)", lambda s: f"{seconds(s['hugo']['wall'])} ({s['hugo']['pages']:,} pages)"),
    ("sitrep site, cold, --no-pdf (pages)", _cold),
    ("  of which Pagefind search index", lambda s: seconds(s["cold_site"]["search_seconds"])),
    ("ratio sitrep / Hugo, cold site", lambda s: f"{s['cold_site']['wall'] / s['hugo']['wall']:.1f}"),
    ("ratio without the search index",
     lambda s: f"{_without_search(s['cold_site']) / s['hugo']['wall']:.1f}"),
    ("sitrep site, cold, --no-pdf --no-search (ratio to Hugo)",
     lambda s: f"{seconds(s['cold_no_search']['wall'])} ({s['cold_no_search']['wall'] / s['hugo']['wall']:.1f})"),
    ("like for like: cold, no search, no maps or charts (`site_figures: false`) (ratio to Hugo)",
     lambda s: f"{seconds(s['cold_text_only']['wall'])} ({s['cold_text_only']['wall'] / s['hugo']['wall']:.1f})"),
    ("no-op rebuild (share of cold)",
     lambda s: f"{seconds(s['noop']['wall'])} ({s['noop']['wall'] / s['cold_site']['wall']:.1%})"),
    ("one incident changed (pages rendered)",
     lambda s: f"{seconds(s['one_change']['wall'])} ({s['one_change']['report']['rendered']:,})"),
    ("  of which Pagefind", lambda s: seconds(s["one_change"]["search_seconds"])),
    ("  without Pagefind (`--no-search`, as `serve` previews)",
     lambda s: seconds(_without_search(s["one_change"]))),
    ("check, one incident changed since the build", lambda s: seconds(s["check_one_change"]["wall"])),
    ("`serve`: one incident saved, to the open page reloading (loaded)",
     lambda s: f"{seconds(s['serve_reload']['reload'])} ({seconds(s['serve_reload']['loaded'])})"),
    ("  saved again while the background pass runs", lambda s: _busy(s["serve_reload"])),
    ("cold build with every PDF", lambda s: f"{seconds(s['pdfs']['cold_with_pdfs']['wall'])} "
     f"({s['pdfs']['cold_with_pdfs']['report']['pdfs_rendered']} PDFs)"),
    ("one incident changed, with PDFs (PDFs rendered)", _pdf_change),
    ("8 brief PDFs, 1 process", lambda s: seconds(s["pdfs"]["sample_jobs_1"]["render_seconds"])),
    ("8 brief PDFs, 2 processes (speed-up)", _speed_up),
    ("peak memory, sitrep's processes (cold)", lambda s: f"{s['cold_site']['sitrep_peak_mib']:,} MiB"),
    ("peak memory, whole build incl. Pagefind", lambda s: f"{s['cold_site']['peak_mib']:,} MiB"),
    ("Pagefind alone, one run over the whole built site", lambda s: _timed(s["pagefind_alone"])),
    ("Hugo peak memory", lambda s: f"{s['hugo']['peak_mib']:,} MiB"),
    ("load average when the cold build started", lambda s: f"{s['cold_site']['load']}"),
]


def main() -> int:
    """Print the tables."""
    results = json.loads(RESULTS.read_text())
    m = results["machine"]
    print(f"Measured {m['date']} at commit {m['commit']} on {m['nproc']} × {m['cpu']}, "
          f"{m['ram_gib']} GiB RAM; Python {m['python']}, {m['hugo']}, {m['pagefind']}.\n")
    pdf = results["default_brief_pdf"]
    print(f"Default content, latest brief's PDF in a fresh process: {seconds(pdf['wall'])} wall "
          f"(load {pdf['load_seconds']} s; then {pdf['render_seconds']} s to the PDF written, of which "
          f"{pdf['html_seconds']} s for the HTML with its map and charts, while the PDF worker loaded "
          f"WeasyPrint; the rest is Python start-up and imports).\n")
    print("\n".join(size_table(results["sizes"])))
    for name, size in results["sizes"].items():
        if "skipped" in size:
            print(f"\n{int(name):,} incidents: {size['skipped']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
