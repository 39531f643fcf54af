"""The outbox: pushes written in the same transaction as the change that causes them, delivered later.

States: ``pending`` → (claimed) ``leased`` → ``sent`` | ``pending`` again after a retryable failure
(exponential backoff) | ``dead`` (permanent failure or too many attempts, shown to staff) | ``held``
(nothing can carry it now: a mini-program resident without a subscription; it waits in the case page).
Staff send a ``dead`` or ``held`` row again (back to ``pending``) or give it up (``discarded``, kept as a
record, never sent).

Delivery guarantee, exactly:

* At least once. A claimed row carries a lease; a worker that dies leaves the row ``leased`` and it
  becomes claimable again when the lease expires. Nothing is lost.
* No doubles between workers. Claiming is one statement (PostgreSQL: ``FOR UPDATE SKIP LOCKED``;
  SQLite: a single conditional ``UPDATE``), so a row is leased to one worker at a time, and
  :func:`begin_delivery` re-checks, right before the send, that the caller still holds an unexpired
  lease and the row is not sent yet. Keep ``lease_seconds`` well above the push client's timeout.
* The one remaining window: the process dies after WeChat accepted the message and before
  :func:`mark_sent` committed (one database round trip). That row is sent again after its lease
  expires. WeChat's APIs take no idempotency key, so nothing on our side can close this window; it is
  as small as one commit.

Every function here commits the session it is given: each step is its own short transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.models import CaseEvent, OutboxMessage


@dataclass(frozen=True)
class OutboxPolicy:
    max_attempts: int = 6
    base_delay_seconds: float = 30.0
    max_delay_seconds: float = 3600.0

    def delay(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failed attempt: base, 2×base, 4×base, … capped."""
        seconds = self.base_delay_seconds * (2 ** max(attempts - 1, 0))
        return timedelta(seconds=min(seconds, self.max_delay_seconds))


DEFAULT_POLICY = OutboxPolicy()


def enqueue(
    session: Session,
    *,
    case_id: int | None,
    openid: str,
    channel: str,
    template_key: str,
    variables: dict[str, Any],
    idempotency_key: str,
    now: datetime,
    kind: str = "push",
    endpoint_id: int | None = None,
) -> OutboxMessage:
    """Add a push to the session's transaction (not committed: it commits with the change it reports)."""
    row = OutboxMessage(
        kind=kind,
        endpoint_id=endpoint_id,
        case_id=case_id,
        recipient_openid=openid,
        channel=channel,
        template_key=template_key,
        variables=variables,
        idempotency_key=idempotency_key,
        next_attempt_at=utc(now),
        created_at=utc(now),
    )
    session.add(row)
    return row


def claim_batch(
    session: Session, *, worker_id: str, limit: int, lease_seconds: float, now: datetime
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows (pending and due, or leased with an expired lease) to ``worker_id``.

    Committed before returning, so the lease is visible to every other worker.
    """
    moment = utc(now)
    due = or_(
        and_(col(OutboxMessage.state) == "pending", col(OutboxMessage.next_attempt_at) <= moment),
        and_(col(OutboxMessage.state) == "leased", col(OutboxMessage.lease_expires_at) <= moment),
    )
    pick = (
        sa_select(col(OutboxMessage.id))
        .where(due)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    claim = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(pick.scalar_subquery()))
        .where(due)
        .values(
            state="leased",
            lease_owner=worker_id,
            lease_expires_at=moment + timedelta(seconds=lease_seconds),
            attempts=col(OutboxMessage.attempts) + 1,
        )
        .returning(col(OutboxMessage.id))
    )
    ids = [row[0] for row in session.execute(claim).all()]
    session.commit()
    if not ids:
        return []
    rows = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids))
        .order_by(col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    ).all()
    return list(rows)


def begin_delivery(session: Session, row: OutboxMessage, *, worker_id: str, now: datetime) -> bool:
    """True when ``worker_id`` still holds an unexpired lease on an unsent ``row``: safe to send."""
    result = session.execute(
        sa_select(col(OutboxMessage.state), col(OutboxMessage.lease_owner), col(OutboxMessage.lease_expires_at)).where(
            col(OutboxMessage.id) == row.id
        )
    ).first()
    session.commit()
    if result is None:
        return False
    state, owner, expires = result
    return bool(state == "leased" and owner == worker_id and expires is not None and utc(expires) > utc(now))


def _finish(session: Session, row_id: int | None, values: dict[str, Any]) -> bool:
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .where(col(OutboxMessage.state) != "sent")
        .values(**values)
    )
    session.commit()
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def mark_sent(session: Session, row: OutboxMessage, *, now: datetime, via: str | None = None) -> bool:
    """Record a delivery (whoever holds the lease: the message did go out). False if already sent."""
    return _finish(
        session,
        row.id,
        {
            "state": "sent",
            "sent_at": utc(now),
            "lease_owner": None,
            "lease_expires_at": None,
            "delivered_via": via,
        },
    )


def mark_failed(
    session: Session,
    row: OutboxMessage,
    *,
    error_code: int | None,
    error: str,
    now: datetime,
    permanent: bool = False,
    policy: OutboxPolicy = DEFAULT_POLICY,
) -> str:
    """Record a failed attempt: retry later with backoff, or dead-letter. Returns the new state."""
    current = session.get(OutboxMessage, row.id, populate_existing=True)
    attempts = current.attempts if current is not None else row.attempts
    dead = permanent or attempts >= policy.max_attempts
    state = "dead" if dead else "pending"
    _finish(
        session,
        row.id,
        {
            "state": state,
            "next_attempt_at": utc(now) + policy.delay(attempts),
            "lease_owner": None,
            "lease_expires_at": None,
            "last_error_code": error_code,
            "last_error": error[:2000],
        },
    )
    return state


def mark_held(session: Session, row: OutboxMessage, *, reason: str, now: datetime) -> None:
    """Park a push nothing can carry now (shown on the case page instead); not retried."""
    _finish(
        session,
        row.id,
        {
            "state": "held",
            "lease_owner": None,
            "lease_expires_at": None,
            "last_error": reason,
            "next_attempt_at": utc(now),
        },
    )


def retry_dead(session: Session, row_id: int, *, now: datetime, actor: str | None = None) -> bool:
    """Put a dead-lettered (or held) row back in the queue; the case's timeline records who did it."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id)
        .where(col(OutboxMessage.state).in_(("dead", "held")))
        .values(state="pending", attempts=0, next_attempt_at=utc(now))
    )
    assert isinstance(result, CursorResult)
    done = result.rowcount == 1
    row = session.get(OutboxMessage, row_id) if done and actor else None
    if row is not None and row.case_id is not None:
        session.add(
            CaseEvent(
                case_id=row.case_id,
                kind="push_retried",
                actor=actor or "system",
                note=f"重新推送（上次错误 {row.last_error_code or ''}）",
                created_at=utc(now),
            )
        )
    session.commit()
    return done


def retry_all_dead(session: Session, *, kind: str, now: datetime, actor: str | None = None) -> int:
    """Every dead-lettered row of ``kind`` back in the queue (as :func:`retry_dead` one by one); how many."""
    ids = session.exec(select(OutboxMessage.id).where(col(OutboxMessage.state) == "dead")
                       .where(col(OutboxMessage.kind) == kind).order_by(col(OutboxMessage.id))).all()
    return sum(retry_dead(session, row_id, now=now, actor=actor) for row_id in ids if row_id is not None)


def discard(
    session: Session, row_ids: Sequence[int], *, kind: str | None = None, states: Sequence[str] = ("dead", "held")
) -> int:
    """Give up rows in one of ``states``: ``discarded``, never sent. How many."""
    if not row_ids:
        return 0
    statement = (update(OutboxMessage).where(col(OutboxMessage.id).in_(row_ids))
                 .where(col(OutboxMessage.state).in_(states))
                 .values(state="discarded", lease_owner=None, lease_expires_at=None))
    if kind is not None:
        statement = statement.where(col(OutboxMessage.kind) == kind)
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    session.commit()
    return result.rowcount


def dead_letters(
    session: Session, *, limit: int = 100, offset: int = 0, kind: str | None = None
) -> Sequence[OutboxMessage]:
    """Dead-lettered rows, newest first; ``kind`` keeps only pushes or only webhooks."""
    query = select(OutboxMessage).where(col(OutboxMessage.state) == "dead")
    if kind is not None:
        query = query.where(col(OutboxMessage.kind) == kind)
    return session.exec(
        query
        .order_by(col(OutboxMessage.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
