"""One case report from a store: gather, assemble, render as HTML or PDF (what `hotpursuit report` and
`make demo` both call)."""

from __future__ import annotations

from hotpursuit.casereport.document import CaseDocument, build_document
from hotpursuit.casereport.gather import gather_case
from hotpursuit.casereport.inputs import TraceParameters
from hotpursuit.casereport.pdf import render_pdf
from hotpursuit.casereport.render import base_units_of, render_html
from hotpursuit.store import Store


def case_report(store: Store, incident: str, fmt: str, lang: str, parameters: TraceParameters, *,
                reader: str | None = None) -> tuple[bytes, CaseDocument]:
    """The report's bytes (`fmt` html or pdf, `lang` en or ko) and the document it renders."""
    inputs = gather_case(store, incident, parameters, reader=reader, base_units_of=base_units_of(lang))
    document = build_document(inputs)
    page = render_html(document, lang)
    return (render_pdf(page) if fmt == "pdf" else page.encode("utf-8")), document
