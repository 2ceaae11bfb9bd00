"""`serve`'s scheduled TAXII pulls: every partner collection given is pulled at its interval (the network
in a thread, the import and the screening index's rebuild on the server's job worker), so screening
answers learn partners' claims and exposure without a restart; a failed pull is logged and retried at the
next interval."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotpursuit.errors import HotpursuitError, InvalidInput
from hotpursuit.share.taxii_client import Peer, PullResult, fetch_collection, import_pulled
from hotpursuit.store.database import Store
from hotpursuit.store.share_tables import pull_cursor, set_pull_cursor

if TYPE_CHECKING:
    from hotpursuit.api.state import ApiState
    from hotpursuit.screening.index import ScreeningIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PullSpec:
    """One scheduled pull: the partner's API root and collection id, our organisation that owns what is
    pulled, the key (Basic password with `user`, else Bearer), and the seconds between pulls."""

    api_root: str
    collection: str
    org_id: str
    key: str
    user: str | None = None
    seconds: float = 60.0

    @property
    def peer(self) -> Peer:
        return Peer(self.api_root, self.collection, self.key, self.user)


def parse_pull_target(text: str) -> tuple[str, str]:
    """`URL#COLLECTION_ID` as (API root URL, collection id); InvalidInput naming the text otherwise."""
    url, _, collection = text.rpartition("#")
    if not url.startswith(("http://", "https://")) or not collection or "/" in collection:
        raise InvalidInput(f"--share-pull {text!r}: want the partner's API root and collection id as URL#ID, "
                           "e.g. https://partner.example/taxii2/hotpursuit/#labels-id")
    return url, collection


async def pull_once(state: ApiState, spec: PullSpec) -> PullResult:
    """One pull: the cursor and the import on the job worker, the fetch in a thread; when anything
    changed, the screening index is rebuilt and swapped in."""
    peer = spec.peer
    cursor = await state.worker.run(lambda store: pull_cursor(store, peer.url, peer.collection, spec.org_id))
    objects, context, latest = await asyncio.to_thread(fetch_collection, peer, cursor)

    def job(store: Store) -> tuple[PullResult, ScreeningIndex | None]:
        from hotpursuit.jobs.assess_job import assess_changed
        from hotpursuit.store.screening_rows import load_screening_index

        counts = import_pulled(store, peer, spec.org_id, objects, context)
        if latest is not None:
            set_pull_cursor(store, peer.url, peer.collection, spec.org_id, latest)
        if not (counts.claims or counts.wallets or counts.withdrawn):
            return PullResult(counts, len(objects), latest or cursor), None
        assess_changed(store)
        return PullResult(counts, len(objects), latest or cursor), load_screening_index(store)

    result, index = await state.worker.run(job)
    if index is not None:
        state.index = index
        c = result.counts
        state.audit.append(spec.org_id, "share-pull", f"{peer.url}: {c.claims} claims, {c.wallets} wallets, "
                                                      f"{c.withdrawn} withdrawn")
    return result


async def run_share_pulls(state: ApiState, specs: list[PullSpec]) -> None:
    """Pull every spec now and then every `seconds` after the previous pull ended, until cancelled."""
    await asyncio.gather(*(_every(state, spec) for spec in specs))


async def _every(state: ApiState, spec: PullSpec) -> None:
    where = f"{spec.api_root}#{spec.collection}"
    while True:
        try:
            result = await pull_once(state, spec)
            c = result.counts
            log.info("share pull %s for %s: %d received, %d claims and %d wallets changed, %d withdrawn, "
                     "%d skipped", where, spec.org_id, result.received, c.claims, c.wallets, c.withdrawn,
                     len(c.skipped))
        except HotpursuitError as exc:
            log.warning("share pull %s for %s failed: %s", where, spec.org_id, exc)
        except Exception:  # a bug must not end the other pulls or the server: log it whole, try again later
            log.exception("share pull %s for %s failed", where, spec.org_id)
        await asyncio.sleep(spec.seconds)
