"""`new`: valid, commented files with today's date and a unique id, from flags or from answers at a terminal."""

from __future__ import annotations

import datetime as dt
import io
import shlex
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from sitrep import invocation
from sitrep.cli import main
from sitrep.scaffold import slug, unique_id
from sitrep.validate import load_project


class Terminal(io.StringIO):
    """Typed answers, on what says it is a terminal."""

    def isatty(self) -> bool:
        return True


def new(content: Path, *argv: str, answers: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    inp = Terminal(answers) if answers is not None else io.StringIO("")
    code = main(["new", *argv, "--content", str(content)], out=out, err=err, inp=inp)
    return code, out.getvalue(), err.getvalue()


def check(content: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--content", str(content)], out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


def site_today() -> dt.date:
    """Return today in the default content's time zone, as `new` dates files."""
    return dt.datetime.now(zoneinfo.ZoneInfo("Asia/Baghdad")).date()


def written(out: str) -> Path:
    assert out.startswith("wrote "), out
    return Path(out.split()[1])


# --- From flags -----------------------------------------------------------------------------

def test_new_incident_from_flags_passes_check(content_copy: Path):
    code, out, err = new(content_copy, "incident", "--title", "Drone strike on Ain al-Asad air base",
                         "--sub-event-type", "Air/drone strike", "--location", "kalsu-base", "--source", "afp",
                         "--credibility", "2", "--perpetrator", "islamic-resistance-in-iraq", "--time", "21:40")
    assert code == 0, err
    today = site_today().isoformat()
    path = written(out)
    assert path == content_copy / "incidents" / f"{today}-drone-strike-on-ain-al-asad-air-base.yaml"
    assert out == f"wrote {path} (id {today}-drone-strike-on-ain-al-asad-air-base)\n"
    hint = invocation.command("check", content=content_copy)
    assert err == f"Replace its TODO lines, then run: {hint}\n"
    checked = subprocess.run(shlex.split(hint), capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0 and checked.stdout.startswith("content OK: 4 incidents"), checked
    text = path.read_text()
    assert f"\ndate: {today}  " in text.replace("    ", "  ")
    for line in ("event_type: Explosions/Remote violence", "sub_event_type: Air/drone strike",
                 'time: "21:40"', "timezone: Asia/Baghdad", "perpetrators: [islamic-resistance-in-iraq]",
                 "  - source: afp", "    credibility: 2", "# Replace the TODO lines"):
        assert line in text
    assert check(content_copy).startswith("content OK: 4 incidents")


@pytest.mark.parametrize(("kind", "flags", "folder", "stem"), [
    ("actor", ["--title", "Kata'ib Hezbollah", "--kind", "3", "--country", "irq"], "actors", "kata-ib-hezbollah"),
    ("location", ["--name", "Ain al-Asad air base", "--kind", "base", "--country", "IRQ", "--latitude", "33.8",
                  "--longitude", "42.44", "--admin1", "Al Anbar"], "locations", "ain-al-asad-air-base"),
    ("source", ["--title", "Shafaq News", "--kind", "newspaper", "--scale", "national", "--url",
                "https://shafaq.com"], "sources", "shafaq-news"),
    ("brief", [], "briefs", None),
])
def test_every_kind_from_flags_passes_check(content_copy: Path, kind: str, flags: list[str], folder: str,
                                            stem: str | None):
    code, out, err = new(content_copy, kind, *flags)
    assert code == 0, err
    path = written(out)
    assert path.parent == content_copy / folder
    assert path.stem == (stem or site_today().isoformat())
    header = {"actor": "# An actor", "location": "# A place", "source": "# A source", "brief": "# A situation brief"}
    assert path.read_text().startswith(header[kind])
    check(content_copy)


def test_new_brief_follows_the_latest_one(content_copy: Path):
    code, out, _ = new(content_copy, "brief", "--end", "2024-04-29")
    assert code == 0
    text = written(out).read_text()
    for line in ("id: brief-2024-04-29", "number: 3", "title: Iraq–Syria Security Brief", "  start: 2024-04-23",
                 "cutoff: 2024-04-29T12:00:00+03:00", "next_report: 2024-05-06", "countries: [IRQ, SYR, JOR]",
                 "  - title: Iraq", "    countries: [SYR]"):
        assert line in text
    check(content_copy)


def test_a_scaffolded_brief_builds(content_copy: Path, tmp_path: Path):
    assert new(content_copy, "brief", "--end", "2024-04-29")[0] == 0
    err = io.StringIO()
    code = main(["--content", str(content_copy), "--output", str(tmp_path / "out"), "--no-pdf", "--no-search",
                 "-q"], err=err)
    assert code == 0, err.getvalue()
    assert "Key judgments" in (tmp_path / "out" / "briefs" / "brief-2024-04-29.html").read_text()


def test_ids_are_unique(content_copy: Path):
    flags = ["--name", "Islamic Resistance in Iraq", "--kind", "political_militia"]
    code, out, _ = new(content_copy, "actor", *flags)  # the default content already has this id
    assert code == 0 and written(out).name == "islamic-resistance-in-iraq-2.yaml"
    assert "id: islamic-resistance-in-iraq-2\n" in written(out).read_text()
    assert written(new(content_copy, "actor", *flags)[1]).name == "islamic-resistance-in-iraq-3.yaml"
    check(content_copy)


def test_slugs():
    assert slug("Kharab al-Jīr: rockets, again!") == "kharab-al-jir-rockets-again"
    assert slug("الحشد الشعبي") == "item"
    long = slug("A very long title " * 10, 40)
    assert long == "a-very-long-title-a-very-long-title-a" and len(long) <= 40
    assert unique_id("x" * 80, {"x" * 80}) == "x" * 78 + "-2"


# --- What goes wrong ------------------------------------------------------------------------

def test_missing_essentials_without_a_terminal_list_the_flags_and_choices(content_copy: Path):
    code, out, err = new(content_copy, "incident", "--title", "Rockets at Baghdad airport")
    assert (code, out) == (2, "")
    assert err.startswith("error: `new incident` needs these flags (or run it in a terminal to be asked):\n")
    assert "  --location: id of the place hit (a file in content/locations/); one of: " \
           "al-hasakah-governorate, babil-province, baghdad," in err
    assert "  --source: id of the source reporting it" in err and "afp, associated-press, axios, centcom" in err
    assert not list((content_copy / "incidents").glob("*baghdad-airport*"))


@pytest.mark.parametrize(("flags", "message"), [
    (["--credibility", "9"], "error: --credibility: '9' is not a whole number from 1 to 6\n"),
    (["--location", "erbil"], "error: --location: 'erbil' is not a known location; choose one of: "),
    (["--date", "2024-02-30"], "error: --date: '2024-02-30' is not a date; write YYYY-MM-DD\n"),
    (["--sub-event-type", "Drone"], "error: --sub-event-type: 'Drone' is not a known sub-event type"),
])
def test_bad_flag_values_are_usage_errors(content_copy: Path, flags: list[str], message: str):
    base = {"--title": "x", "--sub-event-type": "Grenade", "--location": "baghdad", "--source": "afp"}
    argv = [part for key, value in base.items() if key not in flags for part in (key, value)] + flags
    code, _, err = new(content_copy, "incident", *argv)
    assert code == 2 and err.startswith(message), err


def test_a_place_outside_its_country_is_refused(content_copy: Path):
    code, _, err = new(content_copy, "location", "--name", "Ain al-Asad", "--kind", "base", "--country", "IRQ",
                       "--latitude", "33.8", "--longitude", "-42.44")
    assert code == 2
    assert "coordinates 33.8, -42.44 lie about" in err and "outside IRQ" in err
    assert not (content_copy / "locations" / "ain-al-asad.yaml").exists()


def test_an_area_without_published_coordinates_gets_none(content_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 11: "launched from Iraq" names a country; no point is invented for it."""
    monkeypatch.chdir(content_copy.parent)
    code, out, err = new(content_copy, "location", "--name", "Iraq", "--kind", "country", "--country", "IRQ")
    assert code == 0, err
    text = written(out).read_text()
    assert "\n# latitude:" in text and "none published: an area is never drawn as a point" in text
    assert "\nlatitude:" not in text and "\nlongitude:" not in text
    check(content_copy)


def test_a_base_needs_its_coordinates(content_copy: Path):
    code, _, err = new(content_copy, "location", "--name", "Ain al-Asad", "--kind", "base", "--country", "IRQ")
    assert code == 2 and "  --latitude: latitude, decimal degrees ('none' for an area" in err
    code, _, err = new(content_copy, "location", "--name", "Ain al-Asad", "--kind", "base", "--country", "IRQ",
                       "--latitude", "none", "--longitude", "none")
    assert code == 2 and "kind: a base is a point: give its latitude and longitude" in err


def test_new_incident_needs_places_and_sources_first(tmp_path: Path):
    code, _, err = new(tmp_path / "content", "incident", "--title", "x", "--sub-event-type", "Grenade")
    assert code == 2
    assert "--location: id of the place hit (a file in content/locations/); none exist yet: add one first " \
           f"with `{invocation.command('new', 'location', content=tmp_path / 'content')}`" in err


# --- At a terminal --------------------------------------------------------------------------

def test_at_a_terminal_it_asks_for_what_is_missing(content_copy: Path):
    answers = "Rocket attack on Baghdad airport\n\nshelling\nbagh\n2\nerbil\nafp\n\n"  # Enter keeps a default
    code, out, err = new(content_copy, "incident", answers=answers)
    assert code == 0, err
    assert "Title: " in err and f"Date (YYYY-MM-DD) [{site_today()}]: " in err
    assert "  Explosions/Remote violence\n     4. Chemical weapon\n" in err
    assert "     7. Shelling/artillery/missile attack\n" in err
    assert "  'erbil' is not a known source; choose one of: afp," in err  # asked again
    text = written(out).read_text()
    assert "sub_event_type: Shelling/artillery/missile attack" in text and "  location: baghdad" in text
    assert "  geo_precision: 2" in text and "    credibility: 6" in text
    check(content_copy)


def test_at_a_terminal_flags_are_not_asked_again(content_copy: Path):
    code, out, err = new(content_copy, "actor", "--kind", "rebel_group", answers="Islamic State\n")
    assert code == 0 and "Name: " in err and "Kind" not in err
    assert "kind: rebel_group" in written(out).read_text()


def test_input_ending_early_is_a_usage_error(content_copy: Path):
    code, _, err = new(content_copy, "actor", answers="Islamic State\n")
    assert code == 2 and "no answer for --kind: input ended" in err


def test_new_document_records_its_source_date_link_and_relays(content_copy: Path):
    code, out, err = new(content_copy, "document", "--title", "Rockets fired from Iraq at US-led coalition base",
                         "--source", "afp", "--published", "2024-04-21", "--kind", "article",
                         "--relay", "isf-2024-04-21-statement-kharab-al-jir",
                         "--relay", "sohr-2024-04-21-director-on-kharab-al-jir")
    assert code == 0, err
    path = content_copy / "documents" / "afp-2024-04-21-rockets-fired-from-iraq-at-us-led-coalition-base.yaml"
    text = path.read_text(encoding="utf-8")
    assert "source: afp" in text and "published: 2024-04-21" in text and "kind: article" in text
    assert "relays: [isf-2024-04-21-statement-kharab-al-jir, sohr-2024-04-21-director-on-kharab-al-jir]" in text
    project, problems = load_project(content_copy)
    assert project is not None and [str(p) for p in problems] == []
    assert path.stem in project.relayed_by["isf-2024-04-21-statement-kharab-al-jir"]
