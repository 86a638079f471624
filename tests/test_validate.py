"""Validate stage: each broken thing in a content tree is one exact path:line:col: message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitrep.validate import load_project, resolve_asset
from tests.helpers import CASES, VALID_TREE, make_content, problems, write_tree

INCIDENT = "content/incidents/baghdad-blast.yaml"
LOCATION = "content/locations/baghdad.yaml"
BRIEF = "content/briefs/brief-1.yaml"

#: case folder under tests/cases/ -> every problem the user sees for it, sorted as reported.
VALIDATE_CASES: dict[str, list[str]] = {
    "credibility_out_of_range": [
        f"{INCIDENT}:20:22: casualties.0.sources.0.credibility: 9 is too large; the largest allowed is 6"],
    "geo_precision_out_of_range": [
        f"{INCIDENT}:10:18: location.geo_precision: '4' is not allowed; expected 1, 2 or 3"],
    "latitude_out_of_range": [f"{LOCATION}:5:11: latitude: 95 is too large; the largest allowed is 90"],
    "coordinates_outside_country": [
        f"{LOCATION}:5:11: coordinates 48.8, 2.3 lie about 3,431 km outside IRQ; check the signs and that "
        "latitude and longitude are not swapped"],
    "casualty_range_reversed": [
        f"{INCIDENT}:17:14: casualties.0.wounded: range low 5 is above its high 2; write it as '2-5'"],
    "period_end_before_start": [f"{BRIEF}:5:3: period ends (2024-04-10) before it starts (2024-04-15)"],
    "unknown_reference": [f"{INCIDENT}:9:13: no location with id 'bagdad'; did you mean 'baghdad'?"],
    "wrong_kind_reference": [f"{INCIDENT}:9:13: 'pmf' is an actor, not a location; name a location here"],
    "unknown_key": [f"{INCIDENT}:2:1: unknown key 'titel'; did you mean 'title'?"],
    "wrong_type": [f"{INCIDENT}:11:10: targets: expected a list (one '- ' line per item), found text 'pmf'"],
    "missing_required_field": [f"{INCIDENT}:1:1: missing required field 'title'"],
    "duplicate_id": [
        f"{INCIDENT}:1:5: duplicate incident id 'baghdad-blast' (also used in "
        "content/incidents/baghdad-blast-copy.yaml:1); ids must be unique"],
    "unknown_event_type": [
        f"{INCIDENT}:6:13: event_type: 'Explosion' is not allowed; expected 'Battles', 'Explosions/Remote "
        "violence', 'Violence against civilians', 'Protests', 'Riots' or 'Strategic developments'; did you "
        "mean 'Explosions/Remote violence'?"],
    "sub_event_type_mismatch": [
        f"{INCIDENT}:7:17: sub_event_type 'Armed clash' is not a sub-event type of Explosions/Remote violence; use one of: Chemical "
        "weapon, Air/drone strike, Suicide bomb, Shelling/artillery/missile attack, Remote "
        "explosive/landmine/IED, Grenade"],
    "time_without_timezone": [
        f"{INCIDENT}:4:7: a local time needs its timezone, e.g. 'timezone: Asia/Baghdad'"],
    "approximate_time_without_time": [
        f"{INCIDENT}:4:19: time_approximate says the time is approximate, but no time is given; add "
        "'time: \"HH:MM\"' or remove time_approximate"],
    "unknown_timezone": [f"{INCIDENT}:5:11: unknown time zone 'Asia/Bagdad'; did you mean 'Asia/Baghdad'?"],
    "unknown_country": [
        f"{LOCATION}:4:10: unknown country code 'IRK'; use ISO 3166 alpha-3, e.g. IRQ, SYR, JOR"],
    "attachment_outside_assets": [
        f"{INCIDENT}:22:11: attachment '../../secrets.txt' must be a file under content/assets/ (no '..', "
        "absolute paths or links leading out)"],
    "attachment_absolute_path": [
        f"{INCIDENT}:22:11: attachment '/etc/passwd' must be a file under content/assets/ (no '..', "
        "absolute paths or links leading out)"],
    "site_unknown_timezone": [
        "content/site.yaml:2:11: unknown time zone 'Asia'; use an IANA name such as Asia/Baghdad"],
    "icd203_mixed_rows": [
        f"{BRIEF}:13:11: warning: 'highly probable' is from the other row of the ICD 203 table than "
        "'likely'; use one row of terms throughout a brief"],
    "icd203_likelihood_with_confidence": [
        f"{BRIEF}:11:11: warning: a likelihood term and a confidence level in the same sentence (ICD 203); "
        "give the confidence in its own sentence or in the 'confidence' field"],
    "broken_tree": [
        f"{BRIEF}:5:3: period ends (2024-04-10) before it starts (2024-04-15)",
        f"{BRIEF}:9:5: unknown country code 'IRK'; use ISO 3166 alpha-3, e.g. IRQ, SYR, JOR",
        f"{INCIDENT}:2:1: unknown key 'titel'; did you mean 'title'?",
        f"{INCIDENT}:10:18: location.geo_precision: '4' is not allowed; expected 1, 2 or 3",
        f"{INCIDENT}:12:5: no actor with id 'pfm'; did you mean 'pmf'?",  # in a refused file, reported at once
        f"{INCIDENT}:17:14: casualties.0.wounded: range low 5 is above its high 2; write it as '2-5'",
        "content/incidents/second-blast.yaml:7:13: no location with id 'bagdad'; did you mean 'baghdad'?",
        "content/incidents/second-blast.yaml:10:5: 'afp' is a source, not an actor; name an actor here",
        f"{LOCATION}:3:7: kind: 'capital' is not allowed; expected 'base', 'town', 'city', 'village', "
        "'district', 'province', 'region', 'border_area', 'crossing', 'facility', 'country' or 'other'",
        f"{LOCATION}:5:11: latitude: 95 is too large; the largest allowed is 90",
        "content/sources/sohr.yaml:5:1: tab used for indentation; YAML needs spaces"],
    # Issue 11: every mistake of a file in one run, its references included, though the file was refused.
    "five_mistakes_one_file": [
        f"{INCIDENT}:3:7: date: '20/04/2024' is not a date; write YYYY-MM-DD: 2024-04-20",
        f"{INCIDENT}:7:13: no location with id 'bagdad'; did you mean 'baghdad'?",
        f"{INCIDENT}:9:1: unknown key 'target'; did you mean 'targets'?",
        f"{INCIDENT}:13:11: no actor with id 'pmu'; did you mean 'pmf'?",
        f"{INCIDENT}:17:22: casualties.0.sources.0.credibility: 7 is too large; the largest allowed is 6",
        f"{INCIDENT}:19:13: no source with id 'reuters'; add content/sources/reuters.yaml or fix the id"],
    # a TLP:AMBER brief on the TLP:CLEAR website it would be published on
    "brief_narrower_than_site": [
        f"{BRIEF}:8:6: this brief is TLP:AMBER but the website is TLP:CLEAR (site.yaml), and the build publishes "
        "every brief on it, page and PDF. Write 'tlp: TLP:CLEAR' (or leave tlp out) if the website's readers may "
        "see it; otherwise build it from a content folder of its own whose site.yaml says 'tlp: TLP:AMBER'"],
    "day_month_year_date": [f"{INCIDENT}:3:7: date: '29/01/2024' is not a date; write YYYY-MM-DD: 2024-01-29"],
    "ambiguous_date": [
        f"{INCIDENT}:3:7: date: '03/04/2024' is not a date; write YYYY-MM-DD: 2024-04-03 if the day comes "
        "first, 2024-03-04 if the month does"],
}
WARNING_CASES = {"icd203_mixed_rows", "icd203_likelihood_with_confidence"}


def test_valid_tree_has_no_problems(tmp_path: Path) -> None:
    project, found = load_project(make_content(tmp_path))
    assert found == []
    assert project is not None
    assert project.country_of(project.incidents["baghdad-blast"]) == "IRQ"


@pytest.mark.parametrize("case", sorted(VALIDATE_CASES))
def test_broken_tree_reports_exact_problems(tmp_path: Path, case: str) -> None:
    project, found = load_project(make_content(tmp_path, case))
    assert [str(problem) for problem in found] == VALIDATE_CASES[case]
    assert found == sorted(found)
    assert (project is not None) == (case in WARNING_CASES)  # warnings never stop a build; errors do


def test_every_case_folder_is_tested() -> None:
    from tests.test_load import LOAD_CASES

    assert {path.name for path in CASES.iterdir()} == set(LOAD_CASES) | set(VALIDATE_CASES)


def test_asset_symlink_leading_out_is_refused(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not for publication")
    os.symlink(secret, content / "assets" / "photos" / "leak.jpg")
    incident = content / "incidents" / "baghdad-blast.yaml"
    incident.write_text(incident.read_text().replace("photos/base.jpg", "photos/leak.jpg"))
    assert resolve_asset(content, "photos/leak.jpg") is None
    assert problems(content) == [
        f"{INCIDENT}:22:11: attachment 'photos/leak.jpg' must be a file under content/assets/ (no '..', "
        "absolute paths or links leading out)"]


def test_asset_symlink_inside_assets_is_followed(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    os.symlink("base.jpg", content / "assets" / "photos" / "latest.jpg")
    target = (content / "assets" / "photos" / "base.jpg").resolve()
    assert resolve_asset(content, "photos/latest.jpg") == target


@pytest.mark.parametrize("relative", [
    "", "../site.yaml", "photos/../../site.yaml", "photos/../base.jpg", "/etc/passwd", "\\\\server\\share",
    "C:/Windows/win.ini", "photos\\base.jpg", "photos/missing.jpg", "photos", "a\0b", "a" * 300, "loop.jpg",
])
def test_resolve_asset_refuses(tmp_path: Path, relative: str) -> None:
    content = make_content(tmp_path)
    os.symlink("loop.jpg", content / "assets" / "loop.jpg")
    assert resolve_asset(content, relative) is None


def test_resolve_asset_finds_file(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    assert resolve_asset(content, "photos/base.jpg") == (content / "assets" / "photos" / "base.jpg").resolve()


def test_time_zone_that_is_a_folder_is_unknown(tmp_path: Path) -> None:
    # zoneinfo raises IsADirectoryError for 'Asia', which passes the model's pattern.
    content = make_content(tmp_path)
    write_tree(content, {"incidents/baghdad-blast.yaml": VALID_TREE["incidents/baghdad-blast.yaml"].replace(
        "timezone: Asia/Baghdad", "timezone: Asia")})
    assert problems(content) == [f"{INCIDENT}:5:11: unknown time zone 'Asia'; use an IANA name such as "
                                 "Asia/Baghdad"]


def test_remote_explosive_is_not_a_likelihood(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    brief = content / "briefs" / "brief-1.yaml"
    brief.write_text(brief.read_text() + "summary: A remote explosive device hit the base.\n")
    assert problems(content) == []


def test_mixed_rows_across_summary_and_outlook(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    brief = content / "briefs" / "brief-1.yaml"
    brief.write_text(brief.read_text() + "outlook: |\n  Further strikes are probable.\n")
    assert problems(content) == [
        f"{BRIEF}:15:10: warning: 'probable' is from the other row of the ICD 203 table than 'likely'; use "
        "one row of terms throughout a brief"]


def test_likelihood_field_counts_as_a_term(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    brief = content / "briefs" / "brief-1.yaml"
    brief.write_text(brief.read_text().replace("    confidence: moderate\n",
                                               "    likelihood: highly probable\n    confidence: moderate\n"))
    assert problems(content) == [
        f"{BRIEF}:12:17: warning: 'highly probable' is from the other row of the ICD 203 table than "
        "'likely'; use one row of terms throughout a brief"]


def test_file_that_fails_is_not_reported_again_by_references(tmp_path: Path) -> None:
    # The brief names 'baghdad-blast'; the broken incident is the one thing to fix.
    content = make_content(tmp_path, "yaml_syntax_error")
    assert [line.split(":")[0] for line in problems(content)] == [INCIDENT]


def test_context_note_with_body_key(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    note = "---\nid: iraq\ntitle: Iraq\ndate: 2024-04-01\nbody: text\n---\n"
    write_tree(content, {"context/iraq.md": note})
    assert problems(content) == ["content/context/iraq.md:5:1: write a context note's text below the front "
                                 "matter, not as 'body:'"]


def test_wrong_kind_in_brief_context(tmp_path: Path) -> None:
    content = make_content(tmp_path)
    brief = content / "briefs" / "brief-1.yaml"
    brief.write_text(brief.read_text() + "context:\n  - baghdad\n  - gaza-war\n")
    assert problems(content) == [
        f"{BRIEF}:16:5: 'baghdad' is a location, not a context; name a context here",
        f"{BRIEF}:17:5: no context with id 'gaza-war'; add a note under content/context/"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("number: 1", "number: one", "number: expected a whole number, found text 'one'"),
    ("title: Iraq situation brief", "title: ''", "title: must not be empty"),
    ("key_judgments:\n  - text: Attacks on bases near Baghdad will likely continue.\n"
     "    confidence: moderate\n    incidents:\n      - baghdad-blast\n", "key_judgments: []\n",
     "key_judgments: needs at least one entry"),
    ("cutoff: 2024-04-22T12:00:00+03:00", "cutoff: 2024-04-22 12:00",
     "cutoff: the cut-off needs a UTC offset, e.g. 2024-04-22T12:00:00+03:00"),
    ("id: brief-1", "id: Brief 1",
     "id: 'Brief 1' is not a valid id; use lower-case letters, digits and hyphens"),
])
def test_wrong_values_in_brief(tmp_path: Path, old: str, new: str, expected: str) -> None:
    content = make_content(tmp_path)
    brief = content / "briefs" / "brief-1.yaml"
    text = brief.read_text()
    brief.write_text(text.replace(old, new))
    (found,) = load_project(content)[1]
    line = text[: text.index(old)].count("\n") + 1
    assert (found.path, found.line, found.message) == (BRIEF, line, expected)


@pytest.mark.parametrize(("latitude", "expected"), [
    (".nan", "latitude: expected a number, found .nan"),
    ("-.inf", "latitude: -inf is too small; the smallest allowed is -90"),
    ("north", "latitude: expected a number, found text 'north'"),
    ("", "latitude: expected a number, found nothing; for an area whose coordinates were never published, leave "
         "out both latitude and longitude"),
])
def test_latitude_that_is_not_a_number(tmp_path: Path, latitude: str, expected: str) -> None:
    content = make_content(tmp_path)
    write_tree(content, {"locations/baghdad.yaml": VALID_TREE["locations/baghdad.yaml"].replace(
        "latitude: 33.3", f"latitude: {latitude}")})
    assert problems(content) == [f"{LOCATION}:5:{10 + bool(latitude)}: {expected}"]


@pytest.mark.parametrize(("by", "expected"), [
    ("afp", []),  # a monitor or outlet may attribute responsibility, as SOHR does
    ("pmf", []),
    ("baghdad", [f"{INCIDENT}:17:9: 'baghdad' is a location, not an actor or source; name an actor or source "
                 "here"]),
    ("afpp", [f"{INCIDENT}:17:9: no actor or source with id 'afpp'; did you mean 'afp'?"]),
])
def test_attribution_by_actor_or_source(tmp_path: Path, by: str, expected: list[str]) -> None:
    content = make_content(tmp_path)
    claim = ("claims:\n  - stance: attributed\n    actor: pmf\n" f"    by: {by}\n"
             "    sources:\n      - source: afp\n        credibility: 3\n")
    write_tree(content, {"incidents/baghdad-blast.yaml": VALID_TREE["incidents/baghdad-blast.yaml"].replace(
        "casualties:\n", claim + "casualties:\n")})
    assert problems(content) == expected


def test_todo_placeholders_are_warnings_naming_the_field(tmp_path):
    from sitrep.validate import load_project
    tree = make_content(tmp_path)
    incident = next((tree / "incidents").glob("*.yaml"))
    text = incident.read_text()
    incident.write_text(text.replace("title: ", "title: TODO ", 1))
    project, found = load_project(tree)
    assert project is not None  # a warning does not stop the build
    line = next(i for i, l in enumerate(incident.read_text().splitlines(), 1) if l.startswith("title:"))
    assert [str(p) for p in found] == [
        f"content/incidents/{incident.name}:{line}:8: warning: title still holds a TODO placeholder; "
        "write it before publishing"]
