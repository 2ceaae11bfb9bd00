"""UI sessions: a random id in the browser's cookie names the session kept in the server's memory (the
API key never goes back to the browser). Each session has a CSRF token its forms must return, and ends
after `SESSION_SECONDS` idle or at logout. Pure: the caller keeps the table and the clock."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

SESSION_SECONDS = 8 * 3600
COOKIE = "hp_session"


@dataclass
class UiSession:
    """One signed-in browser."""

    key: str  # the API key it signed in with: re-checked on every page, so a revocation holds at once
    csrf: str
    last_seen: float


def new_session(sessions: dict[str, UiSession], key: str, now: float) -> str:
    """Open a session for `key`; its id (for the cookie)."""
    for stale in [sid for sid, s in sessions.items() if now - s.last_seen > SESSION_SECONDS]:
        del sessions[stale]
    sid = secrets.token_urlsafe(32)
    sessions[sid] = UiSession(key, secrets.token_urlsafe(24), now)
    return sid


def live_session(sessions: dict[str, UiSession], sid: str | None, now: float) -> UiSession | None:
    """The session the cookie names, if it has not expired (its idle clock restarts)."""
    found = sessions.get(sid or "")
    if found is None:
        return None
    if now - found.last_seen > SESSION_SECONDS:
        del sessions[str(sid)]
        return None
    found.last_seen = now
    return found


def csrf_holds(session: UiSession, token: str | None) -> bool:
    """Whether a form returned the session's CSRF token (compared in constant time, as bytes: any text a
    form sends is compared, never refused with an error)."""
    return token is not None and hmac.compare_digest(session.csrf.encode(), token.encode())
