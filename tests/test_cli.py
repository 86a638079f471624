"""The command line as a user sees it: summaries, errors grouped by file with the bad spot marked, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from sitrep import __version__, cli, invocation, pipeline
from sitrep.cli import main
from sitrep.console import make_console, print_problems, problem_report, token_length
from sitrep.errors import Problem
from sitrep.render.exports import ACLED_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
KHARAB = "2024-04-21-kharab-al-jir-rockets"
KALSU = "2024-04-20-kalsu-base-explosion"
ANSI = re.compile(r"\x1b\[")


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(argv: list[str], err: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), err if err is not None else io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


# --- Summaries ------------------------------------------------------------------------------

def test_build_ends_with_a_plain_summary_when_not_on_a_terminal(content_copy: Path, tmp_path: Path):
    code, out, err = run(["--content", str(content_copy), "--output", str(tmp_path / "out"), "--no-pdf",
                          "--no-search"])
    assert code == 0
    assert re.fullmatch(r"built \d+ pages, 0 PDFs rendered, 0 reused; \d+ files written, 0 unchanged, 0 removed "
                        rf"in \d+\.\d s → {re.escape(str(tmp_path / 'out'))}\n", out), out
    assert not ANSI.search(out + err)


def test_quiet_prints_errors_but_not_warnings(content_copy: Path):
    brief = content_copy / "briefs" / "2024-04-22.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("summary: |\n", "summary: |\n  It is likely, with high confidence, that "
                                  "the attacks go on.\n", 1), encoding="utf-8")
    code, out, err = run(["check", "--content", str(content_copy)])
    assert code == 0 and "warning: a likelihood term and a confidence level in the same sentence" in err
    assert run(["check", "--content", str(content_copy), "-q"]) == (0, "", "")
    brief.write_text(text.replace("summary: |\n", "summary: 12\nsummary2: |\n", 1), encoding="utf-8")
    code, out, err = run(["-q", "check", "--content", str(content_copy)])
    assert code != 0 and out == "" and "2024-04-22.yaml:" in err


def test_quiet_prints_nothing_and_verbose_prints_each_step(content_copy: Path, tmp_path: Path):
    argv = ["build", "--content", str(content_copy), "--no-pdf", "--no-search"]
    assert run([*argv, "--output", str(tmp_path / "quiet"), "--quiet"]) == (0, "", "")
    code, out, err = run([*argv, "--output", str(tmp_path / "verbose"), "--verbose"])
    assert code == 0 and out.startswith("built ")
    assert re.search(r"^\s+\d+\.\d\d s  loaded 3 incidents, 2 briefs\b", err, re.MULTILINE), err
    assert re.search(r"^\s+\d+\.\d\d s  rendered \d+ (of \d+ )?pages$", err, re.MULTILINE), err
    code, out, err = run([*argv, "--output", str(tmp_path / "verbose"), "--verbose"])  # again: nothing to do
    assert code == 0 and "nothing changed since the last build" in err
    assert re.fullmatch(r"up to date: nothing changed since the last build \(\d+ pages\) → .*verbose\n", out), out


@pytest.mark.slow
def test_the_summary_says_what_was_rebuilt(content_copy: Path, tmp_path: Path):
    argv = ["--content", str(content_copy), "--output", str(tmp_path / "out"), "--no-search"]
    assert run(argv)[0] == 0
    incident = content_copy / "incidents" / f"{KALSU}.yaml"
    incident.write_text(incident.read_text().replace("killed: 1", "killed: 2"))
    code, out, _ = run(argv)
    assert code == 0
    assert re.match(r"built (\d+) pages \((\d+) rendered again\), 1 PDF rendered, 1 reused; ", out), out


def test_a_brief_marked_for_fewer_readers_than_the_website_is_not_published(content_copy: Path, tmp_path: Path):
    output = tmp_path / "site"
    assert run(["build", "--content", str(content_copy), "--output", str(output), "--no-pdf", "--no-search"])[0] == 0
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    brief = content_copy / "briefs" / "2024-04-22.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("tlp: TLP:CLEAR", "tlp: TLP:AMBER"), encoding="utf-8")
    # the build read every other file from its cache: the error is placed all the same, and nothing is published
    code, _, err = run(["build", "--content", str(content_copy), "--output", str(output), "--no-pdf", "--no-search"])
    assert code == 1
    assert "briefs/2024-04-22.yaml:12:6: this brief is TLP:AMBER but the website is TLP:CLEAR (site.yaml)" in err
    assert "      12 │ tlp: TLP:AMBER" in err
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
    assert run(["check", "--content", str(content_copy)])[0] == 1
    # a website for that audience publishes it; a brief marked for more readers than its website is fine too
    site = content_copy / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("tlp: TLP:CLEAR", "tlp: TLP:AMBER"), encoding="utf-8")
    assert run(["build", "--content", str(content_copy), "--output", str(output), "--no-pdf", "--no-search"])[0] == 0
    page = (output / "briefs" / "brief-2024-04-22.html").read_text(encoding="utf-8")
    assert "TLP:AMBER" in page and "TLP:CLEAR" not in page
    assert "TLP:CLEAR" in (output / "briefs" / "brief-2024-04-15.html").read_text(encoding="utf-8")


def test_check_says_what_the_content_holds():
    code, out, err = run(["check", "--content", str(ROOT / "content")])
    assert (code, err) == (0, "")
    assert re.fullmatch(r"content OK: 3 incidents, 2 briefs, \d+ actors, \d+ locations\n", out)


# --- Errors grouped by file -----------------------------------------------------------------

def break_files(content: Path) -> tuple[int, int, int]:
    """Put two errors in one incident and one in another; return their line numbers."""
    kharab = content / "incidents" / f"{KHARAB}.yaml"
    lines = kharab.read_text().splitlines()
    event = next(i for i, line in enumerate(lines) if line.startswith("event_type:"))
    lines[event] = lines[event].replace("event_type:", "event_typ:")
    precision = next(i for i, line in enumerate(lines) if line == "  geo_precision: 1")
    lines[precision] = "  geo_precision: 7"
    kharab.write_text("\n".join(lines) + "\n")
    kalsu = content / "incidents" / f"{KALSU}.yaml"
    other = kalsu.read_text().splitlines()
    date = next(i for i, line in enumerate(other) if line.startswith("date:"))
    other[date] = "date: 2024-02-30"
    kalsu.write_text("\n".join(other) + "\n")
    return event + 1, precision + 1, date + 1


def test_errors_are_grouped_by_file_with_the_line_shown_and_the_spot_marked(content_copy: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    event, precision, date = break_files(content_copy)
    code, out, err = run(["--content", str(content_copy), "--output", str(tmp_path / "out")])
    assert (code, out) == (1, "")
    kharab, kalsu = f"content/incidents/{KHARAB}.yaml", f"content/incidents/{KALSU}.yaml"
    above = (content_copy / "incidents" / f"{KHARAB}.yaml").read_text().splitlines()[event - 2]
    assert err.count(f"\n{kharab}  (2 errors)\n") == 1 and err.count(f"\n{kalsu}  (1 error)\n") == 1
    assert err.index(kalsu) < err.index(kharab)  # files in order, each once
    assert (f"  {kharab}:{event}:1: unknown key 'event_typ'; did you mean 'event_type'?\n"
            f"    {event - 1:>4} │ {above}\n"
            f"    {event:>4} │ event_typ: Explosions/Remote violence\n"
            f"         │ ^~~~~~~~~\n") in err
    assert (f"  {kharab}:{precision}:18: location.geo_precision: '7' is not allowed; expected 1, 2 or 3\n"
            f"    {precision - 1:>4} │   location: kharab-al-jir\n"
            f"    {precision:>4} │   geo_precision: 7\n"
            f"         │                  ^\n") in err
    assert f"  {kalsu}:{date}:7: '2024-02-30' is not a real date" in err
    assert err.endswith("\n3 errors in 2 files; nothing was written, output left as it was.\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("where", "shown"), [
    ("content", "incidents/{name}"),  # run inside the content folder: clickable from there
    ("elsewhere", "{content}/incidents/{name}"),  # outside it: the full path
])
def test_paths_in_messages_open_from_where_the_command_ran(content_copy: Path, tmp_path: Path, where: str,
                                                          shown: str, monkeypatch: pytest.MonkeyPatch):
    """Issue 11: paths were relative to the content folder's parent, so they could not be clicked."""
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / where)
    _, _, date = break_files(content_copy)
    code, _, err = run(["check", "--content", str(content_copy)])
    path = shown.format(name=f"{KALSU}.yaml", content=content_copy)
    assert code == 1 and f"\n{path}  (1 error)\n" in err
    assert f"\n  {path}:{date}:7: '2024-02-30' is not a real date" in err


def test_errors_are_coloured_on_a_terminal(content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    break_files(content_copy)
    code, _, err = run(["check", "--content", str(content_copy)], err=Terminal())
    assert code == 1
    assert ANSI.search(err) and "\x1b[1;31m^~~~~~~~~\x1b[0m" in err


def test_problems_printed_at_once_read_as_printed_one_line_at_a_time(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    """Thousands of warnings are written in one go; each line is still exactly what rich prints of it."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    content = tmp_path / "content"
    (content / "incidents").mkdir(parents=True)
    incident = content / "incidents" / "odd.yaml"
    incident.write_text("id: odd\ntitle: \"Bidi \u202e and escape \x1b[2J in a title\"\n"
                        f"summary: {'a long line ' * 30}\ncasualties: []\n", encoding="utf-8")
    problems = [Problem("content/incidents/odd.yaml", line, column, message, severity)
                for line, column, message, severity in [
                    (2, 8, "a title with control characters", "warning"),
                    (3, 300, "far along a long line", "warning"), (4, 13, "an error\r\x07", "error"),
                    (9, 1, "a line past the end of the file", "warning")]] * 3
    problems.append(Problem("content/incidents/gone.yaml", 1, 1, "a file that is not there"))
    for stream in (io.StringIO(), Terminal()):
        console = make_console(stream)
        lines = problem_report(problems, content)
        one_by_one = make_console(type(stream)())
        for line in lines:
            one_by_one.print(line)
        print_problems(console, problems, content)
        assert stream.getvalue() == one_by_one.file.getvalue()
        assert bool(ANSI.search(stream.getvalue())) == isinstance(stream, Terminal)
        text = re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue())
        assert text.count("odd.yaml:3:300: warning: far along") == 3 and "gone.yaml:1:1: a file" in text
        assert "\n       2 │ title: \"Bidi \ufffd and escape \u241b[2J in a title\"\n" in text


@pytest.mark.parametrize(("text", "start", "length"), [
    ("event_typ: Explosions/Remote violence", 0, 9),
    ("  geo_precision: 7", 17, 1),
    ('time: "21:50"  # local', 6, 7),
    ("title: Rockets fired at Kharab al-Jir  # note", 7, 30),
    ("", 0, 1),
])
def test_the_mark_spans_the_key_or_value(text: str, start: int, length: int):
    assert token_length(text, start) == length


# --- Exit codes -----------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["export", "xml"], ["new", "place", "--title", "x"], ["import", "acled"],
                                  ["import", "acled", "x.csv", "--since", "last week"], ["serve", "--port", "x"]])
def test_usage_errors_exit_2(argv: list[str]):
    code, _, err = run(argv)
    assert code == 2 and f"usage: {invocation.program()}" in err


# --- Options anywhere, help and version -----------------------------------------------------

def test_options_for_every_command_go_before_or_after_it():
    content = str(ROOT / "content")
    assert run(["-q", "check", "--content", content]) == (0, "", "")
    assert run(["check", "-q", "--content", content]) == (0, "", "")
    assert run(["--content", content, "-q", "check"]) == (0, "", "")
    code, out, _ = run(["--quiet", "export", "json", "--content", content])
    assert code == 0 and len(json.loads(out)["incidents"]) == 3


def test_verbose_alone_builds_and_prints_each_step(content_copy: Path, tmp_path: Path):
    code, out, err = run(["-v", "--content", str(content_copy), "--output", str(tmp_path / "out"), "--no-pdf",
                          "--no-search"])
    assert code == 0 and out.startswith("built ")
    assert re.search(r"^\s+\d+\.\d\d s  loaded 3 incidents, 2 briefs\b", err, re.MULTILINE), err


def test_build_options_before_the_command_reach_serve_and_are_refused_elsewhere():
    code, _, err = run(["--no-pdf", "check"])
    assert code == 2
    assert "error: --no-pdf before the command is an option of build and serve, not of check" in err
    code, _, err = run(["--output", "x.json", "export", "json"])
    assert code == 2 and "an export's --output FILE goes after the format" in err
    top = cli.parser()
    args = cli.resolve(top, top.parse_args(["--no-pdf", "--jobs", "3", "--content", "c", "serve", "-v"]))
    assert (args.command, args.pdf, args.jobs, args.content, args.verbose, args.quiet) == \
        ("serve", False, 3, Path("c"), True, False)


def test_help_shows_the_build_options_and_the_commands():
    code, out, err = run(["--help"])
    assert (code, err) == (0, "")
    for option in ("--content CONTENT", "--output OUTPUT", "--theme THEME", "--no-pdf", "--no-search",
                   "--jobs JOBS", "-q, --quiet", "-v, --verbose", "--version"):
        assert f"  {option}" in out, option
    for command in ("build", "check", "serve", "new", "import", "export"):
        assert re.search(rf"^    {command}\s+\S", out, re.MULTILINE), command


def test_version_prints_the_version():
    assert run(["--version"]) == (0, f"sitrep {__version__}\n", "")


# --- Commands we print work as printed ------------------------------------------------------

def test_the_command_we_print_is_make_from_the_project_folder(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    assert invocation.command("check") == "make check"
    assert invocation.command("serve", content=ROOT / "content") == "make serve"
    # as a user types it: not inside `make test`, whose MAKEFLAGS would add "Entering directory" lines
    alone = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry = subprocess.run(["make", "-n", "check"], cwd=ROOT, capture_output=True, text=True, timeout=60, env=alone)
    assert dry.returncode == 0 and dry.stdout.splitlines()[-1] == ".venv/bin/python build.py check", dry.stdout


def test_elsewhere_the_command_we_print_runs_as_printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    printed = invocation.command("check", content=ROOT / "content")
    assert "python build.py" not in printed and not printed.startswith(("python ", "python3 "))
    done = subprocess.run(printed, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("content OK: 3 incidents"), done
    assert invocation.program().endswith("build.py") and " build.py" not in invocation.program().split()[0]


def test_interrupt_exits_130_and_leaves_output(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "build", interrupted)
    code, _, err = run(["build", "--output", str(tmp_path / "out")])
    assert code == 130 and err == "interrupted: output left as it was\n"


def test_a_bug_exits_70_with_a_log_and_no_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "build", broken)
    code, _, err = run(["build", "--output", str(tmp_path / "out")])
    assert code == 70 and "Traceback" not in err
    log = Path(re.search(r"details are in (\S+);", err).group(1))
    assert "RuntimeError: boom" in log.read_text()


def test_a_broken_theme_template_is_an_error_naming_it(content_copy: Path, tmp_path: Path):
    theme = tmp_path / "theme" / "site"
    theme.mkdir(parents=True)
    (theme / "index.html").write_text("{% extends 'site/base.html' %}{% block main %}{{ no_such_name }}"
                                      "{% endblock %}")
    code, _, err = run(["--content", str(content_copy), "--output", str(tmp_path / "out"), "--no-pdf",
                        "--no-search", "--theme", str(tmp_path / "theme")])
    assert code == 1
    assert "error: template site/index.html failed for index.html: 'no_such_name' is undefined" in err


# --- Export ---------------------------------------------------------------------------------

def test_export_acled_writes_acled_columns(tmp_path: Path):
    target = tmp_path / "incidents.csv"
    code, out, err = run(["export", "acled", "--content", str(ROOT / "content"), "--output", str(target)])
    assert (code, out) == (0, "") and err == f"wrote 3 incidents as acled → {target}\n"
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == ACLED_COLUMNS and len(ACLED_COLUMNS) == 31
    assert {row["event_date"] for row in rows} == {"2024-04-21", "2024-04-20", "2024-01-28"}


def test_export_json_and_geojson_to_standard_output():
    code, out, _ = run(["export", "json", "--content", str(ROOT / "content")])
    assert code == 0 and len(json.loads(out)["incidents"]) == 3
    code, out, _ = run(["export", "geojson", "--content", str(ROOT / "content")])
    collection = json.loads(out)
    assert code == 0 and collection["type"] == "FeatureCollection"
    kharab = next(f for f in collection["features"] if f["id"] == KHARAB)
    assert kharab["geometry"] == {"type": "Point", "coordinates": [42.04, 36.87]}


def test_export_refuses_broken_content(content_copy: Path, tmp_path: Path):
    break_files(content_copy)
    code, out, err = run(["export", "json", "--content", str(content_copy), "--output", str(tmp_path / "x.json")])
    assert (code, out) == (1, "") and "3 errors in 2 files" in err
    assert not (tmp_path / "x.json").exists()


def test_the_schema_command_we_print_runs_as_printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(ROOT)
    expected = f"{invocation._interpreter()} -m sitrep.schema --check"
    assert invocation.module("sitrep.schema", "--check") == expected
    monkeypatch.chdir(tmp_path)
    printed = invocation.module("sitrep.schema", "--check")
    assert printed.startswith("cd ") and " -m sitrep.schema --check" in printed
    done = subprocess.run(printed, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
