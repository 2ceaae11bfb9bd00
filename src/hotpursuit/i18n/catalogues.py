"""The message catalogues: `locales/<lang>/LC_MESSAGES/<domain>.po`, read through Babel and compiled in
memory (so a checkout needs no build step). English is the source language: its catalogue is the
identity. Domains: `ui` (the web pages) and `report` (the case reports)."""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from hotpursuit.errors import InvalidInput

LANGUAGES = ("en", "ko")
SOURCE_LANGUAGE = "en"


def language_of(text: str | None) -> str:
    """A supported language from a user's choice (`ko`, `ko-KR`, `en_GB`...); the source language if none fits."""
    head = (text or "").strip().lower().replace("_", "-").split("-")[0]
    return head if head in LANGUAGES else SOURCE_LANGUAGE


def checked_language(text: str) -> str:
    """A language the user asked for by name: rejected with the choices if it is not one."""
    if text not in LANGUAGES:
        raise InvalidInput(f"lang: {text!r} is not a language of hotpursuit; use one of {', '.join(LANGUAGES)}")
    return text


def catalogue_text(lang: str, domain: str) -> str | None:
    """The `.po` file's text, or None if the language has none for the domain."""
    path = resources.files("hotpursuit.i18n") / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"
    return path.read_text(encoding="utf-8") if path.is_file() else None


@cache
def translations(lang: str, domain: str) -> gettext.NullTranslations:
    """The translations of a domain into a language (the identity for English)."""
    text = None if lang == SOURCE_LANGUAGE else catalogue_text(checked_language(lang), domain)
    if text is None:
        return gettext.NullTranslations()
    catalog = read_po(BytesIO(text.encode("utf-8")), locale=lang, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def missing_translations(lang: str, domain: str, msgids: set[str]) -> list[str]:
    """The message ids with no (or a fuzzy) translation in the language's catalogue, sorted."""
    text = catalogue_text(lang, domain)
    if text is None:
        return sorted(msgids)
    catalog = read_po(BytesIO(text.encode("utf-8")), locale=lang, domain=domain)
    done = {str(m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    return sorted(msgids - done)
