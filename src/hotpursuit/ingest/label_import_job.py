"""`labels import KIND PATH`: run one importer and store its claims (and actors). A heist list gives labels
only, never an incident: its addresses are hops of one trail, and as sources they would count the loot again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hotpursuit.attribution.list_importers import (
    ImportResult,
    import_heist_list,
    import_ofac_lists,
    import_partner_csv,
    import_scam_list,
)
from hotpursuit.attribution.tagpack import (
    TagPackError,
    load_actorpack,
    load_tagpack,
    tagpack_claims,
    validate_tagpack,
)
from hotpursuit.errors import IngestError
from hotpursuit.store.database import Store
from hotpursuit.store.label_tables import replace_actors, replace_import

KINDS = ("tagpack", "actorpack", "ofac", "heist-list", "scam", "csv")
BYBIT_ACTOR = "lazarusgroup"
BYBIT_LABEL = "Bybit hack 2025 (TraderTraitor / DPRK), FBI PSA250226"
BYBIT_SOURCE = "FBI PSA250226 (2025-02-26)"


@dataclass
class LabelImportReport:
    """What one `labels import` stored and what it left out."""

    files: int = 0
    claims: int = 0
    actors: int = 0
    rejected: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def import_labels(store: Store, kind: str, path: Path, *, asserted_by: str = "hotpursuit",
                  tlp: str = "CLEAR") -> LabelImportReport:
    """Import `path` (a file, or a folder of files of that kind)."""
    if kind not in KINDS:
        raise IngestError(f"unknown label source kind {kind!r}; one of {', '.join(KINDS)}")
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder")
    report = LabelImportReport()
    if kind in ("tagpack", "actorpack"):
        pattern = "*.actorpack.yaml" if kind == "actorpack" else "*.yaml"
        files = sorted(p for p in (path.glob(pattern) if path.is_dir() else [path])
                       if kind == "actorpack" or not p.name.endswith("actorpack.yaml"))
        for f in files:
            try:
                if kind == "actorpack":
                    report.actors += replace_actors(store, load_actorpack(f))
                    report.files += 1
                    continue
                pack = load_tagpack(f)
                report.warnings += [f"{f.name}: {w}" for w in validate_tagpack(pack)]
                claims, skipped = tagpack_claims(pack, asserted_by=asserted_by, tlp=tlp)
            except TagPackError as exc:
                report.rejected.append(f"{f.name}: {exc}")
                continue
            report.skipped += [f"{f.name}: {s}" for s in skipped]
            report.claims += replace_import(store, f"tagpack:{f.name}", asserted_by, claims)
            report.files += 1
        if len(files) == 1 and report.rejected:
            raise IngestError(f"{path}: rejected: {report.rejected[0].split(': ', 1)[1]}")
        return report
    result: ImportResult
    if kind == "ofac":
        result = import_ofac_lists(path, asserted_by=asserted_by)
    elif kind == "heist-list":
        result = import_heist_list(path, asserted_by=asserted_by, label=BYBIT_LABEL, actor=BYBIT_ACTOR,
                                   source=BYBIT_SOURCE, source_date=date(2025, 2, 26))
    elif kind == "scam":
        result = import_scam_list(path, asserted_by=asserted_by)
    else:
        result = import_partner_csv(path, asserted_by=asserted_by)
    report.files = len(list(path.glob("sanctioned_addresses_*.txt"))) if path.is_dir() else 1
    report.skipped = result.skipped
    report.claims = replace_import(store, f"{kind}:{path.name}", asserted_by, result.claims)
    return report
