"""Case views: what staff and residents are shown of a case, as projections of the stored rows.

Staff views mask phones in lists (138****5678) and hide a confidential resident's identity from agents
everywhere; the resident's views show one's own case with the steps a resident may read. Schemas in
``api`` are built from these objects whole (``model_validate(view)``), never field by field.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from cases import queries
from cases.channels import AppealType, IntakeChannel
from cases.clock import utc
from cases.lifecycle import Move, moves_from
from cases.models import Case, CaseEvent, OutboxMessage, Photo, Rating, Resident
from cases.vocabulary import OPEN_STATUSES, CaseStatus, mask_phone

# Steps of the resident's timeline whose staff note the resident may read (notes on other steps are internal).
PUBLIC_NOTE_STATUSES = (CaseStatus.REJECTED, CaseStatus.CLOSED, CaseStatus.PROCESSING)


# ---- for staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentView:
    hidden: bool  # confidential and the reader is an agent
    openid: str | None
    channel: str
    phone: str | None
    confidential: bool


def resident_view(resident: Resident | None, *, admin: bool, masked: bool) -> ResidentView:
    if resident is None:  # filed by another system for a caller who is not on WeChat
        return ResidentView(hidden=False, openid=None, channel="ext", phone=None, confidential=False)
    if resident.confidential and not admin:
        return ResidentView(hidden=True, openid=None, channel=resident.channel, phone=None, confidential=True)
    phone = mask_phone(resident.phone) if masked else resident.phone
    return ResidentView(hidden=False, openid=resident.openid, channel=resident.channel, phone=phone,
                        confidential=resident.confidential)


@dataclass(frozen=True)
class CaseSummary:
    number: str
    status: str
    status_text: str
    major_name: str
    minor_name: str
    description: str
    address: str
    grid_id: str
    grid_name: str
    community: str
    street: str
    urgent: bool
    phone: str | None
    resident: ResidentView
    department: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime
    overdue: bool
    callback_needed: bool
    repeat_reporter: bool
    cluster_number: str | None
    channel: str  # intake channel
    channel_text: str
    reporter_name: str | None  # given by another system
    appeal_type: str | None
    appeal_text: str | None  # 诉求类型


def summarize(case: Case, resident: Resident | None, *, admin: bool, now: datetime, masked: bool = True,
              cluster_number: str | None = None) -> CaseSummary:
    who = resident_view(resident, admin=admin, masked=masked)
    phone = None if who.hidden else (mask_phone(case.phone) if masked else case.phone)
    return CaseSummary(
        number=case.number, status=case.status, status_text=CaseStatus.label_of(case.status),
        major_name=case.major_name, minor_name=case.minor_name, description=case.description,
        address=case.address, grid_id=case.grid_id, grid_name=case.grid_name, community=case.community,
        street=case.street, urgent=case.urgent, phone=phone, resident=who, department=case.department,
        assignee=case.assignee, created_at=case.created_at, due_at=case.due_at,
        overdue=case.status in OPEN_STATUSES and utc(case.due_at) < utc(now),
        callback_needed=case.callback_needed, repeat_reporter=case.repeat_reporter, cluster_number=cluster_number,
        channel=case.intake_channel, channel_text=IntakeChannel(case.intake_channel).label,
        reporter_name=None if who.hidden else case.reporter_name, appeal_type=case.appeal_type,
        appeal_text=AppealType(case.appeal_type).label if case.appeal_type else None,
    )


def summaries(session: Session, rows: Sequence[Case], *, admin: bool, now: datetime,
              residents: dict[int, Resident] | None = None) -> list[CaseSummary]:
    """Masked summaries of ``rows`` in one go (their residents and cluster numbers read once)."""
    found = residents if residents is not None else queries.residents_by_id(session, [c.resident_id for c in rows])
    numbers = queries.cluster_numbers(session, rows)
    return [summarize(c, found.get(c.resident_id) if c.resident_id is not None else None, admin=admin, now=now,
                      cluster_number=numbers.get(c.cluster_id) if c.cluster_id is not None else None)
            for c in rows]


@dataclass(frozen=True)
class CaseDetail(CaseSummary):
    lat: float | None
    lng: float | None
    category_confidence: float
    category_source: str
    closed_at: datetime | None
    timeline: list[CaseEvent]
    photos: list[Photo]
    rating: Rating | None
    cluster: list[CaseSummary]
    moves: tuple[Move, ...]
    pushes: list[OutboxMessage]


def detail(session: Session, case: Case, *, admin: bool, now: datetime) -> CaseDetail:
    """A case's whole file for staff: unmasked phone (to call back), timeline, photos, cluster, pushes."""
    case_id = case.id
    assert case_id is not None
    resident = session.get(Resident, case.resident_id) if case.resident_id is not None else None
    members = queries.cluster_of(session, case)
    root = members[0].number if members and case.cluster_id else None
    base = summarize(case, resident, admin=admin, now=now, masked=False, cluster_number=root)
    return CaseDetail(
        **{name: getattr(base, name) for name in CaseSummary.__dataclass_fields__},
        lat=case.lat, lng=case.lng, category_confidence=case.category_confidence,
        category_source=case.category_source, closed_at=case.closed_at,
        timeline=queries.timeline(session, case_id), photos=queries.photos_of(session, case_id),
        rating=queries.rating_of(session, case_id), cluster=summaries(session, members, admin=admin, now=now),
        moves=moves_from(case.status), pushes=queries.pushes_of(session, case_id),
    )


# ---- for the resident ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyCase:
    """One of the resident's own cases, as the mini-program lists it."""

    number: str
    status: str
    status_label: str
    description: str
    major_name: str
    minor_name: str
    address: str
    grid_name: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    can_rate: bool
    rated: bool


def my_case(case: Case, *, rated: bool) -> MyCase:
    return MyCase(
        number=case.number, status=case.status, status_label=CaseStatus.label_of(case.status),
        description=case.description, major_name=case.major_name, minor_name=case.minor_name,
        address=case.address, grid_name=case.grid_name, created_at=case.created_at, updated_at=case.updated_at,
        due_at=case.due_at, can_rate=case.status == CaseStatus.CLOSED and not rated, rated=rated,
    )


def my_cases(session: Session, openid: str) -> list[MyCase]:
    """The resident's cases, newest first."""
    found = queries.cases_of_resident(session, openid)
    rated = queries.rated_case_ids(session, [c.id for c in found if c.id is not None])
    return [my_case(c, rated=c.id in rated) for c in found]


@dataclass(frozen=True)
class Step:
    """A step of the case a resident may read (its title is worded by the reply template ``mp.step_title``)."""

    at: datetime
    kind: str  # filed | status | rated
    status: str | None
    department: str | None
    note: str | None
    reopened: bool = False  # a closed case taken up again


def public_step(event: CaseEvent) -> Step | None:
    if event.kind == "filed":
        return Step(at=event.created_at, kind="filed", status=CaseStatus.SUBMITTED, department=None, note=None)
    if event.kind == "transition" and event.to_status:
        note = event.note if event.to_status in PUBLIC_NOTE_STATUSES else None
        return Step(at=event.created_at, kind="status", status=event.to_status,
                    department=event.department if event.to_status == CaseStatus.DISPATCHED else None, note=note,
                    reopened=event.from_status == CaseStatus.CLOSED)
    if event.kind == "rated":
        return Step(at=event.created_at, kind="rated", status=None, department=None, note=event.note)
    return None


@dataclass(frozen=True)
class MyCaseDetail(MyCase):
    urgent: bool
    department: str | None
    photos: int
    timeline: list[Step]
    rating: Rating | None
    held: list[OutboxMessage] = field(default_factory=list)  # pushes no channel could carry: shown on the page


def my_case_detail(session: Session, case: Case, openid: str) -> MyCaseDetail:
    case_id = case.id
    assert case_id is not None
    rating = queries.rating_of(session, case_id)
    base = my_case(case, rated=rating is not None)
    return MyCaseDetail(
        **{name: getattr(base, name) for name in MyCase.__dataclass_fields__},
        urgent=case.urgent, department=case.department, photos=len(queries.photos_of(session, case_id)),
        timeline=[step for event in queries.timeline(session, case_id) if (step := public_step(event)) is not None],
        rating=rating, held=queries.held_pushes(session, case_id, openid),
    )
