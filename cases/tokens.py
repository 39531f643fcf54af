"""Signed bearer tokens: one signer for staff sessions and mini-program sessions, domain-separated.

A token is ``<payload>.<HMAC-SHA256 of the payload>`` (base64url). The MAC key is derived from the secret
and the token's domain, so a token of one kind is never accepted as the other even when the payloads
happen to read alike. Tokens are stateless; what the payload means is the caller's business.
"""

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime

from cases.clock import utc

STAFF_SESSION = "gongzhi staff session"
RESIDENT_SESSION = "gongzhi mini-program session"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Signs and checks payloads under ``secret``; each domain has a key of its own."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode("utf-8")

    def _key(self, domain: str) -> bytes:
        return hmac.new(self._secret, domain.encode("utf-8"), hashlib.sha256).digest()

    def _mac(self, domain: str, payload: str) -> str:
        return b64(hmac.new(self._key(domain), payload.encode("utf-8", "replace"), hashlib.sha256).digest())

    def sign(self, domain: str, payload: str) -> str:
        return f"{payload}.{self._mac(domain, payload)}"

    def open(self, domain: str, token: str) -> str | None:
        """The payload of a token signed for ``domain``; None when the signature does not match."""
        payload, _, signature = token.rpartition(".")
        if not payload or not signature or not hmac.compare_digest(signature, self._mac(domain, payload)):
            return None
        return payload


def issue_resident_session(openid: str, unionid: str | None, *, secret: str, now: datetime, ttl: int) -> str:
    """A mini-program session: ``base64url(JSON {o: openid, u: unionid, e: expiry})``, signed."""
    expires = int(utc(now).timestamp()) + ttl
    payload = b64(json.dumps({"o": openid, "u": unionid, "e": expires}, separators=(",", ":")).encode())
    return TokenSigner(secret).sign(RESIDENT_SESSION, payload)


def read_resident_session(token: str, *, secret: str, now: datetime) -> str | None:
    """The openid of a valid, unexpired mini-program session; None otherwise."""
    payload = TokenSigner(secret).open(RESIDENT_SESSION, token)
    if payload is None:
        return None
    try:
        data = json.loads(unb64(payload))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("o"), str) or not isinstance(data.get("e"), int):
        return None
    if data["e"] < utc(now).timestamp():
        return None
    openid: str = data["o"]
    return openid
