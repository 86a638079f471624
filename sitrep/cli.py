"""The command line: parse arguments, run a command, report, and return an exit status.

Exit status: 0 success, 1 content or template errors, 2 usage errors, 70 a bug in sitrep
(with the detail in a log file), 74 the machine refused a write (a full disk, a read-only folder, no
permission), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.text import Text

from . import __version__, invocation
from .console import Reporter, plural, write_crash_log
from .errors import EXIT_SYSTEM, ContentErrors, SitrepError, UsageError, describe_refusal, system_refusal

if TYPE_CHECKING:
    from .pipeline import BuildOptions, BuildReport

EXIT_BUG = 70  # EX_SOFTWARE from sysexits.h
PROJECT_ROOT = invocation.PROJECT_ROOT
EXPORT_FORMATS = ("acled", "json", "geojson", "stix")


# --- Arguments ------------------------------------------------------------------------------

def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser: the build's options, then a command with its own.

    The kinds `new` makes and their questions come with the content model, a third of a second to
    import: they are added only when argv names that command (always when argv is not given), so that
    a check of unchanged content answers without the model.
    """
    top = argparse.ArgumentParser(
        prog=invocation.program(), description="Build situation briefs (HTML and PDF) and a static "
        "website from incident data written as YAML. Without a command, build.",
        epilog="Options for every command go before or after it: -q check and check -q are the same.")
    top.add_argument("--version", action="version", version=f"sitrep {__version__}")
    _add_common(top)
    _add_build_options(top.add_argument_group("build options (also for serve)"))
    commands = top.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    build = commands.add_parser("build", help="build the briefs, PDFs and site (the default)")
    _add_common(build)
    _add_build_options(build)
    _add_check(commands.add_parser("check", help="validate content without writing anything"))
    _add_serve(commands.add_parser("serve", help="preview the site: rebuild on every change and reload "
                                   "the browser"))
    _add_new(commands.add_parser("new", help="start a new incident, brief, actor, location, source or document file"),
             with_kinds=argv is None or "new" in argv)
    _add_import(commands.add_parser("import", help="turn an ACLED export into incidents, actors and "
                                    "locations"))
    _add_export(commands.add_parser("export", help="write the incidents as ACLED CSV, JSON or GeoJSON, or "
                                    "the whole content as a STIX 2.1 bundle"))
    return top


# Options every command takes, before or after its name. Their defaults are filled in after parsing:
# a command's parser left to its own default would overwrite the value given before the command.
COMMON_DEFAULTS: dict[str, Any] = {"content": PROJECT_ROOT / "content", "quiet": False, "verbose": False}
BUILD_DEFAULTS: dict[str, Any] = {"output": PROJECT_ROOT / "output", "theme": None, "pdf": True,
                                  "search": True, "jobs": None}
BUILD_FLAGS = {"output": "--output", "theme": "--theme", "pdf": "--no-pdf", "search": "--no-search",
               "jobs": "--jobs"}


def _add_common(sub: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    hidden = argparse.SUPPRESS
    sub.add_argument("--content", type=Path, default=hidden, help="content folder (default: content/)")
    sub.add_argument("-q", "--quiet", action="store_true", default=hidden, help="print only errors")
    sub.add_argument("-v", "--verbose", action="store_true", default=hidden, help="print every step")


def _add_build_options(sub: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    hidden = argparse.SUPPRESS
    sub.add_argument("--output", type=Path, default=hidden, help="output folder (default: output/)")
    sub.add_argument("--theme", type=Path, default=hidden, help="folder of templates overriding the defaults")
    sub.add_argument("--no-pdf", dest="pdf", action="store_false", default=hidden, help="skip the PDF briefs")
    sub.add_argument("--no-search", dest="search", action="store_false", default=hidden,
                     help="skip the search index")
    sub.add_argument("--jobs", type=int, default=hidden, help="processes for PDF rendering")


def _add_check(sub: argparse.ArgumentParser) -> None:
    _add_common(sub)
    sub.add_argument("--output", type=Path, default=argparse.SUPPRESS,
                     help="output folder of the build whose cache the check reads (default: output/): files "
                     "unchanged since that build are not read again")


def _add_serve(sub: argparse.ArgumentParser) -> None:
    _add_common(sub)
    _add_build_options(sub)
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this "
                     "machine only)")
    sub.add_argument("--port", type=int, default=None, help="port (default 8000, or the next free one; 0 "
                     "picks any free port)")
    sub.add_argument("--open", action="store_true", help="open the site in the web browser")


def resolve(top: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """Fill in the defaults of options given nowhere; refuse build options before another command."""
    args.command = args.command or "build"
    for name, default in COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    if args.command in ("build", "serve"):
        for name, default in BUILD_DEFAULTS.items():
            if not hasattr(args, name):
                setattr(args, name, default)
    else:
        if args.command == "check":  # the output whose build cache it reads
            args.output = getattr(args, "output", BUILD_DEFAULTS["output"])
        given = [flag for name, flag in BUILD_FLAGS.items()
                 if name in vars(args) and not (args.command == "check" and name == "output")]
        if given:
            where = "; an export's --output FILE goes after the format" if args.command == "export" else ""
            top.error(f"{', '.join(given)} before the command is an option of build and serve, not of "
                      f"{args.command}{where}")
    return args


def _add_new(sub: argparse.ArgumentParser, with_kinds: bool = True) -> None:
    _add_common(sub)
    if not with_kinds:
        return
    from .scaffold import NEW_KINDS, QUESTIONS

    kinds = sub.add_subparsers(dest="new_kind", metavar="KIND", required=True)
    for kind in NEW_KINDS:
        item = kinds.add_parser(kind, help=f"a new {kind}")
        _add_common(item)
        for question in QUESTIONS[kind]:
            names = [question.flag] + (["--name"] if question.key == "title"
                                       and kind in ("actor", "location", "source") else [])
            item.add_argument(*names, dest=question.key, help=question.help,
                              action="append" if question.repeat else "store")


def _add_import(sub: argparse.ArgumentParser) -> None:
    _add_common(sub)
    formats = sub.add_subparsers(dest="format", metavar="FORMAT", required=True)
    acled = formats.add_parser("acled", help="an ACLED export (CSV)")
    _add_common(acled)
    acled.add_argument("file", type=Path, metavar="FILE.csv", help="the ACLED export")
    acled.add_argument("--country", action="append", default=[], help="only this country (name, ISO alpha-3 "
                       "or numeric code; repeat for more)")
    acled.add_argument("--since", type=_iso_date, default=None, help="only events on or after YYYY-MM-DD")
    acled.add_argument("--dry-run", action="store_true", help="say what would change without writing")
    acled.add_argument("--yes", action="store_true", help="link events to incidents already written that "
                       "record them without asking (the default when not run from a terminal)")


def _add_export(sub: argparse.ArgumentParser) -> None:
    _add_common(sub)
    sub.add_argument("format", choices=EXPORT_FORMATS, help="acled (ACLED's CSV columns), json, geojson or "
                     "stix (a STIX 2.1 bundle of everything)")
    sub.add_argument("--output", dest="output_file", type=Path, default=None,
                     help="file to write (default: standard output)")


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD") from None


# --- Running --------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None,
         inp: TextIO | None = None) -> int:
    """Run the command line and return its exit status."""
    out, err, inp = out or sys.stdout, err or sys.stderr, inp or sys.stdin
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            top = parser(args_list)
            args = resolve(top, top.parse_args(args_list))
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    reporter = Reporter(out, err, quiet=args.quiet, verbose=args.verbose)
    try:
        with ctrl_c_never_swallowed() as pressed:
            status = COMMANDS[args.command](args, reporter, inp)
        if pressed:
            reporter.err.print("interrupted as the command finished: what it wrote is complete")
            return 130
        return status
    except ContentErrors as exc:
        reporter.problems(exc.problems, getattr(args, "content", None))
        return exc.exit_code
    except SitrepError as exc:
        reporter.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        reporter.err.print("interrupted: output left as it was")
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug report instead of a traceback
        refusal = system_refusal(exc)
        if refusal is not None:  # a full disk, a read-only mount: the machine's, not a bug
            written = getattr(args, "output", None) or getattr(args, "output_file", None)
            reporter.error(f"{describe_refusal(refusal, written)}; output left as it was")
            return EXIT_SYSTEM
        return report_bug(err)


@contextlib.contextmanager
def ctrl_c_never_swallowed() -> Iterator[list[bool]]:
    """Notice a Ctrl-C that landed in a finaliser, where Python would print it and carry on.

    A KeyboardInterrupt raised while a weak reference's callback or a __del__ runs (a process pool
    being torn down, say) cannot propagate: Python prints "Exception ignored in ..." with a traceback
    and goes on. Here it prints nothing, and the list yielded says that Ctrl-C was pressed.
    """
    pressed: list[bool] = []
    previous = sys.unraisablehook

    def hook(info: Any) -> None:
        if info.exc_type is not None and issubclass(info.exc_type, KeyboardInterrupt):
            pressed.append(True)
        else:
            previous(info)

    sys.unraisablehook = hook
    try:
        yield pressed
    finally:
        sys.unraisablehook = previous


def run_check(args: argparse.Namespace, reporter: Reporter, inp: TextIO) -> int:
    """Validate the content and say what it holds."""
    from . import cache

    if not args.content.is_dir():
        raise UsageError(f"content folder {args.content} does not exist")
    folder = cache.folder_for(args.output)
    seen = cache.look(args.content, folder)
    # exactly what the last build validated: nothing to read again; or only incidents changed since
    known = cache.unchanged_since_build(args.content, folder, seen) \
        or cache.quick_check(args.content, folder, seen)
    if known is not None:
        counts, warnings = known
    else:
        loaded = cache.check_content(args.content, folder, os.cpu_count() or 1, seen)
        project, warnings = loaded.project, loaded.warnings
        counts = Counter({"incident": len(project.incidents), "brief": len(project.briefs),
                          "actor": len(project.actors), "location": len(project.locations)})
    reporter.problems(warnings, args.content)
    reporter.summary(f"content OK: {plural(counts['incident'], 'incident')}, "
                     f"{plural(counts['brief'], 'brief')}, {plural(counts['actor'], 'actor')}, "
                     f"{plural(counts['location'], 'location')}")
    return 0


def run_build(args: argparse.Namespace, reporter: Reporter, inp: TextIO) -> int:
    """Build the site and briefs, showing progress on a terminal, and summarise."""
    from . import pipeline

    with reporter.status("Building…") as status:
        report = pipeline.build(build_options(args), progress=status.update)
    reporter.problems(report.warnings, args.content)
    reporter.summary(build_summary(report, args.output))
    return 0


def build_options(args: argparse.Namespace) -> BuildOptions:
    """Return the pipeline's BuildOptions from parsed arguments."""
    from .pipeline import BuildOptions
    from .validate import site_theme

    theme = args.theme or site_theme(args.content)
    return BuildOptions(content=args.content, output=args.output, theme=theme, pdf=args.pdf,
                        search=args.search, **({"jobs": args.jobs} if args.jobs else {}))


def build_summary(report: BuildReport, output: Path) -> Text:
    """Return the closing line of a build: what was rebuilt, what was kept, how long it took."""
    r = report
    if r.nothing_changed:
        return Text.assemble(("up to date: ", "bold green"), f"nothing changed since the last build "
                             f"({plural(r.pages, 'page')}) → {output}")
    redone = f" ({r.rendered} rendered again)" if r.rendered != r.pages else ""
    return Text.assemble(
        ("built ", "bold green"),
        f"{plural(r.pages, 'page')}{redone}, {plural(r.pdfs_rendered, 'PDF')} rendered, {r.pdfs_reused} reused; "
        f"{r.written} files written, {r.unchanged} unchanged, {r.removed} removed in {r.seconds:.1f} s "
        f"→ {output}")


def run_serve(args: argparse.Namespace, reporter: Reporter, inp: TextIO) -> int:
    """Serve the site with live reload until interrupted."""
    from .serve import ServeOptions, serve

    options = ServeOptions(build=build_options(args), host=args.host,
                           port=8000 if args.port is None else args.port, port_given=args.port is not None,
                           open_browser=args.open)
    return serve(options, reporter)


def run_new(args: argparse.Namespace, reporter: Reporter, inp: TextIO) -> int:
    """Write a new content file from flags, asking for missing essentials on a terminal."""
    from . import scaffold

    tree = scaffold.Tree.read(args.content)
    given = {q.key: getattr(args, q.key, None) for q in scaffold.QUESTIONS[args.new_kind]}
    ask = scaffold.Asker(inp, lambda text: reporter.err.print(text, end="", markup=False)) \
        if _is_terminal(inp) else None
    answers = scaffold.gather(args.new_kind, given, tree, ask)
    item = scaffold.scaffold(args.new_kind, answers, tree)
    problems = scaffold.check_scaffold(item, tree)
    if any(p.is_error for p in problems):
        raise UsageError("the values given do not make a valid file:\n  " +
                         "\n  ".join(p.message for p in problems if p.is_error))
    scaffold.write(item)
    reporter.summary(Text.assemble(("wrote ", "bold green"), _shown_path(item.path), f" (id {item.id})"))
    if "TODO" in item.text:
        check = invocation.command("check", content=args.content)
        reporter.info(f"Replace its TODO lines, then run: {check}")
    return 0


def run_import(args: argparse.Namespace, reporter: Reporter, inp: TextIO) -> int:
    """Import an ACLED export into the content folder and say what changed."""
    from . import acled

    ask = None if args.yes or not _is_terminal(inp) else partial(_confirm, inp, reporter)
    options = acled.ImportOptions(file=args.file, content=args.content, countries=tuple(args.country),
                                  since=args.since, dry_run=args.dry_run, ask=ask)
    result = acled.import_acled(options, progress=reporter.step, track=reporter.track)
    for line in acled.summary_lines(result, dry_run=args.dry_run):
        reporter.summary(line)
    return 0


def _confirm(inp: TextIO, reporter: Reporter, question: str) -> bool:
    """Ask a yes/no question on the terminal; yes unless the answer starts with n."""
    reporter.err.print(question, end="", markup=False)
    answer = inp.readline()
    return not answer.strip().lower().startswith("n")


def run_export(args: argparse.Namespace, reporter: Reporter, inp: TextIO) -> int:
    """Write the incidents in one of the formats the website offers."""
    from . import pipeline
    from .render import exports, stix

    project, warnings = pipeline.check(args.content)
    reporter.problems(warnings, args.content)
    makers: dict[str, Callable[..., str | bytes]] = {
        "acled": exports.incidents_acled_csv, "json": exports.incidents_json,
        "geojson": exports.incidents_geojson, "stix": stix.stix_bundle,
    }
    data = makers[args.format](project)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if args.output_file is None:
        reporter.out.file.flush()
        out = reporter.out.file
        if hasattr(out, "buffer"):
            out.buffer.write(payload)
            out.buffer.flush()
        else:
            out.write(payload.decode("utf-8"))
        return 0
    _write_file(args.output_file, payload)
    reporter.info(Text.assemble(("wrote ", "bold green"), f"{plural(len(project.incidents), 'incident')} as "
                                f"{args.format} → {args.output_file}"))
    return 0


def _write_file(path: Path, payload: bytes) -> None:
    if path.is_dir():
        raise UsageError(f"--output {path} is a folder; name a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(payload)
        temporary.replace(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


COMMANDS: dict[str, Callable[[argparse.Namespace, Reporter, TextIO], int]] = {
    "build": run_build, "check": run_check, "serve": run_serve, "new": run_new, "import": run_import,
    "export": run_export,
}


def report_bug(err: TextIO) -> int:
    """Write the traceback to a log file and ask the user to report it."""
    log = write_crash_log()
    print("sitrep hit an internal error (a bug in sitrep, not in your content).\n"
          f"The details are in {log}; please file an issue with that file attached.\n"
          "Your output folder was left as it was.", file=err)
    return EXIT_BUG
