"""The TagPack validator agrees with graphsense's tagpack-tool (run for real, from tools/) on every real
pack and on broken variants of one: the same verdict and the same reason."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from hotpursuit.attribution.tagpack import TagPackError, load_tagpack, validate_tagpack

from ..conftest import REPO, SHARED_DATA

TOOL = REPO / "tools" / "tagpack-tool-venv" / "bin" / "tagpack-tool"
PACKS = sorted((SHARED_DATA / "graphsense-tagpacks" / "packs").glob("*.yaml"))
# tagpack-tool 25.8.1 ships an older concept taxonomy than graphsense-lib (its maintained successor,
# whose schema hotpursuit ships): only there does `black_list` (Tether's freeze list) not exist yet.
TAXONOMY_ONLY_IN_GRAPHSENSE_LIB = {"usdt_blacklist.yaml": "Undefined concept black_list for category field"}


def _tool_verdict(path: Path) -> str | None:
    """None if tagpack-tool passes the pack, else its reason (the text before ' in <tag>')."""
    out = subprocess.run([str(TOOL), "tagpack", "validate", "--no_address_validation", str(path)],
                         capture_output=True, text=True, timeout=120).stdout
    if "1/1 TagPacks passed" in out:
        return None
    lines = [ln.strip() for ln in out.splitlines()]
    reason = next((ln for ln in lines[lines.index("FAILED") + 1:] if ln), "") if "FAILED" in lines else out
    return reason.removeprefix("Schema Validation Error: ").split(" in ")[0].strip()


def _our_verdict(path: Path) -> str | None:
    try:
        validate_tagpack(load_tagpack(path))
    except TagPackError as exc:
        return str(exc).split(" in ")[0]
    return None


def _variants(tmp: Path) -> list[Path]:
    base = yaml.safe_load((SHARED_DATA / "graphsense-tagpacks" / "packs" / "lazarus2.yaml").read_text())
    edits = {
        "no_title": lambda d: d.pop("title"),
        "bad_confidence": lambda d: d.update(confidence="very_sure"),
        "unknown_header_field": lambda d: d.update(colour="red"),
        "bad_category": lambda d: d.update(category="exchnage"),
        "empty_label": lambda d: d["tags"][0].update(label=" "),
        "tag_field_not_allowed": lambda d: d["tags"][1].update(colour="red"),
        "address_and_tx_hash": lambda d: d["tags"][0].update(tx_hash="ab" * 32),
        "no_address": lambda d: d["tags"][0].pop("address"),
        "label_missing": lambda d: (d.pop("label"), [t.pop("label", None) for t in d["tags"]]),
        "bad_is_cluster_definer": lambda d: d.update(is_cluster_definer="yes"),
        "null_in_tag": lambda d: d["tags"][0].update(source=None),
        "lastmod_not_a_date": lambda d: d.update(lastmod="last tuesday"),
        "untouched": lambda d: None,
    }
    out = []
    for name, edit in edits.items():
        data = yaml.safe_load(yaml.safe_dump(base))
        edit(data)
        path = tmp / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        out.append(path)
    return out


def test_same_verdicts_and_reasons_as_tagpack_tool(tmp_path: Path) -> None:
    assert TOOL.exists(), "tagpack-tool is missing: `make tools` installs it"
    paths = PACKS + _variants(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        theirs = dict(zip(paths, pool.map(_tool_verdict, paths), strict=True))
    rejected = 0
    for path in paths:
        ours = _our_verdict(path)
        if path.name in TAXONOMY_ONLY_IN_GRAPHSENSE_LIB and path.parent.name == "packs":
            assert theirs[path] == TAXONOMY_ONLY_IN_GRAPHSENSE_LIB[path.name] and ours is None
            continue
        assert ours == theirs[path], path.name
        rejected += ours is not None
    assert rejected == 12  # every broken variant is refused, for the same reason
