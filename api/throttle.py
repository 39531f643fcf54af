"""Failed staff logins, counted per name: after ``limit`` failures within ``window``, 429 until it passes."""

from __future__ import annotations

from datetime import datetime, timedelta


class LoginThrottle:
    """At most ``limit`` failed logins per name within ``window``; then 429 until the window passes.

    Per process (a deployment with several API processes multiplies the limit by their number).
    """

    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[datetime]] = {}

    def blocked(self, name: str, now: datetime) -> bool:
        recent = [t for t in self._failures.get(name, []) if now - t < self.window]
        self._failures[name] = recent
        return len(recent) >= self.limit

    def failed(self, name: str, now: datetime) -> None:
        if len(self._failures) > 10_000:
            self._failures.clear()
        self._failures.setdefault(name, []).append(now)

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)
