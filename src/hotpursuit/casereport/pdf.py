"""The case report's HTML laid out as an A4 PDF by WeasyPrint, with Debian's Noto CJK fonts for Hangul.

The same HTML gives the same bytes: WeasyPrint writes no date of its own (the document's creation and
modification dates come from the incident, in the page's dcterms meta tags), its file identifier is the
MD5 of the content, and fonts are subset under names derived from the font's description."""

from __future__ import annotations

import logging

from hotpursuit.errors import HotpursuitError


class PdfError(HotpursuitError):
    """The PDF could not be made (WeasyPrint or its fonts are missing)."""


def render_pdf(page: str) -> bytes:
    """The HTML page as PDF bytes (nothing is fetched: the page loads nothing)."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]  # no stubs; pyproject is the lead's
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # WeasyPrint needs Pango: an OSError names the missing library
        raise PdfError(f"cannot make a PDF: WeasyPrint is not usable here ({exc})") from exc
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # the font subsetter's chatter is not the user's
    offline = URLFetcher(allowed_protocols=frozenset())  # the page is self-contained: refuse any fetch
    pdf: bytes = HTML(string=page, url_fetcher=offline).write_pdf(pdf_identifier=True)
    return pdf
