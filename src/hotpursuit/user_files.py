"""Reading a text file a user names (an export, a label list, a TagPack): UTF-8, a byte order mark
accepted; a missing, unreadable, compressed or binary file is an IngestError naming the file (and the
first bad byte), never a traceback."""

from __future__ import annotations

from pathlib import Path

from hotpursuit.errors import IngestError

# gzip, bzip2, zstd, zip
COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\x28\xb5\x2f\xfd", b"PK\x03\x04")


def read_user_text(path: Path, *, reads: str = "the file as it was written", expected: str = "") -> str:
    """The text of `path`. `reads` says what the import wants instead of a compressed file, `expected`
    (if given) what it wants instead of a binary one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror}") from None
    if raw.startswith(COMPRESSED_MAGIC):
        raise IngestError(f"{path}: a compressed file (gzip, bzip2, zstd or zip); decompress it first, the "
                          f"import reads {reads}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: not UTF-8 text (byte {exc.start})" + (f"; expected {expected}" if expected else "")
                          ) from None
