"""Nothing lost: a build never touches content/, and output/ is the old build or the new one, never a mix.

A build is stopped at every stage it can fail in (bad content, a broken theme template, a PDF
that cannot render), killed with SIGKILL at each of its stages, and interrupted with Ctrl-C; each
time output/ must be byte for byte a complete build, and no stage folder may be left behind.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sitrep.write import MARKER, Stage
from tests.snapshots import build, copy_build, leftovers, start_build, tree_digest

ROOT = Path(__file__).resolve().parent.parent
KHARAB = "2024-04-21-kharab-al-jir-rockets"
#: SIGKILL runs at moments drawn at random, after one at each stage of the build; raise it to hunt a
#: rare race: SITREP_KILL_RUNS=300 pytest tests/test_atomic.py -k sigkill
KILL_RUNS = int(os.environ.get("SITREP_KILL_RUNS", "0"))


def changed_content(content: Path) -> Path:
    """Change content so that a new build differs from the old one on every page, and adds pages."""
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("title: Iraq–Syria Security Monitor",
                                                             "title: Iraq–Syria Security Monitor (revised)"),
                    encoding="utf-8")
    source = (content / "incidents" / f"{KHARAB}.yaml").read_text(encoding="utf-8")
    copy = source.replace(f"id: {KHARAB}", "id: 2024-04-21-kharab-al-jir-second-salvo").replace(
        "title: Rockets fired", "title: A second salvo of rockets fired", 1)
    (content / "incidents" / "2024-04-21-kharab-al-jir-second-salvo.yaml").write_text(copy, encoding="utf-8")
    return content


def copy_content(source: Path, target: Path) -> Path:
    """Return a copy of a content tree."""
    shutil.copytree(source, target)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """Return (content, output, output digest) of one complete build of the default content."""
    base = tmp_path_factory.mktemp("built")
    content = copy_content(ROOT / "content", base / "content")
    output = base / "site" / "output"
    run = build(content, output)
    assert run.status == 0, run.err
    return content, output, tree_digest(output)


# --- The build never writes into content/ ------------------------------------------------------

def test_build_never_writes_into_content(content_copy: Path, tmp_path: Path) -> None:
    before = tree_digest(content_copy)
    output = tmp_path / "output"
    run = build(content_copy, output, "--jobs", "1")
    assert run.status == 0, run.err
    run = build(content_copy, output)  # again: the incremental path reads the previous build too
    assert run.status == 0, run.err
    assert tree_digest(content_copy) == before
    assert not list(content_copy.rglob(".sitrep*")), "caches and stages belong beside the output"


def test_output_inside_content_is_refused(content_copy: Path) -> None:
    before = tree_digest(content_copy)
    run = build(content_copy, content_copy / "output")
    assert run.status == 2
    assert "output folder must be outside the content folder" in run.err
    assert tree_digest(content_copy) == before


# --- Two clean builds are the same bytes ---------------------------------------------------------

def test_two_clean_builds_are_byte_identical(built: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    content, _, first = built
    # A separate process, so that a different hash seed would show up as a different order.
    second = tmp_path / "elsewhere" / "output"
    process = start_build(content, second)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert tree_digest(second) == first
    assert any(name.endswith(".pdf") for name in first)


def test_rebuild_reusing_the_previous_build_is_byte_identical(built: tuple[Path, Path, dict[str, str]],
                                                               tmp_path: Path) -> None:
    content, built_output, first = built
    output = copy_build(built_output, tmp_path / "output")
    assert tree_digest(output) == first
    run = build(content, output)
    assert run.status == 0, run.err
    assert tree_digest(output) == first


# --- A build that fails at any stage leaves output/ as it was ------------------------------------

def theme_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """Return a theme folder holding the given template-relative files."""
    theme = tmp_path / "theme"
    for relative, text in files.items():
        path = theme / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return theme


FAILURES = {
    "validation_error": ({"incidents/broken.yaml": "id: broken\ntitle: [unclosed\n"}, {},
                         r"content/incidents/broken\.yaml:\d+:\d+: "),
    "template_error": ({}, {"site/index.html": "{% extends 'site/base.html' %}{% block main %}"
                           "{{ no_such_name }}{% endblock %}"}, "'no_such_name' is undefined"),
    "template_syntax_error": ({}, {"brief/macros.html": "{% macro link(path, text) %}{% if %}{% endmacro %}"},
                              "Expected an expression"),
    "pdf_render_error": ({}, {"static/css/pdf.css": '@import url("file:///etc/passwd");\n'},
                         "refused to fetch 'file:///etc/passwd'"),
    "pdf_missing_font": ({}, {"static/css/pdf.css": '@font-face { font-family: Lost; src: url(../fonts/lost.ttf); }\n'
                                                    "body { font-family: Lost; }\n"}, "lost.ttf"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failed_build_leaves_output_byte_identical(case: str, built: tuple[Path, Path, dict[str, str]],
                                                   tmp_path: Path) -> None:
    content_files, theme_files, message = FAILURES[case]
    default_content, output, before = built
    content = changed_content(copy_content(default_content, tmp_path / "content"))
    for relative, text in content_files.items():
        (content / relative).write_text(text, encoding="utf-8")
    content_before = tree_digest(content)
    extra = ["--theme", str(theme_with(tmp_path, theme_files))] if theme_files else []
    run = build(content, output, *extra)
    assert run.status == 1, run.err
    assert re.search(message, run.err), run.err
    assert "Traceback" not in run.err
    assert tree_digest(output) == before
    assert leftovers(output) == []
    assert tree_digest(content) == content_before


# --- The stage folder ------------------------------------------------------------------------------

def dead_pid() -> int:
    """Return the pid of a process that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stage_never_changes_the_linked_files_of_the_live_output(built: tuple[Path, Path, dict[str, str]]) -> None:
    _, output, before = built
    stage = Stage(output).open(reuse=True)
    try:
        for path in sorted(stage.path.rglob("*")):
            if path.is_file():
                stage.write(path.relative_to(stage.path).as_posix(), b"rewritten by the next build")
        assert stage.written > 10
        assert tree_digest(output) == before
    finally:
        stage.discard()
    assert leftovers(output) == []


def test_stage_left_by_a_killed_build_is_removed(built: tuple[Path, Path, dict[str, str]]) -> None:
    content, output, before = built
    stale = output.parent / f".sitrep-stage-{output.name}-{dead_pid()}"
    shutil.copytree(output, stale)
    (stale / "briefs" / "half-written.pdf").write_bytes(b"%PDF-1.7 cut off")
    run = build(content, output)
    assert run.status == 0, run.err
    assert leftovers(output) == []
    assert tree_digest(output) == before


def test_stage_of_a_build_still_running_is_kept(built: tuple[Path, Path, dict[str, str]]) -> None:
    content, output, _ = built
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = output.parent / f".sitrep-stage-{output.name}-{other.pid}"
        running.mkdir()
        assert build(content, output).status == 0
        assert running.is_dir()
    finally:
        other.kill()
        other.wait()
        shutil.rmtree(running, ignore_errors=True)


def test_swap_interrupted_half_way_puts_the_old_build_back(built: tuple[Path, Path, dict[str, str]],
                                                           tmp_path: Path) -> None:
    _, output, before = built
    # What the non-atomic fallback leaves if killed between its renames: no output, the old build aside.
    work = tmp_path / "output"
    aside = tmp_path / f".sitrep-stage-output-{dead_pid()}-old"
    shutil.copytree(output, aside)
    Stage(work).open(reuse=True).discard()
    assert tree_digest(work) == before
    assert leftovers(work) == []


def test_folder_not_made_by_sitrep_is_never_replaced(content_copy: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.txt").write_text("years of work")
    run = build(content_copy, home)
    assert run.status == 2
    assert "was not made by sitrep" in run.err
    assert (home / "thesis.txt").read_text() == "years of work"
    assert not (home / MARKER).exists()


# --- SIGKILL and Ctrl-C at each stage -------------------------------------------------------------

def timed_build(content: Path, output: Path) -> float:
    """Build in a separate process as a user would; return its wall time in seconds."""
    started = time.perf_counter()
    process = start_build(content, output)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def two_builds(built: tuple[Path, Path, dict[str, str]],
               tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[Path, dict[str, str]], float]:
    """Return the complete builds of the default content and of a changed copy, and a build's wall time."""
    old, _, old_digest = built
    base = tmp_path_factory.mktemp("two-builds")
    new = changed_content(copy_content(old, base / "new-content"))
    seconds = timed_build(new, base / "reference")
    digests = {old: old_digest, new: tree_digest(base / "reference")}
    assert digests[old] != digests[new]
    return digests, seconds


def wait_for_stage(process: subprocess.Popen[str], output: Path, seconds: float) -> bool:
    """Wait until the build has created its stage folder; return False if it ended or took too long first."""
    stage = output.parent / f".sitrep-stage-{output.name}-{process.pid}"
    deadline = time.monotonic() + seconds
    while not stage.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def build_state(digest: dict[str, str], digests: dict[Path, dict[str, str]]) -> Path | None:
    """Return the content whose complete build the digest is, or None for a mix."""
    return next((content for content, complete in digests.items() if complete == digest), None)


def output_swapped(output: Path, before: int, process: subprocess.Popen[str]) -> bool:
    """Wait until output/ is another folder than before (the swap); False if the build ended first."""
    while process.poll() is None:
        with contextlib.suppress(FileNotFoundError):
            if output.stat().st_ino != before:
                return True
    return False


def reach(moment: str, process: subprocess.Popen[str], output: Path) -> bool:
    """Wait until a build reaches a moment (see KILL_MOMENTS); return False if it ended or never got there."""
    if moment == "start-up":
        return True
    if moment == "stage linked":
        return wait_for_stage(process, output, 120)
    inode = output.stat().st_ino
    assert process.stderr is not None
    for line in process.stderr:  # the build's steps, printed as each is reached
        if KILL_MOMENTS[moment].search(line):
            return moment != "swapped, state not yet saved" or output_swapped(output, inode, process)
    return False


#: Where the build is when it is killed: before Python has even loaded sitrep; while the stage is
#: being linked from the old output; rendering pages; rendering PDFs in workers; pruning and swapping;
#: and just after the swap, before the build's state is saved.
KILL_MOMENTS = {
    "start-up": re.compile(""),
    "stage linked": re.compile(""),
    "rendering pages": re.compile(r"\bloaded \d+ incidents"),
    "rendering PDFs": re.compile(r"\brendered \d+ of \d+ pages"),
    "pruning and swapping": re.compile(r"\brendered \d+ PDF\(s\)"),
    "swapped, state not yet saved": re.compile(r"\brendered \d+ PDF\(s\)"),
}


def kill_at(moment: str | float, target: Path, output: Path,
            groups: list[int]) -> tuple[bool, int | None, bool, str]:
    """Build target into output and SIGKILL the build at a moment, or after so many seconds.

    Return whether the build was still running there, its exit status, whether it had swapped its
    new output in, and what it printed last.
    """
    inode = output.stat().st_ino
    process = start_build(target, output, steps=True)
    groups.append(process.pid)
    if isinstance(moment, float):
        time.sleep(moment)
        reached = process.poll() is None
    else:
        reached = reach(moment, process, output)
    process.kill()  # the build's own process only, as the out-of-memory killer does
    process.wait()  # not communicate(): workers that lived on would hold its pipes open for ever
    gone = workers_gone(process.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    _, err = process.communicate()
    assert gone, f"workers of a build killed at {moment} lived on"
    return reached, process.returncode, output.stat().st_ino != inode, err


#: Moments far enough from the swap that the kill always lands before it, however loaded the machine.
BEFORE_THE_SWAP = ("start-up", "stage linked", "rendering pages")


def alive_in_group(group: int) -> list[int]:
    """Return the processes of a process group still running (a zombie left for init has ended)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, pgrp
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            alive.append(int(stat.parent.name))
    return alive


def workers_gone(group: int, seconds: float = 5.0) -> bool:
    """Wait a few seconds for every process of a killed build's group to end; return whether they did."""
    deadline = time.monotonic() + seconds
    while alive_in_group(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads processes from /proc")
def test_workers_end_with_a_build_killed_by_sigkill(tmp_path: Path) -> None:
    process = start_build(ROOT / "content", tmp_path / "output", "--jobs", "2")
    try:
        deadline = time.monotonic() + 120
        while len(alive_in_group(process.pid)) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = set(alive_in_group(process.pid)) - {process.pid}
        assert workers, "the build ended before it started its workers"
        process.kill()  # as the out-of-memory killer does: the workers are not told
        process.wait()  # not communicate(): workers that lived on would hold its pipes open for ever
        assert workers_gone(process.pid), f"workers {alive_in_group(process.pid)} outlived the build"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def pagefind_running(group: int) -> list[int]:
    """Return the processes of a build's group that are running the search indexer."""
    found = []
    for pid in alive_in_group(group):
        with contextlib.suppress(OSError):
            if b"--output-path" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads processes from /proc")
def test_search_indexer_ends_with_a_build_killed_by_sigkill(tmp_path: Path) -> None:
    from bench.generate import generate

    content = tmp_path / "content"
    generate(content, 100)  # about 250 pages: Pagefind needs a second for them, a window polled every 5 ms
    settings = content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_figures: false\n", encoding="utf-8")
    command = [sys.executable, str(ROOT / "build.py"), "build", "--content", str(content), "--output",
               str(tmp_path / "output"), "--no-pdf", "-q", "--jobs", "1"]
    for _attempt in range(3):
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        try:
            while not pagefind_running(process.pid) and process.poll() is None:
                time.sleep(0.005)
            indexers = pagefind_running(process.pid)
            if not indexers:
                continue  # the build ended first
            process.kill()  # the build's own process only, as the out-of-memory killer does
            process.wait()
            # at once: left running, Pagefind would go on writing into the stage for seconds
            assert workers_gone(process.pid, seconds=0.5), f"the search indexer {indexers} outlived the build"
            return
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    pytest.fail("the build never ran Pagefind long enough to be caught at work")


@pytest.mark.slow
def test_sigkill_at_each_stage_leaves_the_old_or_the_new_build(
        built: tuple[Path, Path, dict[str, str]], two_builds: tuple[dict[Path, dict[str, str]], float],
        tmp_path: Path) -> None:
    digests, seconds = two_builds
    old, new = digests
    output = copy_build(built[1], tmp_path / "output")
    assert build(old, output).status == 0  # nothing changed since the copied build: it is kept
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    # SITREP_KILL_RUNS more kills at random times, to hunt a race between the moments aimed at
    moments: list[str | float] = [*KILL_MOMENTS, *(rng.uniform(0, 1.05) * seconds for _ in range(KILL_RUNS))]
    groups: list[int] = []
    try:
        for run, moment in enumerate(moments):
            before = build_state(tree_digest(output), digests)
            target = new if before == old else old
            reached, status, swapped, err = kill_at(moment, target, output, groups)
            after = build_state(tree_digest(output), digests)
            where = f"killed at {moment} (run {run}, seed {seed})"
            assert after is not None, f"{where}: output/ is a mix of two builds"
            # the new build once swapped in, the old one untouched until then
            assert after == (target if swapped else before), f"{where}: output/ is the wrong build"
            if isinstance(moment, float):
                continue
            assert reached, f"the build ended before {moment}: {status} {err}"
            if moment in BEFORE_THE_SWAP:
                assert status == -signal.SIGKILL and not swapped, f"{where}: the kill came too late"
            if moment == "swapped, state not yet saved":
                assert swapped
        final = start_build(new, output)
        _, err = final.communicate(timeout=120)
        assert final.returncode == 0, err
    finally:
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
    assert build_state(tree_digest(output), digests) == new
    assert leftovers(output) == []


#: Where the build is when Ctrl-C is pressed (see KILL_MOMENTS): just loaded, about to render pages; the
#: stage linked from the old output; rendering PDFs in workers; and pruning and swapping.
CTRL_C_MOMENTS = ("rendering pages", "stage linked", "rendering PDFs", "pruning and swapping")


@pytest.mark.slow
def test_ctrl_c_cleans_up_and_exits_130(built: tuple[Path, Path, dict[str, str]],
                                        two_builds: tuple[dict[Path, dict[str, str]], float],
                                        tmp_path: Path) -> None:
    digests, _ = two_builds
    old, new = digests
    output = copy_build(built[1], tmp_path / "output")
    assert build(old, output).status == 0  # nothing changed since the copied build: it is kept
    interrupted_with_stage = 0
    for moment in CTRL_C_MOMENTS:
        before = build_state(tree_digest(output), digests)
        target = new if before == old else old
        process = start_build(target, output, steps=True)
        try:
            reached = reach(moment, process, output)
            staged = any(p.name.startswith(".sitrep-stage-") for p in output.parent.iterdir())
            os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole foreground group
            _, err = process.communicate(timeout=120)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        assert reached, f"the build ended before {moment}: {process.returncode} {err}"
        assert "Traceback" not in err
        # -2: the signal landed as the interpreter shut down, after the build; a shell shows 130 for both
        assert process.returncode in (130, -signal.SIGINT, 0), err
        if moment in BEFORE_THE_SWAP:
            assert process.returncode == 130, f"Ctrl-C at {moment} came too late: {err}"
        if process.returncode == 130:
            assert "interrupted" in err
            interrupted_with_stage += staged
        assert leftovers(output) == [], f"Ctrl-C at {moment} left a stage folder"
        assert build_state(tree_digest(output), digests) in (before, target)
    assert interrupted_with_stage >= 2


def test_ctrl_c_as_the_stage_is_being_linked_leaves_no_stage(built: tuple[Path, Path, dict[str, str]],
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage is linked in a thread while the build reads the last build's table rows: Ctrl-C there too."""
    from sitrep.render import rows

    content, built_output, before = built
    output = copy_build(built_output, tmp_path / "output")
    changed = changed_content(copy_content(content, tmp_path / "content"))

    def pressed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rows, "keep_in", pressed)
    run = build(changed, output)
    assert run.status == 130 and "interrupted" in run.err, run.err
    for thread in threading.enumerate():  # a stage still being linked would appear only once this ends
        if thread.name == "sitrep-stage":
            thread.join()
    assert leftovers(output) == []
    assert tree_digest(output) == before


def test_ctrl_c_inside_the_linking_threads_start_leaves_no_stage(built: tuple[Path, Path, dict[str, str]],
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C can land in Thread.start() after the thread began linking, before start() returns.

    The build must still wait for the thread: a process exiting while its linking thread runs kills
    the thread half-way, and the stage it was making is left behind.
    """
    content, built_output, before = built
    output = copy_build(built_output, tmp_path / "output")
    changed = changed_content(copy_content(content, tmp_path / "content"))
    start, link = threading.Thread.start, os.link
    linking = threading.Event()
    gated: list[str] = []  # only the first file waits

    def pressed_as_it_starts(thread: threading.Thread) -> None:
        start(thread)
        if thread.name == "sitrep-stage":
            linking.wait(10)
            threading.Timer(0.3, linking.clear).start()  # the thread links on 0.3 s after Ctrl-C
            raise KeyboardInterrupt

    def slow_link(source: str, target: str, **kwargs: object) -> None:
        if threading.current_thread().name == "sitrep-stage" and not gated:
            gated.append(target)
            linking.set()
            while linking.is_set():
                time.sleep(0.01)
        link(source, target, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(threading.Thread, "start", pressed_as_it_starts)
    monkeypatch.setattr(os, "link", slow_link)
    run = build(changed, output)
    assert run.status == 130 and "interrupted" in run.err, run.err
    running = [thread for thread in threading.enumerate() if thread.name == "sitrep-stage" and thread.is_alive()]
    assert running == [], "the build ended while its stage was still being linked"
    assert leftovers(output) == []
    assert tree_digest(output) == before


def test_stage_work_cancelled_before_its_thread_runs_never_runs() -> None:
    """Ctrl-C before Thread.start() created the thread: discard() must neither wait for ever nor race it."""
    from sitrep.write import _Background

    ran: list[bool] = []
    work = _Background(lambda: ran.append(True))
    work.cancel()  # returns at once: the work has not begun
    work.start()  # a thread that does begin afterwards finds it cancelled
    work.thread.join()
    assert ran == []


def test_ctrl_c_while_an_svg_is_drawn_is_an_interruption_not_a_bad_brief(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    """WeasyPrint catches every exception while drawing an SVG, KeyboardInterrupt included."""
    import weasyprint.svg

    from sitrep.render.env import DEFAULT_TEMPLATES
    from sitrep.render.pdf import write_pdf

    draw = weasyprint.svg.SVG.draw

    def pressed_while_drawing(self: object, *args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signal.SIGINT)
        return draw(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.svg.SVG, "draw", pressed_while_drawing)
    html = ('<html lang="en"><head><title>Map</title></head><body><svg xmlns="http://www.w3.org/2000/svg" '
            'width="10" height="10"><rect width="5" height="5"/></svg></body></html>')
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in the command line
    try:
        with pytest.raises(KeyboardInterrupt):
            write_pdf(html, tmp_path / "brief.pdf", static_dirs=[DEFAULT_TEMPLATES], content_dir=None,
                      name="brief.pdf")
    finally:
        signal.signal(signal.SIGINT, previous)


def slow_or_broken_pdf(html: str, target: str, statics: list[str], content: str, name: str) -> None:
    """Stand in for rendering a PDF: fail at once for the broken brief, take 1.5 s for the others."""
    if name == "broken":
        raise RuntimeError("broken brief")
    Path(f"{target}.started").touch()
    time.sleep(1.5)
    Path(f"{target}.done").touch()


def test_a_failed_pdf_stops_the_briefs_not_yet_started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ctrl-C or one broken brief must not wait for every other PDF of a large site to render first,
    and must not return while a brief already started could still write into the stage."""
    from sitrep import pipeline

    monkeypatch.setattr(pipeline, "_pdf_job", slow_or_broken_pdf)
    jobs = [("", str(tmp_path / "broken"), [], "", "broken")]
    jobs += [("", str(tmp_path / f"brief-{n}"), [], "", f"brief-{n}") for n in range(8)]
    with pytest.raises(RuntimeError, match="broken brief"):
        pipeline._run_pdf_jobs(jobs, 2)
    started = {p.name.removesuffix(".started") for p in tmp_path.glob("*.started")}
    done = {p.name.removesuffix(".done") for p in tmp_path.glob("*.done")}
    assert len(started) < 8  # the briefs not yet started when the broken one failed were dropped
    assert started == done  # and those already running had finished


class _FinalisedOnCtrlC:
    """An object whose finaliser is interrupted by Ctrl-C, as a process pool's weak reference can be."""

    def __del__(self) -> None:
        raise KeyboardInterrupt


def test_a_ctrl_c_landing_in_a_finaliser_is_noticed_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from sitrep.cli import ctrl_c_never_swallowed

    with ctrl_c_never_swallowed() as pressed:
        _FinalisedOnCtrlC()  # Python cannot raise from a finaliser: it would print the error and go on
    assert pressed == [True]
    assert "Exception ignored" not in capsys.readouterr().err
