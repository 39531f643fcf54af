"""Hand-over to a person (转人工): the queue staff work from, their answers, the residents' message log.

A request opens when a resident asks for 人工 or rates a case poorly; one open request per resident and
reason (asking again adds to it). Staff answer from the console:

* inside WeChat's 48-hour window after the resident's last message (official account): a customer-service
  message with the staff member's words (push key ``handover.reply``, sent as text by the outbox worker);
* otherwise a template message (official account) or subscribe message (mini-program) telling the resident
  that staff answered, with the answer cut to the field's length (push key ``handover.reply_notice``);
* or a call note when staff phoned the resident.

Every answer is kept in the resident's message log and, for a request about a case, in its timeline.
The log holds the last messages of each resident (what they wrote, what the bot and staff answered); it is
written in batches by the dialogs and trimmed by age (:func:`prune_messages`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.errors import CaseError, MissingField
from cases.models import OPEN_STATUSES, Case, CaseEvent, OutboxMessage, Resident, StaffNotification, row_id
from cases.outbox import enqueue
from cases.pushes import local_text
from cases.residents import get_or_create_resident
from cases.workflow_models import HandoverRequest, ResidentMessage

WINDOW = timedelta(hours=48)  # WeChat's customer-service window after the resident's last message
REASON_LABELS = {"human": "请求人工", "bad_rating": "不满意评价"}
STATE_LABELS = {"open": "待处理", "answered": "已答复", "closed": "已关闭"}
VIA_LABELS = {"custom": "客服消息", "template": "模板消息", "subscribe": "订阅消息", "call": "电话回访"}
KEEP_MESSAGES = timedelta(days=30)


class HandoverNotFound(CaseError):
    def __init__(self, request_id: int) -> None:
        super().__init__(f"人工请求 {request_id} 不存在")
        self.request_id = request_id


def open_request(
    session: Session,
    *,
    resident: Resident,
    reason: str,
    text: str,
    now: datetime,
    case: Case | None = None,
) -> HandoverRequest:
    """Open a request, or add ``text`` to the resident's open one of the same reason (and case). Flushes."""
    moment = utc(now)
    query = (
        select(HandoverRequest)
        .where(HandoverRequest.resident_id == row_id(resident), HandoverRequest.reason == reason)
        .where(HandoverRequest.state == "open")
    )
    if case is not None:
        query = query.where(HandoverRequest.case_id == case.id)
    said = text.strip()[:500]
    waiting = session.exec(query).first()
    if waiting is not None:
        if said and said not in waiting.text:
            waiting.text = f"{waiting.text}\n{said}".strip()[-2000:]
        waiting.updated_at = moment
        session.add(waiting)
        session.flush()
        return waiting
    request = HandoverRequest(
        resident_id=row_id(resident),
        case_id=case.id if case is not None else None,
        reason=reason,
        text=said,
        created_at=moment,
        updated_at=moment,
    )
    session.add(request)
    session.flush()
    if case is not None:
        label = REASON_LABELS.get(reason, reason)
        session.add(CaseEvent(case_id=row_id(case), kind="handover", actor="system",
                              note=f"{label}，已进入人工队列" + (f"：{said}" if said else ""), created_at=moment))
    return request


def request_human(*, session: Session, openid: str, channel: str, text: str, now: datetime) -> HandoverRequest:
    """The resident asked for a person (人工). Commits."""
    resident = get_or_create_resident(session, openid=openid, channel=channel, now=now)
    waiting = session.exec(
        select(HandoverRequest.id)
        .where(HandoverRequest.resident_id == resident.id, HandoverRequest.reason == "human")
        .where(HandoverRequest.state == "open")
    ).first()
    request = open_request(session, resident=resident, reason="human", text=text, now=now)
    if waiting is None:  # a new request also reaches the staff's inbox
        said = text.strip()[:500]
        session.add(StaffNotification(resident_id=row_id(resident), kind="handover", created_at=utc(now),
                                      message="居民请求人工服务" + (f"：{said}" if said else "")))
    session.commit()
    return request


@dataclass(frozen=True)
class QueueItem:
    request: HandoverRequest
    resident: Resident
    case: Case | None
    open_cases: list[Case]
    messages: list[ResidentMessage]
    in_window: bool


def queue(
    session: Session, *, now: datetime, states: Sequence[str] = ("open",), limit: int = 100, messages: int = 10
) -> list[QueueItem]:
    """Requests in ``states``, oldest first, with what staff need to answer them."""
    rows = session.exec(
        select(HandoverRequest)
        .where(col(HandoverRequest.state).in_(list(states)))
        .order_by(col(HandoverRequest.created_at), col(HandoverRequest.id))
        .limit(limit)
    ).all()
    return [item(session, r, now=now, messages=messages) for r in rows]


def item(session: Session, request: HandoverRequest, *, now: datetime, messages: int = 10) -> QueueItem:
    resident = session.get(Resident, request.resident_id)
    assert resident is not None
    open_cases = list(
        session.exec(
            select(Case)
            .where(Case.resident_id == resident.id)
            .where(col(Case.status).in_(OPEN_STATUSES))
            .order_by(col(Case.created_at).desc())
            .limit(10)
        ).all()
    )
    case = session.get(Case, request.case_id) if request.case_id is not None else None
    return QueueItem(
        request=request,
        resident=resident,
        case=case,
        open_cases=open_cases,
        messages=recent_messages(session, row_id(resident), limit=messages),
        in_window=in_window(resident, now),
    )


def get_request(session: Session, request_id: int) -> HandoverRequest:
    request = session.get(HandoverRequest, request_id)
    if request is None:
        raise HandoverNotFound(request_id)
    return request


def in_window(resident: Resident, now: datetime) -> bool:
    return resident.channel == "oa" and utc(now) - utc(resident.last_seen) < WINDOW


@dataclass(frozen=True)
class Answer:
    request: HandoverRequest
    via: str  # custom | template | subscribe | call
    push: OutboxMessage | None


def answer(*, session: Session, request_id: int, actor: str, text: str, now: datetime) -> Answer:
    """Send the staff member's answer to the resident (through the outbox) and keep it. Commits."""
    words = text.strip()
    if not words:
        raise MissingField("text")
    request = get_request(session, request_id)
    resident = session.get(Resident, request.resident_id)
    assert resident is not None
    moment = utc(now)
    case = session.get(Case, request.case_id) if request.case_id is not None else None
    if in_window(resident, moment):
        key, via = "handover.reply", "custom"
    else:
        key, via = "handover.reply_notice", "subscribe" if resident.channel == "mp" else "template"
    sent = session.exec(
        select(ResidentMessage.id)
        .where(ResidentMessage.resident_id == resident.id)
        .where(ResidentMessage.direction == "staff")
    ).all()
    push = enqueue(
        session,
        case_id=case.id if case is not None else None,
        openid=resident.openid,
        channel=resident.channel,
        template_key=key,
        variables={"message": words, "staff": actor, "number": case.number if case is not None else "",
                   "time": local_text(moment)},
        idempotency_key=f"handover:{request.id}:{len(sent) + 1}",
        now=moment,
    )
    _keep(session, request, resident, case, direction="staff", via=via, text=words, actor=actor, now=moment)
    return Answer(request, via, push)


def call_note(*, session: Session, request_id: int, actor: str, note: str, now: datetime) -> Answer:
    """Staff phoned the resident: record what was said. Commits."""
    words = note.strip()
    if not words:
        raise MissingField("note")
    request = get_request(session, request_id)
    resident = session.get(Resident, request.resident_id)
    assert resident is not None
    case = session.get(Case, request.case_id) if request.case_id is not None else None
    _keep(session, request, resident, case, direction="staff", via="call", text=words, actor=actor, now=utc(now))
    return Answer(request, "call", None)


def _keep(
    session: Session,
    request: HandoverRequest,
    resident: Resident,
    case: Case | None,
    *,
    direction: str,
    via: str,
    text: str,
    actor: str,
    now: datetime,
) -> None:
    session.add(ResidentMessage(resident_id=row_id(resident), case_id=case.id if case is not None else None,
                                direction=direction, via=via, text=text, actor=actor, created_at=now))
    if case is not None:
        kind = "called_back" if via == "call" else "staff_reply"
        session.add(CaseEvent(case_id=row_id(case), kind=kind, actor=actor,
                              note=f"{VIA_LABELS.get(via, via)}：{text}", created_at=now))
        if via == "call" and request.reason == "bad_rating":
            case.callback_needed = False
            session.add(case)
    request.state = "answered"
    request.assignee = request.assignee or actor
    request.answered_at = now
    request.updated_at = now
    session.add(request)
    session.commit()


def close_request(*, session: Session, request_id: int, actor: str, now: datetime) -> HandoverRequest:
    """Nothing more to do for this request. Commits."""
    request = get_request(session, request_id)
    request.state = "closed"
    request.assignee = request.assignee or actor
    request.closed_at = request.updated_at = utc(now)
    session.add(request)
    session.commit()
    return request


def claim(*, session: Session, request_id: int, actor: str, now: datetime) -> HandoverRequest:
    """A staff member takes the request on (others see who). Commits."""
    request = get_request(session, request_id)
    request.assignee = actor
    request.updated_at = utc(now)
    session.add(request)
    session.commit()
    return request


# ---- the message log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedMessage:
    """One exchange noted by the dialogs: the resident's message and the bot's answers."""

    openid: str
    channel: str
    via: str  # text, voice, image, location, click, …
    text: str
    answers: tuple[str, ...]
    at: datetime


def log_messages(session: Session, entries: Sequence[LoggedMessage]) -> None:
    """Append exchanges to the residents' logs (residents must exist, as after ``record_activity``).

    Not committed.
    """
    if not entries:
        return
    openids = {e.openid for e in entries}
    found = session.execute(select(col(Resident.id), col(Resident.openid), col(Resident.channel))
                            .where(col(Resident.openid).in_(openids)))
    ids = {(openid, channel): resident_id for resident_id, openid, channel in found}
    rows: list[dict[str, object]] = []
    for entry in entries:
        resident_id = ids.get((entry.openid, entry.channel))
        if resident_id is None:
            continue
        moment = utc(entry.at)
        rows.append(_logged(resident_id, "in", entry.via, entry.text, moment))
        rows.extend(_logged(resident_id, "bot", "text", answer, moment) for answer in entry.answers)
    if rows:
        # One executemany of plain rows: thousands of messages a minute, where a unit of work per row
        # cost more than everything else the batch does.
        session.execute(insert(ResidentMessage.__table__), rows)  # type: ignore[attr-defined]


def _logged(resident_id: int, direction: str, via: str, text: str, moment: datetime) -> dict[str, object]:
    return {"resident_id": resident_id, "case_id": None, "direction": direction, "via": via, "text": text[:2000],
            "actor": None, "created_at": moment}


def recent_messages(session: Session, resident_id: int, *, limit: int = 10) -> list[ResidentMessage]:
    """The resident's last ``limit`` logged messages, oldest first."""
    rows = session.exec(
        select(ResidentMessage)
        .where(ResidentMessage.resident_id == resident_id)
        .order_by(col(ResidentMessage.id).desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def prune_messages(session: Session, *, now: datetime, keep: timedelta = KEEP_MESSAGES) -> int:
    """Forget logged messages older than ``keep``. Commits; returns how many went."""
    result = session.execute(delete(ResidentMessage).where(col(ResidentMessage.created_at) < utc(now) - keep))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
