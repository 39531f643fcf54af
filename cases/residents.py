"""Residents (one row per openid and channel) and their mini-program subscription grants."""

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.models import MpSubscription, Resident


def find_resident(session: Session, openid: str, channel: str | None = None) -> Resident | None:
    query = select(Resident).where(Resident.openid == openid)
    if channel is not None:
        query = query.where(Resident.channel == channel)
    return session.exec(query.order_by(col(Resident.id))).first()


# Built once: constructing the statement and its cache key cost several times the query itself.
_PHONE_ON_RECORD = (
    select(col(Resident.phone))
    .where(col(Resident.openid) == bindparam("openid"), col(Resident.channel) == bindparam("channel"))
    .order_by(col(Resident.id)).limit(1)
)


def phone_on_record(connection: Connection, openid: str, channel: str) -> str | None:
    """The phone on record of the resident of ``openid`` on ``channel`` (None: no resident, or no phone).

    One column on a plain connection: asked for every new resident's summary, where loading the whole
    row through an ORM session cost several times the query itself.
    """
    phone: str | None = connection.execute(_PHONE_ON_RECORD, {"openid": openid, "channel": channel}).scalar()
    return phone


def resident_by_phone(session: Session, phone: str) -> Resident | None:
    """The one resident whose WeChat-verified phone is ``phone``; None when nobody or several have it.

    A typed phone does not count: anyone can type anyone's number, and the resident found here hears of
    another system's case (a hotline call) about that number.
    """
    found = session.exec(
        select(Resident).where(Resident.phone == phone.strip(), col(Resident.phone_verified).is_(True)).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def record_phone(resident: Resident, phone: str) -> None:
    """Put a typed ``phone`` on record; one that differs from the phone on record takes its verification away."""
    if phone != resident.phone:
        resident.phone, resident.phone_verified = phone, False


def verify_phone(session: Session, resident: Resident, phone: str) -> None:
    """Put ``phone`` on record as WeChat verified it. Numbers change hands: whoever verified it before loses it."""
    session.execute(
        update(Resident)
        .where(col(Resident.phone) == phone, col(Resident.phone_verified).is_(True), col(Resident.id) != resident.id)
        .values(phone_verified=False)
    )
    resident.phone, resident.phone_verified = phone, True
    session.add(resident)


def get_or_create_resident(
    session: Session, *, openid: str, channel: str, now: datetime, unionid: str | None = None
) -> Resident:
    """The resident of ``openid`` on ``channel``, created when new (flushed, not committed).

    Safe against a concurrent first contact: the insert runs in a savepoint and a lost race re-reads.
    """
    resident = find_resident(session, openid, channel)
    if resident is None:
        resident = Resident(openid=openid, channel=channel, unionid=unionid, first_seen=utc(now), last_seen=utc(now))
        try:
            with session.begin_nested():
                session.add(resident)
        except IntegrityError:
            found = find_resident(session, openid, channel)
            assert found is not None
            resident = found
    if unionid and resident.unionid != unionid:
        resident.unionid = unionid
        session.add(resident)
    return resident


def touch_resident(
    session: Session, *, openid: str, channel: str, now: datetime, unionid: str | None = None
) -> Resident:
    """Record that the resident just wrote to us (opens WeChat's 48 h customer-service window). Commits."""
    resident = get_or_create_resident(session, openid=openid, channel=channel, now=now, unionid=unionid)
    if resident.last_seen < utc(now):
        resident.last_seen = utc(now)
    session.add(resident)
    session.commit()
    return resident


def grant_subscription(
    session: Session, *, openid: str, template_id: str, now: datetime, count: int = 1
) -> MpSubscription:
    """The resident accepted ``count`` more one-time subscribe messages of ``template_id``. Commits."""
    grant = session.exec(
        select(MpSubscription).where(MpSubscription.openid == openid, MpSubscription.template_id == template_id)
    ).first()
    if grant is None:
        grant = MpSubscription(openid=openid, template_id=template_id, remaining=0, updated_at=utc(now))
    grant.remaining += count
    grant.updated_at = utc(now)
    session.add(grant)
    session.commit()
    return grant


def take_subscription(session: Session, *, openid: str, template_id: str, now: datetime) -> bool:
    """Use one grant (atomically); False when the resident holds none. Commits."""
    result = session.execute(
        update(MpSubscription)
        .where(col(MpSubscription.openid) == openid)
        .where(col(MpSubscription.template_id) == template_id)
        .where(col(MpSubscription.remaining) > 0)
        .values(remaining=col(MpSubscription.remaining) - 1, updated_at=utc(now))
    )
    session.commit()
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def return_subscription(session: Session, *, openid: str, template_id: str, now: datetime) -> None:
    """Give back a grant taken for a send that WeChat refused before delivering. Commits."""
    grant_subscription(session, openid=openid, template_id=template_id, now=now, count=1)
