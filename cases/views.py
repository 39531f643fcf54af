"""Case views for staff: what the console and the staff API show of a case, as projections of the stored rows.

Lists mask phones (138****5678); a confidential resident's identity is hidden from agents everywhere; a
department user or grid worker reads a case file masked and without the centre's moves and pushes. The staff
API returns these views whole (FastAPI serialises dataclasses), so the shape is written here once; moments
are :data:`~cases.clock.LocalTime`, shown in the centre's time zone. The resident's views are :mod:`cases.my_views`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from cases import queries
from cases.attention import Cluster, RepeatReporter
from cases.channels import AppealType, IntakeChannel
from cases.clock import LocalTime, utc
from cases.lifecycle import Move, moves_from
from cases.models import Case, CaseEvent, OutboxMessage, Photo, Rating, Resident, StaffUser
from cases.ratings import FIXED_LABELS, SCORE_LABELS
from cases.roles import ADMIN, CENTRE
from cases.vocabulary import OPEN_STATUSES, CaseStatus, mask_phone

PHOTO_URL = "/api/staff/photos/{sha256}"  # where staff fetch a photo (scoped to the cases they may see)


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
    created_at: LocalTime
    due_at: LocalTime
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


def summaries_for(session: Session, rows: Sequence[Case], reader: StaffUser, now: datetime) -> list[CaseSummary]:
    """:func:`summaries` as ``reader``'s role may see them."""
    return summaries(session, rows, admin=reader.role == ADMIN, now=now)


def page_summaries(session: Session, rows: Sequence[tuple[Case, Resident | None]], *, admin: bool,
                   now: datetime) -> list[CaseSummary]:
    """Summaries of a page of :func:`cases.search.search_cases` (its residents already read)."""
    return summaries(session, [c for c, _r in rows], admin=admin, now=now,
                     residents={r.id: r for _c, r in rows if r is not None and r.id is not None})


@dataclass(frozen=True)
class CasePage:
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class EventView:
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    to_text: str | None
    note: str | None
    department: str | None
    time: LocalTime | None


def event_view(event: CaseEvent) -> EventView:
    return EventView(kind=event.kind, actor=event.actor, from_status=event.from_status, to_status=event.to_status,
                     to_text=CaseStatus.label_of(event.to_status) if event.to_status else None, note=event.note,
                     department=event.department, time=event.created_at)


@dataclass(frozen=True)
class PhotoView:
    stage: str  # report | disposal (处置) | verification (核查)
    sha256: str
    content_type: str
    width: int
    height: int
    bytes: int
    url: str


def photo_view(photo: Photo) -> PhotoView:
    return PhotoView(stage=photo.stage, sha256=photo.sha256, content_type=photo.content_type, width=photo.width,
                     height=photo.height, bytes=photo.bytes, url=PHOTO_URL.format(sha256=photo.sha256))


@dataclass(frozen=True)
class RatingView:
    score: int | None
    score_text: str | None
    fixed: str | None
    fixed_text: str | None
    comment: str | None
    needs_callback: bool
    time: LocalTime | None


def rating_view(rating: Rating) -> RatingView:
    return RatingView(score=rating.score, score_text=SCORE_LABELS.get(rating.score) if rating.score else None,
                      fixed=rating.fixed, fixed_text=FIXED_LABELS.get(rating.fixed) if rating.fixed else None,
                      comment=rating.comment, needs_callback=rating.needs_callback, time=rating.created_at)


@dataclass(frozen=True)
class MoveView:
    to: str
    to_text: str
    label: str
    requires: str | None


def move_view(move: Move) -> MoveView:
    return MoveView(to=move.to, to_text=CaseStatus.label_of(move.to), label=move.label, requires=move.requires)


@dataclass(frozen=True)
class PushView:
    id: int
    template_key: str
    state: str
    attempts: int
    last_error_code: int | None
    last_error: str | None
    created_at: LocalTime | None
    sent_at: LocalTime | None


def push_view(push: OutboxMessage) -> PushView:
    return PushView(id=push.id or 0, template_key=push.template_key, state=push.state, attempts=push.attempts,
                    last_error_code=push.last_error_code, last_error=push.last_error, created_at=push.created_at,
                    sent_at=push.sent_at)


@dataclass(frozen=True)
class CaseDetail(CaseSummary):
    lat: float | None
    lng: float | None
    category_confidence: float
    category_source: str
    closed_at: LocalTime | None
    timeline: list[EventView]
    photos: list[PhotoView]
    rating: RatingView | None
    cluster: list[CaseSummary]
    moves: list[MoveView]
    pushes: list[PushView]


def detail(session: Session, case: Case, *, admin: bool, now: datetime) -> CaseDetail:
    """A case's whole file for the centre: unmasked phone (to call back), timeline, photos, cluster, pushes."""
    case_id = case.id
    assert case_id is not None
    resident = session.get(Resident, case.resident_id) if case.resident_id is not None else None
    members = queries.cluster_of(session, case)
    root = members[0].number if members and case.cluster_id else None
    base = summarize(case, resident, admin=admin, now=now, masked=False, cluster_number=root)
    rating = queries.rating_of(session, case_id)
    return CaseDetail(
        **{name: getattr(base, name) for name in CaseSummary.__dataclass_fields__},
        lat=case.lat, lng=case.lng, category_confidence=case.category_confidence,
        category_source=case.category_source, closed_at=case.closed_at,
        timeline=[event_view(e) for e in queries.timeline(session, case_id)],
        photos=[photo_view(p) for p in queries.photos_of(session, case_id)],
        rating=rating_view(rating) if rating is not None else None,
        cluster=summaries(session, members, admin=admin, now=now),
        moves=[move_view(m) for m in moves_from(case.status)],
        pushes=[push_view(p) for p in queries.pushes_of(session, case_id)],
    )


def case_file(session: Session, case: Case, reader: StaffUser, now: datetime) -> CaseDetail:
    """The case file as ``reader`` may read it: the centre's whole file, or for a department user or grid worker
    a masked resident and no centre moves or pushes."""
    found = detail(session, case, admin=reader.role == ADMIN, now=now)
    if reader.role in CENTRE:
        return found
    resident = replace(found.resident, openid=None, phone=mask_phone(found.resident.phone))
    return replace(found, phone=None if found.resident.hidden else mask_phone(case.phone), resident=resident,
                   moves=[], pushes=[])


# ---- lists beside the case list ---------------------------------------------------------------------


@dataclass(frozen=True)
class DueLists:
    overdue: list[CaseSummary]
    due_soon: list[CaseSummary]


@dataclass(frozen=True)
class RepeatView:
    resident: ResidentView
    minor_code: str
    minor_name: str
    count: int
    numbers: list[str]


def repeat_view(found: RepeatReporter, *, admin: bool) -> RepeatView:
    return RepeatView(resident=resident_view(found.resident, admin=admin, masked=True), minor_code=found.minor_code,
                      minor_name=found.minor_name, count=found.count, numbers=found.numbers)


@dataclass(frozen=True)
class ClusterView:
    number: str
    status_text: str
    minor_name: str
    address: str
    size: int
    residents: int
    numbers: list[str]


def cluster_view(found: Cluster) -> ClusterView:
    first = found.first
    return ClusterView(number=first.number, status_text=CaseStatus.label_of(first.status),
                       minor_name=first.minor_name, address=first.address or first.grid_name,
                       size=len(found.members), residents=found.residents, numbers=[m.number for m in found.members])


@dataclass(frozen=True)
class MapCase:
    number: str
    lat: float
    lng: float
    status: str
    status_text: str
    minor_name: str
    urgent: bool
    overdue: bool
    grid_id: str
    department: str | None


def map_cases(session: Session, now: datetime) -> list[MapCase]:
    """Every open case with a point, newest first, for the district map."""
    return [MapCase(number=c.number, lat=c.lat or 0.0, lng=c.lng or 0.0, status=c.status,
                    status_text=CaseStatus.label_of(c.status), minor_name=c.minor_name, urgent=c.urgent,
                    overdue=utc(c.due_at) < utc(now), grid_id=c.grid_id, department=c.department)
            for c in queries.open_cases_with_point(session)]
