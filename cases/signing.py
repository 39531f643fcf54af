"""HMAC-SHA256 signatures of webhook bodies, the same scheme both ways (outbound and inbound).

The signed text is ``"{timestamp}.{body}"`` (unix seconds, a dot, the raw body bytes); the signature is
sent as ``sha256=<hex>``. A receiver recomputes it with the shared secret, compares in constant time and
refuses a timestamp more than ``tolerance`` seconds away from its clock. Replays inside that window are
caught by remembering the signatures seen (:mod:`cases.inbound`).
"""

import hashlib
import hmac
from datetime import datetime

from cases.clock import utc

PREFIX = "sha256="


class SignatureRejected(Exception):
    """``missing``, ``malformed``, ``stale`` or ``mismatch``: why a signed call is refused."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``sha256=<hex>`` signature of ``body`` sent at ``timestamp`` (unix seconds)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def check_envelope(*, timestamp: str | None, signature: str | None, now: datetime, tolerance: int) -> int:
    """What can be checked before the body is read: both headers present, well formed and fresh.

    Returns the timestamp or raises :class:`SignatureRejected` (``missing``, ``malformed``, ``stale``).
    """
    if not timestamp or not signature:
        raise SignatureRejected("missing")
    try:
        stamp = int(timestamp)
    except ValueError:
        raise SignatureRejected("malformed") from None
    if not signature.startswith(PREFIX) or len(signature) != len(PREFIX) + 64:
        raise SignatureRejected("malformed")
    if abs(utc(now).timestamp() - stamp) > tolerance:
        raise SignatureRejected("stale")
    return stamp


def verify(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime, tolerance: int
) -> int:
    """Check a signed call; returns its timestamp or raises :class:`SignatureRejected`."""
    stamp = check_envelope(timestamp=timestamp, signature=signature, now=now, tolerance=tolerance)
    assert signature is not None
    if not hmac.compare_digest(sign(secret, stamp, body), signature):
        raise SignatureRejected("mismatch")
    return stamp


def digest(signature: str) -> str:
    """What the replay memory keeps of a signature (fixed length, nothing to sign with)."""
    return hashlib.sha256(signature.encode("ascii")).hexdigest()
