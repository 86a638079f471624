"""Two clean builds of the same content are the same bytes, PDFs and search index included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitrep.pipeline import BuildOptions, build

from .test_incremental import files

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_two_clean_builds_are_identical(tmp_path: Path) -> None:
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    first = BuildOptions(content=content, output=tmp_path / "one", jobs=2)
    second = BuildOptions(content=content, output=tmp_path / "two", jobs=1)  # serial: order must not matter
    build(first)
    build(second)
    one, two = files(first.output), files(second.output)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert any(name.endswith(".pdf") for name in one)
    assert any(name.startswith("pagefind/filter/") for name in one)
