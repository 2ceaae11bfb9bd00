"""A bundle on disk: a folder, or one .zip or .tar file. Read whole into path -> bytes (bundles are a few
megabytes), written whole; every path is a relative POSIX path, never absolute, never through '..', never
a link, so an archive cannot write or read outside its bundle."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from hotpursuit.evidence.layout import EvidenceError

ARCHIVE_SUFFIXES = (".zip", ".tar")
MAX_BUNDLE_BYTES = 2 << 30  # a bigger bundle is not one we wrote
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # archive members carry no export time: the custody log says when


def _checked(name: str, where: Path) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise EvidenceError(f"{where}: unsafe path in the bundle: {name!r}")
    return path.as_posix()


def read_bundle(path: Path) -> dict[str, bytes]:
    """Every file of the bundle at `path` (a folder, a .zip or a .tar); EvidenceError if it cannot be read."""
    if path.is_dir():
        return _read_folder(path)
    if not path.exists():
        raise EvidenceError(f"{path}: no such bundle (a folder, a .zip or a .tar)")
    try:
        if zipfile.is_zipfile(path):
            return _read_zip(path)
        if tarfile.is_tarfile(path):
            return _read_tar(path)
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise EvidenceError(f"{path}: cannot read the bundle ({exc})") from None
    raise EvidenceError(f"{path}: not a bundle (a folder, a .zip or a .tar)")


def _read_folder(root: Path) -> dict[str, bytes]:
    files, total = {}, 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted([*filenames, *dirnames]):
            full = Path(dirpath) / name
            if full.is_symlink():
                raise EvidenceError(f"{root}: the bundle holds a link, {full.relative_to(root).as_posix()}")
        for name in filenames:
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            try:
                data = full.read_bytes()
            except OSError as exc:
                raise EvidenceError(f"{root}: cannot read {rel} ({exc.strerror})") from None
            total += len(data)
            if total > MAX_BUNDLE_BYTES:
                raise EvidenceError(f"{root}: more than {MAX_BUNDLE_BYTES} bytes; not a bundle")
            files[rel] = data
    return files


def _read_zip(path: Path) -> dict[str, bytes]:
    files = {}
    with zipfile.ZipFile(path) as archive:
        if sum(i.file_size for i in archive.infolist()) > MAX_BUNDLE_BYTES:
            raise EvidenceError(f"{path}: more than {MAX_BUNDLE_BYTES} bytes unpacked; not a bundle")
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = _checked(info.filename, path)
            if name in files:
                raise EvidenceError(f"{path}: {name} is in the archive twice")
            files[name] = archive.read(info)
    return files


def _read_tar(path: Path) -> dict[str, bytes]:
    files = {}
    with tarfile.open(path) as archive:
        members = archive.getmembers()
        if sum(m.size for m in members) > MAX_BUNDLE_BYTES:
            raise EvidenceError(f"{path}: more than {MAX_BUNDLE_BYTES} bytes unpacked; not a bundle")
        for member in members:
            if member.isdir():
                continue
            name = _checked(member.name, path)
            if not member.isfile():
                raise EvidenceError(f"{path}: {name} is not a regular file (a link or a device)")
            if name in files:
                raise EvidenceError(f"{path}: {name} is in the archive twice")
            extracted = archive.extractfile(member)
            if extracted is None:
                raise EvidenceError(f"{path}: cannot read {name}")
            files[name] = extracted.read()
    return files


def check_new_target(path: Path) -> None:
    """Refuse an --out that would overwrite: an existing file, or a folder that is not empty; and one
    whose parent folder does not exist."""
    if not path.parent.is_dir():
        raise EvidenceError(f"--out {path}: folder {path.parent} does not exist")
    if path.is_dir() and any(path.iterdir()):
        raise EvidenceError(f"--out {path}: the folder is not empty; give a new or empty one")
    if path.exists() and not path.is_dir():
        raise EvidenceError(f"--out {path}: exists already")


def write_bundle(path: Path, files: Mapping[str, bytes], *, replace: bool = False) -> None:
    """Write a bundle: a .zip or .tar file if `path` ends so, else a folder. A new bundle (`replace`
    False) is refused if `path` is in the way (check_new_target); with `replace`, an archive is rewritten
    (through a temporary file and a rename) and a folder's files are written over."""
    if not replace:
        check_new_target(path)
    names = sorted(files)
    for name in names:
        _checked(name, path)
    if path.suffix.lower() in ARCHIVE_SUFFIXES and not path.is_dir():
        part = path.with_name(path.name + ".part")
        with part.open("wb") as fh:
            fh.write(_archive(path.suffix.lower(), {n: files[n] for n in names}))
        os.replace(part, path)
        return
    path.mkdir(exist_ok=True)
    for name in names:
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        part.write_bytes(files[name])
        os.replace(part, target)


def _archive(suffix: str, files: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    if suffix == ".zip":
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
    else:
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name, data in files.items():
                member = tarfile.TarInfo(name)
                member.size, member.mode, member.mtime = len(data), 0o644, 946684800
                archive.addfile(member, io.BytesIO(data))
    return out.getvalue()


def update_bundle(path: Path, files: Mapping[str, bytes], changed: Mapping[str, bytes]) -> None:
    """Write `changed` into the bundle at `path` whose files were `files` (an archive is rewritten whole)."""
    if path.is_dir():
        write_bundle(path, changed, replace=True)
    else:
        write_bundle(path, {**files, **changed}, replace=True)
