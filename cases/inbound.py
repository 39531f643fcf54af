"""The system of record moves cases back: signed status calls, each accepted once, driving the lifecycle.

A call names a case, an action and what the action needs (a note, a department, photos). It is checked
(:func:`cases.signing.verify`), then remembered: the same signature arriving again inside the tolerance
window is a replay and is refused, across processes, because the memory is a table with a unique key.
The action is an ordinary :func:`cases.lifecycle.transition` by the platform, so the resident's pushes,
the rating prompt and the webhooks follow exactly as when staff act in the console.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import UniqueConstraint, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from cases.clock import utc
from cases.drafts import StoredPhoto
from cases.errors import CaseError, TransitionNotAllowed
from cases.lifecycle import get_case, transition
from cases.models import Case, CaseEvent, Photo, row_id
from cases.signing import SignatureRejected, check_envelope, digest, verify
from cases.webhooks import WebhookEndpoint, endpoint_by_key_id

# action → (the status it leads to, the statuses it may start from)
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accept": ("accepted", ("submitted",)),
    "reject": ("rejected", ("submitted",)),
    "dispatch": ("dispatched", ("accepted",)),
    "process": ("processing", ("dispatched",)),
    "return": ("accepted", ("dispatched",)),  # 退回: back from the department to the centre
    "verify": ("verifying", ("processing",)),
    "close": ("closed", ("verifying",)),
    "reopen": ("processing", ("verifying", "closed")),  # 核查不通过 / 重新办理
}


def allowed_actions(status: str) -> list[str]:
    return [action for action, (_to, sources) in ACTIONS.items() if status in sources]


class InboundReceipt(SQLModel, table=True):
    """A signed call already accepted: the replay memory (kept for twice the tolerance window)."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (UniqueConstraint("endpoint_id", "digest", name="uq_inbound_receipts_endpoint_digest"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int
    digest: str = Field(max_length=64)
    received_at: datetime = Field(index=True)


class InboundRejected(CaseError):
    """``unknown_endpoint``, ``inactive``, ``replayed``, or a :class:`SignatureRejected` reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownAction(CaseError):
    def __init__(self, action: str) -> None:
        super().__init__(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        self.action = action


@dataclass(frozen=True)
class StatusCall:
    number: str
    action: str
    note: str | None = None
    department: str | None = None
    operator: str | None = None  # the platform's staff member, shown in the timeline
    photos: Sequence[StoredPhoto] = ()


def screen(
    session: Session, *, key_id: str | None, timestamp: str | None, signature: str | None, now: datetime,
    tolerance: int,
) -> WebhookEndpoint:
    """Everything checkable before the body is read: a known, active endpoint, a fresh, well-formed
    signature not seen before. The endpoint, or :class:`InboundRejected`. Reads only.

    A caller screens first so that a stranger, a stale call or a replay is refused without receiving
    a body as large as a genuine call's photos.
    """
    if not key_id:
        raise InboundRejected("missing")
    endpoint = endpoint_by_key_id(session, key_id)
    if endpoint is None:
        raise InboundRejected("unknown_endpoint")
    if not endpoint.active:
        raise InboundRejected("inactive")
    try:
        check_envelope(timestamp=timestamp, signature=signature, now=now, tolerance=tolerance)
    except SignatureRejected as exc:
        raise InboundRejected(exc.reason) from None
    assert signature is not None
    seen = select(InboundReceipt.id).where(InboundReceipt.endpoint_id == row_id(endpoint),
                                           InboundReceipt.digest == digest(signature))
    if session.exec(seen).first() is not None:
        raise InboundRejected("replayed")
    return endpoint


def admit(
    session: Session,
    *,
    key_id: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
    tolerance: int,
) -> WebhookEndpoint:
    """Verify a signed call and remember it; the endpoint that sent it, or :class:`InboundRejected`.

    Commits the receipt, so a call is admitted once even when its action then fails (the platform
    signs a corrected call afresh).
    """
    endpoint = screen(session, key_id=key_id, timestamp=timestamp, signature=signature, now=now,
                      tolerance=tolerance)
    try:
        verify(secret=endpoint.secret, timestamp=timestamp, signature=signature, body=body, now=now,
               tolerance=tolerance)
    except SignatureRejected as exc:
        raise InboundRejected(exc.reason) from None
    assert signature is not None
    moment = utc(now)
    session.execute(
        delete(InboundReceipt).where(col(InboundReceipt.received_at) < moment - timedelta(seconds=2 * tolerance))
    )
    try:
        with session.begin_nested():
            session.add(InboundReceipt(endpoint_id=row_id(endpoint), digest=digest(signature), received_at=moment))
    except IntegrityError:
        session.rollback()
        raise InboundRejected("replayed") from None
    session.commit()
    return endpoint


def apply_status_call(session: Session, *, endpoint: WebhookEndpoint, call: StatusCall, now: datetime) -> Case:
    """Move the case as the platform asks (same rules and errors as :func:`transition`). Commits.

    :class:`TransitionNotAllowed` names the allowed *actions* here. The case row is locked first, so the
    status checked is the status moved from.
    """
    if call.action not in ACTIONS:
        raise UnknownAction(call.action)
    to, sources = ACTIONS[call.action]
    current = get_case(session, call.number, for_update=True).status
    if current not in sources:
        raise TransitionNotAllowed(current, to, allowed_actions(current))
    actor = f"{endpoint.name}" + (f"·{call.operator.strip()}" if call.operator and call.operator.strip() else "")
    case = transition(session=session, number=call.number, to=to, actor=actor[:128], note=call.note,
                      department=call.department, now=now, commit=False)
    if call.photos:
        moment = utc(now)
        for photo in call.photos:
            session.add(Photo(case_id=row_id(case), sha256=photo.sha256, bytes=photo.bytes,
                              content_type=photo.content_type, width=photo.width, height=photo.height,
                              path=photo.path, created_at=moment))
        session.add(CaseEvent(case_id=row_id(case), kind="photos_added", actor=actor[:128],
                              note=f"附处置照片 {len(call.photos)} 张", created_at=moment))
    session.commit()
    return get_case(session, call.number)
