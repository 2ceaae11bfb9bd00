"""The websites victims were sent to, grouped into the sites they mean. Pure.

Victims mistype: `hanbit-pro.exchange`, `hnabit-pro.exchange` and `hanbitpro.exchange` in three complaints
are one counterfeit exchange. Each site is keyed by its domain (attribution.scam_domains.parse_site);
a domain within `MAX_TYPO` edits of a domain more reports name joins that one's group. A website that is
no website (a phone number in the wrong field) is left out with its report named.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from hotpursuit.attribution.scam_domains import parse_site
from hotpursuit.errors import InvalidInput
from hotpursuit.victim_reports.model import VictimReport

MAX_TYPO = 2


@dataclass
class ReportedSite:
    """One site as the reports name it: its domain (the most named spelling), the spellings seen, the
    reports naming it, and the first day a victim paid through it."""

    domain: str
    spellings: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    first_seen: dt.date | None = None


def reported_sites(reports: dict[str, VictimReport]) -> tuple[list[ReportedSite], list[tuple[str, str]]]:
    """Sites named by `reports` (report id -> report), most reported first; and (report id, reason) for
    websites that could not be read."""
    domains: dict[str, str] = {}
    bad: list[tuple[str, str]] = []
    for rid, r in sorted(reports.items()):
        if not r.website:
            continue
        try:
            domains[rid] = parse_site(r.website).domain
        except InvalidInput as e:
            bad.append((rid, str(e)))
    counts = Counter(domains.values())
    groups: list[ReportedSite] = []
    for domain, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        home = next((g for g in groups if Levenshtein.distance(domain, g.domain) <= MAX_TYPO), None)
        if home is None:
            home = ReportedSite(domain)
            groups.append(home)
        home.spellings.append(domain)
    for rid, domain in sorted(domains.items()):
        group = next(g for g in groups if domain in g.spellings)
        group.reports.append(rid)
        day = reports[rid].paid_on
        if day is not None and (group.first_seen is None or day < group.first_seen):
            group.first_seen = day
    return groups, bad
