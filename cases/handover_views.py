"""The hand-over queue as centre staff read it: who waits (masked as the reader's role allows), their cases,
the latest messages both ways, and how an answer would reach them now.

Agents see a masked phone (also inside message texts) and nothing of a confidential resident's identity;
admins see everything. The staff API returns these views whole.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from cases.clock import LocalTime
from cases.handover import REASON_LABELS, STATE_LABELS, VIA_LABELS, QueueItem
from cases.models import Resident, StaffUser
from cases.roles import ADMIN
from cases.views import CaseSummary, summaries_for
from cases.vocabulary import mask_phone, mask_phones_in

CHANNELS = {"oa": "公众号", "mp": "小程序"}
DIRECTIONS = {"in": "居民", "bot": "机器人", "staff": "工作人员"}


@dataclass(frozen=True)
class Who:
    label: str  # 公众号居民 …a1b2
    channel: str
    channel_text: str
    phone: str | None
    hidden: bool
    last_seen: LocalTime | None
    in_window: bool  # a customer-service message can still reach them (48 h)


@dataclass(frozen=True)
class MessageView:
    direction: str
    direction_text: str
    via: str
    via_text: str
    text: str
    actor: str | None
    time: LocalTime | None


@dataclass(frozen=True)
class HandoverView:
    id: int
    reason: str
    reason_text: str
    state: str
    state_text: str
    text: str
    assignee: str | None
    created_at: LocalTime | None
    answered_at: LocalTime | None
    resident: Who
    case: CaseSummary | None
    open_cases: list[CaseSummary]
    messages: list[MessageView]
    answer_via: str  # how an answer would go now: custom | template | subscribe
    answer_via_text: str


@dataclass(frozen=True)
class AnswerView:
    via: str
    via_text: str
    request: HandoverView


def who(resident: Resident, reader: StaffUser, in_window: bool) -> Who:
    hidden = resident.confidential and reader.role != ADMIN
    tail = resident.openid[-4:] if not hidden else "****"
    phone = None if hidden else (resident.phone if reader.role == ADMIN else mask_phone(resident.phone))
    channel = CHANNELS.get(resident.channel, resident.channel)
    return Who(label=f"{channel}居民 …{tail}", channel=resident.channel, channel_text=channel, phone=phone,
               hidden=hidden, last_seen=resident.last_seen, in_window=in_window)


def handover_view(session: Session, found: QueueItem, reader: StaffUser, now: datetime) -> HandoverView:
    request = found.request

    def shown(text: str) -> str:
        return text if reader.role == ADMIN else mask_phones_in(text)

    via = "custom" if found.in_window else ("subscribe" if found.resident.channel == "mp" else "template")
    return HandoverView(
        id=request.id or 0, reason=request.reason, reason_text=REASON_LABELS.get(request.reason, request.reason),
        state=request.state, state_text=STATE_LABELS.get(request.state, request.state), text=shown(request.text),
        assignee=request.assignee, created_at=request.created_at, answered_at=request.answered_at,
        resident=who(found.resident, reader, found.in_window),
        case=summaries_for(session, [found.case], reader, now)[0] if found.case is not None else None,
        open_cases=summaries_for(session, found.open_cases, reader, now),
        messages=[MessageView(direction=m.direction, direction_text=DIRECTIONS.get(m.direction, m.direction),
                              via=m.via, via_text=VIA_LABELS.get(m.via, ""), text=shown(m.text), actor=m.actor,
                              time=m.created_at) for m in found.messages],
        answer_via=via,
        answer_via_text=VIA_LABELS[via] + ("（48 小时内）" if found.in_window else "（已超过 48 小时）"),
    )
