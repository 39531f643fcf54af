"""The expiring key set behind the retry cache and the message-time writes: keys live their lifetime, then go."""

from __future__ import annotations

from bot.expiring import ExpiringSet


def test_a_key_is_remembered_for_its_lifetime_and_forgotten_after() -> None:
    seen = ExpiringSet(lifetime=660)
    seen.add(7, now=1_000.0)
    seen.add(8, now=1_000.4)

    assert seen.sweep(1_659.0) == []
    assert 7 in seen and 8 in seen
    assert sorted(seen.sweep(1_661.5)) == [7, 8]  # up to a second late, never early
    assert 7 not in seen and len(seen) == 0


def test_keys_go_in_the_order_they_came() -> None:
    seen = ExpiringSet(lifetime=30)
    for second in range(10):
        seen.add(second, now=float(second))

    assert seen.sweep(34.5) == [0, 1, 2, 3, 4]
    assert [key for key in range(10) if key in seen] == [5, 6, 7, 8, 9]


def test_a_short_lifetime_expires_within_a_tenth_of_it() -> None:
    seen = ExpiringSet(lifetime=0.05)
    seen.add(1, now=10.0)

    assert seen.sweep(10.04) == []
    assert seen.sweep(10.056) == [1]
