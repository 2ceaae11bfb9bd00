"""Every CLI command given random argument values: the answer is exit 0, a one-line user error (exit 1) or
a usage error (exit 2); never a traceback. Commands that serve, follow a chain or drive anvil are left out
(they run until stopped); their options share the types fuzzed here."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hotpursuit.cli import app

from ..conftest import ETL_EXPORT, SHARED_DATA

runner = CliRunner()
ADDRESS = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
COMMANDS = [
    ["import", "ethereum-etl", "{path}", "--chain", "{word}"],
    ["import", "explorer", "{path}", "--from", "{word}", "--tx", "{word}"],
    ["import", "bitcoin-blocks", "{path}", "--first-height", "{number}"],
    ["labels", "import", "{word}", "{path}", "--tlp", "{word}", "--as", "{word}"],
    ["labels", "show", "{word}", "--chain", "{word}", "--format", "{word}"],
    ["labels", "site", "{word}", "--format", "{word}"],
    ["address", "show", "{word}", "--chain", "{word}"],
    ["incident", "open", "{word}", "--chain", "{word}", "--source", "{word}", "--since", "{number}"],
    ["incident", "show", "{word}"],
    ["report", "intake", "{path}", "--org", "{word}"],
    ["report", "list", "--org", "{word}", "--format", "{word}"],
    ["report", "case", "{word}", "--org", "{word}", "--chain", "{word}", "--report", "{word}", "--tlp", "{word}"],
    ["report", "{word}", "--format", "{word}", "--lang", "{word}"],
    ["incident", "close", "{word}"],
    ["trace", "{word}", "--model", "{word}", "--hops", "{number}", "--dust", "{number}", "--out", "{path}"],
    ["store", "summary", "--format", "{word}"],
    ["store", "export-parquet", "{path}", "--block-range-size", "{number}"],
    ["cluster", "run", "{word}", "--window", "{number}"],
    ["org", "add", "{word}", "--name", "{word}", "--kind", "{word}"],
    ["org", "control", "{word}", "--chain", "{word}", "--address", "{word}", "--kind", "{word}"],
    ["key", "create", "{word}", "--scope", "{word}", "--expires-days", "{number}"],
    ["key", "revoke", "{word}"],
    ["share", "pull", "{word}", "--collection", "{word}", "--org", "{word}", "--key", "{word}"],
    ["share", "push", "{word}", "--collection", "{word}", "--org", "{word}", "--for", "{word}", "--what", "{word}",
     "--key", "{word}"],
    ["share", "misp-import", "{path}", "--org", "{word}"],
    ["share", "misp-feed", "--out", "{path}", "--org", "{word}"],
    ["share", "stix", "{word}", "--out", "{path}", "--for", "{word}"],
    ["evidence", "export", "{word}", "--out", "{path}", "--key", "{path}", "--to", "{word}"],
    # the scale commands check the export, the store and their options before starting Spark
    ["scale", "trace", "{word}", "--parquet", "{path}", "--model", "{word}", "--master", "{word}", "--conf", "{word}"],
    ["scale", "cluster", "{word}", "--parquet", "{path}", "--master", "{word}", "--window", "{number}"],
    ["scale", "screen", "--parquet", "{path}", "--addresses", "{path}", "--for", "{word}", "--out", "{path}",
     "--chain", "{word}"],
]
WORDS = st.one_of(
    st.sampled_from(["", " ", "ethereum", "bitcoin", "eth", "Ethereum", ADDRESS, ADDRESS.lower() + "\n", "0x12",
                     "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "ofac", "tagpack", "csv", "RED", "purple", "json",
                     "table", "haircut", "lifo", "screen", "exchange", "nope", "-1", "1e3", "0x" + "ab" * 32,
                     "../../etc/passwd", "\u0415\u0422\u041d", "x" * 500, "http://127.0.0.1:9/taxii2/hotpursuit/",
                     "incident:nope", "labels", "drill-heist", "scamsniffer", "cryptoscamdb", "eth-phishing-detect",
                     "mew-darklist", "https://www.hanbit-pro.exchange/login", "xn--metherwallet-zhk.com",
                     "mailto:a@b.c"]),
    st.text(max_size=30))
NUMBERS = st.one_of(st.integers(-5, 5), st.sampled_from(["abc", "1.5", "", "99999999999999999999"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_command_ends_in_a_traceback(tmp_path_factory: object, data: st.DataObject) -> None:
    base = Path(tmp_path_factory.mktemp("cli"))  # type: ignore[attr-defined]
    # copies only: a command given a path may write there (--out, export-parquet), and the shared data
    # must never change (root ignores its missing write bits)
    binary = base / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    shutil.copytree(ETL_EXPORT, base / "etl")
    shutil.copytree(SHARED_DATA / "ofac-sdn-addresses", base / "ofac")
    shutil.copy(SHARED_DATA / "lazarus" / "bybit_2025_hop1_all.csv", base / "hop1.csv")
    paths = [str(base / "etl"), str(base / "hop1.csv"), str(binary), str(base / "missing" / "x.json"), str(base), "",
             str(base / "ofac"), str(base / "new-folder")]
    template = data.draw(st.sampled_from(COMMANDS))
    args = []
    for part in template:
        if part == "{word}":
            args.append(data.draw(WORDS))
        elif part == "{number}":
            args.append(str(data.draw(NUMBERS)))
        elif part == "{path}":
            args.append(data.draw(st.sampled_from(paths)))
        else:
            args.append(part)
    db = base / "s.duckdb"
    if data.draw(st.booleans()):
        assert runner.invoke(app, ["import", "ethereum-etl", str(base / "etl"), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code in (0, 1, 2), (args, result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {type(result.exception).__name__}: {result.exception}") from result.exception
    assert "Traceback" not in result.output, (args, result.output)
