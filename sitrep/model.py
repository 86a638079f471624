"""Model stage: the typed entities analysts write, and the Project that holds them all.

Every entity is a frozen pydantic model whose fields are exactly the YAML keys an analyst
writes; the JSON Schemas in schemas/ are generated from these classes (see sitrep.schema).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal, TypeVar, Union

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema,
                      field_validator, model_validator)

# --- Vocabularies (../shared/domain.md) -----------------------------------------------------

#: ACLED event types and their sub-event types.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": ("Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
                                   "Grenade"),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": ("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"),
}

DISORDER_TYPES = ("Political violence", "Demonstrations", "Strategic developments")

#: ACLED inter codes: an actor's kind and its code.
ACTOR_KINDS: dict[str, int] = {
    "state_forces": 1, "rebel_group": 2, "political_militia": 3, "identity_militia": 4,
    "rioters": 5, "protesters": 6, "civilians": 7, "external_forces": 8,
}

ACTOR_KIND_LABELS: dict[str, str] = {
    "state_forces": "State forces", "rebel_group": "Rebel group", "political_militia": "Political militia",
    "identity_militia": "Identity militia", "rioters": "Rioters", "protesters": "Protesters",
    "civilians": "Civilians", "external_forces": "External/Other forces",
}

RELIABILITY = {"A": "Completely reliable", "B": "Usually reliable", "C": "Fairly reliable",
               "D": "Not usually reliable", "E": "Unreliable", "F": "Reliability cannot be judged"}
CREDIBILITY = {1: "Confirmed by other sources", 2: "Probably true", 3: "Possibly true", 4: "Doubtful",
               5: "Improbable", 6: "Truth cannot be judged"}

TLP_COLOURS = {"TLP:RED": "#FF2B2B", "TLP:AMBER": "#FFC000", "TLP:AMBER+STRICT": "#FFC000",
               "TLP:GREEN": "#33FF00", "TLP:CLEAR": "#FFFFFF"}
#: TLP 2.0 marks from the widest audience to the narrowest.
TLP_ORDER = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")


def narrower_than_site(brief_tlp: str | None, site_tlp: str) -> bool:
    """Return True if a brief's mark allows fewer readers than the website it would be published on."""
    return brief_tlp is not None and TLP_ORDER.index(brief_tlp) > TLP_ORDER.index(site_tlp)


def tlp_message(brief_tlp: str, site_tlp: str) -> str:
    """Return the error for a brief marked for fewer readers than its website's."""
    return (f"this brief is {brief_tlp} but the website is {site_tlp} (site.yaml), and the build publishes "
            f"every brief on it, page and PDF. Write 'tlp: {site_tlp}' (or leave tlp out) if the website's "
            f"readers may see it; otherwise build it from a content folder of its own whose site.yaml says "
            f"'tlp: {brief_tlp}'")

#: ICD 203 likelihood rows: (term, alternative, probability range).
LIKELIHOOD_ROWS: tuple[tuple[str, str, str], ...] = (
    ("almost no chance", "remote", "1–5%"),
    ("very unlikely", "highly improbable", "5–20%"),
    ("unlikely", "improbable", "20–45%"),
    ("roughly even chance", "roughly even odds", "45–55%"),
    ("likely", "probable", "55–80%"),
    ("very likely", "highly probable", "80–95%"),
    ("almost certain", "nearly certain", "95–99%"),
)
LIKELIHOOD_TERMS = tuple(term for row in LIKELIHOOD_ROWS for term in row[:2])
CONFIDENCE_LEVELS = ("high", "moderate", "low")

LOCATION_KINDS = ("base", "town", "city", "village", "district", "province", "region", "border_area",
                  "crossing", "facility", "country", "other")
#: Kinds of place that are areas: one of them may be written without coordinates when none were
#: published ("a border area", "launched from Iraq"); it is then never drawn or exported as a point.
AREA_KINDS = ("country", "province", "region", "border_area", "district")
SOURCE_KINDS = ("news_agency", "newspaper", "broadcaster", "monitor", "official", "military",
                "armed_group", "ngo", "social_media", "research", "other")
#: What a statement says about an actor's part in an incident (docs/analyst-guide.md lists them).
STANCES = ("claimed", "attributed", "denied", "no_comment", "disputed", "suspended", "praised")
#: An abbreviation written in capitals (PMF, CENTCOM), as opposed to a short name (US forces).
ABBREVIATION = re.compile(r"[A-Z][A-Z0-9]{1,9}")

STANCE_LABELS = {"claimed": "Claimed", "attributed": "Attributed", "denied": "Denied", "no_comment": "No comment",
                 "disputed": "Disputed", "suspended": "Suspension announced", "praised": "Praised, not claimed"}
#: Stances that hold an actor responsible: what incidents are counted under.
RESPONSIBLE_STANCES = ("claimed", "attributed")
DOCUMENT_KINDS = ("statement", "article", "post", "report", "broadcast", "video", "dataset", "other")
SOURCE_SCALES = ("Local partner", "Subnational", "National", "Regional", "International", "Other")

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"

TLP = Literal["TLP:RED", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:GREEN", "TLP:CLEAR"]
Id = Annotated[str, Field(pattern=ID_PATTERN, description="Lower-case letters, digits and hyphens.")]
Ref = Annotated[str, Field(pattern=ID_PATTERN, description="The id of another entity.")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code, e.g. IRQ.")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
LongText = Annotated[str, Field(max_length=100_000, description="Markdown.")]

#: The calendar content may use. The build counts back a period's length, weeks for charts and time zones
#: from every date; at the ends of Python's calendar (0001-01-01, 9999-12-31) that arithmetic overflows, so
#: check refuses what the build could not compute. No open-source reporting predates 1800; 2199 is a typo.
FIRST_DAY, LAST_DAY = dt.date(1800, 1, 1), dt.date(2199, 12, 31)


def _in_calendar(value: dt.date) -> dt.date:
    """Refuse a date (or date and time) outside FIRST_DAY..LAST_DAY."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{value.isoformat()} is outside the years {FIRST_DAY.year}–{LAST_DAY.year} that "
                         "sitrep accepts; check the year")
    return value


Day = Annotated[dt.date, AfterValidator(_in_calendar)]
Moment = Annotated[dt.datetime, AfterValidator(_in_calendar)]

#: A site's address: http(s), an ASCII host name (IDN hosts as punycode), an optional port and path. It
#: is written into robots.txt, the sitemap and the feeds, so a space, quote, control character, query
#: or fragment would let it add lines or attributes of its own (issue 13).
BASE_URL_PATTERN = (r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?"
                    r"(?:/[A-Za-z0-9._~!$&()*+,;=:@%/-]*)?$")


def _web_address(value: str) -> str:
    """Refuse a base_url that is not a plain http(s) address."""
    if len(value) > 2000 or not re.fullmatch(BASE_URL_PATTERN, value):
        raise ValueError("base_url must be a plain web address such as https://monitor.example.org/briefs/: "
                         "http or https, an ASCII host name (write another script's name as punycode, "
                         "xn--...), an optional port and path; no spaces, quotes, control characters, "
                         "'?' or '#'")
    return value


BaseUrl = Annotated[str, AfterValidator(_web_address), WithJsonSchema(
    {"type": "string", "pattern": BASE_URL_PATTERN, "maxLength": 2000,
     "description": "The address the site is published at, e.g. https://monitor.example.org/briefs/."})]


# --- Uncertain counts ---------------------------------------------------------------------

# Vague words a source may use instead of a number, with the lowest number each can mean. ACLED's
# fatality FAQ ("Uses and limitations of ACLED data: Fatalities", updated 7 May 2024) codes "tens" as 10,
# "dozens" as 12 and "hundreds" as 100 -- one unit of the word -- and always takes the most conservative
# estimate; UCDP GED keeps such a figure as its low estimate. The other words follow the same rule:
# the smallest number the word can mean ("scores" one score, "several" and "many" more than two,
# "a few" more than one). The words are kept and shown beside the number.
VAGUE_COUNTS: dict[str, int] = {
    "a few": 2, "few": 2, "a couple": 2, "several": 3, "many": 3, "numerous": 3, "tens": 10, "dozens": 12,
    "scores": 20, "hundreds": 100, "thousands": 1000,
}

_COUNT_RE = re.compile(
    r"^(?:(?P<unknown>unknown|not reported|n/?a)"
    r"|(?P<qual>at least|more than|over|at most|up to|approximately|about|around|nearly|almost|some)?\s*"
    r"(?P<low>\d[\d,]*)(?:\s*(?:-|–|to)\s*(?P<high>\d[\d,]*))?\+?)$",
    re.IGNORECASE,
)
# "dozens", or "dozens (at least 12)" as sitrep writes it (a sitrep ACLED export reads back in)
_VAGUE_RE = re.compile(r"^(?P<words>[a-z][a-z ]*?)(?:\s*\(at least (?P<low>\d[\d,]*)\))?$", re.IGNORECASE)
_QUALIFIERS = {"at least": "at_least", "more than": "more_than", "over": "more_than", "at most": "at_most",
               "up to": "at_most", "approximately": "approximately", "about": "approximately",
               "around": "approximately", "some": "approximately", "nearly": "nearly", "almost": "nearly"}

Qualifier = Literal["exact", "at_least", "more_than", "at_most", "range", "approximately", "nearly", "unknown"]


class Count(BaseModel):
    """A count of people that may be exact, a floor, a range, approximate, vague words or unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: int | None = Field(default=None, ge=0, le=10_000_000)
    high: int | None = Field(default=None, ge=0, le=10_000_000)
    qualifier: Qualifier = "exact"
    words: Annotated[str, Field(max_length=60)] | None = Field(
        default=None, description="The source's own words for a vague count, e.g. 'dozens'.")

    @model_validator(mode="after")
    def _ordered(self) -> Count:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"range low {self.low} is above its high {self.high}; write it as "
                             f"'{self.high}-{self.low}'")
        return self

    @property
    def known(self) -> bool:
        """Return True when at least a floor is known."""
        return self.low is not None

    @property
    def value(self) -> int | None:
        """Return the headline value: the conservative (low) figure."""
        return self.low

    @property
    def floor(self) -> int | None:
        """Return the smallest number the count allows: 41 for 'more than 40', 12 for 'dozens'."""
        if self.low is None:
            return None
        return self.low + 1 if self.qualifier == "more_than" else self.low

    @property
    def open_ended(self) -> bool:
        """Return True when the count has a floor and no ceiling: 'at least 3', 'more than 40', 'dozens'."""
        return self.low is not None and self.qualifier in ("at_least", "more_than")

    def __str__(self) -> str:
        return format_count(self)


def format_count(count: Count) -> str:
    """Return a count as the source put it: '3', 'more than 40', 'dozens (at least 12)', '1–2'."""
    if count.low is None:
        return "unknown"
    low = f"{count.low:,}"
    if count.words:
        return f"{count.words} (at least {low})"
    if count.qualifier == "more_than":
        return f"more than {low}"
    if count.qualifier == "at_least" or (count.high is None and count.qualifier == "exact"):
        return low if count.qualifier == "exact" else f"at least {low}"
    if count.qualifier in ("approximately", "nearly", "at_most"):
        word = {"approximately": "approximately", "nearly": "nearly", "at_most": "at most"}[count.qualifier]
        shown = count.high if count.qualifier == "at_most" and count.high is not None else count.low
        return f"{word} {shown:,}"
    if count.high is not None and count.high != count.low:
        return f"{low}–{count.high:,}"
    return low


def parse_count(value: Any) -> Any:
    """Accept 3, 'more than 40', '1-2', 'approximately 2,500', 'dozens', 'unknown' or a mapping."""
    if value is None:
        return {"qualifier": "unknown"}
    if isinstance(value, bool):
        raise ValueError("expected a count such as 3, 'at least 3', '1-2' or 'unknown', not true/false")
    if isinstance(value, int):
        return {"low": value, "high": value, "qualifier": "exact"}
    if isinstance(value, str):
        return _parse_count_text(" ".join(value.split()))
    return value


def _parse_count_text(text: str) -> dict[str, Any]:
    vague = _VAGUE_RE.match(text)
    if vague and vague["words"].lower() in VAGUE_COUNTS:
        words = vague["words"].lower()
        return {"low": VAGUE_COUNTS[words], "high": None, "qualifier": "at_least", "words": words}
    match = _COUNT_RE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a count; write 3, 'at least 3', 'more than 40', '1-2', "
                         "'approximately 2,500', one of the words " + ", ".join(VAGUE_COUNTS) + " or 'unknown'")
    if match["unknown"]:
        return {"qualifier": "unknown"}
    low = int(match["low"].replace(",", ""))
    high = int(match["high"].replace(",", "")) if match["high"] else None
    qualifier = _QUALIFIERS.get((match["qual"] or "").lower())
    if text.endswith("+"):
        qualifier = "at_least"
    if qualifier in ("at_least", "more_than"):
        return {"low": low, "high": None, "qualifier": qualifier}
    if qualifier == "at_most":
        return {"low": 0, "high": low, "qualifier": "at_most"}
    if qualifier:
        return {"low": low, "high": low, "qualifier": qualifier}
    if high is not None:
        return {"low": low, "high": high, "qualifier": "range" if high != low else "exact"}
    return {"low": low, "high": low, "qualifier": "exact"}


CountField = Annotated[
    Count,
    BeforeValidator(parse_count),
    WithJsonSchema({
        "description": "A count: 3, 'at least 3', 'more than 40', '1-2', 'approximately 2,500', 'nearly 900', "
                       "a vague word (" + ", ".join(VAGUE_COUNTS) + ") or 'unknown'.",
        "anyOf": [{"type": "integer", "minimum": 0},
                  # editors get a loose, flag-free pattern; sitrep checks the words exactly
                  {"type": "string", "pattern": r"^([Uu]nknown|[Nn]ot reported|[A-Za-z ]*\d[\d,]*"
                                                r"(\s*(-|–|to)\s*\d[\d,]*)?\+?)$"},
                  {"type": "string", "enum": list(VAGUE_COUNTS)},
                  {"type": "null"}],
    }),
]


def unknown_count() -> Count:
    """Return the count for 'not reported'."""
    return Count(qualifier="unknown")


# --- Shared parts -------------------------------------------------------------------------

class Part(BaseModel):
    """Base of every mapping in content: unknown keys are errors, values never change."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Citation(Part):
    """A fact's support: a cited document (or, in the older form, a source and the outlet that relayed it).

    The grade's credibility belongs to this one statement; the reliability to the document's source.
    """

    document: Ref | None = Field(default=None, description="The id of the document cited (content/documents/).")
    source: Ref | None = Field(default=None, description="Older form, without a document: the source "
                               "that reported the fact.")
    credibility: int = Field(ge=1, le=6, description="Admiralty information credibility, 1 (confirmed) to 6.")
    via: Ref | None = Field(default=None, description="Older form: the source that relayed the report, e.g. "
                            "a news agency.")
    pinpoint: Text | None = Field(default=None, description="Where in the document, e.g. 'para. 4'.")
    date: Day | None = None
    url: Annotated[str, Field(pattern=r"^https?://", max_length=2000)] | None = None
    title: Text | None = None
    quote: Text | None = None

    @model_validator(mode="after")
    def _one_document(self) -> Citation:
        if (self.document is None) == (self.source is None):
            raise ValueError("a citation names either 'document: <id>' or (older form) 'source: <id>', "
                             "not both and not neither")
        if self.document is not None and (self.via or self.url or self.title or self.date):
            raise ValueError("a citation of a document takes its title, date, url and relays from the "
                             "document file; keep only 'document', 'credibility', 'pinpoint' and 'quote'")
        return self


class Place(Part):
    """Where an incident was launched from or took place, with ACLED's geo precision."""

    location: Ref
    geo_precision: Literal[1, 2, 3] = Field(description="1 the place itself, 2 near it, 3 only the region.")
    note: Text | None = None


class Statement(Part):
    """Who claimed, was blamed for, denied, disputed or praised an incident, and who said so."""

    stance: Literal[STANCES] = Field(  # type: ignore[valid-type]
        description="claimed, attributed, denied, no_comment, disputed (disputes the account, e.g. the "
                    "target), suspended (announces a suspension of operations) or praised (praised, did "
                    "not claim).")
    actor: Ref = Field(description="The actor whose responsibility is at issue.")
    by: Ref | None = Field(default=None, description="Who made the statement: an actor or a source (a "
                           "monitor, an outlet). Left out, the actor speaks for itself; a denial 'by' "
                           "someone else is shown as their denial, not the actor's.")
    speaker: Text | None = Field(default=None, description="The person who said it, e.g. 'Rami Abdel "
                                 "Rahman, director'.")
    date: Day | None = None
    note: Text | None = None
    sources: list[Citation] = Field(min_length=1)


class CasualtyReport(Part):
    """One source's figures for the killed and wounded of one side, or of several sides together."""

    id: Id | None = Field(default=None, description="A name for this report, for another's supersedes.")
    side: Ref | None = Field(default=None, description="The actor whose people were killed or wounded.")
    sides: list[Ref] = Field(default_factory=list, description="The actors a figure covers together, as in "
                             "'16 killed, including civilians'; instead of side.")
    killed: CountField = Field(default_factory=unknown_count)
    wounded: CountField = Field(default_factory=unknown_count)
    date: dt.date | None = Field(default=None, description="When the source gave the figure; a later one from "
                                 "the same source supersedes it.")
    supersedes: list[Ref] = Field(default_factory=list, description="Ids of the reports of this incident "
                                  "that this one replaces.")
    note: Text | None = None
    sources: list[Citation] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_way_to_name_sides(self) -> CasualtyReport:
        if self.side is None and not self.sides:
            raise ValueError("a casualty report needs 'side: <actor id>', or 'sides: [<actor id>, ...]' for a "
                             "figure that covers several sides together")
        if self.side is not None and self.sides:
            raise ValueError("write either 'side:' or 'sides:', not both; 'sides:' is for a figure that "
                             "covers several sides together")
        if len(set(self.sides)) != len(self.sides):
            raise ValueError("'sides:' names an actor twice")
        return self

    @property
    def covers(self) -> tuple[str, ...]:
        """Return the actors whose people the figures count, in the order written."""
        return (self.side,) if self.side is not None else tuple(self.sides)

    @property
    def reported(self) -> dt.date | None:
        """Return when the figure was given: its date, or else the latest date its citations carry."""
        dates = [c.date for c in self.sources if c.date]
        return self.date or (max(dates) if dates else None)


class Response(Part):
    """What was done in response to an incident."""

    actor: Ref
    action: Text
    date: Day | None = None
    sources: list[Citation] = Field(min_length=1)


class Attachment(Part):
    """An image or file kept under content/assets/."""

    path: Annotated[str, Field(min_length=1, max_length=300)]
    caption: Text
    credit: Text | None = None


# --- Entities -----------------------------------------------------------------------------

class Entity(Part):
    """Base of every file-level entity."""

    id: Id


class Source(Entity):
    """An outlet, monitor or official channel whose reports are cited."""

    name: Text
    short_name: Text | None = Field(default=None, description="The abbreviation the text uses for it (AFP); "
                                    "a brief or page spells it out at its first use.")
    kind: Literal[SOURCE_KINDS]  # type: ignore[valid-type]
    reliability: Literal["A", "B", "C", "D", "E", "F"]
    scale: Literal[SOURCE_SCALES] = "International"  # type: ignore[valid-type]
    country: Country | None = None
    url: Annotated[str, Field(pattern=r"^https?://", max_length=2000)] | None = None
    description: LongText = ""


def parse_published(value: Any) -> Any:
    """Read a publication time: a date (2024-04-22) or a date and time with its UTC offset."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return dt.date.fromisoformat(value.strip())
    return value


def _published_has_offset(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        raise ValueError("a publication time needs its UTC offset, e.g. 2024-04-22T09:15:00+05:30, "
                         "or write the date alone")
    return value


Published = Annotated[
    Union[dt.datetime, dt.date],  # noqa: UP007
    BeforeValidator(parse_published),
    AfterValidator(_published_has_offset),
    WithJsonSchema({"description": "A date (2024-04-22) or a date and time with its UTC offset "
                                   "(2024-04-22T09:15:00+05:30).",
                    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}),
]


class SourceDocument(Entity):
    """One document a source published (a statement, article, post, report), cited by its id."""

    source: Ref = Field(description="Who published it.")
    kind: Literal[DOCUMENT_KINDS]  # type: ignore[valid-type]
    title: Text = Field(description="Its title, or for an untitled statement a short description in brackets.")
    published: Published | None = Field(default=None, description="When it was published: a date, or a "
                                        "date and time with its UTC offset.")
    url: Annotated[str, Field(pattern=r"^https?://", max_length=2000)] | None = None
    archive_url: Annotated[str, Field(pattern=r"^https?://", max_length=2000)] | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = Field(
        default=None, description="ISO 639 code of the language it was published in.")
    relays: list[Ref] = Field(default_factory=list, description="The documents it reports or republishes "
                              "(ids under content/documents/), so a chain has any length.")
    note: Text | None = None

    @property
    def published_date(self) -> dt.date | None:
        """Return the day it was published, as its own time zone reads it."""
        if isinstance(self.published, dt.datetime):
            return self.published.date()
        return self.published


class Actor(Entity):
    """An armed group, state force, coalition or other party."""

    name: Text
    names: dict[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")], Text] = Field(
        default_factory=dict, description="The name in other languages, keyed by ISO 639 code.")
    short_name: Text | None = Field(default=None, description="The name readers know (US forces), shown instead "
                                    "of name in pages and briefs; or an abbreviation in capitals (PMF), spelled "
                                    "out at its first use.")
    kind: Literal[tuple(ACTOR_KINDS)]  # type: ignore[valid-type]
    country: Country | None = None
    part_of: Ref | None = None
    aliases: list[Text] = Field(default_factory=list)
    profile: LongText = ""
    sources: list[Citation] = Field(default_factory=list)

    @property
    def inter_code(self) -> int:
        """Return ACLED's inter code for this actor's kind."""
        return ACTOR_KINDS[self.kind]

    @property
    def unnamed(self) -> bool:
        """Return True for an actor that stands for attackers nobody named (ACLED's 'Unidentified ...')."""
        return self.name.lower().startswith("unidentified")

    @property
    def common_name(self) -> str:
        """Return the name a reader knows: 'US forces' rather than ACLED's 'Military Forces of the United States'.

        A short name that is an abbreviation (PMF) is not a name a reader knows, so the full name is used.
        """
        if self.unnamed:  # ACLED capitalises 'Unidentified Armed Group (Iraq)' as a name; it is a description
            head, bracket, rest = self.name.partition(" (")
            first, *others = head.split(" ")
            return " ".join([first, *(word.lower() for word in others)]) + bracket + rest
        if self.short_name and not ABBREVIATION.fullmatch(self.short_name):
            return self.short_name
        return self.name


def _location_schema(schema: dict[str, Any]) -> None:
    """Tell editors what the validator checks: coordinates come in pairs, and only areas may lack them."""
    schema["dependentRequired"] = {"latitude": ["longitude"], "longitude": ["latitude"]}
    schema["if"] = {"properties": {"kind": {"not": {"enum": list(AREA_KINDS)}}}}
    schema["then"] = {"required": ["latitude", "longitude"]}


class Location(Entity):
    """A base, town, province or area, with coordinates and administrative units."""

    model_config = ConfigDict(json_schema_extra=_location_schema)

    name: Text
    names: dict[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")], Text] = Field(default_factory=dict)
    kind: Literal[LOCATION_KINDS]  # type: ignore[valid-type]
    country: Country
    admin1: Text | None = None
    admin2: Text | None = None
    admin3: Text | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90, description="Leave out, with longitude, "
                                   "for a country, province, region or border area whose coordinates "
                                   "were never published.")
    longitude: float | None = Field(default=None, ge=-180, le=180)
    within: Ref | None = None
    description: LongText = ""

    @field_validator("latitude", "longitude", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if value is None:  # 'latitude:' with nothing after it is a slip; an area leaves the key out
            raise ValueError("expected a number, found nothing; for an area whose coordinates were never "
                             "published, leave out both latitude and longitude")
        return value

    @model_validator(mode="after")
    def _located_or_an_area(self) -> Location:
        if (self.latitude is None) != (self.longitude is None):
            given, missing = ("latitude", "longitude") if self.longitude is None else ("longitude", "latitude")
            raise ValueError(f"{given} is given without {missing}; give both, or leave both out for an area "
                             "whose coordinates were never published")
        if self.latitude is None and self.kind not in AREA_KINDS:
            areas = [k.replace("_", " ") for k in AREA_KINDS]
            raise ValueError(f"kind: a {self.kind.replace('_', ' ')} is a point: give its latitude and longitude "
                             "(approximate is fine, and say so in the description); only a "
                             f"{', '.join(areas[:-1])} or {areas[-1]} may go without")
        return self

    @property
    def located(self) -> bool:
        """Return True when the place has coordinates (an area whose were never published has none)."""
        return self.latitude is not None and self.longitude is not None


def _incident_schema(schema: dict[str, Any]) -> None:
    """Tell editors that an incident has 'location:' or 'locations:', one of the two."""
    schema["properties"]["location"].pop("default", None)
    schema["oneOf"] = [{"required": ["location"]}, {"required": ["locations"]}]


class AcledText(Part):
    """ACLED's own text for the columns sitrep stores another way, kept by an import.

    `export acled` writes each back as it came while what it describes is unchanged (the date, the
    place's coordinates, the actor's kind, the cited outlets' scale, the updated date), so an export
    gives back the import's values exactly; once an analyst changes them, sitrep's own value is written.
    """

    event_date: Text | None = None
    latitude: Annotated[str, Field(pattern=r"^-?\d{1,3}(\.\d+)?$")] | None = None
    longitude: Annotated[str, Field(pattern=r"^-?\d{1,3}(\.\d+)?$")] | None = None
    admin1: Text | None = None
    admin2: Text | None = None
    admin3: Text | None = None
    inter1: Text | None = None
    inter2: Text | None = None
    interaction: Text | None = None
    source_scale: Text | None = None
    timestamp: int | None = Field(default=None, ge=0, le=10**11)


class Incident(Entity):
    """One event: what happened, when, where, who was involved, who said what, and the sources."""

    model_config = ConfigDict(json_schema_extra=_incident_schema)

    title: Text
    date: Day
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = Field(
        default=None, description="Local time, HH:MM, in the time zone given by timezone.")
    timezone: Annotated[str, Field(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")] | None = Field(
        default=None, description="IANA time zone, e.g. Asia/Baghdad.")
    time_approximate: bool = Field(default=False, description="true when the sources give the time as "
                                   "approximate ('around 9:50 pm'): it is shown as 'about 21:50'.")
    time_precision: Literal[1, 2, 3] = 1
    event_type: Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]
    sub_event_type: Text
    disorder_type: Literal[DISORDER_TYPES] | None = None  # type: ignore[valid-type]
    location: Place = Field(default=None, validate_default=False,  # type: ignore[assignment]
                            description="Where it happened: for an attack, what was hit. For several "
                            "sites, write 'locations:' instead.")
    locations: list[Place] = Field(default_factory=list, description="Every site of an event that hit "
                                   "several (one strike package on seven sites is one incident); the first "
                                   "is its main place. Write either this or 'location:'.")
    origin: Place | None = Field(default=None, description="Where it was launched from.")
    perpetrators: list[Ref] = Field(default_factory=list, description="Actors assessed responsible (ACLED actor1).")
    targets: list[Ref] = Field(default_factory=list, description="Actors attacked (ACLED actor2).")
    civilian_targeting: bool = False
    summary: LongText
    claims: list[Statement] = Field(default_factory=list)
    casualties: list[CasualtyReport] = Field(default_factory=list)
    response: list[Response] = Field(default_factory=list)
    sources: list[Citation] = Field(min_length=1)
    attachments: list[Attachment] = Field(default_factory=list)
    tags: list[Annotated[str, Field(max_length=60)]] = Field(default_factory=list)
    acled_id: Annotated[str, Field(pattern=r"^[A-Z]{3}\d+$")] | None = Field(
        default=None, description="ACLED event_id_cnty when imported from ACLED, or linked to ACLED's event.")
    acled: AcledText | None = Field(default=None, description="ACLED's own text of columns sitrep stores "
                                    "another way, written by an import and given back by `export acled`.")
    same_as: Ref | None = Field(default=None, description="Another incident recording this same event: "
                                "this one is then counted once, under that one.")
    not_same_as: list[Ref] = Field(default_factory=list, description="Incidents on the same day and "
                                   "place that are distinct events (silences the likely-duplicate warning).")
    updated: Day | None = None

    @model_validator(mode="before")
    @classmethod
    def _main_place(cls, data: Any) -> Any:
        """Take the first of several sites as the incident's main place ('location')."""
        if not isinstance(data, dict):
            return data
        sites = data.get("locations")
        if "location" in data and sites and sites[0] != data["location"]:  # a JSON record carries both
            raise ValueError("write either 'locations:' (several sites) or 'location:' (one place), not both")
        if "location" not in data:
            sites = data.get("locations")
            if not sites:
                raise ValueError("missing required field 'location' (or 'locations:' for several sites)")
            if isinstance(sites, list):
                data = {**data, "location": sites[0]}
        return data

    @model_validator(mode="after")
    def _sub_event_matches(self) -> Incident:
        allowed = EVENT_TYPES[self.event_type]
        if self.sub_event_type not in allowed:
            raise ValueError(f"sub_event_type '{self.sub_event_type}' is not a sub-event type of "
                             f"{self.event_type}; use one of: " + ", ".join(allowed))
        if self.time is not None and self.timezone is None:
            raise ValueError("a local time needs its timezone, e.g. 'timezone: Asia/Baghdad'")
        if self.time_approximate and self.time is None:
            raise ValueError("time_approximate says the time is approximate, but no time is given; "
                             "add 'time: \"HH:MM\"' or remove time_approximate")
        self._check_casualty_reports()
        if self.time is not None and self.time_precision != 1:
            raise ValueError(f"a time of day needs the exact day (time_precision 1); with time_precision "
                             f"{self.time_precision} leave out 'time'")
        if self.same_as == self.id or self.id in self.not_same_as:
            raise ValueError("same_as and not_same_as name other incidents, not this one")
        return self

    def _check_casualty_reports(self) -> None:
        """Require unique report ids and supersedes that name another report of this incident."""
        ids = [r.id for r in self.casualties if r.id]
        if len(set(ids)) != len(ids):
            twice = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"two casualty reports have the id '{twice}'; give each its own")
        for report in self.casualties:
            for ref in report.supersedes:
                if ref == report.id:
                    raise ValueError(f"casualty report '{ref}' supersedes itself")
                if ref not in ids:
                    known = ", ".join(ids) or "none has an id yet"
                    raise ValueError(f"supersedes '{ref}': no casualty report of this incident has that id "
                                     f"(ids: {known}); add 'id: {ref}' to the report it replaces")
        replaces = {r.id: r.supersedes for r in self.casualties if r.id}
        for start in replaces:
            seen, todo = set(), list(replaces[start])
            while todo:
                ref = todo.pop()
                if ref == start:
                    raise ValueError(f"casualty reports supersede each other in a circle, back to '{start}'; a "
                                     "later report supersedes an earlier one, never both ways")
                if ref not in seen:
                    seen.add(ref)
                    todo.extend(replaces.get(ref, []))

    @property
    def sites(self) -> list[Place]:
        """Return every place the incident happened: its sites, or its one location."""
        return list(self.locations) or [self.location]

    @property
    def citations(self) -> list[Citation]:
        """Return what the incident's record rests on: its sources, then its claims' and casualty reports'."""
        return [*self.sources, *(c for part in (*self.claims, *self.casualties) for c in part.sources)]

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """Return the first and last day the date may be at its precision: the day, its ACLED week or month."""
        return date_span(self.date, self.time_precision)

    @property
    def sort_key(self) -> tuple[dt.date, int, str, str]:
        """Return a key sorting incidents by date, a week or month as a whole before the days it holds."""
        start, end = self.span
        return start, -(end - start).days, self.time or "", self.id

    @property
    def disorder(self) -> str:
        """Return ACLED's disorder type, derived from the event type unless given."""
        if self.disorder_type:
            return self.disorder_type
        if self.event_type in ("Protests", "Riots"):
            return "Demonstrations"
        if self.event_type == "Strategic developments":
            return "Strategic developments"
        return "Political violence"


def acled_week(day: dt.date) -> dt.date:
    """Return the Saturday that starts the ACLED week containing day (ACLED weeks run Saturday to Friday)."""
    return day - dt.timedelta(days=(day.weekday() - 5) % 7)


def date_span(day: dt.date, precision: int) -> tuple[dt.date, dt.date]:
    """Return the days a date coded at an ACLED time precision may be: the day, its week or its month."""
    if precision == 2:
        start = acled_week(day)
        return start, start + dt.timedelta(days=6)
    if precision == 3:
        start = day.replace(day=1)
        return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return day, day


class TroopFigure(Part):
    """A troop figure at a date, from a source."""

    as_of: Day
    troops: CountField
    note: Text | None = None
    sources: list[Citation] = Field(min_length=1)


class Deployment(Entity):
    """A force stationed in a country or at a base, with its troop figures over time."""

    actor: Ref
    country: Country
    location: Ref | None = None
    mission: Text
    figures: list[TroopFigure] = Field(min_length=1)

    @property
    def latest(self) -> TroopFigure:
        """Return the most recent troop figure."""
        return max(self.figures, key=lambda figure: figure.as_of)


class ContextNote(Entity):
    """Regional context: a Markdown note with YAML front matter."""

    title: Text
    date: Day
    countries: list[Country] = Field(default_factory=list)
    sources: list[Citation] = Field(default_factory=list)
    tags: list[Annotated[str, Field(max_length=60)]] = Field(default_factory=list)
    body: LongText = ""


class Period(Part):
    """A span of days, both ends included."""

    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def days(self) -> int:
        """Return the number of days covered."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """Return the period of the same length just before this one."""
        length = dt.timedelta(days=self.days)
        # Computed, not content: it may reach before FIRST_DAY, so it is not validated as content is.
        return Period.model_construct(start=self.start - length, end=self.start - dt.timedelta(days=1))

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class KeyJudgment(Part):
    """A judgment with its ICD 203 likelihood and confidence."""

    text: Text
    likelihood: Literal[LIKELIHOOD_TERMS] | None = None  # type: ignore[valid-type]
    confidence: Literal[CONFIDENCE_LEVELS] | None = None  # type: ignore[valid-type]
    incidents: list[Ref] = Field(default_factory=list)


class Section(Part):
    """A section of a brief covering one area or theme, leading with its assessment."""

    title: Text
    countries: list[Country] = Field(default_factory=list)
    assessment: LongText
    sources: list[Citation] = Field(default_factory=list, description="Citations of the documents behind what "
                                    "the assessment says beyond the incidents it shows (each has its own).")


class Brief(Entity):
    """What one situation brief covers and says."""

    number: Annotated[int, Field(ge=1, le=1_000_000)]
    title: Text
    subtitle: Text | None = None
    period: Period
    cutoff: Moment = Field(description="Information cut-off, with its UTC offset.")
    published: Day | None = None
    next_report: Day | None = None
    producer: Text | None = None
    tlp: TLP | None = None
    countries: list[Country] = Field(min_length=1)
    summary: LongText = ""
    key_judgments: list[KeyJudgment] = Field(min_length=1)
    sections: list[Section] = Field(default_factory=list)
    context: list[Ref] = Field(default_factory=list)
    outlook: LongText = ""

    @field_validator("cutoff")
    @classmethod
    def _cutoff_has_offset(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("the cut-off needs a UTC offset, e.g. 2024-04-22T12:00:00+03:00")
        return value


ENTITY_CLASSES: dict[str, type[Entity]] = {
    "incident": Incident, "actor": Actor, "location": Location, "source": Source,
    "deployment": Deployment, "brief": Brief, "context": ContextNote, "document": SourceDocument,
}


# --- Site configuration -------------------------------------------------------------------

class SiteConfig(Part):
    """content/site.yaml: the settings of the whole site, read once."""

    title: Text = "Situation briefs"
    description: Text = "Situation briefs and incident data."
    organisation: Text = "sitrep"
    base_url: BaseUrl | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"
    timezone: str = "UTC"
    tlp: TLP = "TLP:CLEAR"
    page_size: Literal["A4", "Letter"] = "A4"
    theme: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$", max_length=200)] | None = Field(
        default=None, description="A folder of templates overriding the defaults, relative to the folder "
                                  "holding content/ and outside content/ (a theme is code); --theme wins "
                                  "over it.")
    caveat: Text = ("Figures are drawn from open sources, may be incomplete and may be revised as new "
                    "reports come in.")
    site_figures: bool = Field(
        default=True, description="Draw maps and charts on the website's pages. false builds a text-only site, "
                                  "lighter to load and about a third faster to build: each brief page gives "
                                  "its charts' figures as a table and lists its incidents; the PDF briefs keep "
                                  "their map and charts.")
    monitoring_since: dt.date | None = Field(
        default=None, description="The first day the monitor recorded incidents; charts start there. Without "
                                  "it, they start on the first day of the earliest brief.")


# --- The whole project --------------------------------------------------------------------

def published_after(published: dt.date | dt.datetime | None, cutoff: dt.datetime) -> bool:
    """Return True if something published then came after a cut-off (a date alone: only if a later day)."""
    if isinstance(published, dt.datetime):
        return published > cutoff
    if isinstance(published, dt.date):
        return published > cutoff.date()
    return False


@dataclass(frozen=True)
class Origin:
    """Where an entity was written: content-relative path and line."""

    path: str
    line: int
    digest: str = ""


@dataclass(frozen=True)
class Project:
    """All validated content, indexed by id; the input of analysis and rendering."""

    site: SiteConfig
    incidents: dict[str, Incident]
    actors: dict[str, Actor]
    locations: dict[str, Location]
    sources: dict[str, Source]
    deployments: dict[str, Deployment]
    briefs: dict[str, Brief]
    context: dict[str, ContextNote]
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    documents: dict[str, SourceDocument] = field(default_factory=dict)

    def citation_day(self, citation: Citation) -> dt.date | None:
        """Return the day a citation was reported: its date, or the day its document was published."""
        if citation.document is not None and citation.document in self.documents:
            return self.documents[citation.document].published_date
        return citation.date

    def citation_published(self, citation: Citation) -> dt.date | dt.datetime | None:
        """Return when a citation's document was published (to the minute where known), or the citation's date."""
        if citation.document is not None and citation.document in self.documents:
            return self.documents[citation.document].published
        return citation.date

    def report_known_by(self, report: CasualtyReport, cutoff: dt.datetime) -> bool:
        """Return True if a casualty figure had been given by a cut-off."""
        return self._known_by(report.date, report.sources, cutoff)

    def incident_known_by(self, incident: Incident, cutoff: dt.datetime) -> bool:
        """Return True if an incident had been reported by a cut-off: unless every report behind it is dated
        after the cut-off (an undated one may have been known by then)."""
        published = [self.citation_published(c) for c in incident.sources]
        return not all(when is not None and published_after(when, cutoff) for when in published)

    def claim_known_by(self, claim: Statement, cutoff: dt.datetime) -> bool:
        """Return True if a claim or attribution had been made by a cut-off."""
        return self._known_by(claim.date, claim.sources, cutoff)

    def _known_by(self, date: dt.date | None, sources: Sequence[Citation], cutoff: dt.datetime) -> bool:
        """Return True if its date, or else one of its dated citations, is not later than the cut-off."""
        if date is not None:
            return not published_after(date, cutoff)
        dated = [when for c in sources if (when := self.citation_published(c)) is not None]
        return not dated or any(not published_after(when, cutoff) for when in dated)

    def report_day(self, report: CasualtyReport) -> dt.date | None:
        """Return when a casualty figure was given: its date, or the latest day its citations carry."""
        days = [day for c in report.sources if (day := self.citation_day(c))]
        return report.date or (max(days) if days else None)

    @cached_property
    def relayed_by(self) -> dict[str, tuple[str, ...]]:
        """Return, for each document, the documents that relay it, earliest published first."""
        index: dict[str, list[SourceDocument]] = {}
        for doc in self.documents.values():
            for relayed in doc.relays:
                index.setdefault(relayed, []).append(doc)
        return {key: tuple(d.id for d in sorted(docs, key=lambda d: (str(d.published or "9999"), d.id)))
                for key, docs in index.items()}

    @cached_property
    def incidents_by_date(self) -> list[Incident]:
        """Return incidents newest first, a week or month after the days it holds, ties broken by id."""
        return sorted(self.incidents.values(), key=lambda i: i.sort_key, reverse=True)

    @cached_property
    def briefs_by_date(self) -> list[Brief]:
        """Return briefs newest first."""
        return sorted(self.briefs.values(), key=lambda b: (b.period.end, b.number), reverse=True)

    @cached_property
    def _dated(self) -> tuple[list[dt.date], list[Incident]]:
        """Return incidents oldest first, and their dates for bisection."""
        # by the coded date, which decides the period an incident is counted in (ACLED's own practice)
        oldest_first = sorted(self.incidents.values(), key=lambda i: (i.date, i.id))
        return [i.date for i in oldest_first], oldest_first

    def incidents_between(self, start: dt.date, end: dt.date) -> list[Incident]:
        """Return the incidents dated from start to end, both included, oldest first (a slice, not a scan)."""
        dates, oldest_first = self._dated
        return oldest_first[bisect.bisect_left(dates, start):bisect.bisect_right(dates, end)]

    @cached_property
    def _reports_by_day(self) -> dict[dt.date, list[str]]:
        """Return the ids of incidents by the dates their reports, claims, casualty reports and updates carry."""
        days: dict[dt.date, list[str]] = {}
        for incident in self.incidents.values():
            for day in self.report_days(incident):
                days.setdefault(day, []).append(incident.id)
        return days

    def report_days(self, incident: Incident) -> set[dt.date]:
        """Return the days an incident's reports, claims, casualty reports and update are dated."""
        dated = {claim.date for claim in incident.claims if claim.date}
        dated |= {report.date for report in incident.casualties if report.date}
        dated |= {day for c in incident.citations if (day := self.citation_day(c))}  # a source reporting late too
        if incident.updated:
            dated.add(incident.updated)
        return dated

    def last_changed(self, incident: Incident) -> dt.date:
        """Return the day an incident's record last changed: its newest report or its update, whichever is later.

        An incident without a dated report or update changed last on its own day.
        """
        return max(self.report_days(incident), default=incident.date)

    def incidents_reported_between(self, start: dt.date, end: dt.date) -> list[Incident]:
        """Return, in the order of incidents, those with a report, claim, casualty report or update dated from
        start to end."""
        found: set[str] = set()
        day = start
        while day <= end:
            found.update(self._reports_by_day.get(day, ()))
            day += dt.timedelta(days=1)
        return [self.incidents[key] for key in sorted(found, key=self._positions.__getitem__)]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {key: n for n, key in enumerate(self.incidents)}

    def country_of(self, incident: Incident) -> str:
        """Return the ISO alpha-3 country of an incident's location (its main place)."""
        return self.locations[incident.location.location].country

    def countries_of(self, incident: Incident) -> list[str]:
        """Return the countries of all an incident's sites, main place first, once each."""
        return list(dict.fromkeys(self.locations[site.location].country for site in incident.sites))

    @cached_property
    def recorded_twice(self) -> frozenset[str]:
        """Return the ids of incidents that record an event another incident already counts.

        An incident with 'same_as' is counted under the one it names; of incidents sharing an ACLED
        id, the first by id is counted (ACLED codes each event once).
        """
        return recorded_twice_of(self.incidents)

    def previous_brief(self, brief: Brief) -> Brief | None:
        """Return the latest brief that ended before this one started."""
        ends, oldest_first = self._brief_ends
        before = bisect.bisect_left(ends, brief.period.start)  # those ending before it start
        return oldest_first[before - 1] if before else None

    @cached_property
    def _brief_ends(self) -> tuple[list[dt.date], list[Brief]]:
        """Return briefs oldest first (the order of briefs_by_date reversed), and their last days for bisection."""
        oldest_first = self.briefs_by_date[::-1]
        return [b.period.end for b in oldest_first], oldest_first


def counted_in(project: Project, incident: Incident, countries: Sequence[str], twice: frozenset[str]) -> bool:
    """Return True if an incident of a period counts in briefs on these countries (twice: recorded_twice)."""
    return incident.id not in twice and any(country in countries
                                            for country in project.countries_of(incident))


def recorded_twice_of(incidents: Mapping[str, Any]) -> frozenset[str]:
    """Return Project.recorded_twice of incidents by id, or of anything with their same_as and acled_id."""
    twice = {key for key, incident in incidents.items()
             if incident.same_as in incidents and not _loop(incidents, key)}
    by_acled: dict[str, list[str]] = {}
    for key, incident in sorted(incidents.items()):
        if incident.acled_id and key not in twice:
            by_acled.setdefault(incident.acled_id, []).append(key)
    twice.update(key for keys in by_acled.values() for key in keys[1:])
    return frozenset(twice)


def _loop(incidents: Mapping[str, Any], key: str) -> bool:
    """Return True when following same_as from key comes back to it, and key is the smallest id on the way.

    Two incidents naming each other (a same_as written on both) keep the first by id.
    """
    seen = [key]
    current = incidents[key].same_as
    while current in incidents and current not in seen:
        seen.append(current)
        current = incidents[current].same_as
    return current == key and key == min(seen)


def entity_union() -> Any:
    """Return the union of entity classes (for schema generation)."""
    return Union[tuple(ENTITY_CLASSES.values())]  # noqa: UP007


# --- Memory -------------------------------------------------------------------------------

E = TypeVar("E", bound=BaseModel)

#: Values a part may hold and still be shared by every part equal to it.
_ATOMS = (str, int, bool, type(None), dt.date)


class Sharing:
    """Share what the validated parts of many entities hold alike (issue 14: 100,000 incidents in 1.5 GiB).

    Pydantic gives every model its own set of the fields written (about 220 bytes, as much as its
    values), and every file its own copy of a count ("unknown", "at least 3") or a place: at 10,000
    incidents, 116,000 sets and 41,000 counts and places. Parts are frozen, so one object can stand for
    all that are equal, field values and fields written alike; nothing in sitrep tells them apart.
    """

    def __init__(self) -> None:
        self.fields_set: dict[frozenset[str], set[str]] = {}
        self.parts: dict[BaseModel, BaseModel] = {}

    def entity(self, item: E) -> E:
        """Return the entity with the parts it holds replaced by the equal ones met before."""
        self._fields_set(item)
        self._inside(item)
        return item

    def _part(self, part: BaseModel) -> tuple[BaseModel, bool]:
        """Return the part to keep, and whether it is shared (equal to any other part met)."""
        self._fields_set(part)
        if not self._inside(part):
            return part, False
        shared = self.parts.setdefault(part, part)
        # equal values are not enough: the fields written must be the same too, for model_dump's sake
        if shared.__pydantic_fields_set__ is not part.__pydantic_fields_set__:
            return part, False
        return shared, True

    def _inside(self, model: BaseModel) -> bool:
        """Share the parts model holds; return True if all its values are atoms or shared parts."""
        values = model.__dict__
        atomic = True
        for name, value in values.items():
            if isinstance(value, BaseModel):
                values[name], shared = self._part(value)
                atomic = atomic and shared
            elif isinstance(value, list):
                atomic = False
                value[:] = [self._part(v)[0] if isinstance(v, BaseModel) else v for v in value]
            elif not isinstance(value, _ATOMS):
                atomic = False
        return atomic

    def _fields_set(self, model: BaseModel) -> None:
        written = model.__pydantic_fields_set__
        shared = self.fields_set.setdefault(frozenset(written), written)
        if shared is not written:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
