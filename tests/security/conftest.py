"""A server with the task force's organisations: an agency, two exchanges (one an outsider), an issuer;
keys per role. Each test gets its own store and server (real uvicorn on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hotpursuit.api.app import create_app
from hotpursuit.api.background import serve_in_thread
from hotpursuit.store import Store
from hotpursuit.store.org_tables import add_org, create_key

SLOW_KEY_RATE = 0.5  # the "slow" key's own limit, requests/s (a burst of one)


@dataclass
class Server:
    base: str
    store: Store
    keys: dict[str, str]

    def client(self, who: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"X-API-Key": self.keys[who]}, timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with Store.open(tmp_path / "trust.duckdb") as store:
        add_org(store, "kr-nis", "National Intelligence Service", "agency", "KR", "task-force")
        add_org(store, "ex-hanbit", "Hanbit Exchange", "exchange", "KR", "task-force")
        add_org(store, "ex-outsider", "Outsider Exchange", "exchange", "SC", None)
        add_org(store, "server-op", "The server's operator", "agency", "KR", None)
        keys = {
            "agency": create_key(store, "kr-nis", ["screen", "read", "write", "incident"], 1)[1],
            "agency-writer": create_key(store, "kr-nis", ["read", "write"], 1)[1],
            "exchange": create_key(store, "ex-hanbit", ["screen", "read", "write", "incident", "org-admin"], 1)[1],
            "outsider": create_key(store, "ex-outsider", ["screen", "read", "write", "org-admin"], 1)[1],
            "operator": create_key(store, "server-op", ["server-admin"], 1)[1],
            "slow": create_key(store, "ex-hanbit", ["screen"], 1, rate_per_second=SLOW_KEY_RATE)[1],
        }
        # failed authentications refill one per 20 s here, so the limit shows however slow the machine is
        with serve_in_thread(create_app(store, failed_auth_rate=0.05)) as base:
            yield Server(base, store, keys)


def ui_sign_in(base: str, key: str) -> tuple[httpx.Response, dict[str, str]]:
    """Sign in to the web UI as a browser does (the login page's form token and its cookie, then the key):
    the answer and the session cookie's header."""
    form = httpx.get(f"{base}/ui/login")
    token = form.text.split('name="login_token" value="', 1)[1].split('"', 1)[0]
    login_cookie = form.headers["set-cookie"].split(";", 1)[0]
    answer = httpx.post(f"{base}/ui/login", data={"key": key, "login_token": token},
                        headers={"Cookie": login_cookie}, follow_redirects=False)
    cookies = [c for c in answer.headers.get_list("set-cookie") if c.startswith("hp_session=")]
    return answer, {"Cookie": cookies[0].split(";", 1)[0]} if cookies else {}


def ui_cookie(server: Server, who: str) -> dict[str, str]:
    """The session cookie header of `who` (a key of the server fixture), signed in to the web UI."""
    answer, cookie = ui_sign_in(server.base, server.keys[who])
    assert answer.status_code == 303, answer.text
    return cookie
