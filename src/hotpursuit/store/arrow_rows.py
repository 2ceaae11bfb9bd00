"""Turning lists of record dataclasses into Arrow tables for bulk inserts (ints as exact text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import pyarrow as pa


def records_to_arrow(records: Sequence[Any], record_type: type, big_ints: set[str]) -> pa.Table:
    """Columns of `record_type`'s fields; fields in `big_ints` become decimal strings.

    Amounts travel as text so that values above 2^64 (and up to 2^256-1) stay exact; the SQL that
    inserts them casts to BIGNUM.
    """
    columns: dict[str, list[Any]] = {}
    for field in fields(record_type):
        name = field.name
        values = [getattr(r, name) for r in records]
        if name in big_ints:
            values = [None if v is None else str(v) for v in values]
        columns[name] = values
    schema = []
    for field in fields(record_type):
        name = field.name
        if name in big_ints:
            schema.append(pa.field(name, pa.string()))
        else:
            schema.append(pa.field(name, _arrow_type(field.type)))
    return pa.table(columns, schema=pa.schema(schema))


def _arrow_type(annotation: Any) -> pa.DataType:
    text = str(annotation)
    if text.startswith("int"):
        return pa.int64()
    return pa.string()
