"""Staff login throttling: by client address and name, never locking the real user out from elsewhere.

* Failures are counted per ``(address, name)``: five wrong passwords from one address block that name from
  that address only; the real user, at their own desk, still logs in.
* Failures are also counted per address over all names: an address spraying names is blocked after
  ``address_limit`` failures, before its next attempt costs a password hash.
* Password hashing (argon2: tens of MB and tens of ms each) runs at most ``hashers`` at a time in the
  process; an attempt that cannot get a turn within ``wait_seconds`` is answered "busy" instead of piling
  up threads and memory.

Counts are per process (several API processes multiply the limits by their number) and bounded in size.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

MAX_TRACKED = 20_000  # keys remembered before the oldest are forgotten


class LoginBusy(Exception):
    """No password check could start in time: the server is saturated with login attempts."""


class _Window:
    """Failure times per key within ``window``; the least recently failed keys go first when full."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._times: dict[str, deque[datetime]] = {}

    def count(self, key: str, now: datetime) -> int:
        times = self._times.get(key)
        if times is None:
            return 0
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._times[key]
            return 0
        return len(times)

    def add(self, key: str, now: datetime) -> None:
        times = self._times.pop(key, None) or deque(maxlen=self.limit)
        times.append(now)
        self._times[key] = times  # re-inserted: dict order is least recently failed first
        while len(self._times) > MAX_TRACKED:
            del self._times[next(iter(self._times))]

    def forget(self, key: str) -> None:
        self._times.pop(key, None)


class LoginThrottle:
    def __init__(self, *, limit: int = 5, address_limit: int = 30, window: timedelta = timedelta(minutes=15),
                 hashers: int = 2, wait_seconds: float = 5.0) -> None:
        self.window = window
        self._pairs = _Window(limit, window)
        self._addresses = _Window(address_limit, window)
        self._lock = threading.Lock()
        self._hashing = threading.BoundedSemaphore(hashers)
        self.wait_seconds = wait_seconds

    @staticmethod
    def _pair(address: str, name: str) -> str:
        return f"{address}\x00{name.casefold()}"

    def blocked(self, address: str, name: str, now: datetime) -> bool:
        """Whether this attempt is refused without checking the password."""
        with self._lock:
            return (self._pairs.count(self._pair(address, name), now) >= self._pairs.limit
                    or self._addresses.count(address, now) >= self._addresses.limit)

    def failed(self, address: str, name: str, now: datetime) -> None:
        with self._lock:
            self._pairs.add(self._pair(address, name), now)
            self._addresses.add(address, now)

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            self._pairs.forget(self._pair(address, name))

    @contextmanager
    def hashing(self) -> Iterator[None]:
        """A turn to compute a password hash; raises :class:`LoginBusy` if none comes in time."""
        if not self._hashing.acquire(timeout=self.wait_seconds):
            raise LoginBusy
        try:
            yield
        finally:
            self._hashing.release()
