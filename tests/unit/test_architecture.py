"""Architectural facts pinned by tests (httpx's test_exported_members is the model): SQL only in
`store/`; the pure core imports no I/O library and no store; the product never imports the exercise kit
(`drill/`, nodes included); no import cycles between the package's modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "hotpursuit"
CORE = ("chains", "trace", "cluster", "screening", "security")
# pure modules of packages that also hold adapters: the shared facts and their STIX and MISP mappings
PURE_MODULES = tuple(f"hotpursuit.share.{m}" for m in ("model", "stix_vocabulary", "stix_mapping", "wallets",
                                                        "misp_feed", "misp_import"))
IO_LIBRARIES = ("duckdb", "httpx", "fastapi", "uvicorn", "starlette", "pyarrow", "requests", "hotpursuit.store",
                "hotpursuit.api", "hotpursuit.ingest", "hotpursuit.jobs")
KIT = ("drill",)
DB_CALLS = {"execute", "executemany", "sql", "fetchall", "fetchone", "fetchnumpy", "fetch_arrow_table"}
SQL_TEXT = re.compile(r"^\s*(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(OR\s+REPLACE\s+)?"
                      r"(TEMP\s+)?TABLE|DROP\s+TABLE|WITH\s+\w+\s+AS\s*\()")


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(("hotpursuit", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        out[name] = (path, ast.parse(path.read_text(encoding="utf-8")))
    return out


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else ""


def _imports(tree: ast.Module, module: str) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".")[:-node.level]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def test_sql_lives_in_the_store_only() -> None:
    offences = []
    for module, (path, tree) in _modules().items():
        if _package(module) == "store":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and (node.attr in DB_CALLS or node.attr == "con"):
                offences.append(f"{path.name}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.match(node.value):
                offences.append(f"{path.name}:{node.lineno} SQL text")
    assert offences == []


def test_the_core_imports_no_io_and_no_store() -> None:
    offences = [f"{module} imports {name}" for module, (_, tree) in _modules().items()
                if _package(module) in CORE or module in PURE_MODULES
                for name in sorted(_imports(tree, module)) if name.startswith(IO_LIBRARIES)]
    assert offences == []
    assert set(PURE_MODULES) <= set(_modules())  # the list names modules that exist


def test_the_product_never_imports_the_exercise_kit() -> None:
    kit = tuple(f"hotpursuit.{k}" for k in KIT)
    offences = [f"{module} imports {name}" for module, (_, tree) in _modules().items() if _package(module) not in KIT
                for name in sorted(_imports(tree, module)) if name.startswith(kit)]
    assert offences == []


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {m: {i for i in _imports(tree, m) if i in modules and i != m} for m, (_, tree) in modules.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    assert cycles == []


def test_the_rules_see_what_they_must() -> None:
    """The checks above are not vacuous: they find the store's own SQL and the kit's imports."""
    modules = _modules()
    store_sql = [m for m, (_, tree) in modules.items() if _package(m) == "store"
                 for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "execute"]
    assert len(store_sql) > 50
    assert any(name.startswith("hotpursuit.store") for name in _imports(modules["hotpursuit.jobs.trace_job"][1],
                                                                         "hotpursuit.jobs.trace_job"))
    assert "hotpursuit.drill.devnet.anvil" in _imports(modules["hotpursuit.drill.cli"][1], "hotpursuit.drill.cli")
