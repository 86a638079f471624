"""docs/template-guide.md says what the templates really receive, and its theme example works."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from sitrep.cli import main
from sitrep.pipeline import Analyses
from sitrep.render.pages import site_pages
from sitrep.validate import load_project

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "template-guide.md").read_text(encoding="utf-8")
COMMON = {"site", "project", "root", "page_path", "section"}


def guide_rows() -> dict[str, str]:
    """Return the row of section 6's table for each template it names."""
    table = GUIDE.split("## 6.")[1].split("## 7.")[0]
    rows = {}
    for line in table.splitlines():
        cells = line.split(" | ")
        for name in re.findall(r"`((?:site|pdf)/[\w./-]+)`", cells[0]):
            rows[name] = line
    return rows


def test_every_template_is_in_the_guide():
    templates = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*")
                 if p.is_file() and p.parts[len(ROOT.parts) + 1] != "static"}
    missing = [name for name in sorted(templates) if f"`{name}`" not in GUIDE]
    assert missing == [], f"add these templates to docs/template-guide.md: {missing}"


def test_every_name_a_page_receives_is_in_its_row():
    project, problems = load_project(ROOT / "content")
    assert project is not None, problems
    rows = guide_rows()
    seen: dict[str, set[str]] = {}
    for page in site_pages(project, Analyses(project)):
        if page.template not in seen:
            seen[page.template] = set(page.names())
    undocumented = {template: sorted(name for name in names - COMMON if f"`{name}`" not in rows.get(template, ""))
                    for template, names in seen.items()}
    assert {t: n for t, n in undocumented.items() if n} == {}


@pytest.mark.parametrize("template", ["site/brief.html", "pdf/brief.html"])
def test_brief_names_are_documented(template: str):
    row = guide_rows()[template]
    for name in ("brief", "analysis", "notes", "tlp", "producer", "medium", "pdf_path", "context_notes",
                 "trend_rule", "sections", "visuals", "actors_named"):
        assert f"`{name}`" in row


def test_the_guide_s_theme_replaces_one_stylesheet_and_one_template(content_copy: Path, tmp_path: Path):
    theme = tmp_path / "mytheme"
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "site").mkdir()
    css = (ROOT / "templates" / "static" / "css" / "site.css").read_text()
    (theme / "static" / "css" / "site.css").write_text(css.replace("--accent: #0b3d62", "--accent: #5b1a3a"))
    home = (ROOT / "templates" / "site" / "index.html").read_text()
    (theme / "site" / "index.html").write_text(home.replace("{% block main %}",
                                                            "{% block main %}<p class=lede>Our own words.</p>", 1))
    output = tmp_path / "out"
    err = io.StringIO()
    code = main(["--content", str(content_copy), "--output", str(output), "--theme", str(theme), "--no-pdf",
                 "--no-search", "-q"], err=err)
    assert code == 0, err.getvalue()
    assert "--accent: #5b1a3a" in (output / "assets" / "css" / "site.css").read_text()
    assert (output / "assets" / "css" / "brief.css").read_text() == \
        (ROOT / "templates" / "static" / "css" / "brief.css").read_text()  # the rest: the defaults
    assert "<p class=lede>Our own words.</p>" in (output / "index.html").read_text()
    assert "Our own words" not in (output / "incidents" / "index.html").read_text()
