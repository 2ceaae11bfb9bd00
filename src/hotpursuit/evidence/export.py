"""`hotpursuit evidence export`: an incident's trace report (as `hotpursuit trace` writes it), its STIX
bundle and the stored rows of every transaction and block the report cites, sealed into a bundle."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from hotpursuit import __version__
from hotpursuit.evidence.citations import cited_blocks, cited_transactions
from hotpursuit.evidence.keys import SigningKey
from hotpursuit.evidence.layout import SOURCE_ROWS, STIX_BUNDLE, TRACE_REPORT, utc_text
from hotpursuit.evidence.seal import Timestamper, seal_bundle
from hotpursuit.evidence.statement import ExportFacts
from hotpursuit.store.database import Store


@dataclass(frozen=True)
class Exported:
    """A sealed bundle's files and what it holds."""

    files: dict[str, bytes]
    facts: ExportFacts
    rows: dict[str, int]  # source rows per table


def export_bundle(store: Store, incident: str, key: SigningKey, *, model: str = "haircut", to: str | None = None,
                  reader: str | None = None, timestamper: Timestamper | None = None,
                  now: dt.datetime | None = None) -> Exported:
    """Trace `incident` (with `reader`'s view of the labels; None: every label, like `hotpursuit trace`),
    gather its STIX bundle and source rows, and seal them with `key`, timestamped if a timestamper is given."""
    from hotpursuit.jobs.trace_job import run_trace
    from hotpursuit.jobs.trace_setup import owner_view
    from hotpursuit.share.stix_export import incident_bundle
    from hotpursuit.store.evidence_reads import source_rows
    from hotpursuit.store.incident_tables import load_sources
    from hotpursuit.store.trace_reads import incident_chain_since
    from hotpursuit.trace.report_render import render_json

    report = run_trace(store, incident, model=model, visible=owner_view(store, reader))
    found = incident_chain_since(store, incident)
    chain = found[0] if found else ""
    theft = {(chain, tx) for tx in load_sources(store, incident).theft_txs}
    rows = source_rows(store, cited_transactions(report, theft), cited_blocks(report))
    content = {TRACE_REPORT: render_json(report).encode(),
               STIX_BUNDLE: (json.dumps(incident_bundle(store, incident, reader), indent=1, sort_keys=True)
                             + "\n").encode()}
    for table, table_rows in rows.tables.items():
        content[f"{SOURCE_ROWS}{table}.jsonl"] = "".join(_row_line(r) for r in table_rows).encode()
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    facts = ExportFacts(incident=incident, exported_by=key.org, exporter_keyid=key.public.keyid,
                        exported_at=utc_text(moment), exported_to=to, tool="hotpursuit", tool_version=__version__,
                        trace={"input_hash": report.input_hash, "model": report.model, "max_hops": report.max_hops,
                               "dust": str(report.dust), "labels_as_seen_by": reader})
    return Exported(seal_bundle(content, key, facts, timestamper), facts,
                    {t: len(r) for t, r in rows.tables.items()})


def _row_line(row: dict[str, Any]) -> str:
    # big amounts are strings already (the store casts them); other integers stay JSON integers (exact)
    return json.dumps(row, sort_keys=True, separators=(",", ":"), default=str) + "\n"
