"""Fuzzing the importers with mutated real files and random bytes: every outcome is a stored import or
one HotpursuitError naming the file; never another exception (a traceback for the user)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotpursuit.errors import HotpursuitError
from hotpursuit.ingest.ethereum_etl_job import import_ethereum_etl
from hotpursuit.ingest.explorer_job import import_explorer
from hotpursuit.store import Store

from ..conftest import ETL_EXPORT, SHARED_DATA

EXPLORER_FILES = [SHARED_DATA / "explorer-exports" / "etherscan-csv" / "0xf98c96b5" / name
                  for name in ("etherscan.csv", "etherscan-internal.csv", "etherscan-erc20.csv")] + [
    SHARED_DATA / "explorer-exports" / "etherscan-api" / "txlist_get_account_transactions.json",
    SHARED_DATA / "lazarus" / "bybit_2025_hop1_all.csv"]
ETL_FILES = ["blocks.json", "transactions.json", "token_transfers.json"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The original with a few edits: bytes flipped, a slice cut or repeated, a cell replaced, or random bytes."""
    kind = draw(st.sampled_from(["flip", "cut", "repeat", "cell", "random", "truncate", "field", "field"]))
    data = bytearray(original[:20_000])
    if kind == "field":  # one field of one record given a value of the wrong kind, the file still well formed
        return _replace_field(draw, original[:20_000].decode("utf-8", errors="replace"))
    if kind == "random":
        return draw(st.binary(min_size=0, max_size=2_000))
    if kind == "truncate":
        return bytes(data[:draw(st.integers(0, len(data)))])
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, max(len(data) - 1, 0)))
            data[i] = draw(st.integers(0, 255))
    elif kind == "cut":
        del data[at:at + draw(st.integers(1, 200))]
    elif kind == "repeat":
        data[at:at] = data[at:at + draw(st.integers(1, 200))]
    else:
        junk = draw(st.sampled_from([b"-1", b"1.5e20", b"abc", b"0x", b"", b'"', b"\xff\xfe", b"9" * 90, b"\n", b",",
                                     b"0xZZ", b"null", b"{}", b"[]", "\u0415\u0422\u041d".encode()]))
        data[at:at + draw(st.integers(0, 40))] = junk
    return bytes(data)


JUNK = st.sampled_from(["-1", "1.5e20", "abc", "0x", "", "0x" + "f" * 66, "9" * 90, "1" * 78, "0xZZ", "null",
                        " 0x47666fab8bd0ac7003bce3f5c3585383f09486e2\n", "\u0415\u0422\u041d", "2.5", "1,000"])


def _replace_field(draw: st.DrawFn, text: str) -> bytes:
    lines = text.splitlines()[:60]
    if not lines:
        return b""
    if lines[0].lstrip().startswith("{"):  # JSON lines, or one JSON reply
        try:
            records = [json.loads(line) for line in lines]
        except ValueError:
            return text.encode()
        i = draw(st.integers(0, len(records) - 1))
        record = records[i]
        target = record["result"][0] if isinstance(record.get("result"), list) and record["result"] else record
        if target:
            key = draw(st.sampled_from(sorted(target)))
            target[key] = draw(st.one_of(JUNK, st.integers(-2, 2**260), st.floats(allow_nan=False), st.none()))
        return "\n".join(json.dumps(r) for r in records).encode() + b"\n"
    rows = list(csv.reader(lines))
    i = draw(st.integers(1, max(len(rows) - 1, 1))) if len(rows) > 1 else 0
    if rows[i]:
        rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(JUNK)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _only_clear_errors(run: object) -> None:
    try:
        run()  # type: ignore[operator]
    except HotpursuitError as exc:
        assert str(exc), "an error must say what and where"


@pytest.mark.parametrize("original", EXPLORER_FILES, ids=lambda p: p.name)
def test_explorer_import_never_raises_anything_but_a_clear_error(original: Path, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "fuzz.duckdb")

    @FUZZ
    @given(data=mutated(original.read_bytes()))
    def fuzz(data: bytes) -> None:
        path = tmp_path / original.name
        path.write_bytes(data)
        owner = "0x47666fab8bd0ac7003bce3f5c3585383f09486e2" if "hop1" in original.name else None
        _only_clear_errors(lambda: import_explorer(store, [path], owner=owner))

    try:
        fuzz()
    finally:
        store.close()


@pytest.mark.parametrize("name", ETL_FILES)
def test_ethereum_etl_import_never_raises_anything_but_a_clear_error(name: str, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "fuzz.duckdb")

    @FUZZ
    @given(data=mutated((ETL_EXPORT / name).read_bytes()))
    def fuzz(data: bytes) -> None:
        folder = tmp_path / "export"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / name).write_bytes(data)
        _only_clear_errors(lambda: import_ethereum_etl(store, folder))

    try:
        fuzz()
    finally:
        store.close()
