"""API clients: other systems (the 12345 hotline, 数字城管, a patrol app …) filing through Open311.

Each client is limited to one intake channel and a number of requests per minute. Its key is shown once,
when an administrator issues it; only its SHA-256 is stored (keys are 256 random bits, so a fast hash is
enough: there is nothing to guess). The first characters are kept in clear so staff can tell keys apart.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from cases.channels import IntakeChannel
from cases.clock import utc
from cases.errors import CaseError

KEY_PREFIX = "gz_"
SHOWN_CHARS = 10  # "gz_" and seven more: enough to tell keys apart, far too few to use
TOUCH_EVERY = timedelta(minutes=1)


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_clients"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    channel: str = Field(max_length=24)  # IntakeChannel: the channel every request of this key is filed under
    key_prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    rate_per_minute: int = 60
    active: bool = True
    created_by: str = Field(max_length=64)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiKeyRejected(CaseError):
    """A missing, unknown or revoked API key."""


class ClientError(CaseError):
    """A client cannot be created as asked: ``name_taken``, ``bad_channel``, ``bad_rate`` or ``bad_name``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedKey:
    client: ApiClient
    key: str  # shown once; never stored


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_key(
    session: Session, *, name: str, channel: str, rate_per_minute: int, actor: str, now: datetime
) -> IssuedKey:
    """A new client with a fresh key. Commits."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ClientError("bad_name")
    try:
        channel = IntakeChannel(channel).value
    except ValueError:
        raise ClientError("bad_channel") from None
    if not 1 <= rate_per_minute <= 100_000:
        raise ClientError("bad_rate")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(
        name=name,
        channel=channel,
        key_prefix=key[:SHOWN_CHARS],
        key_hash=hash_key(key),
        rate_per_minute=rate_per_minute,
        created_by=actor,
        created_at=utc(now),
    )
    session.add(client)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ClientError("name_taken") from None
    session.refresh(client)
    return IssuedKey(client, key)


def authenticate(session: Session, key: str | None, *, now: datetime) -> ApiClient:
    """The active client holding ``key``; :class:`ApiKeyRejected` otherwise. Notes the use (once a minute)."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 128:
        raise ApiKeyRejected("missing or malformed key")
    client = session.exec(select(ApiClient).where(ApiClient.key_hash == hash_key(key))).first()
    if client is None or not client.active:
        raise ApiKeyRejected("unknown or revoked key")
    moment = utc(now)
    if client.last_used_at is None or moment - utc(client.last_used_at) >= TOUCH_EVERY:
        client.last_used_at = moment
        session.add(client)
        session.commit()
    return client


def revoke(session: Session, client_id: int, *, now: datetime) -> ApiClient | None:
    """Stop a client's key at once. Commits; None for an unknown id."""
    client = session.get(ApiClient, client_id)
    if client is None:
        return None
    if client.active:
        client.active, client.revoked_at = False, utc(now)
        session.add(client)
        session.commit()
    return client


def list_clients(session: Session) -> list[ApiClient]:
    return list(session.exec(select(ApiClient).order_by(col(ApiClient.id))).all())
