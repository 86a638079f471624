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

    def line(label: str, get: Any) -> None:
        cells = []
        for name in names:
            try:
                cells.append(get(sizes[name]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("not measured")
        lines.append(row(label, *cells))

    line("content files (incidents, briefs, places, actors)", lambda s: "{incidents:,}, {briefs:,}, {locations:,}, "
         "{actors:,}".format(**s["corpus"]))
    line("`build.py check` (load + validate)", lambda s: f"{seconds(s['check']['wall'])}, {s['check']['peak_mib']:,} MiB")
    line("Hugo, cold (pages)", lambda s: f"{seconds(s['hugo']['wall'])} ({s['hugo']['pages']:,} pages)")
    line("sitrep site, cold, --no-pdf (pages)", lambda s: f"{seconds(s['cold_site']['wall'])} "
         f"({s['cold_site']['report']['pages']:,} pages)")
    line("  of which Pagefind search index", lambda s: seconds(s["cold_site"]["search_seconds"]))
    line("ratio sitrep / Hugo, cold site", lambda s: f"{s['cold_site']['wall'] / s['hugo']['wall']:.1f}")
    line("ratio without the search index", lambda s: f"{(s['cold_site']['wall'] - s['cold_site']['search_seconds']) / s['hugo']['wall']:.1f}")
    line("no-op rebuild (share of cold)", lambda s: f"{seconds(s['noop']['wall'])} "
         f"({s['noop']['wall'] / s['cold_site']['wall']:.1%})")
    line("one incident changed (pages rendered)", lambda s: f"{seconds(s['one_change']['wall'])} "
         f"({s['one_change']['report']['rendered']:,})")
    line("  of which Pagefind", lambda s: seconds(s["one_change"]["search_seconds"]))
    line("  without Pagefind (`--no-search`, as `serve` previews)",
         lambda s: seconds(s["one_change"]["wall"] - s["one_change"]["search_seconds"]))
    line("cold build with every PDF", lambda s: f"{seconds(s['pdfs']['cold_with_pdfs']['wall'])} "
         f"({s['pdfs']['cold_with_pdfs']['report']['pdfs_rendered']} PDFs)")
    line("one incident changed, with PDFs (PDFs rendered)", lambda s: f"{seconds(s['pdfs']['one_change_with_pdfs']['wall'])} "
         f"({s['pdfs']['one_change_with_pdfs']['report']['pdfs_rendered']} of "
         f"{s['corpus']['briefs']})")
    line("8 brief PDFs, 1 process", lambda s: seconds(s["pdfs"]["sample_jobs_1"]["render_seconds"]))
    line("8 brief PDFs, 2 processes (speed-up)", lambda s: f"{seconds(s['pdfs']['sample_jobs_2']['render_seconds'])} "
         f"({s['pdfs']['sample_jobs_1']['render_seconds'] / s['pdfs']['sample_jobs_2']['render_seconds']:.2f}×)")
    line("peak memory, sitrep's processes (cold)", lambda s: f"{s['cold_site']['sitrep_peak_mib']:,} MiB")
    line("peak memory, whole build incl. Pagefind", lambda s: f"{s['cold_site']['peak_mib']:,} MiB")
    line("Pagefind alone on the built site", lambda s: f"{seconds(s['pagefind_alone']['wall'])}, "
         f"{s['pagefind_alone']['peak_mib']:,} MiB")
    line("Hugo peak memory", lambda s: f"{s['hugo']['peak_mib']:,} MiB")
    line("load average when the cold build started", lambda s: f"{s['cold_site']['load']}")
    return lines


def main() -> int:
    """Print the tables."""
    results = json.loads(RESULTS.read_text())
    m = results["machine"]
    print(f"Measured {m['date']} at commit {m['commit']} on {m['nproc']} × {m['cpu']}, {m['ram_gib']} GiB RAM; "
          f"Python {m['python']}, {m['hugo']}, {m['pagefind']}.\n")
    pdf = results["default_brief_pdf"]
    print(f"Default content, latest brief's PDF in a fresh process: {seconds(pdf['wall'])} wall "
          f"(load {pdf['load_seconds']} s, HTML with map and charts {pdf['html_seconds']} s, "
          f"WeasyPrint {pdf['render_seconds']} s; the rest is Python start-up and imports).\n")
    print("\n".join(size_table(results["sizes"])))
    for name, size in results["sizes"].items():
        if "skipped" in size:
            print(f"\n{int(name):,} incidents: {size['skipped']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
