"""Make Pagefind's index the same bytes for the same site, so that two clean builds are identical.

Pagefind 1.5 writes each filter's values, and the list of filters in its metadata, in the order of
a Rust HashMap, which is random on every run; file names are hashes of the contents, so the filter
files, the metadata file and pagefind-entry.json get new names and bytes on every build (Pagefind
issue #638: "other files will still change, such as the filter/metadata indexes"). This module
sorts those lists and renames the files after their new contents. Pagefind's search code finds
every file through the metadata, so any consistent names work.

The files are gzip streams of b"pagefind_dcd" followed by CBOR; only the CBOR subset Pagefind
writes is handled (integers, text, bytes, arrays, maps, simple values and floats).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


def stabilise(bundle: Path) -> None:
    """Sort the filter lists of a Pagefind bundle in place and rename the files they changed."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = meta[3] if len(meta) > 3 and isinstance(meta[3], list) else []
        renamed = []
        for name, file_hash in filters:
            renamed.append([name, _sort_filter(bundle / "filter" / f"{file_hash}.pf_filter", file_hash)])
        if filters:
            meta[3] = sorted(renamed, key=lambda item: item[0])
        new_hash = _rename(meta_path, _pack(meta), language["hash"], "pagefind.{}.pf_meta")
        language["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _sort_filter(path: Path, file_hash: str) -> str:
    """Sort one filter file's values by name; return its new hash."""
    data = _read(path)
    data[1] = sorted(data[1], key=lambda item: item[0])
    return _rename(path, _pack(data), file_hash, "{}.pf_filter")


def _rename(path: Path, raw: bytes, old_hash: str, pattern: str) -> str:
    """Write raw under a name made from its contents; return the hash in that name."""
    prefix, _, digits = old_hash.partition("_")
    new_hash = f"{prefix}_{hashlib.sha256(raw).hexdigest()[:len(digits)]}"
    path.unlink()
    (path.parent / pattern.format(new_hash)).write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return new_hash


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    value, end = _decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise ValueError(f"{path.name} has trailing bytes")
    return value


def _pack(value: Any) -> bytes:
    return SIGNATURE + _encode(value)


# --- CBOR (RFC 8949), the subset Pagefind writes -------------------------------------------

class _Float(float):
    """A float with the width it was written in, so it is written back the same."""

    width: int = 8


def _decode(raw: bytes, at: int) -> tuple[Any, int]:
    head = raw[at]
    major, info = head >> 5, head & 0x1F
    at += 1
    if major == 7:
        return _decode_simple(raw, at, info)
    length, at = _argument(raw, at, info)
    if major == 0:
        return length, at
    if major == 1:
        return -1 - length, at
    if major in (2, 3):
        chunk = raw[at:at + length]
        return (chunk if major == 2 else chunk.decode("utf-8")), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _decode(raw, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(length):
            key, at = _decode(raw, at)
            mapping[key], at = _decode(raw, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR major type {major}")


def _argument(raw: bytes, at: int, info: int) -> tuple[int, int]:
    if info < 24:
        return info, at
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise ValueError("indefinite-length CBOR items are not supported")
    return int.from_bytes(raw[at:at + size], "big"), at + size


def _decode_simple(raw: bytes, at: int, info: int) -> tuple[Any, int]:
    if info in (20, 21, 22):
        return {20: False, 21: True, 22: None}[info], at
    formats = {25: (">e", 2), 26: (">f", 4), 27: (">d", 8)}
    if info not in formats:
        raise ValueError(f"unsupported CBOR simple value {info}")
    fmt, size = formats[info]
    number = _Float(struct.unpack(fmt, raw[at:at + size])[0])
    number.width = size
    return number, at + size


def _encode(value: Any) -> bytes:
    if value is None or isinstance(value, bool):
        return bytes([0xF6 if value is None else 0xF5 if value else 0xF4])
    if isinstance(value, _Float):
        fmt = {2: ">e", 4: ">f", 8: ">d"}[value.width]
        return bytes([0xE0 | {2: 25, 4: 26, 8: 27}[value.width]]) + struct.pack(fmt, value)
    if isinstance(value, float):
        return bytes([0xFB]) + struct.pack(">d", value)
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _head(major: int, number: int) -> bytes:
    """Return a CBOR head in its shortest form, as Pagefind writes it."""
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise ValueError("CBOR integer too large")
