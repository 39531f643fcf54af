"""Residents' message times, recorded in bulk on SQLite and PostgreSQL."""

from datetime import timedelta

from sqlmodel import Session, select

from cases.activity import record_activity
from cases.clock import utc
from cases.models import Resident
from tests.cases.conftest import NOW


def _last_seen(session: Session, openid: str, channel: str = "oa") -> object:
    resident = session.exec(select(Resident).where(Resident.openid == openid, Resident.channel == channel)).one()
    return utc(resident.last_seen)


def test_new_residents_are_created_and_known_ones_move_forward(session: Session) -> None:
    record_activity(session, {("o-a", "oa"): NOW, ("o-b", "mp"): NOW})
    session.commit()
    record_activity(session, {("o-a", "oa"): NOW + timedelta(hours=1), ("o-c", "oa"): NOW})
    session.commit()
    assert _last_seen(session, "o-a") == utc(NOW + timedelta(hours=1))
    assert _last_seen(session, "o-b", "mp") == utc(NOW)
    assert len(session.exec(select(Resident)).all()) == 3


def test_an_older_time_never_moves_last_seen_back(session: Session) -> None:
    record_activity(session, {("o-a", "oa"): NOW})
    session.commit()
    record_activity(session, {("o-a", "oa"): NOW - timedelta(days=1)})
    session.commit()
    session.expire_all()
    assert _last_seen(session, "o-a") == utc(NOW)
