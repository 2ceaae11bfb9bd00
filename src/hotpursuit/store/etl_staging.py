"""Staging ethereum-etl export files in DuckDB: read as text, validate every cell, then insert.

A file is read into a temp table of text columns (so nothing is coerced silently), each cell is
checked against its column's kind, and the first bad cell is reported with file, line and column.
Only when every file is clean are the rows inserted, in one transaction with the deletes that make
a re-import idempotent.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from hotpursuit.errors import ImportFileError
from hotpursuit.store.database import Store

UINT256_MAX = 2**256 - 1

# cell checks by kind; {c} is the column
_CHECKS = {
    "address": "regexp_full_match({c}, '0x[0-9a-fA-F]{{40}}')",
    "hash": "regexp_full_match({c}, '0x[0-9a-fA-F]{{64}}')",
    # only a 78-digit value can exceed 2^256-1, so only those pay for the BIGNUM comparison; CASE, not AND:
    # DuckDB evaluates both sides of an AND, and casting '1.5e+20' or 'abc' would raise instead of failing
    "uint": "(CASE WHEN NOT regexp_full_match({c}, '[0-9]{{1,78}}') THEN false WHEN length({c}) < 78 THEN true "
            "ELSE {c}::BIGNUM <= '" + str(UINT256_MAX) + "'::BIGNUM END)",
    "int": "TRY_CAST({c} AS BIGINT) IS NOT NULL AND TRY_CAST({c} AS BIGINT) >= 0",
    # positions and counts the store keeps as INTEGER (a transaction's index, a log's, a block's tx count)
    "int32": "TRY_CAST({c} AS INTEGER) IS NOT NULL AND TRY_CAST({c} AS INTEGER) >= 0",
    "text": "true",
}
_REASONS = {
    "address": "not an address (0x and 40 hex digits)",
    "hash": "not a 32-byte hash (0x and 64 hex digits)",
    "uint": "not a non-negative integer up to 2^256-1",
    "int": "not a non-negative integer",
    "int32": "not a non-negative integer below 2^31",
    "text": "",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an export: its kind and whether a value is required."""

    name: str
    kind: str
    required: bool = True


@dataclass(frozen=True)
class StagedFile:
    """A validated file held in a temp table with its line numbers."""

    kind: str
    path: str
    table: str
    rows: int
    min_block: int | None
    max_block: int | None
    columns: frozenset[str]


def stage_file(store: Store, kind: str, path: str, fmt: str, specs: list[ColumnSpec],
               block_column: str) -> StagedFile:
    """Read `path` (csv or json lines, UTF-8 with or without a BOM) into temp table `stage_<kind>` and
    validate it."""
    store._con.execute(f"DROP TABLE IF EXISTS stage_{kind}")
    present = _present_columns(path, fmt, specs)
    missing = [s.name for s in specs if s.required and s.name not in present]
    if missing:
        raise ImportFileError(path, 1, missing[0], "required column is missing")
    names = [s.name for s in specs if s.name in present]
    cols = ", ".join(f"'{n}': 'VARCHAR'" for n in (present if fmt == "csv" else names))
    bomless = _without_bom(path) if fmt == "json" else None  # DuckDB's JSON reader refuses a UTF-8 BOM
    try:
        return _stage(store, kind, path, bomless or path, fmt, specs, block_column, present, names, cols)
    finally:
        if bomless is not None:
            os.unlink(bomless)


def _without_bom(path: str) -> str | None:
    """A temporary copy of a file that starts with a UTF-8 byte order mark, without it; None otherwise."""
    with open(path, "rb") as fh:
        if fh.read(3) != codecs.BOM_UTF8:
            return None
        with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as out:
            shutil.copyfileobj(fh, out)
            return out.name


def _stage(store: Store, kind: str, path: str, source: str, fmt: str, specs: list[ColumnSpec], block_column: str,
           present: list[str], names: list[str], cols: str) -> StagedFile:
    con = store._con
    table = f"stage_{kind}"
    quoted = source.replace("'", "''")
    if fmt == "csv":
        reader = (f"read_csv('{quoted}', header=true, delim=',', quote='\"', escape='\"', "
                  f"strict_mode=true, auto_detect=false, columns={{{cols}}})")
        first_line = 2
    else:
        reader = f"read_json('{quoted}', format='newline_delimited', columns={{{cols}}})"
        first_line = 1
    select = ", ".join(f'"{n}"' for n in names)
    try:
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT {select} FROM {reader}")
    except duckdb.Error as exc:
        if fmt == "json":
            located = _locate_json_error(path)
            if located is not None:
                raise located from exc
        raise _file_error(path, str(exc), present) from exc
    _validate(con, table, path, [s for s in specs if s.name in present], first_line)
    row = con.execute(f'SELECT count(*), min("{block_column}"::BIGINT), max("{block_column}"::BIGINT) '
                      f"FROM {table}").fetchone()
    assert row is not None
    return StagedFile(kind, path, table, int(row[0]), row[1], row[2], frozenset(names))


def _present_columns(path: str, fmt: str, specs: list[ColumnSpec]) -> list[str]:
    if fmt == "csv":
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                header = fh.readline().rstrip("\r\n")
        except UnicodeDecodeError as exc:
            raise ImportFileError(path, 1, f"byte {exc.start}", "not UTF-8 text (a binary or compressed file? "
                                  "ethereum-etl writes plain .csv or .json)") from None
        return [h.strip() for h in header.split(",")] if header else []
    # JSON lines: every known column is read; absent keys become NULL and are checked as such
    return [s.name for s in specs]


def _validate(con: duckdb.DuckDBPyConnection, table: str, path: str, specs: list[ColumnSpec],
              first_line: int) -> None:
    probes = []
    for s in specs:
        check = _CHECKS[s.kind].format(c=f'"{s.name}"')
        bad = f'"{s.name}" IS NULL' if s.required else "false"
        bad = f'({bad} OR ("{s.name}" IS NOT NULL AND NOT coalesce({check}, false)))'
        probes.append(f"min(rowid) FILTER (WHERE {bad})")
    row = con.execute(f"SELECT {', '.join(probes)} FROM {table}").fetchone()
    assert row is not None
    worst: tuple[int, ColumnSpec] | None = None
    for s, first_bad in zip(specs, row, strict=True):
        if first_bad is not None and (worst is None or first_bad < worst[0]):
            worst = (int(first_bad), s)
    if worst is None:
        return
    rowid, s = worst
    value = con.execute(f'SELECT "{s.name}" FROM {table} WHERE rowid = ?', [rowid]).fetchone()
    shown = None if value is None else value[0]
    reason = "value is missing" if shown is None else f"{shown!r} is {_REASONS[s.kind]}"
    raise ImportFileError(path, rowid + first_line, s.name, reason)


def read_json_lines(path: str, *, replace_bad_bytes: bool = False) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-blank line; ImportFileError at the first line that is not one
    JSON object, naming the line and the character."""
    out = []
    with open(path, encoding="utf-8-sig", errors="replace" if replace_bad_bytes else "strict") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFileError(path, number, f"character {exc.colno}", f"malformed JSON: {exc.msg}") from exc
            if not isinstance(obj, dict):
                raise ImportFileError(path, number, "character 1", "line is not a JSON object")
            out.append((number, obj))
    return out


def _locate_json_error(path: str) -> ImportFileError | None:
    """The first line of a JSON-lines file that is not one JSON object, with its column."""
    try:
        read_json_lines(path, replace_bad_bytes=True)
    except ImportFileError as exc:
        return exc
    return None


def _file_error(path: str, message: str, header: list[str]) -> ImportFileError:
    """Turn DuckDB's reader error into file:line:column."""
    line_match = re.search(r"(?:Line|line):? (\d+)", message)
    line = int(line_match.group(1)) if line_match else 0
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    column = "?"
    if found:
        have = int(found.group(2))
        column = header[have] if have < len(header) else f"column {have + 1}"
        reason = f"expected {found.group(1)} columns, found {have}"
    else:
        original = re.search(r"Original Line: (.*)", message)
        if original and '"' in original.group(1):
            before = original.group(1).split('"')[0]
            index = before.count(",")
            column = header[index] if index < len(header) else f"column {index + 1}"
        reason = next((ln.strip() for ln in message.splitlines()[1:] if ln.strip()
                       and not ln.startswith(("Original", "CSV", "LINE", "Possible"))), message)
        if "Malformed JSON" in message:
            reason = message.split(":", 1)[1].split("\n")[0].strip()
            byte = re.search(r"at byte (\d+)", message)
            column = f"byte {byte.group(1)}" if byte else "?"
    return ImportFileError(path, line, column, reason)


def drop_staged(store: Store, staged: Iterable[StagedFile]) -> None:
    """Drop the temporary tables of staged files."""
    for s in staged:
        store._con.execute(f"DROP TABLE IF EXISTS {s.table}")
