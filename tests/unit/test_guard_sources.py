"""Failed authentications are counted per IPv4 address or IPv6 /64, and the buckets stay bounded."""

from __future__ import annotations

from hotpursuit.api.guard import MAX_TRACKED_SOURCES, forget_idle_sources, source_of
from hotpursuit.api.state import RateBucket


def test_sources_are_ipv4_addresses_and_ipv6_slash_64s() -> None:
    assert source_of("203.0.113.7") == "203.0.113.7"
    assert source_of("2001:db8:1:2:aaaa::1") == source_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert source_of("2001:db8:1:3::1") != source_of("2001:db8:1:2::1")
    assert source_of("::ffff:203.0.113.7") == "203.0.113.7"
    assert source_of("testclient") == "testclient"


def test_the_buckets_stay_bounded_and_keep_the_sources_still_limited() -> None:
    buckets: dict[str, RateBucket] = {}
    guessing = RateBucket(0.05, 20)
    for _ in range(20):
        guessing.take(100.0)  # spent: this source is being limited
    buckets["198.51.100.1"] = guessing
    for i in range(MAX_TRACKED_SOURCES * 2):
        forget_idle_sources(buckets, 101.0 + i / 1000)
        buckets[f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"] = RateBucket(5.0, 20)  # one failure each, long ago
    assert len(buckets) <= MAX_TRACKED_SOURCES
    assert "198.51.100.1" in buckets  # the one still refused is kept while idle ones go
