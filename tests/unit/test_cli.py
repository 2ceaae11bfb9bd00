"""The CLI's contract: exit 0 ok, 1 user error with a clear message, 2 bad usage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from hotpursuit.cli import app

from ..conftest import ETL_EXPORT

runner = CliRunner()


def test_import_then_summary_as_json(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    ok = runner.invoke(app, ["import", "ethereum-etl", str(ETL_EXPORT), "--db", db, "--format", "json"])
    assert ok.exit_code == 0, ok.output
    summary = runner.invoke(app, ["store", "summary", "--db", db, "--format", "json"])
    data = json.loads(summary.output)
    assert data["tables"]["blocks"] == 2
    assert sum(r["transfers"] for r in data["transfers"]) == 415


def test_malformed_file_exits_1_naming_the_place(tmp_path: Path) -> None:
    folder = tmp_path / "e"
    shutil.copytree(ETL_EXPORT, folder)
    text = (folder / "transactions.json").read_text().replace('"nonce": 323847', '"nonce": "x"', 1)
    (folder / "transactions.json").write_text(text)
    result = runner.invoke(app, ["import", "ethereum-etl", str(folder), "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 1
    assert "transactions.json:1" in result.output and "nonce" in result.output


def test_env_var_chooses_the_store(tmp_path: Path) -> None:
    db = tmp_path / "from-env.duckdb"
    result = runner.invoke(app, ["import", "ethereum-etl", str(ETL_EXPORT)], env={"HOTPURSUIT_DB": str(db)})
    assert result.exit_code == 0 and db.exists()


def test_bad_usage_exits_2() -> None:
    assert runner.invoke(app, ["ingest", "evm"]).exit_code == 2
