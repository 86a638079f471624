"""What the build caches keep between builds reads back exactly as it was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitrep import cache


def test_a_kept_dict_reads_back_after_small_and_large_changes(tmp_path: Path) -> None:
    path = tmp_path / "pieces.pickle"
    items = {f"piece-{n}": (n, f"text {n}") for n in range(100)}
    cache.Kept(path).write(items, set(items))
    steps = [({"piece-1": (1, "changed")}, set()), ({"added": (0, "new")}, {"piece-2"}),
             ({f"piece-{n}": (n, "rewritten") for n in range(10, 40)}, {"piece-3"})]
    for changes, removed in steps:
        kept = cache.Kept(path)
        assert kept.read() == items
        items = {name: value for name, value in {**items, **changes}.items() if name not in removed}
        kept.write(items, set(changes) | removed)
    assert cache.Kept(path).read() == items


def test_small_changes_are_written_apart_until_they_add_up(tmp_path: Path) -> None:
    path = tmp_path / "content.pickle"
    items = {f"file-{n}": n for n in range(100)}
    cache.Kept(path).write(items, set(items))
    whole = path.stat().st_mtime_ns
    kept = cache.Kept(path)
    kept.read()
    kept.write({**items, "file-1": -1}, {"file-1"})
    assert path.stat().st_mtime_ns == whole and kept.delta_path.is_file()
    kept = cache.Kept(path)
    kept.read()
    kept.write({name: -n for n, name in enumerate(items)}, set(items))
    assert path.stat().st_mtime_ns != whole and not kept.delta_path.exists()


def test_pieces_of_other_code_are_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "incidents.json.pickle"
    pieces = cache.Pieces(path)
    assert pieces.get("a", "key", lambda: "made") == "made"
    pieces.save()
    assert cache.Pieces(path).get("a", "key", lambda: "made again") == "made"
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "other code")
    assert cache.Pieces(path).get("a", "key", lambda: "made again") == "made again"
