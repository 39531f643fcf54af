"""Delivering the outbox: lease due rows, hand each to the courier, record what happened.

One pass (:func:`deliver_batch`) leases a batch of due rows and, still holding each lease, lets the
:class:`bot.courier.Courier` carry it; the outcome is recorded: sent, held (the case page shows it),
retried later with backoff, or dead (visible to staff with WeChat's error). The delivery guarantee is the
outbox's (see :mod:`cases.outbox`): at least once, and never twice unless the process dies between
WeChat's answer and the commit that records it. The case functions are synchronous; they run in threads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.courier import Courier, Outcome
from cases.handover import prune_messages
from cases.models import OutboxMessage
from cases.outbox import DEFAULT_POLICY, OutboxPolicy, begin_delivery, claim_batch, mark_failed, mark_held, mark_sent
from cases.residents import take_subscription
from cases.rules import CaseRules
from cases.supervision import supervise

log = logging.getLogger(__name__)


class WebhookSender(Protocol):
    """Carries a ``kind="webhook"`` row to another system (:class:`api.hooks.HookCourier`)."""

    async def deliver(self, row: OutboxMessage) -> Outcome: ...


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    held: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0  # lease lost before sending: another worker has the row


def _claim(engine: Engine, worker_id: str, limit: int, lease_seconds: float, now: datetime) -> list[OutboxMessage]:
    with Session(engine, expire_on_commit=False) as session:
        return claim_batch(session, worker_id=worker_id, limit=limit, lease_seconds=lease_seconds, now=now)


def _begin(engine: Engine, row: OutboxMessage, worker_id: str, now: datetime) -> bool:
    with Session(engine, expire_on_commit=False) as session:
        return begin_delivery(session, row, worker_id=worker_id, now=now)


def _record(engine: Engine, row: OutboxMessage, outcome: Outcome, now: datetime, policy: OutboxPolicy) -> None:
    with Session(engine, expire_on_commit=False) as session:
        if outcome.state == "sent":
            mark_sent(session, row, now=now, via=outcome.via)
            if outcome.via == "subscribe" and outcome.template_id:
                # WeChat spent one of the resident's acceptances: keep our record of them in step
                take_subscription(session, openid=row.recipient_openid, template_id=outcome.template_id, now=now)
        elif outcome.state == "held":
            mark_held(session, row, reason=outcome.error, now=now)
        else:
            state = mark_failed(
                session,
                row,
                error_code=outcome.code,
                error=outcome.error,
                now=now,
                permanent=outcome.state == "dead",
                policy=policy,
            )
            if state == "dead":
                log.warning("outbox %s dead-lettered: %s", row.id, outcome.error)


def add_due_reminders(engine: Engine, rules: CaseRules, now: datetime) -> None:
    """Reminders, the departments' notices and escalation; old lines of the residents' message log go."""
    with Session(engine, expire_on_commit=False) as session:
        supervise(session, now, rules)
        prune_messages(session, now=now)


async def deliver_batch(
    *,
    engine: Engine,
    courier: Courier,
    worker_id: str,
    hooks: WebhookSender | None = None,
    now: datetime | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    limit: int = 20,
    lease_seconds: float = 120.0,
    policy: OutboxPolicy = DEFAULT_POLICY,
) -> BatchReport:
    """One pass: lease up to ``limit`` due rows, deliver each, record each outcome.

    Pushes go out one after the other (a resident's messages keep their order); webhooks go out side by
    side with them, so a slow or unreachable platform (up to its timeout per row) never holds a push.
    ``now`` fixes the time (tests); otherwise every step reads ``clock``.
    """
    rows = await asyncio.to_thread(_claim, engine, worker_id, limit, lease_seconds, now or clock())
    report = BatchReport(claimed=len(rows))

    async def one(row: OutboxMessage) -> None:
        if not await asyncio.to_thread(_begin, engine, row, worker_id, now or clock()):
            report.skipped += 1
            return
        try:
            if row.kind != "webhook":
                outcome = await courier.deliver(row)
            elif hooks is not None:
                outcome = await hooks.deliver(row)
            else:
                outcome = Outcome("retry", error="this worker sends no webhooks")
        except Exception as exc:  # a bug or an unexpected answer: keep the row, try again later
            log.exception("outbox %s: delivery crashed", row.id)
            outcome = Outcome("retry", error=f"{type(exc).__name__}: {exc}")
        await asyncio.to_thread(_record, engine, row, outcome, now or clock(), policy)
        if outcome.state == "sent":
            report.sent += 1
        elif outcome.state == "held":
            report.held += 1
        elif outcome.state == "retry":
            report.retried += 1
        else:
            report.dead += 1

    async def pushes() -> None:
        for row in rows:
            if row.kind != "webhook":
                await one(row)

    await asyncio.gather(pushes(), *(one(row) for row in rows if row.kind == "webhook"))
    return report
