"""The investigator's workspace in the browser, served by `hotpursuit serve` under /ui: server-rendered
pages (Jinja2) over the same keys, scopes and TLP as the API. A login page takes an API key into a
server-side session named by an HttpOnly, Secure, SameSite=Strict cookie; every form carries the
session's CSRF token."""
