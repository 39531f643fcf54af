"""A compact set of integer keys that each live a fixed time: what a process remembers of recent messages.

Used for the claims of the replay window (every message of the last eleven minutes), the replies kept for
WeChat's retries and the residents whose message time was written lately. Under load these hold hundreds of
thousands of keys, so each costs a set slot and its int (about 70 bytes) plus 8 bytes in a per-second array
that says when it goes; an expiring dict with a float and two queue slots per key cost about twice that.
"""

from __future__ import annotations

import math
from array import array
from collections import deque

# Python ints up to 2**60 take two 30-bit digits (32 bytes); a 64-bit value would take three (36).
KEY_BITS = 60
KEY_MASK = (1 << KEY_BITS) - 1


class ExpiringSet:
    """Keys (ints below ``2**60``) remembered for ``lifetime`` seconds, or up to a tick longer.

    A tick is a second, or a tenth of a shorter lifetime. Keys go into the bucket of the tick they expire
    in; buckets are created in time order (all keys share one lifetime), so sweeping drops whole buckets
    from the front. A key added again before it expires stays only until its first bucket goes: callers
    add a key once (a claim, a reply, a write).
    """

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self._tick = min(1.0, lifetime / 10)
        self._members: set[int] = set()
        self._buckets: deque[tuple[int, array[int]]] = deque()

    def add(self, key: int, now: float) -> None:
        tick = math.ceil((now + self.lifetime) / self._tick)
        if not self._buckets or self._buckets[-1][0] != tick:
            self._buckets.append((tick, array("q")))
        self._buckets[-1][1].append(key)
        self._members.add(key)

    def sweep(self, now: float) -> list[int]:
        """Forget the keys whose tick is over; the keys forgotten."""
        buckets, members, tick = self._buckets, self._members, now / self._tick
        gone: list[int] = []
        while buckets and buckets[0][0] <= tick:
            keys = buckets.popleft()[1]
            members.difference_update(keys)
            gone.extend(keys)
        return gone

    def __contains__(self, key: int) -> bool:
        return key in self._members

    def __len__(self) -> int:
        return len(self._members)
