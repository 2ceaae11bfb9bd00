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
    assert sum(r["transfers"] for r in data["transfers"]) == 418  # 3 of them zero-value Transfers (poisoning evidence)


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


def test_bitcoin_commands_import_ingest_and_refuse_bad_blocks(tmp_path: Path) -> None:
    from hotpursuit.drill.devnet.bitcoin_fixtures import blk_file_bytes, shared_mainnet_blocks
    from hotpursuit.drill.devnet.bitcoin_server import BitcoinTestServer

    from ..conftest import SHARED_DATA

    blocks = shared_mainnet_blocks(SHARED_DATA / "bitcoin-etl-mainnet")
    blk = tmp_path / "blk00000.dat"
    blk.write_bytes(blk_file_bytes([b.raw for b in blocks[:2]]))
    db = str(tmp_path / "s.duckdb")
    ok = runner.invoke(app, ["import", "bitcoin-blocks", str(blk), "--db", db, "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["outputs"] == 2

    blk.write_bytes(blk_file_bytes([b.raw for b in blocks[:2]])[:-1])
    bad = runner.invoke(app, ["import", "bitcoin-blocks", str(blk), "--db", str(tmp_path / "bad.duckdb")])
    assert bad.exit_code == 1 and "block truncated" in bad.output

    cookie = tmp_path / ".cookie"
    cookie.write_text("__cookie__:c0ffee")
    with BitcoinTestServer([(b.height, b.raw) for b in blocks[:2]], rpc_user="__cookie__",
                           rpc_password="c0ffee") as server:
        got = runner.invoke(app, ["ingest", "bitcoin", "--rpc", server.rpc_url, "--rpc-cookie", str(cookie),
                                  "--from", "0", "--to", "1", "--db", str(tmp_path / "rpc.duckdb"),
                                  "--format", "json"])
        assert got.exit_code == 0, got.output
        assert json.loads(got.output[got.output.index("{"):])["blocks"] == 2
        both = runner.invoke(app, ["ingest", "bitcoin", "--rpc", server.rpc_url, "--esplora", server.esplora_url,
                                   "--db", str(tmp_path / "x.duckdb")])
        assert both.exit_code == 1 and "exactly one of --rpc" in both.output


def test_org_key_and_audit_verify_commands(tmp_path: Path) -> None:
    from hotpursuit.store import Store
    from hotpursuit.store.audit_tables import append_audit

    db = str(tmp_path / "a.duckdb")
    assert runner.invoke(app, ["org", "add", "kr-nis", "--name", "NIS", "--kind", "agency", "--db", db]).exit_code == 0
    bad = runner.invoke(app, ["org", "add", "x", "--name", "X", "--kind", "bank", "--db", db])
    assert bad.exit_code == 1 and "agency, exchange, issuer" in bad.output
    made = runner.invoke(app, ["key", "create", "kr-nis", "--scope", "screen", "--db", db])
    assert made.exit_code == 0 and "hp_" in made.output
    with Store.open(db) as store:
        for i in range(3):
            append_audit(store, "kr-nis", "screen", f"address {i}")
    assert runner.invoke(app, ["audit", "verify", "--db", db]).exit_code == 0
    with Store.open(db) as store:
        store.execute("DELETE FROM audit_log WHERE seq = 2")
    broken = runner.invoke(app, ["audit", "verify", "--db", db])
    assert broken.exit_code == 1 and "entry 2 is missing" in broken.output


def test_a_store_held_by_a_running_server_is_refused_with_the_reason(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = runner.invoke(app, ["import", "ethereum-etl", str(ETL_EXPORT), "--db", str(db)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert "another process holds it" in result.output and "hotpursuit serve" in result.output


def test_org_webhook_and_control_commands_refuse_bad_input(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    assert runner.invoke(app, ["org", "add", "ex-hanbit", "--name", "Hanbit", "--kind", "exchange",
                               "--db", db]).exit_code == 0
    hook = runner.invoke(app, ["org", "webhook", "ex-hanbit", "--url", "https://hanbit.example/hook", "--db", db])
    assert hook.exit_code == 0 and "whsec_" in hook.output
    for args, says in ((["org", "webhook", "ex-nobody", "--url", "https://x.example/h"], "no organisation"),
                       (["org", "webhook", "ex-hanbit", "--url", "ftp://x.example/h"], "not an http(s) URL"),
                       (["org", "control", "ex-hanbit", "--chain", "ethereum", "--address", "0x12",
                         "--kind", "deposit_address"], "0x12"),
                       (["org", "control", "ex-hanbit", "--chain", "ethereum", "--address", "0x" + "ab" * 20,
                         "--kind", "vault"], "hot_wallet, deposit_address, token, bridge")):
        refused = runner.invoke(app, [*args, "--db", db])
        assert refused.exit_code == 1 and says in refused.output, refused.output
    ok = runner.invoke(app, ["org", "control", "ex-hanbit", "--chain", "bitcoin", "--kind", "deposit_address",
                             "--address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "--db", db])
    assert ok.exit_code == 0, ok.output


def test_bad_options_are_usage_errors_and_unknown_ids_user_errors(tmp_path: Path) -> None:
    """What a new user mistypes: a choice its own --help does not offer (exit 2, the choices listed), a
    negative limit (exit 2), an id or a store that does not exist (exit 1, one line, nothing created)."""
    db = str(tmp_path / "s.duckdb")
    assert runner.invoke(app, ["import", "ethereum-etl", str(ETL_EXPORT), "--db", db]).exit_code == 0
    source = "0x" + "ab" * 32
    assert runner.invoke(app, ["incident", "open", "case", "--chain", "ethereum", "--source", source,
                               "--tlp", "amber+strict", "--db", db]).exit_code == 0
    usage = {
        ("trace", "case", "--format", "table"): "json",
        ("trace", "case", "--model", "lifo"): "haircut",
        ("trace", "case", "--hops", "-1"): "--hops",
        ("incident", "open", "x", "--chain", "ethereum", "--source", source, "--tlp", "PURPLE"): "amber+strict",
        ("store", "summary", "--format", "yaml"): "table",
    }
    for args, says in usage.items():
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == 2 and says in result.output, (args, result.output)
    user = {
        ("incident", "close", "nope"): "no such incident",
        ("key", "revoke", "nope"): "no such key",
        ("trace", "case", "--dust", "-5"): "want N or ASSET=N",
        ("trace", "case", "--out", str(tmp_path / "missing" / "x.json")): "does not exist",
        ("trace", "case"): "nothing to trace",  # its theft tx is not in the store: not an empty "nothing stolen"
    }
    for args, says in user.items():
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output, args
    missing = tmp_path / "typo.duckdb"
    for args in (["labels", "show", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"], ["incident", "list"],
                 ["store", "summary"], ["trace", "case"], ["audit", "verify"]):
        result = runner.invoke(app, [*args, "--db", str(missing)])
        assert result.exit_code == 1 and "no store at" in result.output, args
    assert not missing.exists()
    shown = runner.invoke(app, ["incident", "show", "case", "--db", db]).output
    assert "TLP AMBER+STRICT" in shown
    assert runner.invoke(app, ["incident", "close", "case", "--db", db]).exit_code == 0


def test_cli_refuses_a_tlp_or_model_outside_the_product_s_lists(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    for args in (["incident", "open", "x", "--source", "0x" + "11" * 32, "--tlp", "PURPLE"],
                 ["trace", "x", "--model", "lifo"]):
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == 2, (args, result.output)
        assert "PURPLE" in result.output or "lifo" in result.output


def test_the_kit_finds_what_the_demo_loads() -> None:
    """The demo's label lists and reference receivers are where the kit looks (the kit moved once and the
    demo lost its label folder)."""
    from hotpursuit.drill.cli import DEMO_LABELS
    from hotpursuit.settings import project_root

    assert (DEMO_LABELS / "graphsense-tagpacks" / "actors").is_dir() and (DEMO_LABELS / "lazarus").is_dir()
    assert (project_root() / "examples" / "exchange_receiver.py").is_file()


def test_lists_fit_80_columns_keep_whole_ids_and_come_as_json(tmp_path: Path) -> None:
    """At 80 columns a list too wide for a table is shown one block per row, every id whole; the same
    rows come as JSON with --format json, in a stable order."""
    import json

    from hotpursuit.cli.options import console

    db = str(tmp_path / "l.duckdb")
    long_name = "Operation Nightjar: the second wave of laundering through cross-chain bridges"
    for org in ("kr-spo", "ex-a-very-long-exchange-identifier-of-a-partner", "kr-nis"):
        assert runner.invoke(app, ["org", "add", org, "--name", long_name, "--kind", "exchange", "--db", db,
                                   "--sharing-group", "task-force-korea-europol"]).exit_code == 0
    assert console.width == 80  # a pipe, as in CI: rich's default
    shown = runner.invoke(app, ["org", "list", "--db", db])
    assert shown.exit_code == 0 and all(len(line) <= 80 for line in shown.output.splitlines())
    assert "id: ex-a-very-long-exchange-identifier-of-a-partner" in shown.output  # whole, on its line
    listed = json.loads(runner.invoke(app, ["org", "list", "--db", db, "--format", "json"]).output)
    assert [o["id"] for o in listed] == ["ex-a-very-long-exchange-identifier-of-a-partner", "kr-nis", "kr-spo"]
    assert listed[0]["sharing_group"] == "task-force-korea-europol"
    keys = json.loads(runner.invoke(app, ["key", "list", "--db", db, "--format", "json"]).output)
    assert keys == []
    assert json.loads(runner.invoke(app, ["incident", "list", "--db", db, "--format", "json"]).output) == []
