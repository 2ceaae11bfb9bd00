"""Every string of the web UI's and the case reports' templates has a Korean translation in the Babel
catalogues, with the same placeholders; a page rendered in Korean shows it; a language a reader asks for
that hotpursuit does not have falls back to English, and one named on the command line is refused."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from hotpursuit.errors import InvalidInput
from hotpursuit.i18n.catalogues import catalogue_text, checked_language, language_of, missing_translations, translations
from hotpursuit.web.pages import environment

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_catalogues", ROOT / "scripts" / "update_catalogues.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("domain", ["ui", "report"])
def test_every_template_string_is_translated_to_korean(domain: str) -> None:
    template = _extractor().extract(domain)
    ids = {str(m.id) for m in template if m.id}
    assert len(ids) > 50, f"the {domain} templates mark their strings for translation"
    assert missing_translations("ko", domain, ids) == []
    text = catalogue_text("ko", domain)
    assert text is not None
    catalog = read_po(iter(text.encode().splitlines(keepends=True)), locale="ko")
    wrong = [m.id for m in catalog if m.id and m.string
             and sorted(PLACEHOLDER.findall(str(m.id))) != sorted(PLACEHOLDER.findall(str(m.string)))]
    assert wrong == []


def test_pages_render_in_korean_and_english() -> None:
    english = environment("en").get_template("login.html").render(lang="en", languages=("en", "ko"), path="/ui/")
    korean = environment("ko").get_template("login.html").render(lang="ko", languages=("en", "ko"), path="/ui/")
    assert "Sign in with your organisation's API key" in english
    assert "Sign in with your organisation's API key" not in korean
    assert re.search("[\uac00-\ud7a3]", korean), "Hangul on the Korean page"
    assert '<html lang="ko">' in korean
    assert translations("ko", "ui").gettext("Incidents") != "Incidents"


def test_languages_fall_back_or_are_refused() -> None:
    assert language_of("ko-KR") == "ko" and language_of("en_GB") == "en" and language_of("fr") == "en"
    assert language_of(None) == "en"
    assert checked_language("ko") == "ko"
    with pytest.raises(InvalidInput, match="lang: 'jp'"):
        checked_language("jp")
