"""The command line: parse arguments, run a pipeline command, report, and return an exit status.

Exit status: 0 success, 1 content or template errors, 2 usage errors, 70 a bug in sitrep
(with the detail in a log file), 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .errors import ContentErrors, Problem, SitrepError, excerpt

EXIT_BUG = 70  # EX_SOFTWARE from sysexits.h
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    top = argparse.ArgumentParser(prog="python build.py", description="Build situation briefs (HTML and PDF) "
                                  "and a static website from incident data written as YAML.")
    top.add_argument("--version", action="version", version=f"sitrep {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the briefs, PDFs and site (the default)")
    _add_build_options(build)
    check = commands.add_parser("check", help="validate content without writing anything")
    _add_common(check)
    return top


def _add_common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--content", type=Path, default=PROJECT_ROOT / "content", help="content folder")
    sub.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    sub.add_argument("-v", "--verbose", action="store_true", help="print every step")


def _add_build_options(sub: argparse.ArgumentParser) -> None:
    _add_common(sub)
    sub.add_argument("--output", type=Path, default=PROJECT_ROOT / "output", help="output folder")
    sub.add_argument("--theme", type=Path, default=None, help="folder of templates overriding the defaults")
    sub.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the PDF briefs")
    sub.add_argument("--no-search", dest="search", action="store_false", help="skip the search index")
    sub.add_argument("--jobs", type=int, default=None, help="processes for PDF rendering")


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line and return its exit status."""
    out, err = out or sys.stdout, err or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version"):
        args_list.insert(0, "build")
    try:
        args = parser().parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return _run(args, out, err)
    except ContentErrors as exc:
        print_problems(exc.problems, args, err)
        return exc.exit_code
    except SitrepError as exc:
        print(f"error: {exc}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: output left as it was", file=err)
        return 130
    except Exception:  # noqa: BLE001 - the last line of defence: a bug report instead of a traceback
        return report_bug(err)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from . import pipeline

    say = (lambda message: None) if args.quiet else (lambda message: print(message, file=err))
    if args.command == "check":
        project, warnings = pipeline.check(args.content)
        print_problems(warnings, args, err)
        if not args.quiet:
            print(f"content OK: {len(project.incidents)} incidents, {len(project.briefs)} briefs, "
                  f"{len(project.actors)} actors, {len(project.locations)} locations", file=out)
        return 0
    options = pipeline.BuildOptions(content=args.content, output=args.output, theme=args.theme, pdf=args.pdf,
                                    search=args.search, **({"jobs": args.jobs} if args.jobs else {}))
    report = pipeline.build(options, progress=say if args.verbose else lambda message: None)
    print_problems(report.warnings, args, err)
    if not args.quiet:
        print(f"built {report.pages} pages, {report.pdfs_rendered} PDF(s) rendered, {report.pdfs_reused} reused; "
              f"{report.written} files written, {report.unchanged} unchanged, {report.removed} removed "
              f"in {report.seconds:.1f} s → {args.output}", file=out)
    return 0


def print_problems(problems: Sequence[Problem], args: argparse.Namespace, err: TextIO) -> None:
    """Print problems grouped by file, each with the offending line marked."""
    if not problems:
        return
    content_parent = Path(getattr(args, "content", ".")).absolute().parent
    current = None
    for problem in sorted(problems):
        if problem.path != current:
            current = problem.path
            print(f"\n{problem.path}", file=err)
        print(f"  {problem}", file=err)
        shown = excerpt(content_parent / problem.path, problem.line, problem.column)
        if shown:
            print(shown, file=err)
    errors = sum(p.is_error for p in problems)
    files = len({p.path for p in problems if p.is_error})
    if errors:
        print(f"\n{errors} error(s) in {files} file(s); nothing was written, output left as it was.", file=err)


def report_bug(err: TextIO) -> int:
    """Write the traceback to a log file and ask the user to report it."""
    log = Path(tempfile.gettempdir()) / f"sitrep-crash-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    log.write_text(traceback.format_exc())
    print("sitrep hit an internal error (a bug in sitrep, not in your content).\n"
          f"The details are in {log}; please file an issue with that file attached.\n"
          "Your output folder was left as it was.", file=err)
    return EXIT_BUG
