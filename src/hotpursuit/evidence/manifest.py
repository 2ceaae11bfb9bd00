"""The bundle's SHA-256 manifest: every content file's digest and size, and what a bundle's files say
against it (a changed byte, a missing file, a file it does not list)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from hotpursuit.evidence.layout import MANIFEST, canonical_json, outside_manifest

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class ManifestCheck:
    """How many files the manifest lists, and every problem found (empty when the files match it)."""

    listed: int
    problems: list[str]


def build_manifest(files: Mapping[str, bytes]) -> bytes:
    """The canonical manifest of the content files (every file but the control files and keys/)."""
    listed = {path: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
              for path, data in sorted(files.items()) if not outside_manifest(path)}
    return canonical_json({"version": MANIFEST_VERSION, "algorithm": "sha256", "files": listed})


def check_manifest(files: Mapping[str, bytes]) -> ManifestCheck:
    """Compare the bundle's files with its MANIFEST.json: one problem line per changed, missing or extra file."""
    if MANIFEST not in files:
        return ManifestCheck(0, [f"missing: {MANIFEST}"])
    try:
        listed = json.loads(files[MANIFEST])["files"]
        entries = {str(p): (str(e["sha256"]), int(e["size"])) for p, e in listed.items()}
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return ManifestCheck(0, [f"malformed: {MANIFEST} ({type(exc).__name__}: {exc})"])
    problems = []
    for path, (digest, size) in sorted(entries.items()):
        data = files.get(path)
        if data is None:
            problems.append(f"missing: {path}")
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            problems.append(f"changed: {path} (sha256 {actual} != {digest} in the manifest)")
        elif len(data) != size:
            problems.append(f"changed: {path} (size {len(data)} != {size} in the manifest)")
    problems += [f"extra file not in manifest: {path}" for path in sorted(files)
                 if path not in entries and not outside_manifest(path)]
    return ManifestCheck(len(entries), problems)
