"""Extract the translatable strings of the web UI (domain `ui`) and the case reports (domain `report`)
from their Jinja2 templates with Babel, write each domain's template catalogue (`.pot`) and merge it into
every language's `.po`, keeping the translations already made (new strings arrive untranslated; the
test suite fails until each has a Korean translation). Usage: python scripts/update_catalogues.py [DOMAIN ...]"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hotpursuit"
DOMAINS = {"ui": PACKAGE / "web", "report": PACKAGE / "casereport"}
METHODS = [("**/templates/**.html", "jinja2"), ("**/static/**.js", "ignore"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
LANGUAGES = ("ko",)


def extract(domain: str) -> Catalog:
    """The domain's strings, with where each is used."""
    catalog = Catalog(project="hotpursuit", domain=domain, fuzzy=False)
    root = DOMAINS[domain]
    if not root.is_dir():
        return catalog
    for filename, lineno, message, comments, context in extract_from_dir(str(root), METHODS, OPTIONS):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def main() -> None:
    locales = PACKAGE / "i18n" / "locales"
    for domain in sys.argv[1:] or list(DOMAINS):
        template = extract(domain)
        if not len(template):
            continue
        with (locales / f"{domain}.pot").open("wb") as fh:
            write_po(fh, template, omit_header=True, sort_output=True)
        for lang in LANGUAGES:
            path = locales / lang / "LC_MESSAGES" / f"{domain}.po"
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists():
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=lang, domain=domain)
            else:
                catalog = Catalog(locale=lang, domain=domain, project="hotpursuit")
            catalog.update(template, no_fuzzy_matching=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, omit_header=True, sort_output=True, ignore_obsolete=True, width=120)
            missing = [m.id for m in catalog if m.id and not m.string]
            print(f"{domain}/{lang}: {len(catalog)} strings, {len(missing)} to translate")


if __name__ == "__main__":
    main()
