"""`labels import KIND PATH`: run one importer and store its claims (and actors). A heist list gives labels
only, never an incident: its addresses are hops of one trail, and as sources they would count the loot again.
Scam lists (ScamSniffer, CryptoScamDB, eth-phishing-detect, MyEtherWallet's darklist) also store the sites
they list as entities, and the list's licence; re-importing a list replaces what it said before."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from hotpursuit.attribution.labels import LabelClaim
from hotpursuit.attribution.list_importers import (
    ImportResult,
    import_heist_list,
    import_ofac_lists,
    import_partner_csv,
    import_scam_list,
)
from hotpursuit.attribution.scam_lists import (
    Provenance,
    ScamList,
    darklist_source,
    parse_cryptoscamdb,
    parse_eth_phishing_detect,
    parse_scamsniffer,
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
from hotpursuit.store.scam_entity_tables import replace_scam_list
from hotpursuit.user_files import read_user_text

KINDS = ("tagpack", "actorpack", "ofac", "heist-list", "scam", "csv", "scamsniffer", "cryptoscamdb",
         "eth-phishing-detect", "mew-darklist")
SCAM_LIST_KINDS = ("scamsniffer", "cryptoscamdb", "eth-phishing-detect", "mew-darklist")
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
    entities: int = 0  # scam lists: the sites stored
    entity_addresses: int = 0  # and their (site, address) links
    source: str | None = None  # scam lists: the list, its licence, version and whether it may be passed on
    licence: str | None = None
    version: str | None = None
    redistributable: bool | None = None


def import_labels(store: Store, kind: str, path: Path, *, asserted_by: str = "hotpursuit",
                  tlp: str = "CLEAR") -> LabelImportReport:
    """Import `path` (a file, or a folder of files of that kind)."""
    if kind not in KINDS:
        raise IngestError(f"unknown label source kind {kind!r}; one of {', '.join(KINDS)}")
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder")
    report = LabelImportReport()
    if kind in SCAM_LIST_KINDS:
        return _import_scam_list(store, kind, path, Provenance(asserted_by, tlp, date.today()))
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


def _import_scam_list(store: Store, kind: str, path: Path, who: Provenance) -> LabelImportReport:
    """Read one scam list (a folder or its file), store its sites, addresses, rules and claims."""
    files: list[Path]
    if kind == "scamsniffer":
        folder = path.parent if path.is_file() else path
        files = [f for f in (folder / "combined.json", folder / "address.json") if f.is_file()]
        if not files:
            raise IngestError(f"{path}: no combined.json or address.json (ScamSniffer's scam-database files)")
        texts = {f.name: read_user_text(f, expected="ScamSniffer's JSON") for f in files}
        scam_list = parse_scamsniffer(texts.get("combined.json"), texts.get("address.json"),
                                      version=_version(folder, files), who=who)
    elif kind == "cryptoscamdb":
        file = path / "urls.yaml" if path.is_dir() else path
        if not file.is_file():
            raise IngestError(f"{path}: no urls.yaml (CryptoScamDB's blacklist)")
        files = [file]
        scam_list = parse_cryptoscamdb(read_user_text(file, expected="CryptoScamDB's urls.yaml"),
                                       version=_version(file.parent, files), who=who, name=file.name)
    elif kind == "eth-phishing-detect":
        scam_list, files = _eth_phishing_detect(path, who)
    else:
        files = [path]
        if path.is_dir():
            raise IngestError(f"{path}: a folder; give MyEtherWallet's darklist JSON file")
        _check_darklist(path)
        darklist = import_scam_list(path, asserted_by=who.org)
        scam_list = ScamList(darklist_source(_version(path.parent, files)), [], darklist.claims, darklist.skipped)
        if who.tlp != "CLEAR":
            scam_list.claims = [_with_tlp(c, who.tlp) for c in scam_list.claims]
    replace_scam_list(store, scam_list.source, scam_list.entities, scam_list.claims, rules=scam_list.rules,
                      org=who.org)
    source = scam_list.source
    return LabelImportReport(files=len(files), claims=len(scam_list.claims), skipped=scam_list.skipped,
                             entities=len(scam_list.entities), entity_addresses=scam_list.addresses,
                             source=source.name, licence=source.licence, version=source.version,
                             redistributable=source.redistributable)


def _check_darklist(path: Path) -> None:
    """MyEtherWallet's darklist is a JSON array of {address, comment, date} objects; anything else is refused."""
    try:
        rows = json.loads(read_user_text(path, expected="MyEtherWallet's darklist JSON"))
    except json.JSONDecodeError as exc:
        raise IngestError(f"{path}:{exc.lineno}: not MyEtherWallet's darklist (a JSON array of "
                          f"{{address, comment, date}}): {exc.msg}") from None
    if not isinstance(rows, list):
        raise IngestError(f"{path}: not MyEtherWallet's darklist (a JSON array of {{address, comment, date}})")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise IngestError(f"{path}: entry {number}: {row!r} is not an object {{address, comment, date}}")


def _eth_phishing_detect(path: Path, who: Provenance) -> tuple[ScamList, list[Path]]:
    """The npm package's folder (its package.json gives the version) or its `src/config.json`."""
    package = path / "package.json" if path.is_dir() else None
    config = path / "src" / "config.json" if path.is_dir() else path
    if not config.is_file():
        raise IngestError(f"{path}: no src/config.json (the eth-phishing-detect package's folder, or its config.json)")
    version = None
    if package is not None and package.is_file():
        try:
            meta = json.loads(read_user_text(package))
        except json.JSONDecodeError as exc:
            raise IngestError(f"{package}: malformed JSON: {exc.msg} (line {exc.lineno})") from None
        if isinstance(meta, dict) and meta.get("name") == "eth-phishing-detect" and meta.get("version"):
            version = str(meta["version"])
    files = [config]
    text = read_user_text(config, expected="eth-phishing-detect's config.json")
    return parse_eth_phishing_detect(text, version=version or _version(config.parent, files), who=who,
                                     name=config.name), files


_COMMIT = re.compile(r"\bcommit ([0-9a-f]{40})\b")


def _version(folder: Path, files: list[Path]) -> str:
    """The list's version: the one commit a PROVENANCE.md beside it names, else the files' SHA-256."""
    provenance = folder / "PROVENANCE.md"
    if provenance.is_file():
        commits = set(_COMMIT.findall(read_user_text(provenance)))
        if len(commits) == 1:
            return f"commit {commits.pop()}"
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return f"sha256 {digest.hexdigest()[:16]}"


def _with_tlp(claim: LabelClaim, tlp: str) -> LabelClaim:
    return replace(claim, tlp=tlp)
