"""Scaffolding: `new incident|brief|actor|location|source|document` writes a valid, commented file to start from.

The essentials are taken from flags; on a terminal, any essential not given is asked for. The
written file passes `build.py check` as it is, with TODO lines marking what is left to write.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from . import invocation, urls
from .errors import Problem, UsageError
from .load import KINDS, LoadFailed, discover, load_file, parse_yaml
from .model import (
    ACTOR_KINDS,
    AREA_KINDS,
    CREDIBILITY,
    DOCUMENT_KINDS,
    EVENT_TYPES,
    LOCATION_KINDS,
    RELIABILITY,
    SOURCE_KINDS,
    SOURCE_SCALES,
    SiteConfig,
)
from .validate import load_site, to_entity

NEW_KINDS = ("incident", "brief", "actor", "location", "source", "document")
FOLDERS = {kind: folder for folder, kind in KINDS.items()}
MAX_ID = 80  # model.ID_PATTERN allows 80 characters
TODO_SUMMARY = "TODO: what happened, who said what, and what is still unknown."
TODO_JUDGMENT = "TODO: the key judgment, with its likelihood and confidence in the fields below."

#: Sub-event type -> event type; every ACLED sub-event type belongs to exactly one event type.
SUB_EVENT_TYPES = {sub: event for event, subs in EVENT_TYPES.items() for sub in subs}


# --- What is already in the content folder -------------------------------------------------

@dataclass
class Tree:
    """What scaffolding needs to know about a content folder: its ids, settings and latest brief."""

    content: Path
    ids: dict[str, list[str]]
    stems: dict[str, set[str]]
    site: SiteConfig
    latest_brief: dict[str, Any] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def read(cls, content: Path, today: dt.date | None = None) -> Tree:
        """Return what a content folder holds; unreadable files still reserve their file names."""
        ids: dict[str, list[str]] = {kind: [] for kind in FOLDERS}
        stems: dict[str, set[str]] = {kind: set() for kind in FOLDERS}
        latest: dict[str, Any] = {}
        for kind, path in discover(content) if content.is_dir() else []:
            stems[kind].add(path.stem)
            try:
                data = load_file(kind, path, content).data
            except LoadFailed:
                continue
            if isinstance(data.get("id"), str):
                ids[kind].append(data["id"])
            if kind == "brief" and _later_brief(data, latest):
                latest = data
        site = load_site(content, []) or SiteConfig()
        now = today or dt.datetime.now(_zone(site.timezone)).date()
        return cls(content, {k: sorted(set(v)) for k, v in ids.items()}, stems, site, latest, now)

    def taken(self, kind: str) -> set[str]:
        """Return the ids and file names already used by one kind."""
        return set(self.ids[kind]) | self.stems[kind]


def _later_brief(data: dict[str, Any], latest: dict[str, Any]) -> bool:
    number = data.get("number")
    return isinstance(number, int) and number > latest.get("number", 0)


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return dt.UTC


# --- Ids ------------------------------------------------------------------------------------

def slug(text: str, limit: int = MAX_ID) -> str:
    """Return text as an id: ASCII lower-case words joined by hyphens, cut at a word to fit limit."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    result = urls.slug(ascii_text)
    if len(result) > limit:
        result = result[:limit].rsplit("-", 1)[0] if "-" in result[:limit] else result[:limit]
    return result


def unique_id(base: str, taken: set[str]) -> str:
    """Return base, or base-2, base-3… whichever is not taken, never longer than an id may be."""
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = f"{base[:MAX_ID - len(suffix)].rstrip('-')}{suffix}"
        if candidate not in taken:
            return candidate
        number += 1


# --- Questions: the essentials of each kind ------------------------------------------------

Parse = Callable[[str, Tree], Any]


def NOTHING(tree: Tree, answers: dict[str, Any]) -> None:
    """Return no default: an optional value left out."""


@dataclass(frozen=True)
class Question:
    """One essential value: a flag, and what to ask on a terminal when the flag is missing."""

    key: str
    prompt: str
    help: str
    parse: Parse = lambda text, tree: text.strip()
    default: Callable[[Tree, dict[str, Any]], Any] | None = None
    choices: Callable[[Tree], Sequence[str]] | None = None
    ask: bool = True
    repeat: bool = False

    @property
    def flag(self) -> str:
        """Return the command-line flag."""
        return "--" + self.key.replace("_", "-")


def _text(text: str, tree: Tree) -> str:
    value = " ".join(text.split())
    if not value:
        raise ValueError("must not be empty")
    if len(value) > 2000:
        raise ValueError("is longer than 2,000 characters")
    return value


def _date(text: str, tree: Tree) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text.strip()}' is not a date; write YYYY-MM-DD") from None


def _one_of(options: Callable[[Tree], Sequence[str]], what: str) -> Parse:
    """Return a parser taking an option by name (any case), by a unique start, or by its number."""
    def parse(text: str, tree: Tree) -> str:
        choices = list(options(tree))
        given = text.strip()
        if given.isdigit() and 1 <= int(given) <= len(choices):
            return choices[int(given) - 1]
        found = []
        if given:
            found = ([c for c in choices if c.lower() == given.lower()]
                     or [c for c in choices if c.lower().startswith(given.lower())])
        if len(found) == 1:
            return found[0]
        if not choices:
            raise ValueError(f"there is no {what} yet; add one first with "
                             f"`{invocation.command('new', what, content=tree.content)}`")
        raise ValueError(f"'{given}' is not a known {what}; choose one of: {', '.join(choices)}")
    return parse


def _ids_of(kind: str) -> Callable[[Tree], Sequence[str]]:
    return lambda tree: tree.ids[kind]


def _many_ids(kind: str) -> Parse:
    one = _one_of(_ids_of(kind), kind)

    def parse(text: str, tree: Tree) -> list[str]:
        return [one(part, tree) for part in text.replace(",", " ").split()]
    return parse


def _number_in(low: int, high: int) -> Parse:
    def parse(text: str, tree: Tree) -> int:
        if not text.strip().isdigit() or not low <= int(text) <= high:
            raise ValueError(f"'{text.strip()}' is not a whole number from {low} to {high}")
        return int(text)
    return parse


#: What `new location` writes for the coordinates of an area whose were never published.
UNPUBLISHED = "none"


def _unpublished_for_areas(tree: Tree, answers: dict[str, Any]) -> str | None:
    """Default an area's coordinates to none published; a point (a base, a town) must give them."""
    return UNPUBLISHED if answers.get("kind") in AREA_KINDS else None


def _coordinate(limit: float) -> Parse:
    def parse(text: str, tree: Tree) -> float | str:
        if text.strip().lower() == UNPUBLISHED:
            return UNPUBLISHED  # the model says whether this kind of place may go without
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError(f"'{text.strip()}' is not a number; write decimal degrees, e.g. 33.31") from None
        if not -limit <= value <= limit:
            raise ValueError(f"{value} is outside -{limit:g}..{limit:g}")
        return round(value, 5)
    return parse


def _country(text: str, tree: Tree) -> str:
    from .geo import country_info

    code = text.strip().upper()
    if country_info(code) is None:
        raise ValueError(f"'{text.strip()}' is not an ISO 3166 alpha-3 country code such as IRQ, SYR, JOR")
    return code


def _countries(text: str, tree: Tree) -> list[str]:
    codes = [_country(part, tree) for part in text.replace(",", " ").split()]
    if not codes:
        raise ValueError("name at least one country, e.g. IRQ")
    return codes


def _time(text: str, tree: Tree) -> str:
    value = text.strip()
    try:
        dt.time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a time; write HH:MM, 24-hour") from None
    if len(value) != 5:
        raise ValueError(f"'{value}' is not a time; write HH:MM, 24-hour")
    return value


def _actor_kind(text: str, tree: Tree) -> str:
    given = text.strip()
    by_code = {str(code): kind for kind, code in ACTOR_KINDS.items()}
    if given in by_code:
        return by_code[given]
    return _one_of(lambda t: list(ACTOR_KINDS), "actor kind")(given.replace(" ", "_"), tree)


def _url(text: str, tree: Tree) -> str:
    value = text.strip()
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"'{value}' is not a web address starting with https://")
    return value


TITLE = Question("title", "Title", "the title (for actors, places and sources: the name)", _text)
NAME = Question("title", "Name", "the name", _text)

QUESTIONS: dict[str, tuple[Question, ...]] = {
    "incident": (
        TITLE,
        Question("date", "Date (YYYY-MM-DD)", "local date of the event (default: today)", _date,
                 default=lambda tree, answers: tree.today),
        Question("sub_event_type", "ACLED sub-event type", "ACLED sub-event type, e.g. 'Air/drone strike' "
                 "(the event type follows from it)",
                 _one_of(lambda tree: list(SUB_EVENT_TYPES), "sub-event type"),
                 choices=lambda tree: list(SUB_EVENT_TYPES)),
        Question("location", "Location id", "id of the place hit (a file in content/locations/)",
                 _one_of(_ids_of("location"), "location"), choices=_ids_of("location")),
        Question("geo_precision", "Geo precision (1 the place itself, 2 near it, 3 only the region)",
                 "1 the place itself, 2 near it, 3 only the region (default 1)", _number_in(1, 3),
                 default=lambda tree, answers: 1),
        Question("source", "Source id", "id of the source reporting it (a file in content/sources/)",
                 _one_of(_ids_of("source"), "source"), choices=_ids_of("source")),
        Question("credibility", "Credibility of the report (1 confirmed … 6 cannot be judged)",
                 "Admiralty credibility of the report, 1-6 (default 6, cannot be judged)", _number_in(1, 6),
                 default=lambda tree, answers: 6),
        Question("perpetrator", "", "id of an actor assessed responsible (repeat the flag for more)",
                 _many_ids("actor"), default=lambda tree, answers: [], ask=False, repeat=True),
        Question("target", "", "id of an actor attacked (repeat the flag for more)", _many_ids("actor"),
                 default=lambda tree, answers: [], ask=False, repeat=True),
        Question("time", "", "local time, HH:MM", _time, default=NOTHING, ask=False),
        Question("timezone", "", "IANA time zone of the local time (default: the site's)", _text,
                 default=lambda tree, answers: tree.site.timezone, ask=False),
        Question("summary", "", "the summary (default: a TODO line)", _text,
                 default=lambda tree, answers: TODO_SUMMARY, ask=False),
    ),
    "brief": (
        Question("title", "Title", "the brief's title (default: the latest brief's)", _text,
                 default=lambda tree, answers: tree.latest_brief.get("title")),
        Question("end", "Last day covered (YYYY-MM-DD)", "last day covered (default: today)", _date,
                 default=lambda tree, answers: tree.today),
        Question("start", "First day covered (YYYY-MM-DD)",
                 "first day covered (default: six days before the end)", _date,
                 default=lambda tree, answers: answers["end"] - dt.timedelta(days=6)),
        Question("country", "Countries covered (alpha-3 codes, e.g. IRQ SYR)", "country covered, ISO alpha-3 "
                 "(repeat the flag for more; default: the latest brief's)", _countries, repeat=True,
                 default=lambda tree, answers: tree.latest_brief.get("countries")),
        Question("number", "", "the brief's number (default: one after the latest)", _number_in(1, 1_000_000),
                 default=lambda tree, answers: tree.latest_brief.get("number", 0) + 1, ask=False),
    ),
    "actor": (
        NAME,
        Question("kind", "Kind (ACLED: " + ", ".join(f"{c} {k}" for k, c in ACTOR_KINDS.items()) + ")",
                 "ACLED kind: a name or inter code 1-8", _actor_kind, choices=lambda tree: list(ACTOR_KINDS)),
        Question("country", "", "ISO alpha-3 country", _country, default=NOTHING, ask=False),
        Question("short_name", "", "a short name or acronym", _text, default=lambda tree, answers: None,
                 ask=False),
    ),
    "location": (
        NAME,
        Question("kind", "Kind", "kind of place (default: town)",
                 _one_of(lambda tree: LOCATION_KINDS, "kind"),
                 default=lambda tree, answers: "town", choices=lambda tree: LOCATION_KINDS),
        Question("country", "Country (alpha-3, e.g. IRQ)", "ISO alpha-3 country", _country),
        Question("latitude", "Latitude (decimal degrees)", "latitude, decimal degrees ('none' for an area whose "
                 "coordinates were never published)", _coordinate(90), default=_unpublished_for_areas),
        Question("longitude", "Longitude (decimal degrees)", "longitude, decimal degrees ('none' for such an "
                 "area)", _coordinate(180), default=_unpublished_for_areas),
        Question("admin1", "", "province or governorate", _text, default=NOTHING, ask=False),
    ),
    "source": (
        NAME,
        Question("kind", "Kind", "kind of source", _one_of(lambda tree: SOURCE_KINDS, "kind"),
                 choices=lambda tree: SOURCE_KINDS),
        Question("reliability", "Reliability (A completely reliable … F cannot be judged)",
                 "Admiralty reliability A-F (default F, cannot be judged)",
                 _one_of(lambda tree: list(RELIABILITY), "reliability"), default=lambda tree, answers: "F"),
        Question("scale", "", "scale (default International)", _one_of(lambda tree: SOURCE_SCALES, "scale"),
                 default=lambda tree, answers: "International", ask=False),
        Question("country", "", "ISO alpha-3 country", _country, default=NOTHING, ask=False),
        Question("url", "", "web address", _url, default=NOTHING, ask=False),
    ),
    "document": (
        TITLE,
        Question("source", "Source id", "id of the source that published it (a file in content/sources/)",
                 _one_of(_ids_of("source"), "source"), choices=_ids_of("source")),
        Question("kind", "Kind", "kind of document (default: article)", _one_of(lambda tree: DOCUMENT_KINDS, "kind"),
                 default=lambda tree, answers: "article", choices=lambda tree: DOCUMENT_KINDS),
        Question("published", "Published (YYYY-MM-DD)", "the day it was published (default: today)", _date,
                 default=lambda tree, answers: tree.today),
        Question("url", "", "its web address", _url, default=NOTHING, ask=False),
        Question("relay", "", "id of a document it reports or republishes (repeat the flag for more)",
                 _many_ids("document"), default=lambda tree, answers: [], ask=False, repeat=True),
    ),
}


# --- Asking ---------------------------------------------------------------------------------

class Asker:
    """Ask for a value on a terminal, accepting only an answer the question can parse."""

    def __init__(self, inp: TextIO, write: Callable[[str], None]) -> None:
        self.inp = inp
        self.write = write

    def __call__(self, question: Question, tree: Tree, default: Any) -> Any:
        """Return the parsed answer, or the default for an empty answer."""
        if question.choices is not None:
            self._list(question.choices(tree))
        shown = f" [{_show(default)}]" if default not in (None, [], "") else ""
        while True:
            self.write(f"{question.prompt}{shown}: ")
            line = self.inp.readline()
            if not line:
                raise UsageError(f"no answer for {question.flag}: input ended")
            if not line.strip() and default not in (None, [], ""):
                return default
            try:
                return question.parse(line, tree)
            except ValueError as exc:
                self.write(f"  {exc}\n")

    def _list(self, choices: Sequence[str]) -> None:
        """Print the numbered choices; sub-event types under their event types, as ACLED's table has them."""
        heading = None
        for number, choice in enumerate(choices, 1):
            if choice in SUB_EVENT_TYPES and SUB_EVENT_TYPES[choice] != heading:
                heading = SUB_EVENT_TYPES[choice]
                self.write(f"  {heading}\n")
            self.write(f"  {number:>2}. {choice}\n" if heading is None else f"    {number:>2}. {choice}\n")


def _show(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def gather(kind: str, given: dict[str, Any], tree: Tree, ask: Asker | None) -> dict[str, Any]:
    """Return every essential's value: from flags, then answers on a terminal, then defaults."""
    answers: dict[str, Any] = {}
    missing = []
    for question in QUESTIONS[kind]:
        raw = given.get(question.key)
        default = question.default(tree, answers) if question.default else None
        if raw not in (None, []):
            answers[question.key] = _parse_flag(question, raw, tree)
        elif ask is not None and question.ask:
            answers[question.key] = ask(question, tree, default)
        elif default in (None, []) and question.ask:  # an essential with nothing to fall back on
            missing.append(question)
        else:
            answers[question.key] = default
    if missing:
        raise UsageError(f"`new {kind}` needs these flags (or run it in a terminal to be asked):\n"
                         + "\n".join(_describe_missing(q, tree) for q in missing))
    return answers


def _parse_flag(question: Question, raw: Any, tree: Tree) -> Any:
    text = " ".join(raw) if isinstance(raw, list) else str(raw)
    try:
        return question.parse(text, tree)
    except ValueError as exc:
        raise UsageError(f"{question.flag}: {exc}") from None


def _describe_missing(question: Question, tree: Tree) -> str:
    text = f"  {question.flag}: {question.help}"
    if question.choices is not None:
        choices = list(question.choices(tree))
        text += f"; one of: {', '.join(choices)}" if choices else \
            f"; none exist yet: add one first with " \
            f"`{invocation.command('new', question.key, content=tree.content)}`"
    return text


# --- Writing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scaffold:
    """A file to write: where, the id, and its text."""

    kind: str
    id: str
    path: Path
    text: str


def scaffold(kind: str, answers: dict[str, Any], tree: Tree) -> Scaffold:
    """Return the file for a new entity, with a unique id and commented YAML."""
    taken = tree.taken(kind)
    if kind == "incident":
        base = f"{answers['date'].isoformat()}-{slug(answers['title'], MAX_ID - 11)}"
    elif kind == "brief":
        base = f"brief-{answers['end'].isoformat()}"
    elif kind == "document":  # who said it and when, then what: mint-2024-04-21-iraq-says-outlaws-fired
        base = f"{answers['source']}-{answers['published'].isoformat()}-{slug(answers['title'], MAX_ID - 30)}"
    else:
        base = slug(answers["title"]) if slug(answers["title"]) != "item" else kind
    entity_id = unique_id(base, taken)
    stem = entity_id
    if kind == "brief":  # briefs are filed by their last day (docs/analyst-guide.md)
        stem = entity_id.removeprefix("brief-")
    text = RENDERERS[kind](entity_id, answers, tree)
    return Scaffold(kind, entity_id, tree.content / FOLDERS[kind] / f"{stem}.yaml", text)


def check_scaffold(item: Scaffold, tree: Tree) -> list[Problem]:
    """Return the problems `check` would report in the new file on its own (coordinates, time zones…)."""
    problems: list[Problem] = []
    rel = str(item.path.relative_to(tree.content.parent))
    data, marks, key_marks = parse_yaml(item.text, rel)
    from .load import Document

    document = Document(item.kind, item.path, rel, data, marks, key_marks)
    to_entity(document, problems)
    return problems


def write(item: Scaffold) -> None:
    """Write the new file, refusing to replace one that exists."""
    item.path.parent.mkdir(parents=True, exist_ok=True)
    with item.path.open("x", encoding="utf-8") as handle:
        handle.write(item.text)


def scalar(value: Any) -> str:
    """Return a value as a one-line YAML scalar, quoted only when YAML needs it."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (int, float)):
        return repr(value)
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1_000_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def block(text: str, indent: str = "  ") -> str:
    """Return text as a YAML literal block ('|') body."""
    return "\n".join(indent + line if line.strip() else "" for line in text.strip().splitlines())


def _flow(ids: Sequence[str]) -> str:
    return "[" + ", ".join(scalar(i) for i in ids) + "]"


def _lines(rows: Sequence[tuple[str, str] | str]) -> str:
    """Join YAML lines, aligning the trailing comments of (code, comment) rows."""
    width = max((len(r[0]) for r in rows if isinstance(r, tuple) and r[1]), default=0) + 2
    out = []
    for row in rows:
        if isinstance(row, str):
            out.append(row)
        else:
            code, comment = row
            out.append(f"{code.ljust(width)}# {comment}" if comment else code)
    return "\n".join(out) + "\n"


def _incident(entity_id: str, a: dict[str, Any], tree: Tree) -> str:
    sub = a["sub_event_type"]
    when: list[tuple[str, str] | str] = [
        (f'time: "{a["time"]}"', "local time, 24-hour, in quotes"),
        (f"timezone: {scalar(a['timezone'])}", "IANA time zone of that local time"),
    ] if a.get("time") else [
        ('# time: "21:50"', "local time, 24-hour, in quotes, when known"),
        (f"# timezone: {tree.site.timezone}", "IANA time zone of that local time"),
    ]
    return _lines([
        "# An incident: one event. Every field is explained in docs/analyst-guide.md.",
        f"# Replace the TODO lines, then run: {invocation.command('check', content=tree.content)}",
        f"id: {entity_id}",
        f"title: {scalar(a['title'])}",
        (f"date: {a['date'].isoformat()}", "local date of the event"),
        *when,
        ("time_precision: 1", "1 day known, 2 only the week (date it mid-week), 3 only the month (the 15th)"),
        (f"event_type: {scalar(SUB_EVENT_TYPES[sub])}", "ACLED event type"),
        (f"sub_event_type: {scalar(sub)}", "ACLED sub-event type"),
        ("location:", "where it happened; several sites of one event: 'locations:', a list of these"),
        (f"  location: {a['location']}", "id of a file in content/locations/"),
        (f"  geo_precision: {a['geo_precision']}", "1 the place itself, 2 near it, 3 only the region"),
        ("# origin:", "where it was launched from, when known (a country or region may have no coordinates)"),
        "#   location: <location id>",
        "#   geo_precision: 3",
        ("# same_as: <incident id>", "when another incident already records this event: counted once"),
        (f"perpetrators: {_flow(a['perpetrator'])}", "actor ids you assess responsible (ACLED actor 1)"),
        (f"targets: {_flow(a['target'])}", "actor ids attacked (ACLED actor 2)"),
        "summary: |",
        block(a["summary"]),
        ("# claims:", "who claimed, was blamed, denied or would not comment"),
        ("#   - stance: attributed", "claimed, attributed, denied or no_comment"),
        "#     actor: <actor id>",
        "#     sources:",
        f"#       - source: {a['source']}",
        "#         credibility: 3",
        ("# casualties:", "one entry per side and source; add a new one when a figure is revised"),
        ("#   - side: <actor id>", "or sides: [<id>, <id>] for one figure covering several"),
        ("#     killed: 0", "3, 'more than 40', '1-2', 'approximately 20', dozens, several or unknown"),
        "#     wounded: unknown",
        (f"#     date: {a['date'].isoformat()}", "when the source gave the figures"),
        "#     sources:",
        f"#       - source: {a['source']}",
        "#         credibility: 3",
        ("sources:", "or cite the document itself: '- document: <id of a file in content/documents/>'"),
        (f"  - source: {a['source']}", "id of a file in content/sources/"),
        (f"    credibility: {a['credibility']}", f"{CREDIBILITY[a['credibility']]} (Admiralty 1-6)"),
        ("tags: []", "free words, e.g. [coalition, rockets]"),
    ])


def _brief(entity_id: str, a: dict[str, Any], tree: Tree) -> str:
    end, start = a["end"], a["start"]
    if start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    cutoff = dt.datetime.combine(end, dt.time(12, 0), tzinfo=_zone(tree.site.timezone))
    return _lines([
        "# A situation brief: what it covers and what it says. See docs/analyst-guide.md, section 12.",
        f"# Replace the TODO lines, then run: {invocation.command('check', content=tree.content)}",
        f"id: {entity_id}",
        f"number: {a['number']}",
        f"title: {scalar(a['title'])}",
        ("# subtitle: ", "one line: the period's main development"),
        "period:",
        (f"  start: {start.isoformat()}", "first day covered"),
        (f"  end: {end.isoformat()}", "last day covered"),
        (f"cutoff: {cutoff.isoformat()}", "information cut-off, with its UTC offset"),
        (f"published: {end.isoformat()}", "the day it goes out"),
        (f"next_report: {(end + dt.timedelta(days=7)).isoformat()}", ""),
        (f"# tlp: {tree.site.tlp}", f"the handling mark; default {tree.site.tlp} from site.yaml"),
        (f"countries: {_flow(a['country'])}", "ISO alpha-3 codes"),
        "summary: |",
        block("TODO: the period in a few sentences: what happened and what it means."),
        ("key_judgments:", "ICD 203: a likelihood term and a confidence level, never in one sentence"),
        f"  - text: {scalar(TODO_JUDGMENT)}",
        ("    # likelihood: likely", "almost no chance … almost certain; one row of the table per brief"),
        ("    confidence: low", "high, moderate or low"),
        ("    incidents: []", "ids of the incidents behind the judgment"),
        "sections:",
        *[row for code in a["country"] for row in (
            f"  - title: {scalar(_country_name(code))}",
            f"    countries: [{code}]",
            "    assessment: |",
            block("TODO: the assessment for this area, leading with the judgment.", "      "),
            ("    sources: []", "citations of what it says beyond its incidents (section 5)"),
        )],
        ("context: []", "ids of notes in content/context/"),
        "outlook: |",
        block("TODO: what to watch for before the next report."),
    ])


def _country_name(code: str) -> str:
    from .geo import country_info

    info = country_info(code)
    return info.name if info else code


def _actor(entity_id: str, a: dict[str, Any], tree: Tree) -> str:
    return _lines([
        "# An actor: an armed group, state force, coalition or other party. See docs/analyst-guide.md.",
        f"id: {entity_id}",
        f"name: {scalar(a['title'])}",
        (f"short_name: {scalar(a['short_name'])}" if a.get("short_name") else "# short_name: ", "acronym"),
        (f"kind: {a['kind']}", "ACLED inter code " + str(ACTOR_KINDS[a["kind"]])),
        (f"country: {a['country']}" if a.get("country") else "# country: IRQ", "ISO alpha-3"),
        ("# names:", "the name in other scripts, by ISO 639 code"),
        "#   ar: ...",
        ("# part_of: <actor id>", "a coalition or parent force"),
        "aliases: []",
        "profile: |",
        block("TODO: who they are, whom they answer to, what they have done recently."),
    ])


def _location(entity_id: str, a: dict[str, Any], tree: Tree) -> str:
    return _lines([
        "# A place: a base, town, province or area. See docs/analyst-guide.md, section 8.",
        f"id: {entity_id}",
        f"name: {scalar(a['title'])}",
        (f"kind: {a['kind']}", ", ".join(LOCATION_KINDS)),
        (f"country: {a['country']}", "ISO alpha-3"),
        (f"admin1: {scalar(a['admin1'])}" if a.get("admin1") else "# admin1: ", "province or governorate"),
        *([("# latitude:", "none published: an area is never drawn as a point"), "# longitude:"]
          if a["latitude"] == UNPUBLISHED or a["longitude"] == UNPUBLISHED else
          [(f"latitude: {a['latitude']}", "decimal degrees, north positive"),
           (f"longitude: {a['longitude']}", "decimal degrees, east positive")]),
        ("# within: <location id>", "the province or area it lies in"),
        ("# names:", "the name in other scripts, by ISO 639 code"),
        "#   ar: ...",
        'description: ""',
    ])


def _source(entity_id: str, a: dict[str, Any], tree: Tree) -> str:
    return _lines([
        "# A source: an outlet, monitor or official channel you cite. See docs/analyst-guide.md, section 5.",
        f"id: {entity_id}",
        f"name: {scalar(a['title'])}",
        (f"kind: {a['kind']}", ", ".join(SOURCE_KINDS)),
        (f"reliability: {a['reliability']}", f"{RELIABILITY[a['reliability']]} (Admiralty A-F)"),
        (f"scale: {scalar(a['scale'])}", ", ".join(SOURCE_SCALES)),
        (f"country: {a['country']}" if a.get("country") else "# country: ", "ISO alpha-3 of its base"),
        (f"url: {scalar(a['url'])}" if a.get("url") else "# url: https://", ""),
        "description: |",
        block("TODO: who runs it, where it reports from, and why it earns its reliability grade."),
    ])


def _document(entity_id: str, a: dict[str, Any], tree: Tree) -> str:
    return _lines([
        "# A document you cite: a statement, article, post or report. See docs/analyst-guide.md, section 5.",
        f"id: {entity_id}",
        (f"source: {a['source']}", "who published it: id of a file in content/sources/"),
        (f"kind: {a['kind']}", ", ".join(DOCUMENT_KINDS)),
        (f"title: {scalar(a['title'])}", "for an untitled statement, a description in [brackets]"),
        (f"published: {a['published'].isoformat()}", "or with its time and offset: 2024-04-21T23:40:00+05:30"),
        (f"url: {scalar(a['url'])}" if a.get("url") else "# url: https://", "its own address, if it has one"),
        ("# archive_url: https://", "a saved copy"),
        ("# language: en", "ISO 639 code"),
        (f"relays: {_flow(a['relay'])}", "ids of the documents it reports or republishes (content/documents/)"),
    ])


RENDERERS: dict[str, Callable[[str, dict[str, Any], Tree], str]] = {
    "incident": _incident, "brief": _brief, "actor": _actor, "location": _location, "source": _source,
    "document": _document,
}
