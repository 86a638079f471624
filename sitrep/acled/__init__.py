"""ACLED import: turn an ACLED export (CSV, 31 columns) into incident, actor, location and source files.

Imported files go under an `acled/` folder of each kind and start with a marker line naming the
ACLED event, its timestamp and a digest of the file. Re-importing compares timestamps: the same
export changes nothing, a newer one rewrites the incidents ACLED revised. A file whose marker was
deleted, or whose text no longer matches its digest, has been edited by hand and is never
overwritten; nor is any incident written by hand (no marker).

Choices made where ACLED says less than sitrep needs (also in docs/acled.md):
- ACLED's `fatalities` is its most conservative count of deaths for the whole event; it becomes the
  `killed` figure of one casualty report covering every actor of the event together (`sides:`), with
  a note saying it is not split by side. ACLED does not count wounded, so they stay unknown.
- Each outlet in `source` becomes a source with reliability F (cannot be judged) unless a source of
  that name already exists, cited via ACLED with credibility 3 (possibly true): ACLED's coders
  reviewed the report, but the analyst has not read it. With no outlet named, ACLED itself is cited
  with credibility 6 (truth cannot be judged).
- Actors take their kind from the inter code; an associated actor, which has no code of its own,
  takes its main actor's kind unless its name says otherwise ("Civilians (Iraq)").
"""


from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..console import plural
from ..errors import ContentErrors, Problem, UsageError
from .events import Event, Row, Table, country_code, read_event, read_table
from .files import Existing, ImportResult, Planner, plan_event, write_files

__all__ = ["ImportOptions", "ImportResult", "country_code", "import_acled", "summary_lines"]

Progress = Callable[[str], None]
Track = Callable[[Sequence[Any], str], Iterable[Any]]


@dataclass(frozen=True)
class ImportOptions:
    """What to import, into which content folder, and which events to keep."""

    file: Path
    content: Path
    countries: tuple[str, ...] = ()
    since: dt.date | None = None
    dry_run: bool = False
    #: Asked before an event is linked to an incident already written; None links without asking.
    ask: Callable[[str], bool] | None = None



# --- The import ----------------------------------------------------------------------------

def import_acled(options: ImportOptions, progress: Progress = lambda message: None,
                 track: Track = lambda items, description: items) -> ImportResult:
    """Import an ACLED export into the content folder, reporting every problem before writing anything.

    progress hears each step; track may wrap the rows and events in a progress bar.
    """
    table = read_table(options.file)
    progress(f"read {len(table.rows):,} rows")
    countries = _wanted_countries(options.countries)
    result = ImportResult(options.file, rows=len(table.rows))
    events = _read_events(track(table.rows, "Checking rows"), table, countries, options.since, result)
    existing = Existing.read(options.content)
    progress("compared with the content folder")
    planner = Planner(existing, result, options.ask)
    for event in track(events, "Comparing with the content"):
        plan_event(planner, event, existing, result)
    if not options.dry_run:
        write_files(planner.plan.files)
    progress(f"wrote {len(planner.plan.files)} files")
    return result


def _wanted_countries(given: Iterable[str]) -> set[str]:
    wanted = set()
    for text in given:
        for part in text.split(","):
            code = country_code(part) if part.strip() else None
            if part.strip() and code is None:
                raise UsageError(f"--country {part.strip()}: not a country name, ISO alpha-3 or numeric code")
            if code:
                wanted.add(code)
    return wanted


def _read_events(rows: Iterable[Row], table: Table, countries: set[str], since: dt.date | None,
                 result: ImportResult) -> list[Event]:
    """Return the rows' events, newest version of each, after the --country and --since filters."""
    problems: list[Problem] = []
    latest: dict[str, Event] = {}
    for row in rows:
        event, row_problems = read_event(table, row)
        problems.extend(row_problems)
        if event is None:
            continue
        if countries and event.country not in countries:
            result.skip("outside --country " + ", ".join(sorted(countries)), event.event_id)
        elif since and event.date < since:
            result.skip(f"before --since {since.isoformat()}", event.event_id)
        elif event.event_id in latest:
            kept, dropped = sorted((latest[event.event_id], event), key=lambda e: (e.timestamp, e.line))[::-1]
            latest[event.event_id] = kept
            result.skip("listed twice in the export (the later timestamp was kept)",
                        f"{dropped.event_id} (line {dropped.line})")
        else:
            latest[event.event_id] = event
    if problems:
        raise ContentErrors(problems)
    return list(latest.values())


# --- The summary ---------------------------------------------------------------------------

def summary_lines(result: ImportResult, dry_run: bool = False) -> list[str]:
    """Return what the import added, updated and skipped, and why."""
    would = "would be " if dry_run else ""
    created = ", ".join(plural(len(ids), kind) for kind, ids in sorted(result.created.items()))
    lines = [f"ACLED import of {result.file}: {plural(result.rows, 'row')}"
             + (" (dry run: nothing written)" if dry_run else ""),
             f"  {would}added: {plural(len(result.added), 'incident')}" + _listed(result.added)
             + (f"; new {created}" if created else ""),
             f"  {would}updated: {plural(len(result.updated), 'incident')}" + _listed(result.updated)
             + (" (ACLED revised them since the last import)" if result.updated else ""),
             *([f"  {would}linked: {plural(len(result.linked), 'event')}" + _listed(result.linked)
                + _linked_how(result)] if result.linked else []),
             f"  unchanged: {plural(result.unchanged, 'incident')}"]
    skipped = sum(len(items) for items in result.skipped.values())
    lines.append(f"  skipped: {plural(skipped, 'event')}")
    for reason, items in sorted(result.skipped.items()):
        lines.append(f"    {len(items)} {reason}:{_listed(items).removeprefix(':')}")
    if result.added or result.updated:
        lines.append("Imported events are for analysis: ACLED's terms restrict republishing its data, so a "
                     "published site should show your own incidents (see docs/acled.md).")
    return lines


def _linked_how(result: ImportResult) -> str:
    """Say what linking did, and that it was done without asking when no one could be asked."""
    how = " (likely the same event as an incident already written: its acled_id was recorded there "\
          "instead of adding a second incident"
    if not result.asked:
        how += "; linked without asking, as no terminal could answer: if one is another event, delete that " \
               "acled_id line and import again from a terminal, answering n"
    return how + ")"


def _listed(items: list[str], limit: int = 5) -> str:
    if not items:
        return ""
    more = f", and {len(items) - limit} more" if len(items) > limit else ""
    return ": " + ", ".join(items[:limit]) + more
