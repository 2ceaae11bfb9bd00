"""One error shape on every error path of every route (datasette's test_error_shape is the model): no key,
a key without the scope, nonsense in every path parameter, a malformed body. Each answer is a 4xx with
`{"error": {"code", "message", "field"}}`, never FastAPI's `{"detail"}` and never a 500."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key

NONSENSE = ["eth", "0x12", "nope", "%0A", "x" * 300, "-1", "%F0%9F%92%A5"]


def _assert_shape(response: httpx.Response, where: str) -> None:
    assert 400 <= response.status_code < 500, (where, response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"error"}, (where, body)
    error = body["error"]
    assert set(error) == {"code", "message", "field"} and error["code"] and error["message"], (where, body)
    assert error["field"] is None or isinstance(error["field"], str), (where, body)


def test_every_route_answers_every_error_in_the_house_shape(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        add_org(store, "ex-a", "Exchange A", "exchange", "KR", None)
        keys = {"screen": create_key(store, "ex-a", ["screen"], 1)[1],
                "all": create_key(store, "ex-a", ["screen", "read", "write", "admin"], 1)[1]}
        app = create_app(store)
        spec = app.openapi()["paths"]
        routes = [(m.upper(), path) for path, ops in spec.items() for m in sorted(ops) if path.startswith("/v1/")]
        assert len(routes) >= 15
        checked = 0
        with serve_in_thread(app) as base, httpx.Client(base_url=base) as client:
            for method, path in routes:
                params = re.findall(r"{(\w+)}", path)
                plain = re.sub(r"{\w+}", "ethereum", path)
                _assert_shape(client.request(method, plain), f"{method} {path} without a key")
                if path != "/v1/ping":
                    narrow = client.request(method, plain, headers={"X-API-Key": keys["screen"]}, json={})
                    if "screen" not in path:
                        _assert_shape(narrow, f"{method} {path} without its scope")
                for value in NONSENSE if params else []:
                    url = path
                    for name in params:
                        url = url.replace("{" + name + "}", value)
                    answer = client.request(method, url, content=b"{}" if method == "POST" else None,
                                            headers={"X-API-Key": keys["all"], "content-type": "application/json"})
                    if answer.status_code >= 400:
                        _assert_shape(answer, f"{method} {url}")
                        checked += 1
                if "requestBody" in spec[path][method.lower()]:
                    _assert_shape(client.post(plain, content=b"{not json", headers={
                        "X-API-Key": keys["all"], "content-type": "application/json"}), f"POST {path} bad JSON")
                    checked += 1
            big = client.post("/v1/screen/batch", content=b"x" * (9 * 1024 * 1024),
                              headers={"X-API-Key": keys["all"], "content-type": "application/json"})
            _assert_shape(big, "an oversized body")
    assert checked >= 40
