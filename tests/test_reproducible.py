"""Two clean builds of the same content are the same bytes, PDFs and search index included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitrep.pipeline import BuildOptions, build

from .site_helpers import build_default_site
from .test_incremental import files

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_two_clean_builds_are_identical(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    content = Path(shutil.copytree(ROOT / "content", tmp_path / "content"))
    first = BuildOptions(content=content, output=tmp_path / "one", jobs=2)
    build(first)
    # the other: the default content built from its own folder by the command line, serially (order must
    # not matter), as the site tests share it
    one, two = files(first.output), files(build_default_site(tmp_path_factory))
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    assert any(name.endswith(".pdf") for name in one)
    assert any(name.startswith("pagefind/filter/") for name in one)
