"""Staff accounts: argon2 password hashes and signed bearer tokens.

A token is ``<staff id>.<token version>.<expiry unix time>.<signature>``, signed by
:class:`cases.tokens.TokenSigner` in the staff domain with the secret the caller passes in. Tokens are
stateless; bumping :attr:`StaffUser.token_version` (or deactivating the account) revokes every token
issued before.
"""

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from cases.clock import utc
from cases.errors import StaffError
from cases.models import StaffUser
from cases.tokens import STAFF_SESSION, TokenSigner

ROLES = ("agent", "admin")
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_staff(*, session: Session, name: str, password: str, role: str, now: datetime) -> StaffUser:
    """Add a staff account (committed). Raises :class:`StaffError` for a taken name, bad role or password."""
    name = name.strip()
    if not name:
        raise StaffError("name must not be empty")
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(StaffUser).where(StaffUser.name == name)).first() is not None:
        raise StaffError(f"staff {name!r} exists already")
    user = StaffUser(name=name, password_hash=hash_password(password), role=role, created_at=utc(now))
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def set_password(*, session: Session, user: StaffUser, password: str) -> None:
    """Change a password and revoke the account's existing tokens (committed)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    user.token_version += 1
    session.add(user)
    session.commit()


def authenticate(*, session: Session, name: str, password: str, now: datetime) -> StaffUser | None:
    """The active account matching ``name`` and ``password`` (its last login recorded), else None."""
    user = session.exec(select(StaffUser).where(StaffUser.name == name.strip())).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check: no user enumeration by timing
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utc(now)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def issue_token(user: StaffUser, *, secret: str, ttl_seconds: int, now: datetime) -> str:
    expires = int(utc(now).timestamp()) + ttl_seconds
    return TokenSigner(secret).sign(STAFF_SESSION, f"{user.id}.{user.token_version}.{expires}")


def read_token(token: str, *, secret: str, now: datetime) -> tuple[int, int] | None:
    """``(staff id, token version)`` of a well-signed, unexpired token, else None."""
    payload = TokenSigner(secret).open(STAFF_SESSION, token)
    parts = payload.split(".") if payload is not None else []
    if len(parts) != 3:
        return None
    try:
        staff_id, version, expires = (int(p) for p in parts)
    except ValueError:
        return None
    if utc(now).timestamp() >= expires:
        return None
    return staff_id, version


def staff_for_token(*, session: Session, token: str, secret: str, now: datetime) -> StaffUser | None:
    """The active account a valid token belongs to, else None."""
    read = read_token(token, secret=secret, now=now)
    if read is None:
        return None
    user = session.get(StaffUser, read[0])
    if user is None or not user.active or user.token_version != read[1]:
        return None
    return user
