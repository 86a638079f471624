"""Fixtures that follow the pipeline: a content tree, its loaded project, the built output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """Return a writable copy of the default content tree."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, target)
    return target
