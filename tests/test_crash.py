"""A bug in sitrep itself: a short report asking the user to file it, the detail in a log, status 70.

The bug is forced by making one pipeline function raise, before the output is staged and while
it is being written; either way output/ stays as it was and no traceback reaches the terminal.
"""

from __future__ import annotations

import importlib

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from sitrep import cli, pipeline
from tests.conftest import DEFAULT_CONTENT
from tests.snapshots import build, copy_build, leftovers, run_cli, tree_digest

BUG = "a deliberate bug planted by tests/test_crash.py"


@pytest.fixture()
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Send crash logs to a folder of this test's own."""
    folder = tmp_path / "logs"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def plant_bug(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make pipeline.<name> raise an exception no content could cause."""
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError(BUG)
    # the PDF renderer is imported where it is used, so a build with nothing to do starts fast; the check
    # reads the content through the build's cache, without the pipeline
    module = {"write_pdf": importlib.import_module("sitrep.render.pdf"),
              "check_content": importlib.import_module("sitrep.cache")}.get(name, pipeline)
    monkeypatch.setattr(module, name, broken)


def assert_bug_report(status: int, err: str, log_folder: Path) -> None:
    """Assert exit 70, a short report naming its log, and the whole traceback in that log."""
    assert status == cli.EXIT_BUG == 70
    assert "Traceback" not in err and BUG not in err
    assert "bug in sitrep" in err and "file an issue" in err
    assert len(err.strip().splitlines()) <= 5
    named = re.search(r"(\S+\.log)", err)
    assert named, err
    log = Path(named[1])
    assert log.parent == log_folder and log.is_file()
    detail = log.read_text()
    assert "Traceback (most recent call last)" in detail and f"RuntimeError: {BUG}" in detail


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return (content, output) of one build of the default content, PDFs included, made once for the module."""
    base = tmp_path_factory.mktemp("crash")
    content = Path(shutil.copytree(DEFAULT_CONTENT, base / "content"))
    run = build(content, base / "output")
    assert run.status == 0, run.err
    return content, base / "output"


@pytest.mark.parametrize("where", ["analyse_brief", "render_page", "write_pdf"])
def test_internal_error_is_reported_as_a_bug_and_output_is_kept(where: str, built: tuple[Path, Path],
                                                                tmp_path: Path, log_folder: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    content_copy = Path(shutil.copytree(built[0], tmp_path / "content"))
    output = copy_build(built[1], tmp_path / "output")  # a complete build, as if made here
    assert build(content_copy, output).status == 0
    before = tree_digest(output)
    plant_bug(monkeypatch, where)
    (content_copy / "site.yaml").write_text((content_copy / "site.yaml").read_text() + "caveat: Changed.\n")
    run = build(content_copy, output, "--jobs", "1")
    assert_bug_report(run.status, run.err, log_folder)
    assert tree_digest(output) == before
    assert leftovers(output) == []


def test_internal_error_in_check_is_reported_as_a_bug(content_copy: Path, log_folder: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    plant_bug(monkeypatch, "check_content")
    # an output never built: a build of the same content there would let the check answer from its cache
    run = run_cli("check", "--content", content_copy, "--output", content_copy.parent / "output")
    assert_bug_report(run.status, run.err, log_folder)


def test_two_crashes_in_the_same_second_keep_both_logs(content_copy: Path, tmp_path: Path, log_folder: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    plant_bug(monkeypatch, "check_content")
    never_built = content_copy.parent / "output"
    first = run_cli("check", "--content", content_copy, "--output", never_built)
    second = run_cli("check", "--content", content_copy, "--output", never_built)
    logs = {re.search(r"(\S+\.log)", run.err)[1] for run in (first, second)}
    assert len(logs) == 2, "the second crash overwrote the first one's log"
    assert len(list(log_folder.iterdir())) == 2
