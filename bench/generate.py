#!/usr/bin/env python3
"""Write a synthetic but realistic sitrep content tree: N incidents over years, with their world.

    python bench/generate.py --incidents 10000 --out bench/work/10k/content

Everything is drawn from one seeded random generator, so the same arguments always write the same
files. Places are real countries with coordinates checked against the same Natural Earth borders
validation uses; event types, actor kinds and precision codes follow ACLED (shared/domain.md);
casualty figures are as uncertain as real reporting ("at least 3", "1-2", unknown); a brief is
written for every ACLED week (Saturday to Friday) covered.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitrep.geo import country_info, distance_outside_country_km  # noqa: E402
from sitrep.model import EVENT_TYPES  # noqa: E402

#: (ISO alpha-3, IANA time zone, share of incidents) for a Middle East monitor.
COUNTRIES: tuple[tuple[str, str, float], ...] = (
    ("SYR", "Asia/Damascus", 0.30), ("IRQ", "Asia/Baghdad", 0.25), ("YEM", "Asia/Aden", 0.18),
    ("LBN", "Asia/Beirut", 0.08), ("TUR", "Europe/Istanbul", 0.07), ("IRN", "Asia/Tehran", 0.05),
    ("SAU", "Asia/Riyadh", 0.04), ("JOR", "Asia/Amman", 0.03),
)

#: How often each ACLED event type occurs, roughly as in ACLED's Middle East data.
EVENT_WEIGHTS = {"Battles": 0.22, "Explosions/Remote violence": 0.34, "Violence against civilians": 0.14,
                 "Protests": 0.18, "Riots": 0.05, "Strategic developments": 0.07}
VIOLENT = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}

SYLLABLES = ("al", "ba", "dar", "fa", "ha", "jab", "ka", "lah", "ma", "nah", "qa", "ra", "sa", "ta", "wa",
             "za", "bir", "kaf", "sur", "tal", "um", "zir", "han", "mur", "shi", "raq", "bad", "din", "ras")
PREFIXES = ("Tal", "Kafr", "Ain", "Bir", "Deir", "Jabal", "Wadi", "Ras", "Khirbet", "Qasr", "Umm", "")
MILITIA_WORDS = ("Brigade", "Front", "Movement", "Battalions", "Army", "Guardians", "Companies", "League")
MILITIA_OF = ("the Northern Hills", "the Two Rivers", "the Free Valley", "the Desert", "the Martyrs",
              "the Coast", "the Mountain", "Righteousness", "the Homeland", "the Dawn")
OUTLETS = ("Wire", "Monitor", "Observer", "Herald", "Post", "Network", "Times", "Bulletin", "Review")
OUTLET_PLACES = ("Levant", "Gulf", "Euphrates", "Tigris", "Northern", "Coastal", "Eastern", "Regional",
                 "Desert", "Highland", "Valley", "Crescent")
ROLES = ("state", "armed", "protesters", "rioters", "civilians")  # what an actor does in an incident
AFTERMATH = ("Roads were closed", "Reinforcements arrived", "Residents fled", "Power was cut",
             "A curfew was declared")
VERBS = {"Battles": "clashed with", "Explosions/Remote violence": "struck",
         "Violence against civilians": "attacked", "Protests": "demonstrated against",
         "Riots": "rioted against", "Strategic developments": "moved against"}
LIKELIHOODS = ("almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely",
               "very likely", "almost certain")


@dataclass
class World:
    """The entities incidents refer to, built before any incident."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    actors: list[dict[str, Any]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    context: list[dict[str, Any]] = field(default_factory=list)
    actors_by_country: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    places_by_country: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class Generator:
    """Draw a whole content tree from one seeded random generator."""

    def __init__(self, incidents: int, weeks: int, seed: int, end: dt.date, countries: int) -> None:
        self.n = incidents
        self.countries = COUNTRIES[:countries]
        self.rng = random.Random(seed)
        self.end = end - dt.timedelta(days=(end.weekday() - 4) % 7)  # the last Friday: a whole ACLED week
        self.start = self.end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
        self.used_ids: set[str] = set()
        self.world = World()

    # --- names ------------------------------------------------------------------------

    def word(self, syllables: int = 2) -> str:
        """Return a made-up place-like word."""
        return "".join(self.rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()

    def place_name(self) -> str:
        """Return a made-up town name such as 'Tal Barsur'."""
        prefix = self.rng.choice(PREFIXES)
        return f"{prefix} {self.word(self.rng.randint(2, 3))}".strip()

    def unique_id(self, text: str) -> str:
        """Return a lower-case hyphenated id from text, made unique with a number if needed."""
        base = "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:60] or "item"
        candidate, n = base, 2
        while candidate in self.used_ids:
            candidate, n = f"{base}-{n}", n + 1
        self.used_ids.add(candidate)
        return candidate

    # --- the world ----------------------------------------------------------------------

    def build_world(self) -> World:
        """Create sources, actors, places, deployments and context notes, scaled to the incident count."""
        self.make_sources(40)
        per_country_actors = max(6, self.n // 400)
        per_country_places = max(2, self.n // 30)
        for code, _zone, share in self.countries:
            self.make_actors(code, per_country_actors)
            self.make_places(code, max(2, round(per_country_places * share * len(self.countries))))
        self.make_deployments()
        self.make_context()
        return self.world

    def make_sources(self, count: int) -> None:
        kinds = ("news_agency", "newspaper", "broadcaster", "monitor", "official", "military", "ngo",
                 "social_media", "research")
        scales = ("Local partner", "Subnational", "National", "Regional", "International")
        for _ in range(count):
            name = f"{self.rng.choice(OUTLET_PLACES)} {self.rng.choice(OUTLETS)}"
            source_id = self.unique_id(name)
            source = {"id": source_id, "name": f"{name} ({source_id.rsplit('-', 1)[-1]})"
                      if source_id[-1].isdigit() else name,
                      "kind": self.rng.choice(kinds),
                      "reliability": self.rng.choices("ABCDEF", (1, 5, 6, 3, 1, 2))[0],
                      "scale": self.rng.choice(scales), "country": self.rng.choice(self.countries)[0]}
            if self.rng.random() < 0.6:
                source["url"] = f"https://{source_id}.example.org/"
            if self.rng.random() < 0.5:
                source["description"] = (f"A {source['scale'].lower()} outlet. Its reports on security "
                                         "incidents "
                                         "are usually prompt; casualty figures are often revised later.")
            self.world.sources.append(source)

    def make_actors(self, code: str, count: int) -> None:
        country = country_info(code).name  # type: ignore[union-attr]
        fixed = [
            (f"Military Forces of {country}", "state_forces"),
            (f"Police Forces of {country}", "state_forces"),
            (f"Protesters ({country})", "protesters"), (f"Rioters ({country})", "rioters"),
            (f"Civilians ({country})", "civilians"),
            (f"Unidentified Armed Group ({country})", "political_militia"),
        ]
        while len(fixed) < count:
            kind = self.rng.choice(("rebel_group", "political_militia", "identity_militia"))
            fixed.append((f"{self.rng.choice(MILITIA_WORDS)} of {self.rng.choice(MILITIA_OF)} "
                          f"({self.word(2)})", kind))
        roles: dict[str, list[str]] = {role: [] for role in ROLES}
        for name, kind in fixed:
            actor_id = self.unique_id(name)
            actor: dict[str, Any] = {"id": actor_id, "name": name, "kind": kind, "country": code}
            if kind in ("rebel_group", "political_militia", "identity_militia") and self.rng.random() < 0.7:
                actor["aliases"] = [self.word(3) for _ in range(self.rng.randint(1, 2))]
                actor["profile"] = (f"An armed group active in **{country}** since "
                                    f"{self.rng.randint(2003, 2020)}. It is known for "
                                    f"{self.rng.choice(('ambushes', 'rocket fire', 'checkpoint attacks'))} "
                                    "and rarely claims its operations.")
            self.world.actors.append(actor)
            role = {"state_forces": "state", "protesters": "protesters", "rioters": "rioters",
                    "civilians": "civilians"}.get(kind, "armed")
            roles[role].append(actor_id)
        self.world.actors_by_country[code] = roles

    def make_places(self, code: str, count: int) -> None:
        provinces = [self.make_location(code, f"{self.word(2)} Governorate", "province", None)
                     for _ in range(max(1, count // 12))]
        places = []
        for _ in range(count):
            province = self.rng.choice(provinces)
            kind = self.rng.choices(("town", "city", "village", "base", "crossing", "district"),
                                    (5, 2, 5, 1, 0.3, 1))[0]
            name = f"{self.place_name()} base" if kind == "base" else self.place_name()
            places.append(self.make_location(code, name, kind, province))
        self.world.places_by_country[code] = places

    def make_location(self, code: str, name: str, kind: str, within: dict[str, Any] | None) -> dict[str, Any]:
        latitude, longitude = self.point_in(code)
        location: dict[str, Any] = {"id": self.unique_id(name), "name": name, "kind": kind, "country": code}
        if within is not None:
            location["admin1"] = within["name"].removesuffix(" Governorate")
            location["within"] = within["id"]
        location |= {"latitude": latitude, "longitude": longitude}
        if self.rng.random() < 0.3:
            location["description"] = f"A {kind} in {country_info(code).name}. Coordinates are approximate."  # type: ignore[union-attr]
        self.world.locations.append(location)
        return location

    def point_in(self, code: str) -> tuple[float, float]:
        """Return a random (lat, lon), 4 decimals, that lies inside the country's Natural Earth borders."""
        min_lon, min_lat, max_lon, max_lat = country_info(code).bbox  # type: ignore[union-attr]
        while True:
            lat = round(self.rng.uniform(min_lat, max_lat), 4)
            lon = round(self.rng.uniform(min_lon, max_lon), 4)
            if distance_outside_country_km(code, lat, lon) == 0.0:
                return lat, lon

    def make_deployments(self) -> None:
        """Two foreign deployments per country, with a monthly troop figure series across the years."""
        for code, _zone, _share in self.countries:
            for n in range(2):
                foreign = self.countries[(n + 1) % len(self.countries)][0]
                actor = self.rng.choice(self.world.actors_by_country[foreign]["state"])
                base = self.rng.choice([p for p in self.world.places_by_country[code] if p["kind"] == "base"]
                                       or self.world.places_by_country[code])
                troops = self.rng.randint(2, 40) * 100
                figures = []
                month = dt.date(self.start.year, self.start.month, 1)
                while month <= self.end:
                    troops = max(100, troops + self.rng.randint(-3, 3) * 50)
                    figures.append({"as_of": month, "troops": self.troops_text(troops),
                                    "sources": self.citations(1)})
                    month = (month + dt.timedelta(days=32)).replace(day=1)
                self.world.deployments.append({
                    "id": self.unique_id(f"{actor} in {code} {n}"), "actor": actor, "country": code,
                    "location": base["id"], "mission": "Train and advise partner forces; protect the base.",
                    "figures": figures})

    def troops_text(self, troops: int) -> str | int:
        return self.rng.choice((troops, f"approximately {troops:,}", f"about {troops}", f"at least {troops}"))

    def make_context(self) -> None:
        for code, _zone, _share in self.countries:
            name = country_info(code).name  # type: ignore[union-attr]
            self.world.context.append({
                "id": self.unique_id(f"conflict in {name}"), "title": f"The conflict in {name}",
                "date": self.start, "countries": [code], "tags": ["background"],
                "body": self.paragraphs(3, subject=f"the conflict in {name}")})

    # --- incidents and briefs -----------------------------------------------------------

    def incidents(self) -> Iterator[dict[str, Any]]:
        """Yield N incidents spread over the covered days, oldest first."""
        days = (self.end - self.start).days + 1
        dates = sorted(self.start + dt.timedelta(days=self.rng.randrange(days)) for _ in range(self.n))
        weights = [share for _c, _z, share in self.countries]
        for date in dates:
            code, zone, _share = self.rng.choices(self.countries, weights)[0]
            yield self.incident(date, code, zone)

    def incident(self, date: dt.date, code: str, zone: str) -> dict[str, Any]:
        rng = self.rng
        event_type = rng.choices(list(EVENT_WEIGHTS), list(EVENT_WEIGHTS.values()))[0]
        sub_event_type = rng.choice(EVENT_TYPES[event_type])
        place = rng.choice(self.world.places_by_country[code])
        roles = self.world.actors_by_country[code]
        perpetrators, targets = self.sides(event_type, roles)
        incident: dict[str, Any] = {
            "id": self.unique_id(f"{date.isoformat()} {place['id']}"),
            "title": f"{sub_event_type} in {place['name']}, {country_info(code).name}",  # type: ignore[union-attr]
            "date": date,
        }
        if rng.random() < 0.6:
            incident |= {"time": f"{rng.randrange(24):02d}:{rng.randrange(0, 60, 5):02d}", "timezone": zone}
        incident |= {"time_precision": rng.choices((1, 2, 3), (90, 7, 3))[0], "event_type": event_type,
                     "sub_event_type": sub_event_type,
                     "location": {"location": place["id"],
                                  "geo_precision": rng.choices((1, 2, 3), (6, 3, 1))[0]}}
        if incident["time_precision"] != 1:  # a report that gives only the week or month gives no time
            incident.pop("time", None)
            incident.pop("timezone", None)
        if event_type == "Explosions/Remote violence" and rng.random() < 0.3:
            origin = rng.choice(self.world.places_by_country[code])
            incident["origin"] = {"location": origin["id"], "geo_precision": 3}
        incident |= {"perpetrators": perpetrators, "targets": targets,
                     "civilian_targeting": event_type == "Violence against civilians",
                     "summary": self.narrative(incident, place, perpetrators, targets)}
        if perpetrators and rng.random() < 0.25:
            incident["claims"] = [self.claim(perpetrators[0], date, roles)]
        if event_type in VIOLENT:
            incident["casualties"] = self.casualties(targets or perpetrators, date)
        incident["sources"] = self.citations(rng.randint(2, 4))
        incident["tags"] = rng.sample(("cross-border", "checkpoint", "convoy", "base", "urban", "rural",
                                       "night", "retaliation"), rng.randint(0, 3))
        if rng.random() < 0.1:
            incident["updated"] = date + dt.timedelta(days=rng.randint(1, 20))
        return incident

    def sides(self, event_type: str, roles: dict[str, list[str]]) -> tuple[list[str], list[str]]:
        rng = self.rng
        armed, state = roles["armed"], roles["state"]
        if event_type == "Protests":
            return [rng.choice(roles["protesters"])], rng.sample(state, 1) if rng.random() < 0.3 else []
        if event_type == "Riots":
            return [rng.choice(roles["rioters"])], [rng.choice(state)]
        if event_type == "Violence against civilians":
            return [rng.choice(armed + state)], [rng.choice(roles["civilians"])]
        if event_type == "Strategic developments":
            return [rng.choice(state)], [rng.choice(armed)] if rng.random() < 0.6 else []
        a, b = rng.sample(armed, 1)[0], rng.choice(state)
        return ([a], [b]) if rng.random() < 0.6 else ([b], [a])

    @property
    def actor_names(self) -> dict[str, str]:
        """Return actor names by id (computed once the world exists)."""
        if not hasattr(self, "_actor_names"):
            self._actor_names = {a["id"]: a["name"] for a in self.world.actors}
        return self._actor_names

    def narrative(self, incident: dict[str, Any], place: dict[str, Any], perpetrators: list[str],
                  targets: list[str]) -> str:
        names = self.actor_names
        who = names.get(perpetrators[0], "An armed group") if perpetrators else "Unidentified actors"
        action = f"{VERBS[incident['event_type']]} {names[targets[0]]}" if targets else "acted"
        first = (f"On {incident['date']:%-d %B %Y}, {who} {action} in **{place['name']}**, "
                 f"{place.get('admin1', 'the province')}. Local sources reported it as "
                 f"*{incident['sub_event_type'].lower()}*; details remain unconfirmed.")
        parts = [first, self.paragraphs(self.rng.randint(1, 2), subject=place["name"])]
        if self.rng.random() < 0.3:
            parts.append("Reported so far:\n\n" + "\n".join(
                f"- {self.rng.choice(AFTERMATH)}"
                f" {self.rng.choice(('overnight', 'within hours', 'the next morning'))}." for _ in range(3)))
        if self.rng.random() < 0.2:
            parts.append(f"See the [monitor's note](https://monitor.example.org/{incident['id']}) for the "
                         "original report.")
        return "\n\n".join(parts) + "\n"

    def paragraphs(self, count: int, subject: str) -> str:
        sentences = (
            f"Security around {subject} has been tense for weeks.",
            "Witnesses reported gunfire and at least one explosion.",
            "Authorities did not comment on the reports.",
            "Casualty figures differ between sources and may be revised.",
            "Checkpoints on the main road were reinforced afterwards.",
            "The incident follows a series of similar attacks in the area.",
            "Humanitarian organisations suspended movement for two days.",
            "Local officials blamed outside groups; no evidence was offered.",
        )
        return "\n\n".join(" ".join(self.rng.sample(sentences, 3)) for _ in range(count))

    def claim(self, actor: str, date: dt.date, roles: dict[str, list[str]]) -> dict[str, Any]:
        stance = self.rng.choice(("claimed", "attributed", "denied", "no_comment"))
        claim: dict[str, Any] = {"stance": stance, "actor": actor}
        if stance == "attributed":
            claim["by"] = self.rng.choice(roles["state"])
        later = self.rng.random() < 0.2  # claims often come days later
        claim |= {"date": date + dt.timedelta(days=self.rng.randint(3, 20) if later else 0),
                  "sources": self.citations(1)}
        return claim

    def casualties(self, sides: list[str], date: dt.date) -> list[dict[str, Any]]:
        """Return one to three reports per side; later ones, dated days after, often revise the toll."""
        reports = []
        for side in sides[:2]:
            true_killed = self.rng.choice((0, 0, 1, 1, 2, 3, 5, 8, 12))
            for n in range(self.rng.randint(1, 3)):
                sources = self.citations(1)
                if n and self.rng.random() < 0.4:
                    sources[0]["date"] = date + dt.timedelta(days=self.rng.randint(2, 20))
                reports.append({"side": side, "killed": self.uncertain(true_killed),
                                "wounded": self.uncertain(self.rng.randint(0, 15)), "sources": sources})
        return reports

    def uncertain(self, value: int) -> int | str:
        """Return a figure as sources report it: exact, a floor, a range, approximate or unknown."""
        kind = self.rng.choices(("exact", "floor", "range", "about", "unknown"), (5, 2, 2, 1, 1))[0]
        if kind == "floor":
            return f"at least {value}"
        if kind == "range":
            return f"{value}-{value + self.rng.randint(1, 4)}"
        if kind == "about":
            return f"approximately {value}"
        return "unknown" if kind == "unknown" else value

    def citations(self, count: int) -> list[dict[str, Any]]:
        chosen = self.rng.sample(self.world.sources, count)
        result = []
        for source in chosen:
            # 1 ("confirmed by other sources") only where two independent chains carry the fact, as check warns
            citation: dict[str, Any] = {"source": source["id"], "credibility": self.rng.randint(2, 4)}
            if self.rng.random() < 0.3:
                citation["via"] = self.rng.choice([s for s in self.world.sources if s is not source])["id"]
            result.append(citation)
        return result

    def briefs(self, incidents_by_week: dict[dt.date, list[str]]) -> Iterator[dict[str, Any]]:
        """Yield a brief for every ACLED week covered (Saturday to Friday), numbered from 1."""
        week = self.start - dt.timedelta(days=(self.start.weekday() - 5) % 7)
        number = 0
        codes = [c for c, _z, _s in self.countries]
        while week <= self.end:
            number += 1
            end = week + dt.timedelta(days=6)
            ids = incidents_by_week.get(week, [])
            likelihood = self.rng.choice(("almost no chance", "unlikely", "likely", "very likely"))
            judgments = [{"text": f"Attacks on security forces in the region will continue next week "
                                  f"at about this week's rate of {len(ids)} incidents.",
                          "likelihood": likelihood,
                          "confidence": self.rng.choice(("high", "moderate", "low")),
                          "incidents": ids[:3]},
                         {"text": "The parties will agree a pause in the fighting within the next month.",
                          "likelihood": self.rng.choice(("unlikely", "very unlikely")),
                          "confidence": "moderate"}]
            yield {
                "id": f"brief-{end.isoformat()}", "number": number, "title": "Middle East Security Brief",
                "period": {"start": week, "end": end},
                "cutoff": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(12),
                                              dt.timezone(dt.timedelta(hours=3))),
                "published": end + dt.timedelta(days=1), "next_report": end + dt.timedelta(days=8),
                "tlp": "TLP:CLEAR", "countries": codes,
                "summary": f"{len(ids)} incidents were recorded this week. "
                           + self.paragraphs(1, subject="the region"),
                "key_judgments": judgments,
                "sections": [{"title": "Iraq and Syria", "countries": ["IRQ", "SYR"],
                              "assessment": "Violence continued at a steady rate. "
                                            + self.paragraphs(1, "the north")},
                             {"title": "Yemen", "countries": ["YEM"],
                              "assessment": "Front lines did not move. "
                                            + self.paragraphs(1, "the front lines")},
                             {"title": "The rest of the region",
                              "countries": ["LBN", "TUR", "IRN", "SAU", "JOR"],
                              "assessment": "Incidents stayed local. " + self.paragraphs(1, "the borders")}],
                "context": [c["id"] for c in self.rng.sample(self.world.context, 2)],
                "outlook": "- Watch for retaliation after this week's strikes.\n"
                           "- Watch the main supply roads.\n",
            }
            week += dt.timedelta(weeks=1)


# --- writing ------------------------------------------------------------------------------

class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    """Write multi-line text as '|' blocks, as analysts do."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(data: dict[str, Any]) -> str:
    """Return data as YAML, keys in the order given."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def write_entity(folder: Path, entity: dict[str, Any]) -> None:
    (folder / f"{entity['id']}.yaml").write_text(dump(entity), encoding="utf-8")


def generate(out: Path, incidents: int, *, years: int | None = None, weeks: int | None = None, seed: int = 1,
             countries: int = len(COUNTRIES), end: dt.date = dt.date(2025, 6, 27)) -> dict[str, int]:
    """Write a content tree of N incidents into out (replaced if present); return counts per kind.

    The incidents cover the given weeks, or years (by default one year per 2,000 incidents, 1 to 10),
    in the first `countries` of COUNTRIES.
    """
    years = years or min(10, max(1, round(incidents / 2000)))
    generator = Generator(incidents, weeks or 52 * years, seed, end, countries)
    world = generator.build_world()
    if out.exists():
        shutil.rmtree(out)
    folders = {name: out / name for name in ("sources", "actors", "locations", "deployments", "context",
                                             "incidents", "briefs")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    (out / "site.yaml").write_text(dump({
        "title": "Middle East Security Monitor (synthetic)", "organisation": "Synthetic Monitor",
        "description": "Synthetic incidents for benchmarking sitrep.", "language": "en",
        "timezone": "Asia/Baghdad", "tlp": "TLP:CLEAR", "page_size": "A4"}), encoding="utf-8")
    for kind in ("sources", "actors", "locations", "deployments"):
        for entity in getattr(world, kind):
            write_entity(folders[kind], entity)
    for note in world.context:
        front = {k: v for k, v in note.items() if k != "body"}
        (folders["context"] / f"{note['id']}.md").write_text(f"---\n{dump(front)}---\n{note['body']}\n",
                                                             encoding="utf-8")
    by_week: dict[dt.date, list[str]] = {}
    count = 0
    for incident in generator.incidents():
        write_entity(folders["incidents"], incident)
        week = incident["date"] - dt.timedelta(days=(incident["date"].weekday() - 5) % 7)
        by_week.setdefault(week, []).append(incident["id"])
        count += 1
    briefs = 0
    for brief in generator.briefs(by_week):
        write_entity(folders["briefs"], brief)
        briefs += 1
    kinds = ("actors", "locations", "sources", "deployments", "context")
    return {"incidents": count, "briefs": briefs, **{kind: len(getattr(world, kind)) for kind in kinds}}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and write the tree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--years", type=int, default=None, help="years covered (default: N/2000, 1 to 10)")
    parser.add_argument("--weeks", type=int, default=None, help="weeks covered, instead of years")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--countries", type=int, default=len(COUNTRIES),
                        help="how many of the countries to use")
    parser.add_argument("--out", type=Path, required=True, help="content folder to write (replaced)")
    args = parser.parse_args(argv)
    counts = generate(args.out, args.incidents, years=args.years, weeks=args.weeks, seed=args.seed,
                      countries=args.countries)
    print(", ".join(f"{n:,} {kind}" for kind, n in counts.items()), f"→ {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
