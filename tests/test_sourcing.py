"""Documents, relay chains, endnotes and the grade warnings, on small trees of realistic reporting.

The tree retells the 21 April 2024 rocket attack on Kharab al-Jir as it reached readers: the Iraqi
security forces' statement and the Syrian Observatory's director, both relayed by one AFP story, which
Mint and a second outlet republished.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape
from pathlib import Path

import pypdf
import pytest

from sitrep.cli import main
from sitrep.pipeline import BuildOptions, build
from sitrep.validate import load_project

from .helpers import write_tree

SOURCES = {
    "sources/afp.yaml": "id: afp\nname: Agence France-Presse\nkind: news_agency\nreliability: B\n",
    "sources/mint.yaml": "id: mint\nname: Mint\nkind: newspaper\nreliability: B\n",
    "sources/wire-mirror.yaml": "id: wire-mirror\nname: Wire Mirror\nkind: newspaper\nreliability: C\n",
    "sources/isf.yaml": "id: isf\nname: Iraqi security forces\nkind: official\nreliability: C\n",
    "sources/sohr.yaml": ("id: sohr\nname: Syrian Observatory for Human Rights\nkind: monitor\n"
                          "reliability: C\n"),
    "sources/centcom.yaml": "id: centcom\nname: US Central Command\nkind: military\nreliability: B\n",
}

DOCUMENTS = {
    "documents/isf-statement.yaml": """\
id: isf-statement
source: isf
kind: statement
title: "[Statement on rockets fired at a coalition base in Syria]"
published: 2024-04-21
language: ar
""",
    "documents/sohr-director.yaml": """\
id: sohr-director
source: sohr
kind: statement
title: "[Rami Abdel Rahman to AFP on the Kharab al-Jir attack]"
published: 2024-04-21
""",
    "documents/afp-wire.yaml": """\
id: afp-wire
source: afp
kind: article
title: Rockets fired from Iraq at US-led coalition base in Syria
published: 2024-04-21
relays: [isf-statement, sohr-director]
""",
    "documents/mint-article.yaml": """\
id: mint-article
source: mint
kind: article
title: Iraq says 'outlaws' fired rockets at US coalition base in Syria
published: 2024-04-21T23:40:00+05:30
url: https://example.org/mint/rockets-fired-at-coalition-base
archive_url: https://archive.example.org/mint/rockets-fired-at-coalition-base
relays: [afp-wire]
""",
    "documents/mirror-article.yaml": """\
id: mirror-article
source: wire-mirror
kind: article
title: Rockets fired from Iraq at US-led coalition base in Syria
published: 2024-04-22
url: https://example.org/mirror/rockets
relays: [afp-wire]
""",
    "documents/centcom-late.yaml": """\
id: centcom-late
source: centcom
kind: statement
title: "[Statement on the 21 April attack]"
published: 2024-04-22T15:00:00+03:00
url: https://example.org/centcom/statement
""",
}

ACTORS_AND_PLACES = {
    "actors/isf-actor.yaml": ("id: iraqi-forces\nname: Iraqi security forces\nkind: state_forces\n"
                              "country: IRQ\n"),
    "actors/iri.yaml": "id: iri\nname: Islamic Resistance in Iraq\nkind: political_militia\ncountry: IRQ\n",
    "actors/uag.yaml": ("id: uag\nname: Unidentified Armed Group (Iraq)\nkind: political_militia\n"
                        "country: IRQ\n"),
    "actors/us.yaml": "id: us-forces\nname: US forces\nkind: external_forces\ncountry: USA\n",
    "locations/kharab.yaml": ("id: kharab-al-jir\nname: Kharab al-Jir base\nkind: base\ncountry: SYR\n"
                              "latitude: 36.87\nlongitude: 42.04\n"),
}

INCIDENT = """\
id: kharab-rockets
title: Rockets fired from Iraq at Kharab al-Jir
date: 2024-04-21
event_type: Explosions/Remote violence
sub_event_type: Shelling/artillery/missile attack
location:
  location: kharab-al-jir
  geo_precision: 1
perpetrators: [uag]
targets: [us-forces]
summary: Rockets were fired from northern Iraq at the base.
claims:
  - stance: attributed
    actor: uag
    by: iraqi-forces
    sources:
      - document: isf-statement
        credibility: 2
        quote: outlaw elements
  - stance: attributed
    actor: iri
    by: sohr
    sources:
      - document: sohr-director
        credibility: 3
  - stance: denied
    actor: us-forces
    by: centcom
    sources:
      - document: mint-article
        credibility: 3
        pinpoint: para. 11
sources:
  - document: isf-statement
    credibility: 1
  - document: sohr-director
    credibility: 1
  - document: mint-article
    credibility: 2
"""

BRIEF = """\
id: brief-16
number: 16
title: Iraq–Syria brief
period: {start: 2024-04-16, end: 2024-04-22}
cutoff: 2024-04-22T12:00:00+03:00
countries: [IRQ, SYR]
key_judgments:
  - text: Further attacks are likely.
sections:
  - title: Syria
    countries: [SYR]
    assessment: Rockets from Iraq hit a coalition base.
"""


def tree(tmp_path: Path, changes: dict[str, str] | None = None) -> Path:
    """Write the tree, with some files replaced."""
    content = tmp_path / "content"
    write_tree(content, {**SOURCES, **DOCUMENTS, **ACTORS_AND_PLACES,
                         "incidents/kharab-rockets.yaml": INCIDENT, "briefs/brief-16.yaml": BRIEF,
                         **(changes or {})})
    return content


def messages(content: Path) -> list[str]:
    """Return every problem as the user sees it, paths relative to the content's parent."""
    return [str(p).replace(str(content.parent) + "/", "") for p in load_project(content)[1]]


def check(content: Path) -> tuple[int, str]:
    """Run `check` and return its exit code and what it printed on stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "--content", str(content)], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


# --- The model ------------------------------------------------------------------------------

def test_the_tree_loads_with_independent_statements_relayed_by_one_wire(tmp_path: Path):
    # the ISF statement and the monitor's director both reached us through the one AFP story: two
    # independent sources, so credibility 1 on the launch from Iraq raises nothing
    project, problems = load_project(tree(tmp_path))
    assert project is not None and problems == []
    assert project.relayed_by == {"isf-statement": ("afp-wire",), "sohr-director": ("afp-wire",),
                                  "afp-wire": ("mint-article", "mirror-article")}


@pytest.mark.parametrize(("citation", "expected"), [
    ("{document: mint-article, source: mint, credibility: 2}",
     "a citation names either 'document: <id>' or (older form) 'source: <id>', not both and not neither"),
    ("{document: mint-article, credibility: 2, url: 'https://example.org/x'}",
     "a citation of a document takes its title, date, url and relays from the document file; keep only "
     "'document', 'credibility', 'pinpoint' and 'quote'"),
    ("{document: mint-articel, credibility: 2}",
     "no document with id 'mint-articel'; did you mean 'mint-article'?"),
])
def test_a_wrong_citation_says_what_to_write(tmp_path: Path, citation: str, expected: str):
    incident = INCIDENT.replace("  - document: mint-article\n    credibility: 2\n", f"  - {citation}\n")
    found = messages(tree(tmp_path, {"incidents/kharab-rockets.yaml": incident}))
    assert len(found) == 1 and found[0].startswith("content/incidents/kharab-rockets.yaml:38:16: ")
    assert found[0].endswith(expected)


def test_a_publication_time_needs_its_offset(tmp_path: Path):
    doc = DOCUMENTS["documents/mint-article.yaml"].replace("+05:30", "")
    found = messages(tree(tmp_path, {"documents/mint-article.yaml": doc}))
    assert found == ["content/documents/mint-article.yaml:5:12: published: a publication time needs its UTC "
                     "offset, e.g. 2024-04-22T09:15:00+05:30, or write the date alone"]


def test_a_relay_names_a_document(tmp_path: Path):
    doc = DOCUMENTS["documents/mint-article.yaml"].replace("relays: [afp-wire]", "relays: [afp]")
    found = messages(tree(tmp_path, {"documents/mint-article.yaml": doc}))
    assert found == ["content/documents/mint-article.yaml:8:10: 'afp' is a source, not a document; "
                     "name a document here"]


# --- Grade warnings -------------------------------------------------------------------------

def test_credibility_1_on_a_fact_one_chain_carries_is_a_warning_and_check_passes(tmp_path: Path):
    incident = INCIDENT.replace("  - document: isf-statement\n    credibility: 1\n"
                                "  - document: sohr-director\n    credibility: 1\n",
                                "  - document: isf-statement\n    credibility: 1\n")
    content = tree(tmp_path, {"incidents/kharab-rockets.yaml": incident})
    assert messages(content) == [
        "content/incidents/kharab-rockets.yaml:35:18: warning: credibility 1 means confirmed by other "
        "independent sources, but only one chain of relays carries this (Iraqi security forces → "
        "Agence France-Presse → Mint); grade it 2 or lower, or add an independent source"]
    code, printed = check(content)
    assert code == 0 and "kharab-rockets.yaml:35:18: warning: credibility 1" in printed


def test_a_statement_and_the_article_relaying_it_are_one_chain(tmp_path: Path):
    incident = INCIDENT.replace("  - document: sohr-director\n    credibility: 1\n", "")
    found = messages(tree(tmp_path, {"incidents/kharab-rockets.yaml": incident}))
    assert len(found) == 1 and found[0].startswith("content/incidents/kharab-rockets.yaml:35:18: warning: "
                                                   "credibility 1 means confirmed by other independent")


def test_two_relays_of_one_wire_counted_as_independent_is_a_warning(tmp_path: Path):
    incident = INCIDENT.replace("""sources:
  - document: isf-statement
    credibility: 1
  - document: sohr-director
    credibility: 1
  - document: mint-article
    credibility: 2
""", """sources:
  - document: mint-article
    credibility: 1
  - document: mirror-article
    credibility: 1
""")
    assert messages(tree(tmp_path, {"incidents/kharab-rockets.yaml": incident})) == [
        "content/incidents/kharab-rockets.yaml:35:18: warning: credibility 1 counts 'mint-article' and "
        "'mirror-article' as independent, but both relay 'afp-wire': two relays of one wire are one source; "
        "grade it 2 or lower, or cite a source that reported it independently"]


def test_two_relays_of_one_wire_in_the_older_form_is_a_warning(tmp_path: Path):
    incident = INCIDENT.replace("""sources:
  - document: isf-statement
    credibility: 1
  - document: sohr-director
    credibility: 1
  - document: mint-article
    credibility: 2
""", """sources:
  - source: afp
    via: mint
    credibility: 2
  - source: afp
    via: wire-mirror
    credibility: 1
""")
    assert messages(tree(tmp_path, {"incidents/kharab-rockets.yaml": incident})) == [
        "content/incidents/kharab-rockets.yaml:39:18: warning: credibility 1 counts 'afp via mint' and "
        "'afp via wire-mirror' as independent, but both relay Agence France-Presse: two relays of one wire "
        "are one source; grade it 2 or lower, or cite a source that reported it independently"]


def test_a_document_published_after_the_cutoff_is_a_warning_in_the_brief_that_cites_it(tmp_path: Path):
    incident = INCIDENT + "response:\n  - actor: us-forces\n    action: Said nothing.\n    sources:\n" \
                          "      - document: centcom-late\n        credibility: 2\n"
    found = messages(tree(tmp_path, {"incidents/kharab-rockets.yaml": incident}))
    # published 15:00 on the 22nd, three hours after the brief's 12:00 cut-off
    assert found == ["content/incidents/kharab-rockets.yaml:44:19: warning: document 'centcom-late' was "
                     "published 2024-04-22 15:00+03:00, after the cut-off of brief 'brief-16' "
                     "(2024-04-22 12:00+03:00) that cites it; cite what was known by then, or move the cut-off"]


def test_a_section_citing_a_document_published_after_the_cutoff_is_a_warning_at_that_citation(tmp_path: Path):
    brief = BRIEF + "    sources:\n      - document: centcom-late\n        credibility: 2\n"
    assert messages(tree(tmp_path, {"briefs/brief-16.yaml": brief})) == [
        "content/briefs/brief-16.yaml:14:19: warning: document 'centcom-late' was published 2024-04-22 "
        "15:00+03:00, after the cut-off of brief 'brief-16' (2024-04-22 12:00+03:00) that cites it; cite what "
        "was known by then, or move the cut-off"]


def test_a_section_citing_an_unknown_document_fails_the_check_at_that_line(tmp_path: Path):
    brief = BRIEF + "    sources:\n      - document: mint-articel\n        credibility: 2\n"
    code, printed = check(tree(tmp_path, {"briefs/brief-16.yaml": brief}))
    assert code != 0 and "brief-16.yaml:14:19: no document with id 'mint-articel'; did you mean 'mint-article'?" \
        in printed, printed


def test_a_sections_sources_are_marked_after_it_and_noted_once(tmp_path: Path):
    """What a section says beyond its incidents is cited where it says it, to the brief's one list of notes."""
    brief = BRIEF.replace("assessment: Rockets from Iraq hit a coalition base.",
                          "assessment: AFP put the US troops in Syria at nearly 900.") + \
        "    sources:\n      - document: mint-article\n        credibility: 2\n"
    content, output = tree(tmp_path, {"briefs/brief-16.yaml": brief}), tmp_path / "output"
    out, err = io.StringIO(), io.StringIO()
    assert main(["--content", str(content), "--output", str(output), "--no-search", "--no-pdf"],
                out=out, err=err) == 0, err.getvalue()
    html = (output / "briefs/brief-16.html").read_text(encoding="utf-8")
    section = html_text(html[html.index("nearly 900"):html.index("</section>", html.index("nearly 900"))])
    # the section comes before its incident, so its document is the first note
    assert re.sub(r"\s+", " ", section).replace("\u2009", " ").startswith("nearly 900.Sources1 B2"), section
    notes = brief_notes(html)
    assert len(notes) == 3 and notes[0].startswith("Mint, “Iraq says 'outlaws' fired rockets")


def test_a_document_of_the_cutoff_day_without_a_time_is_not_late(tmp_path: Path):
    doc = DOCUMENTS["documents/centcom-late.yaml"].replace("2024-04-22T15:00:00+03:00", "2024-04-22")
    incident = INCIDENT + "response:\n  - actor: us-forces\n    action: Said nothing.\n    sources:\n" \
                          "      - document: centcom-late\n        credibility: 2\n"
    changed = {"incidents/kharab-rockets.yaml": incident, "documents/centcom-late.yaml": doc}
    assert messages(tree(tmp_path, changed)) == []


def test_a_casualty_figure_given_after_the_cutoff_is_left_to_the_next_brief_not_warned_about(tmp_path: Path):
    """The brief shows what was known at its cut-off; a later figure is the next brief's revision."""
    incident = INCIDENT + ("casualties:\n  - side: us-forces\n    killed: 0\n    wounded: 2\n    sources:\n"
                           "      - document: centcom-late\n        credibility: 2\n")
    content = tree(tmp_path, {"incidents/kharab-rockets.yaml": incident})
    assert messages(content) == []
    from sitrep.analyse import analyse_brief

    project, _ = load_project(content)
    current = analyse_brief(project, project.briefs["brief-16"]).current
    assert (str(current.killed), str(current.wounded)) == ("unknown", "unknown")


def test_a_claim_made_after_the_cutoff_is_not_in_the_brief_but_on_the_incident_page(tmp_path: Path):
    claim = ("  - stance: claimed\n    actor: iri\n    date: 2024-04-24\n    sources:\n"
             "      - document: centcom-late\n        credibility: 3\n")
    incident = INCIDENT.replace("sources:\n  - document: isf-statement\n    credibility: 1\n",
                                claim + "sources:\n  - document: isf-statement\n    credibility: 1\n")
    content = tree(tmp_path, {"incidents/kharab-rockets.yaml": incident})
    assert messages(content) == []  # not cited in the brief: no cut-off warning
    output = tmp_path / "output"
    assert main(["--content", str(content), "--output", str(output), "--no-pdf", "--no-search"],
                out=io.StringIO(), err=io.StringIO()) == 0

    def text(page: str) -> str:
        return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", (output / page).read_text())))

    assert "claimed" not in text("briefs/brief-16.html").lower()
    assert "Islamic Resistance in Iraq claimed" in text("incidents/kharab-rockets.html")


def test_a_statement_known_only_through_late_relays_is_a_warning(tmp_path: Path):
    undated = DOCUMENTS["documents/sohr-director.yaml"].replace("published: 2024-04-21\n", "")
    wire = DOCUMENTS["documents/afp-wire.yaml"].replace("published: 2024-04-21", "published: 2024-04-23")
    found = messages(tree(tmp_path, {"documents/sohr-director.yaml": undated,
                                     "documents/afp-wire.yaml": wire}))
    assert [f.split(": warning: ")[0] for f in found] == ["content/incidents/kharab-rockets.yaml:24:19",
                                                          "content/incidents/kharab-rockets.yaml:36:15"]
    assert found[0].endswith("document 'sohr-director' is known only through document 'afp-wire', published "
                             "after the cut-off of brief 'brief-16' (2024-04-22 12:00+03:00) that cites it; "
                             "cite what was known by then, or move the cut-off")


# --- An incident reported after a brief's cut-off -----------------------------------------

#: A blast on the evening of 15 April, three hours after brief-15's noon cut-off, first reported the next
#: morning: brief-15 could not have known it and brief-16's period starts on the 16th.
LATE_REPORTED = {
    "briefs/brief-15.yaml": """\
id: brief-15
number: 15
title: Iraq–Syria brief
period: {start: 2024-04-09, end: 2024-04-15}
cutoff: 2024-04-15T12:00:00+03:00
countries: [IRQ, SYR]
key_judgments:
  - text: Attacks are unlikely to resume this week.
""",
    "documents/afp-morning.yaml": """\
id: afp-morning
source: afp
kind: article
title: Blast at a base in north-east Syria overnight
published: 2024-04-16T08:00:00+03:00
""",
    "incidents/evening-blast.yaml": """\
id: evening-blast
title: Blast at Kharab al-Jir base
date: 2024-04-15
time: "15:00"
timezone: Asia/Damascus
event_type: Explosions/Remote violence
sub_event_type: Remote explosive/landmine/IED
location:
  location: kharab-al-jir
  geo_precision: 1
targets: [us-forces]
summary: A blast hit the base in the evening.
sources:
  - document: afp-morning
    credibility: 2
""",
}


def test_an_incident_first_reported_after_a_cutoff_is_in_no_earlier_brief_but_new_in_the_next(tmp_path: Path):
    content = tree(tmp_path, LATE_REPORTED)
    assert messages(content) == []  # nothing to fix: the late report is placed, not warned about
    output = tmp_path / "output"
    out, err = io.StringIO(), io.StringIO()
    assert main(["--content", str(content), "--output", str(output), "--no-search", "--no-pdf"],
                out=out, err=err) == 0, err.getvalue()
    earlier = re.sub(r"\s+", " ", html_text((output / "briefs/brief-15.html").read_text(encoding="utf-8")))
    assert "Blast at Kharab al-Jir base" not in earlier
    assert re.search(r"Incidents ?0 ?previous 7 days", earlier), earlier
    later = re.sub(r"\s+", " ", html_text((output / "briefs/brief-16.html").read_text(encoding="utf-8")))
    changes = later[later.index("New since the previous brief"):]
    assert ("New incident Blast at Kharab al-Jir base — reported after the previous cut-off: 15 April 2024, "
            "15:00 local") in changes, changes
    # brief-16 counts its own period's incident; the 15 April blast is in the week before, as now known
    assert re.search(r"Incidents ?1 ?previous 7 days: 1", later), later


# --- Endnotes as a reader sees them ----------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the tree's site and brief PDF once."""
    root = tmp_path_factory.mktemp("sourcing")
    content, output = tree(root), root / "output"
    out, err = io.StringIO(), io.StringIO()
    assert main(["--content", str(content), "--output", str(output), "--no-search"], out=out, err=err) == 0, \
        err.getvalue()
    return output


def brief_notes(html: str) -> list[str]:
    """Return the text of each endnote of the brief's web page, in order."""
    notes = html[html.index('class="source-notes"'):]
    items = re.findall(r'<li id="brief-16-note-(\d+)"[^>]*>(.*?)</li>', notes, flags=re.S)
    assert [int(n) for n, _ in items] == list(range(1, len(items) + 1))
    return [re.sub(r"\s+", " ", html_text(text)).strip() for _, text in items]


def html_text(markup: str) -> str:
    """Return the text of some markup, a line break read as a space."""
    return unescape(re.sub(r"<[^>]+>", "", markup.replace("<br>", " ")))


def test_one_endnote_per_document_numbered_once_with_title_date_and_link(built: Path):
    html = (built / "briefs/brief-16.html").read_text(encoding="utf-8")
    link = "https://example.org/mint/rockets-fired-at-coalition-base"
    assert brief_notes(html) == [
        # the statement is known only through AFP's story as Mint ran it: noted with Mint's link, the
        # chain told up to the relay that has a note of its own
        "Iraqi security forces, “[Statement on rockets fired at a coalition base in Syria]” (statement, in "
        "Arabic), 21 April 2024; reported in Agence France-Presse, “Rockets fired from Iraq at US-led coalition "
        f"base in Syria”, 21 April 2024; reported in Mint (note 3). Cited: “outlaw elements”. {link}",
        "Syrian Observatory for Human Rights, “[Rami Abdel Rahman to AFP on the Kharab al-Jir attack]” "
        "(statement), 21 April 2024; reported in Agence France-Presse, “Rockets fired from Iraq at US-led "
        f"coalition base in Syria”, 21 April 2024; reported in Mint (note 3). {link}",
        "Mint, “Iraq says 'outlaws' fired rockets at US coalition base in Syria” (article), 21 April 2024, "
        f"23:40 (UTC+05:30). Cited: para. 11. {link} "
        "Archived: https://archive.example.org/mint/rockets-fired-at-coalition-base",
    ]
    assert "Grade" not in html[html.index('class="source-notes"'):]  # grades are shown where cited


def test_each_statement_shows_its_own_grade_where_it_is_cited(built: Path):
    html = (built / "briefs/brief-16.html").read_text(encoding="utf-8")
    marks = [re.sub(r"<[^>]+>", "", m).replace("\u2009", " ")
             for m in re.findall(r'<sup class="cite"[^>]*>(.*?)</sup>', html, flags=re.S)]
    # the claims (C2, C3, B3), then "Reported by" (the two statements confirm each other: C1), then the table:
    # there too each claim carries its own grade, beside the row's sources with theirs
    assert marks[:8] == ["1 C2", "2 C3", "3 B3", "1 C1, 2 C1, 3 B2", "1 C2", "2 C3", "3 B3", "1 C1, 2 C1, 3 B2"]


def test_a_denial_made_by_a_third_party_is_shown_as_theirs(built: Path):
    html = (built / "briefs/brief-16.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "US Central Command denied involvement by US forces" in text
    assert "US forces denied involvement" not in text
    actor = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (built / "actors/us-forces.html").read_text("utf-8")))
    assert "Involvement denied by others (1)" in actor and "Denied involvement" not in actor


def test_outlaw_elements_and_a_named_group_are_not_listed_as_conflicting_reports(built: Path):
    html = (built / "briefs/brief-16.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", html_text(html))
    assert "Iraqi security forces attributed it to" in text
    assert "attributed it to Islamic Resistance in Iraq" in text
    assert "Conflicting reports" not in html


def test_the_pdf_prints_each_note_once_with_a_clickable_link(built: Path):
    pdf = pypdf.PdfReader(built / "briefs/brief-16.pdf")
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in pdf.pages))
    notes = text[text.rindex("SOURCE NOTES"):]
    assert notes.count("Mint, “Iraq says 'outlaws' fired rockets at US coalition base in Syria” (article)") == 1
    assert notes.count("Iraqi security forces, “[Statement on rockets fired") == 1
    assert notes.count("https://example.org/mint/rockets-fired-at-coalition-base") == 3
    links = [annotation.get_object().get("/A", {}).get("/URI") for page in pdf.pages
             for annotation in page.get("/Annots", [])]
    assert links.count("https://example.org/mint/rockets-fired-at-coalition-base") == 3
    assert "https://archive.example.org/mint/rockets-fired-at-coalition-base" in links


# --- Incremental builds ---------------------------------------------------------------------

def test_incremental_builds_follow_edits_to_documents_and_relays(tmp_path: Path):
    content = tree(tmp_path)
    options = BuildOptions(content=content, output=tmp_path / "site", pdf=False, search=False, jobs=1)
    build(options)
    mint, isf = DOCUMENTS["documents/mint-article.yaml"], DOCUMENTS["documents/isf-statement.yaml"]
    edits = {
        "a document retitled": ("documents/mint-article.yaml",
                                mint.replace("Iraq says 'outlaws'", "Iraq says outlaws")),
        # published earlier than Mint's and with a link: the statements' notes now print this link
        "a relay added": ("documents/early-relay.yaml",
                          "id: early-relay\nsource: wire-mirror\nkind: article\ntitle: Early relay\n"
                          "published: 2024-04-21T20:00:00+03:00\nurl: https://example.org/early\n"
                          "relays: [afp-wire]\n"),
        "a statement redated": ("documents/isf-statement.yaml",
                                isf.replace("published: 2024-04-21", "published: 2024-04-20")),
        # a document only a claim cites: its day dates the incident's last change in the downloads
        "a late denial cited": ("incidents/kharab-rockets.yaml", INCIDENT.replace(
            "      - document: mint-article\n        credibility: 3\n",
            "      - document: mint-article\n        credibility: 3\n      - document: centcom-late\n"
            "        credibility: 2\n", 1)),
        "the late denial redated": ("documents/centcom-late.yaml", DOCUMENTS["documents/centcom-late.yaml"]
                                    .replace("2024-04-22T15:00", "2024-04-24T15:00")),
    }
    for label, (name, text) in edits.items():
        (content / name).write_text(text, encoding="utf-8")
        build(options)
        clean = BuildOptions(content=content, output=tmp_path / f"clean-{len(label)}", pdf=False,
                             search=False, jobs=1)
        build(clean)
        got, want = _files(options.output), _files(clean.output)
        assert sorted(got) == sorted(want), label
        assert [n for n in want if got[n] != want[n]] == [], label
    page = (options.output / "incidents" / "kharab-rockets.html").read_text(encoding="utf-8")
    assert "https://example.org/early" in page and "Iraq says outlaws" in page
    (row,) = csv.DictReader(io.StringIO((options.output / "data" / "incidents.csv").read_text(
        encoding="utf-8"), newline=""))
    assert row["timestamp"] == str(int(dt.datetime(2024, 4, 24, tzinfo=dt.UTC).timestamp()))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
