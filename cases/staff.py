"""Staff accounts: argon2 password hashes, the throttled sign-in, signed bearer tokens, accounts as listed.

A token is ``<staff id>.<token version>.<expiry unix time>.<signature>``, signed by
:class:`cases.tokens.TokenSigner` in the staff domain with the secret the caller passes in. Tokens are
stateless; bumping :attr:`StaffUser.token_version` (or deactivating the account) revokes every token
issued before.
"""

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.errors import CaseError, StaffError
from cases.login_throttle import LoginThrottle
from cases.models import StaffUser
from cases.roles import DEPARTMENT, GRID, ROLE_LABELS, ROLES, Role
from cases.tokens import STAFF_SESSION, TokenSigner
from cases.workflow_models import Department

MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_post(session: Session, role: str, department_id: int | None, grid_ids: list[str]) -> None:
    """A department user belongs to an existing department; a grid worker looks after at least one grid."""
    if role not in ROLES:
        raise StaffError(f"角色只能是：{'、'.join(ROLE_LABELS[r] for r in ROLES)}")
    if role == DEPARTMENT and (department_id is None or session.get(Department, department_id) is None):
        raise StaffError("承办单位账号需要选择所属单位")
    if role == GRID and not grid_ids:
        raise StaffError("网格员账号需要至少一个负责网格")


def create_staff(
    *,
    session: Session,
    name: str,
    password: str,
    role: str,
    now: datetime,
    department_id: int | None = None,
    grid_ids: list[str] | None = None,
) -> StaffUser:
    """Add a staff account (committed). Raises :class:`StaffError` for a taken name, bad role or password."""
    name = name.strip()
    grids = [g.strip() for g in grid_ids or [] if g.strip()]
    if not name:
        raise StaffError("用户名不能为空")
    _check_post(session, role, department_id, grids)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if session.exec(select(StaffUser).where(StaffUser.name == name)).first() is not None:
        raise StaffError(f"用户名“{name}”已被使用")
    user = StaffUser(
        name=name,
        password_hash=hash_password(password),
        role=role,
        department_id=department_id if role == DEPARTMENT else None,
        grid_ids=grids if role == GRID else [],
        created_at=utc(now),
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def update_staff(
    *,
    session: Session,
    user: StaffUser,
    role: str | None = None,
    department_id: int | None = None,
    grid_ids: list[str] | None = None,
    active: bool | None = None,
) -> StaffUser:
    """Change an account's role, department, grids or activity (committed).

    A change of role or a deactivation signs the account out everywhere (its tokens are revoked).
    """
    new_role = role or user.role
    grids = [g.strip() for g in (grid_ids if grid_ids is not None else user.grid_ids or []) if g.strip()]
    department = department_id if department_id is not None else user.department_id
    _check_post(session, new_role, department, grids)
    revoke = new_role != user.role or (active is False and user.active)
    user.role = new_role
    user.department_id = department if new_role == DEPARTMENT else None
    user.grid_ids = grids if new_role == GRID else []
    if active is not None:
        user.active = active
    if revoke:
        user.token_version += 1
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def sign_out_everywhere(*, session: Session, user: StaffUser) -> None:
    """Revoke every session of ``user`` (all browsers and tabs). Commits."""
    user.token_version += 1
    session.add(user)
    session.commit()


def set_password(*, session: Session, user: StaffUser, password: str) -> None:
    """Change a password and revoke the account's existing tokens (committed)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
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


class LoginRefused(CaseError):
    """A sign-in refused: ``blocked`` (too many failures from this address) or ``wrong`` (name or password)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign_in(*, session: Session, throttle: LoginThrottle, address: str, name: str, password: str,
            now: datetime) -> StaffUser:
    """The account of ``name`` and ``password``, the attempt counted by ``throttle`` per address and name.

    Raises :class:`LoginRefused` or :class:`~cases.login_throttle.LoginBusy` (no password check could start).
    """
    name = name.strip()
    if throttle.blocked(address, name, now):
        raise LoginRefused("blocked")
    with throttle.hashing():
        user = authenticate(session=session, name=name, password=password, now=now)
    if user is None:
        throttle.failed(address, name, now)
        raise LoginRefused("wrong")
    throttle.succeeded(address, name)
    return user


@dataclass(frozen=True)
class AccountView:
    id: int
    name: str
    role: Role
    role_text: str
    department_id: int | None
    department: str | None
    grid_ids: list[str]
    active: bool
    last_login_at: str | None


@dataclass(frozen=True)
class SessionView(AccountView):
    csrf_token: str | None = None
    expires_in: int | None = None


def account_view(session: Session, user: StaffUser) -> AccountView:
    department = session.get(Department, user.department_id) if user.department_id is not None else None
    return AccountView(
        id=user.id or 0, name=user.name, role=cast(Role, user.role), role_text=ROLE_LABELS.get(user.role, user.role),
        department_id=user.department_id, department=department.name if department else None,
        grid_ids=list(user.grid_ids or []), active=user.active,
        last_login_at=user.last_login_at.isoformat(timespec="seconds") if user.last_login_at else None,
    )


def accounts_by_role(session: Session) -> list[StaffUser]:
    return list(session.exec(select(StaffUser).order_by(col(StaffUser.role), col(StaffUser.name))).all())


STAFF_CSRF = "gongzhi staff csrf"


def csrf_token(session_token: str, *, secret: str) -> str:
    """The CSRF token that goes with a session cookie: the browser's script echoes it in a header."""
    return TokenSigner(secret).sign(STAFF_CSRF, session_token).rpartition(".")[2]


def check_csrf(session_token: str, presented: str, *, secret: str) -> bool:
    return hmac.compare_digest(csrf_token(session_token, secret=secret), presented)


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
