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


def test_equal_parts_of_entities_are_kept_once() -> None:
    from sitrep.model import CasualtyReport, Sharing

    def report(killed: object, credibility: int = 2) -> CasualtyReport:
        return CasualtyReport.model_validate({"side": "civilians", "killed": killed, "wounded": "unknown",
                                              "sources": [{"source": "sohr", "credibility": credibility}]})

    sharing = Sharing()
    first, second = report(3), report(3)
    sharing.entity(first), sharing.entity(second)
    assert first == second and first.killed is second.killed and first.wounded is second.wounded
    assert first.sources[0] is second.sources[0]
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    # equal values written differently stay apart: the fields written differ ({low, high} against all three)
    spelt_out, other_grade = report({"low": 3, "high": 3}), report(3, credibility=3)
    sharing.entity(spelt_out), sharing.entity(other_grade)
    assert spelt_out.killed == first.killed and spelt_out.killed is not first.killed
    assert spelt_out.killed.__pydantic_fields_set__ == {"low", "high"}
    assert other_grade.sources[0] is not first.sources[0] and other_grade.sources[0].credibility == 3
    assert first.model_dump() == report(3).model_dump()
