"""The outbox on real databases: leases, retries, dead letters, a killed worker, two workers at once.

The transport is a plain callable written here (the seam); everything else is the real code.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases.models import OutboxMessage
from cases.outbox import (
    OutboxPolicy,
    begin_delivery,
    claim_batch,
    dead_letters,
    enqueue,
    mark_failed,
    mark_sent,
    retry_dead,
)
from tests.cases.conftest import NOW

LEASE = 60.0


class SendFailed(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"errcode {code}")
        self.code = code


def add_rows(engine: Engine, count: int, *, now: datetime = NOW) -> list[int]:
    with Session(engine, expire_on_commit=False) as session:
        rows = [
            enqueue(
                session,
                case_id=None,
                openid=f"o-{i}",
                channel="oa",
                template_key="status.changed",
                variables={"number": f"BH20261127-{i:04d}"},
                idempotency_key=f"k-{i}",
                now=now,
            )
            for i in range(count)
        ]
        session.commit()
        return [row.id for row in rows if row.id is not None]


def run_once(
    engine: Engine,
    worker_id: str,
    now: datetime,
    deliver: Callable[[OutboxMessage], None],
    *,
    limit: int = 10,
    policy: OutboxPolicy = OutboxPolicy(),
) -> int:
    """One pass of a minimal worker: claim, check the lease, send, record."""
    with Session(engine, expire_on_commit=False) as session:
        rows = claim_batch(session, worker_id=worker_id, limit=limit, lease_seconds=LEASE, now=now)
        for row in rows:
            if not begin_delivery(session, row, worker_id=worker_id, now=now):
                continue
            try:
                deliver(row)
            except SendFailed as exc:
                mark_failed(session, row, error_code=exc.code, error=str(exc), now=now, policy=policy)
            else:
                mark_sent(session, row, now=now, via="template")
        return len(rows)


def states(engine: Engine) -> dict[int, str]:
    with Session(engine) as session:
        return {row.id: row.state for row in session.exec(select(OutboxMessage)).all() if row.id}


def test_claim_send_and_mark(engine: Engine) -> None:
    [row_id] = add_rows(engine, 1)
    sent: list[int] = []
    assert run_once(engine, "w1", NOW - timedelta(seconds=1), lambda r: sent.append(r.id or 0)) == 0
    assert run_once(engine, "w1", NOW, lambda r: sent.append(r.id or 0)) == 1
    assert sent == [row_id] and states(engine) == {row_id: "sent"}
    assert run_once(engine, "w1", NOW + timedelta(hours=1), lambda r: sent.append(r.id or 0)) == 0
    with Session(engine) as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None and row.attempts == 1 and row.sent_at is not None
        assert row.delivered_via == "template"


def test_failing_push_is_retried_with_backoff_then_dead_lettered(engine: Engine) -> None:
    [row_id] = add_rows(engine, 1)
    policy = OutboxPolicy(max_attempts=4, base_delay_seconds=30, max_delay_seconds=3600)

    def refuse(row: OutboxMessage) -> None:
        raise SendFailed(45015)

    now = NOW
    waits: list[float] = []
    for _attempt in range(4):
        assert run_once(engine, "w1", now, refuse, policy=policy) == 1
        with Session(engine) as session:
            row = session.get(OutboxMessage, row_id)
            assert row is not None
            if row.state == "pending":
                waits.append((row.next_attempt_at - now).total_seconds())
                assert run_once(engine, "w1", row.next_attempt_at - timedelta(seconds=1), refuse) == 0
                now = row.next_attempt_at
    assert waits == [30, 60, 120]
    assert states(engine) == {row_id: "dead"}
    with Session(engine) as session:
        [dead] = dead_letters(session)
        assert (dead.id, dead.attempts, dead.last_error_code) == (row_id, 4, 45015)
        assert retry_dead(session, row_id, now=now)
    assert run_once(engine, "w1", now, lambda r: None) == 1
    assert states(engine) == {row_id: "sent"}


def test_permanent_failure_is_dead_at_once(engine: Engine) -> None:
    [row_id] = add_rows(engine, 1)
    with Session(engine) as session:
        [row] = claim_batch(session, worker_id="w1", limit=5, lease_seconds=LEASE, now=NOW)
        assert mark_failed(session, row, error_code=40003, error="invalid openid", now=NOW, permanent=True) == "dead"
    assert states(engine) == {row_id: "dead"}


def test_killed_worker_loses_nothing_and_doubles_nothing(engine: Engine) -> None:
    """A real process claims the row and is killed (SIGKILL) mid-delivery; another worker delivers it once."""
    [row_id] = add_rows(engine, 1)
    url = engine.url.render_as_string(hide_password=False)
    script = f"""
import sys, time
from datetime import datetime
from sqlmodel import Session
from api.db import make_engine
from cases.outbox import claim_batch
engine = make_engine({url!r})
with Session(engine) as session:
    rows = claim_batch(session, worker_id="doomed", limit=10, lease_seconds={LEASE},
                       now=datetime.fromisoformat({NOW.isoformat()!r}))
    print(",".join(str(r.id) for r in rows), flush=True)
    time.sleep(600)  # "sending": killed here
"""
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as doomed:
        try:
            assert doomed.stdout is not None
            assert doomed.stdout.readline().strip() == str(row_id)
        finally:
            doomed.kill()
            doomed.wait()
    delivered: list[int] = []
    # the lease still runs: nobody may take the row
    assert run_once(engine, "rescuer", NOW + timedelta(seconds=LEASE - 1), lambda r: delivered.append(r.id or 0)) == 0
    # the lease has expired: the row is claimable again and delivered exactly once
    later = NOW + timedelta(seconds=LEASE)
    assert run_once(engine, "rescuer", later, lambda r: delivered.append(r.id or 0)) == 1
    assert run_once(engine, "rescuer", later + timedelta(hours=1), lambda r: delivered.append(r.id or 0)) == 0
    assert delivered == [row_id]
    with Session(engine) as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None and row.state == "sent" and row.attempts == 2


def test_a_worker_whose_lease_expired_does_not_send(engine: Engine) -> None:
    """A stalled worker wakes up after its lease went to another worker: it must not send again."""
    add_rows(engine, 1)
    with Session(engine) as slow:
        [row] = claim_batch(slow, worker_id="slow", limit=1, lease_seconds=LEASE, now=NOW)
        later = NOW + timedelta(seconds=LEASE + 5)
        delivered: list[str] = []
        assert run_once(engine, "fast", later, lambda r: delivered.append("fast")) == 1
        assert not begin_delivery(slow, row, worker_id="slow", now=later)
        assert not begin_delivery(slow, row, worker_id="slow", now=NOW + timedelta(seconds=1))
    assert delivered == ["fast"]


def test_skip_locked_lets_a_second_worker_pass_a_row_being_claimed(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite claims in one UPDATE")
    first, *rest = add_rows(engine, 3)
    with engine.connect() as other:
        other.execute(text("BEGIN"))
        other.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": first})
        with Session(engine) as session:
            claimed = claim_batch(session, worker_id="w2", limit=10, lease_seconds=LEASE, now=NOW)
        assert sorted(r.id for r in claimed) == sorted(rest)
        other.execute(text("ROLLBACK"))


def test_two_workers_share_the_queue_without_double_delivery(engine: Engine) -> None:
    ids = add_rows(engine, 120)
    delivered: list[tuple[str, int]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        def deliver(row: OutboxMessage) -> None:
            with lock:
                delivered.append((name, row.id or 0))

        try:
            start.wait()
            while run_once(engine, name, NOW, deliver, limit=7):
                pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent_ids = [row_id for _name, row_id in delivered]
    assert sorted(sent_ids) == sorted(ids)  # every row once: none lost, none doubled
    assert set(states(engine).values()) == {"sent"}
    with Session(engine) as session:
        assert all(row.attempts == 1 for row in session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
