"""A minimal valid content tree, and the bad-input cases under tests/cases/ laid over it."""

from __future__ import annotations

import shutil
from pathlib import Path

from sitrep.validate import load_project

CASES = Path(__file__).resolve().parent / "cases"
DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content"

#: One valid entity of each kind the cases break: content-relative path -> text.
VALID_TREE: dict[str, str] = {
    "sources/afp.yaml": """\
id: afp
name: Agence France-Presse
kind: news_agency
reliability: B
""",
    "actors/pmf.yaml": """\
id: pmf
name: Popular Mobilisation Forces
kind: state_forces
country: IRQ
""",
    "locations/baghdad.yaml": """\
id: baghdad
name: Baghdad
kind: city
country: IRQ
latitude: 33.3
longitude: 44.4
""",
    "incidents/baghdad-blast.yaml": """\
id: baghdad-blast
title: Explosion at a base near Baghdad
date: 2024-04-20
time: "01:30"
timezone: Asia/Baghdad
event_type: Explosions/Remote violence
sub_event_type: Remote explosive/landmine/IED
location:
  location: baghdad
  geo_precision: 2
targets:
  - pmf
summary: An explosion struck a base near Baghdad.
casualties:
  - side: pmf
    killed: 1
    wounded: 2-8
    sources:
      - source: afp
        credibility: 2
attachments:
  - path: photos/base.jpg
    caption: The base after the blast.
sources:
  - source: afp
    credibility: 2
""",
    "briefs/brief-1.yaml": """\
id: brief-1
number: 1
title: Iraq situation brief
period:
  start: 2024-04-15
  end: 2024-04-21
cutoff: 2024-04-22T12:00:00+03:00
countries:
  - IRQ
key_judgments:
  - text: Attacks on bases near Baghdad will likely continue.
    confidence: moderate
    incidents:
      - baghdad-blast
""",
}

#: Binary files of the valid tree (an attachment's image need not be a real JPEG to be found).
VALID_ASSETS: dict[str, bytes] = {"assets/photos/base.jpg": b"\xff\xd8\xff\xe0 not really a jpeg"}


def write_tree(content: Path, files: dict[str, str | bytes]) -> None:
    """Write content-relative files under content, creating folders as needed."""
    for relative, data in files.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def make_content(tmp_path: Path, case: str | None = None) -> Path:
    """Return a valid content tree in tmp_path/content, with tests/cases/<case>/ laid over it."""
    content = tmp_path / "content"
    write_tree(content, {**VALID_TREE, **VALID_ASSETS})
    if case is not None:
        case_dir = CASES / case
        assert case_dir.is_dir(), f"no fixture folder {case_dir}"
        shutil.copytree(case_dir, content, dirs_exist_ok=True)
    return content


def problems(content: Path) -> list[str]:
    """Return every problem of a content tree as the user sees it: 'path:line:col: message'."""
    return [str(problem) for problem in load_project(content)[1]]
