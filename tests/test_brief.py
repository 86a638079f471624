"""The default content built end to end through main(): the PDF and HTML brief say the seed's facts."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pypdf
import pytest

from sitrep.cli import main

from .conftest import DEFAULT_CONTENT
from .site_helpers import build_default_site

BRIEF = "brief-2024-04-22"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the default content's build (site, PDFs and search), shared with the site tests."""
    return build_default_site(tmp_path_factory)


@pytest.fixture(scope="module")
def pdf(built: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(built / "briefs" / f"{BRIEF}.pdf")


@pytest.fixture(scope="module")
def pdf_text(pdf: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


SEED_FACTS = [
    # the 21 April rocket attack
    "Kharab al-Jir", "about 21:50 local (about 18:50 GMT)", "Northern Nineveh", "Shelling/artillery/missile attack",
    "outlaw elements", "Syrian Observatory for Human Rights (Rami Abdel Rahman, director) attributed it to "
    "Islamic Resistance in Iraq", "destroyed it",
    # the 20 April Kalsu explosion
    "Kalsu", "Babylon province", "denied involvement", "the Israeli army did not comment",
    # force posture
    "approximately 2,500", "nearly 900", "2014",
    # context
    "Gaza", "Tower 22",
]


@pytest.mark.parametrize("fact", SEED_FACTS)
def test_pdf_states_each_seed_fact(pdf_text: str, fact: str):
    # table cells wrap lines anywhere, so compare without white space
    assert re.sub(r"\s+", "", fact) in re.sub(r"\s+", "", pdf_text)


def test_pdf_key_figures_are_computed_from_the_data(pdf_text: str):
    text = squash(pdf_text)
    assert re.search(r"INCIDENTS 2 ?previous 7 days: 0", text)
    assert "KILLED at least 1" in text  # Kalsu's one dead; Kharab al-Jir's casualties unknown
    assert "WOUNDED at least 8" in text
    assert "TROOPS DEPLOYED about 3,400" in text


def test_pdf_cites_the_documents_behind_what_a_section_says_beyond_its_incidents(pdf_text: str):
    """The Jordan section recalls Tower 22, outside the brief's period: the AP report is noted for it."""
    text = squash(pdf_text)
    assert re.search(r"bring US retaliation\. ?Sources ?\d+ B2, \d+ B1", text), text
    # in the notes (whose numbers the text layer does not keep): no incident of the period cites it
    assert "Associated Press, “Biden: Three Americans Killed, 'Many' Wounded in Drone Attack" in text


def test_pdf_claims_are_sentences_ending_before_their_note_marks(pdf_text: str):
    """A claim without a note ends in a full stop; a note that is a sentence of its own follows one."""
    text = squash(pdf_text)
    assert re.search(r"US forces \(CENTCOM\) denied involvement\. ?\d+ B2", text), text
    assert "attributed it to “outlaw elements”. The statement named no group." in text
    assert " — The statement" not in text


def test_pdf_says_why_one_report_carries_two_grades(pdf_text: str):
    """The Iraqi statement is C2 for its own claim and C1 for the launch a second source confirms."""
    text = squash(pdf_text)
    note = re.search(r"The statement named no group\. ?(\d+) ?C2", text)
    assert note, text
    assert re.search(rf"Reported by ?[\d ,BC]*\b{note[1]} ?C1", text), text
    assert ("the number the credibility of the information the note supports (1 confirmed to 6 cannot be "
            "judged). The number is judged for each statement, so a report cited for two statements can carry "
            "two numbers.") in text


def test_pdf_new_since_names_the_previous_brief_and_its_cutoff_without_nested_brackets(pdf_text: str):
    assert "Compared with brief No. 1, whose cut-off was 15 April 2024, 12:00 (UTC+03:00)." in squash(pdf_text)


def test_pdf_keeps_the_short_new_since_list_on_one_page_with_its_heading(pdf: pypdf.PdfReader):
    pages = [squash(page.extract_text()) for page in pdf.pages]
    page = next(text for text in pages if "NEW SINCE THE PREVIOUS BRIEF" in text.upper())
    assert "Unexplained explosion at Kalsu" in page and "Rockets fired from northern Iraq at the coalition" in page


def test_pdf_cites_numbered_sources_with_admiralty_grades(pdf_text: str):
    text = squash(pdf_text)
    notes = text[text.rindex("SOURCE NOTES"):]
    # one note per document, each named once with its title; the seed article once, though nine facts cite it
    assert notes.count("Mint, “Middle East crisis: Iraq says 'outlaws' fired rockets at US coalition base in "
                       "Syria” (article), 21 April 2024") == 1
    for title in ("[Denial of US involvement in the explosion at Kalsu base]",
                  "Israeli retaliatory strikes hit Iran; explosions near airport, flights diverted, says report",
                  "[Rami Abdel Rahman, director, on the rocket attack on Kharab al-Jir]"):
        assert notes.count(title) == 1
    # a statement known only through AFP's story is noted with the link of the page that carries it
    assert "https://menafn.com/1108120876/Middle-East-Crisis-Iraq-Says-Outlaws-Fired-Rockets-At-US-Coalition-"\
           "Base-In-Syria" in notes
    assert "Grade" not in notes and not re.search(r"\b[A-F][1-6]\b", notes)  # grades are where cited
    assert re.search(r"\d [BC][1-6]", text[:text.rindex("SOURCE NOTES")])


def test_pdf_has_tlp_mark_and_page_x_of_y_on_every_page(pdf: pypdf.PdfReader):
    total = len(pdf.pages)
    assert total >= 4
    for number, page in enumerate(pdf.pages, start=1):
        text = page.extract_text()
        # once at the top and once at the foot: page 1 does not repeat it beside the masthead
        assert text.count("TLP:CLEAR") == 2, f"page {number} shows the TLP mark {text.count('TLP:CLEAR')} times"
        assert f"Page {number} of {total}" in text


def test_pdf_metadata_and_bookmarks(pdf: pypdf.PdfReader):
    meta = pdf.metadata
    assert meta.title == "Situation brief 2: Iraq–Syria Security Brief"
    assert meta.author == "Iraq–Syria Security Monitor"
    assert meta.creation_date.isoformat() == "2024-04-22T12:00:00+03:00"  # the cut-off, so rebuilds are identical
    titles = [item.title for item in pdf.outline if not isinstance(item, list)]
    for heading in ("Key judgments", "Key figures", "Incidents in the period", "Force posture",
                    "Context", "Source notes"):
        assert any(heading.lower() == t.lower() for t in titles), titles


def test_pdf_embeds_fonts_covering_arabic(pdf: pypdf.PdfReader, pdf_text: str):
    fonts = set()
    for page in pdf.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Noto-Sans-Arabic" in f for f in fonts), fonts
    assert any(f.endswith("+Noto-Sans") for f in fonts), fonts
    # pypdf reads Arabic in logical or visual order depending on the font's cmap; check the letters arrived
    letters = set("الحشد الشعبي") - {" "}
    assert letters <= set(pdf_text)


def test_pdf_carries_the_standing_caveat(pdf_text: str):
    assert "Figures are drawn from open sources" in squash(pdf_text)


def test_html_brief_structure(built: Path):
    html = (built / "briefs" / f"{BRIEF}.html").read_text()
    assert '<html lang="en">' in html
    assert html.count("<h1") == 1
    assert re.search(r'<section class="key-judgments"[^>]*>\s*<h2[^>]*>Key judgments</h2>\s*<ol>', html)
    assert f'href="../briefs/{BRIEF}.pdf"' in html
    assert 'href="../incidents/2024-04-21-kharab-al-jir-rockets.html"' in html
    assert '<span lang="ar" dir="auto">الحشد الشعبي</span>' in html
    assert "<svg" in html and 'role="img"' in html  # map and charts inline
    # the brief's mark is the site's: shown once in the site's header and once in its footer, not a third time
    assert html.count(">TLP:CLEAR<") == 2


def test_html_escapes_content(content_copy: Path, tmp_path: Path):
    incident = content_copy / "incidents" / "2024-04-20-kalsu-base-explosion.yaml"
    text = incident.read_text().replace("title: Unexplained explosion at Kalsu military base, Babylon province",
                                        "title: \"<script>alert('x')</script> & <b>bold</b>\"")
    incident.write_text(text)
    output = tmp_path / "out"
    assert main(["--content", str(content_copy), "--output", str(output), "--no-pdf", "--no-search", "-q"]) == 0
    html = (output / "briefs" / f"{BRIEF}.html").read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_figures_follow_the_data(content_copy: Path, tmp_path: Path):
    """Change a casualty figure in content: the brief's totals change with it."""
    incident = content_copy / "incidents" / "2024-04-20-kalsu-base-explosion.yaml"
    incident.write_text(incident.read_text().replace("killed: 1", "killed: 6").replace("wounded: 8", "wounded: 11"))
    output = tmp_path / "out"
    assert main(["--content", str(content_copy), "--output", str(output), "--no-search", "-q"]) == 0
    text = squash("\n".join(p.extract_text() for p in pypdf.PdfReader(output / "briefs" / f"{BRIEF}.pdf").pages))
    assert "KILLED at least 6" in text and "WOUNDED at least 11" in text


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_draws_each_briefs_charts_once_for_its_page_and_its_pdf(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch, jobs: str):
    from sitrep import pipeline
    from sitrep.render import figures

    log = tmp_path / "drawn.txt"
    draw = figures._draw_weekly_charts

    def drawing(project, brief, prefix, drawn):  # forked page renderers write it down too
        with log.open("a") as written:
            written.write(f"{brief.id}\n")
        return draw(project, brief, prefix, drawn)

    monkeypatch.setattr(figures, "_draw_weekly_charts", drawing)
    monkeypatch.setattr(pipeline, "PARALLEL_PAGES", 2)  # with two jobs, pages render in forked processes
    output = tmp_path / "out"
    assert main(["--content", str(DEFAULT_CONTENT), "--output", str(output), "--no-search", "-q", "--jobs", jobs]) == 0
    assert sorted(log.read_text().split()) == ["brief-2024-04-15", "brief-2024-04-22"]
    assert (output / "briefs" / f"{BRIEF}.pdf").is_file()


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_content_error_reports_path_line_exit_1_and_leaves_output(built: Path, content_copy: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]):
    output = tmp_path / "out"
    shutil.copytree(built, output)
    before = tree_digest(output)
    incident = content_copy / "incidents" / "2024-04-20-kalsu-base-explosion.yaml"
    lines = incident.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("event_type:"))
    lines[number] = "event_typ: Explosions/Remote violence"
    incident.write_text("\n".join(lines) + "\n")
    assert main(["--content", str(content_copy), "--output", str(output)]) == 1
    err = capsys.readouterr().err
    assert (f"incidents/2024-04-20-kalsu-base-explosion.yaml:{number + 1}:1: unknown key 'event_typ'; "
            "did you mean 'event_type'?") in err
    assert tree_digest(output) == before


def test_check_validates_without_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["check", "--content", str(DEFAULT_CONTENT)]) == 0
    assert "content OK: 3 incidents" in capsys.readouterr().out
    assert not (DEFAULT_CONTENT.parent / "output" / ".sitrep-stage").exists()


@pytest.mark.parametrize("argv", [["--no-such-flag"], ["frobnicate"], ["build", "--jobs", "many"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_missing_content_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["check", "--content", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_theme_named_in_site_yaml_overrides_one_template(content_copy: Path, tmp_path: Path):
    theme = content_copy.parent / "house-style" / "site"
    theme.mkdir(parents=True)
    base = (Path(__file__).resolve().parent.parent / "templates" / "site" / "base.html").read_text()
    (theme / "base.html").write_text(base.replace("<body ", '<body data-theme="house-style" ', 1))
    site = content_copy / "site.yaml"
    site.write_text(site.read_text() + "theme: house-style\n")
    output = tmp_path / "out"
    assert main(["--content", str(content_copy), "--output", str(output), "--no-pdf", "--no-search", "-q"]) == 0
    assert '<body data-theme="house-style" ' in (output / "index.html").read_text()
    assert "Key judgments" in (output / "briefs" / f"{BRIEF}.html").read_text()  # the rest from the defaults


def test_missing_theme_folder_is_a_content_error(content_copy: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]):
    site = content_copy / "site.yaml"
    lines = site.read_text().splitlines() + ["theme: nowhere"]
    site.write_text("\n".join(lines) + "\n")
    assert main(["--content", str(content_copy), "--output", str(tmp_path / "out"), "--no-pdf"]) == 1
    assert (f"content/site.yaml:{len(lines)}:8: theme folder 'nowhere' not found next to content/; "
            "create it or remove the setting") in capsys.readouterr().err


def test_markdown_image_from_assets_shows_on_the_web_and_in_the_pdf(content_copy: Path, tmp_path: Path):
    import base64

    (content_copy / "assets").mkdir(exist_ok=True)
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (content_copy / "assets" / "crater.png").write_bytes(png)
    incident = content_copy / "incidents" / "2024-04-20-kalsu-base-explosion.yaml"
    incident.write_text(incident.read_text().replace("summary: |\n", "summary: |\n  ![Crater at the base](assets/crater.png)\n\n", 1))
    output = tmp_path / "out"
    assert main(["--content", str(content_copy), "--output", str(output), "--no-search", "-q"]) == 0
    page = (output / "incidents" / "2024-04-20-kalsu-base-explosion.html").read_text()
    assert '<img src="../media/crater.png" alt="Crater at the base"' in page
    assert (output / "media" / "crater.png").read_bytes() == png
    reader = pypdf.PdfReader(output / "briefs" / f"{BRIEF}.pdf")
    assert sum(len(page.images) for page in reader.pages) >= 1


def test_pdf_first_page_carries_the_bottom_line(pdf: pypdf.PdfReader):
    first = squash(pdf.pages[0].extract_text())
    for heading in ("KEY JUDGMENTS", "SUMMARY", "KEY FIGURES"):
        assert heading in first
    assert "found the vehicle used to launch the rockets and destroyed it" in first  # the summary's last words
    assert "TREND AGAINST THE PREVIOUS 7 DAYS" in first


def test_pdf_context_leads_with_what_changed_and_links_the_standing_background(pdf_text: str):
    text = squash(pdf_text)
    context = text[text.index("CONTEXT"):]
    assert context.index("The reported Israeli strike on Iran (19 April 2024)") < context.index("Standing background")
    assert ("Standing background, unchanged this period: The Gaza war and the attacks on US forces; Iran's drone "
            "and missile attack on Israel (13–14 April 2024); The US-led coalition against the Islamic State "
            "group; The Islamic Resistance in Iraq's campaign") in context
    assert "The United States formed an international coalition in 2014" not in text


def test_pdf_without_base_url_prints_no_web_address(pdf_text: str):
    assert "Web version" not in squash(pdf_text)  # tests/test_pdfa.py builds one with a base URL


def test_pdf_never_breaks_a_name_at_its_hyphen(pdf: pypdf.PdfReader):
    for number, page in enumerate(pdf.pages, start=1):
        text = page.extract_text()
        # a line ending in a hyphenated name's first part ("al-", "Al-") means the name was split
        assert not re.search(r"\b(al|Al|ez|ad|ash)-\s*\n", text), f"page {number} breaks a name at its hyphen"
    assert "Kharab al-Jir" in "\n".join(page.extract_text() for page in pdf.pages)


def test_pdf_names_actors_as_readers_know_them_and_spells_out_abbreviations(pdf_text: str):
    """ACLED's actor names stay in the attached CSV; the brief's sentences use the common names (issue 12)."""
    text = squash(pdf_text)
    assert "Military Forces of" not in text and "Unidentified Armed Group" not in text
    assert "US forces (CENTCOM) denied involvement" in text
    # in the table of incidents, each claim with its own note and grade
    assert re.search(r"Denied by US forces ?5 ?B2; No comment from Israeli army ?6 ?B2", text), text
    assert "Iraqi security forces attributed it to “outlaw elements”" in text  # the statement's words
    # the first AFP of the brief is written out, later ones are not
    assert text.count("Agence France-Presse (AFP)") == 1
    assert text.index("Agence France-Presse (AFP)") < text.index("AFP later described")


def test_pdf_table_spanning_pages_gives_its_total_once_after_the_last_row(content_copy: Path, tmp_path: Path):
    """A total repeated at the foot of each page would read as the total of that page's rows."""
    kalsu = (content_copy / "incidents" / "2024-04-20-kalsu-base-explosion.yaml").read_text(encoding="utf-8")
    for n in range(1, 25):  # 24 more blasts with one dead and eight wounded each, 16-19 April
        day = 16 + n % 4
        text = kalsu.replace("id: 2024-04-20-kalsu-base-explosion", f"id: 2024-04-{day}-blast-{n}")
        text = text.replace("date: 2024-04-20", f"date: 2024-04-{day}")
        text = text.replace("title: Unexplained explosion at Kalsu", f"title: Blast number {n} at Kalsu")
        (content_copy / "incidents" / f"2024-04-{day}-blast-{n}.yaml").write_text(text, encoding="utf-8")
    assert main(["build", "--content", str(content_copy), "--output", str(tmp_path / "out"), "--no-search",
                 "--jobs", "1"]) == 0
    reader = pypdf.PdfReader(tmp_path / "out" / "briefs" / f"{BRIEF}.pdf")
    pages = [squash(page.extract_text()) for page in reader.pages]
    table = [n for n, text in enumerate(pages) if "INCIDENTS IN THE PERIOD" in text or "Date, local" in text]
    assert len(table) >= 2, "the table must span pages for this test to mean anything"
    totals = [n for n, text in enumerate(pages) if "Total (26 incidents)" in text]
    # 25 Kalsu-like blasts of 1 killed, 8 wounded, and Kharab al-Jir with no figures
    assert totals == [table[-1]] and "Total (26 incidents) at least 25 at least 200" in pages[totals[0]]
