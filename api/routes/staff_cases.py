"""The staff API (``/api/staff``): login, the case lists and a case's file, the lifecycle, exports.

Every route is a thin shell over :mod:`cases`; staff read Simplified Chinese (labels, error details).
Phones are masked in lists (138****5678); a confidential resident's identity is hidden from agents
everywhere. Every staff action lands in the case timeline with the staff member's name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

import cases
from api.deps import AdminStaff, CurrentStaff, SessionDep, SettingsDep
from cases.clock import local
from cases.lifecycle import MOVES, add_note
from cases.models import (
    OPEN_STATUSES,
    STATUS_LABELS,
    Case,
    CaseEvent,
    OutboxMessage,
    Photo,
    Rating,
    Resident,
    StaffNotification,
    StaffUser,
)
from cases.outbox import dead_letters, retry_dead
from cases.queries import (
    CaseFilter,
    cluster_of,
    clusters,
    flagged_cases,
    photos_of,
    rating_of,
    repeat_reporters,
    residents_by_id,
    search_cases,
    timeline,
)
from cases.ratings import FIXED_LABELS, SCORE_LABELS, mark_called_back
from cases.rules import CaseRules
from cases.staff import authenticate, create_staff, issue_token
from geo import UnknownGridError
from nlu import TaxonomyError

router = APIRouter(prefix="/api/staff", tags=["staff"])

StatusCode = Literal["submitted", "accepted", "rejected", "dispatched", "processing", "verifying", "closed"]
CSV_LIMIT = 50_000


# ---- helpers ---------------------------------------------------------------------------------------


def _now(request: Request) -> datetime:
    """The current time; tests may put a ``clock`` on the services."""
    clock: Callable[[], datetime] | None = getattr(request.app.state.services, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def _rules(request: Request) -> CaseRules:
    rules = getattr(request.app.state.services, "rules", None)
    return rules if isinstance(rules, CaseRules) else CaseRules()


Now = Annotated[datetime, Depends(_now)]
Rules = Annotated[CaseRules, Depends(_rules)]


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the first three and last four digits of a phone number."""
    if not phone:
        return None
    digits = phone.strip()
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def _time(moment: datetime | None) -> str | None:
    return local(moment).isoformat(timespec="seconds") if moment else None


def _not_found(number: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"工单 {number} 不存在")


def _missing(name: str) -> HTTPException:
    labels = {
        "note": "说明（理由）",
        "department": "承办单位",
        "category": "分类",
        "grid_id": "网格",
        "location": "坐标（经纬度需同时填写）",
        "score": "评分",
    }
    return HTTPException(
        422,
        [{"loc": ["body", name], "msg": f"请填写{labels.get(name, name)}", "type": "missing"}],
    )


def _case_or_404(session: Session, number: str) -> Case:
    case = session.exec(select(Case).where(Case.number == number.strip().upper())).first()
    if case is None:
        raise _not_found(number)
    return case


class LoginThrottle:
    """At most ``limit`` failed logins per name within ``window``; then 429 until the window passes.

    Per process (a deployment with several API processes multiplies the limit by their number).
    """

    def __init__(self, limit: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[datetime]] = {}

    def blocked(self, name: str, now: datetime) -> bool:
        recent = [t for t in self._failures.get(name, []) if now - t < self.window]
        self._failures[name] = recent
        return len(recent) >= self.limit

    def failed(self, name: str, now: datetime) -> None:
        if len(self._failures) > 10_000:
            self._failures.clear()
        self._failures.setdefault(name, []).append(now)

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)


def _throttle(request: Request) -> LoginThrottle:
    throttle = getattr(request.app.state, "staff_login_throttle", None)
    if not isinstance(throttle, LoginThrottle):
        throttle = LoginThrottle()
        request.app.state.staff_login_throttle = throttle
    return throttle


# ---- schemas ---------------------------------------------------------------------------------------


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    name: str
    role: str


class StaffOut(BaseModel):
    id: int
    name: str
    role: str
    active: bool


class StaffIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    role: Literal["admin", "agent"] = "agent"


class ResidentOut(BaseModel):
    hidden: bool  # confidential and the reader is an agent
    openid: str | None
    channel: str
    phone: str | None
    confidential: bool


class CaseSummary(BaseModel):
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
    resident: ResidentOut
    department: str | None
    created_at: str | None
    due_at: str | None
    overdue: bool
    callback_needed: bool
    repeat_reporter: bool
    cluster_number: str | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class EventOut(BaseModel):
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    to_text: str | None
    note: str | None
    department: str | None
    time: str | None


class PhotoOut(BaseModel):
    sha256: str
    content_type: str
    width: int
    height: int
    bytes: int
    url: str


class RatingOut(BaseModel):
    score: int | None
    score_text: str | None
    fixed: str | None
    fixed_text: str | None
    comment: str | None
    needs_callback: bool
    time: str | None


class MoveOut(BaseModel):
    to: str
    to_text: str
    label: str
    requires: str | None


class PushOut(BaseModel):
    id: int
    template_key: str
    state: str
    attempts: int
    last_error_code: int | None
    last_error: str | None
    created_at: str | None
    sent_at: str | None


class CaseDetail(CaseSummary):
    lat: float | None
    lng: float | None
    category_confidence: float
    category_source: str
    closed_at: str | None
    timeline: list[EventOut]
    photos: list[PhotoOut]
    rating: RatingOut | None
    cluster: list[CaseSummary]
    moves: list[MoveOut]
    pushes: list[PushOut]


class TransitionIn(BaseModel):
    to: StatusCode
    note: str | None = Field(default=None, max_length=2000)
    department: str | None = Field(default=None, max_length=128)


class ReclassifyIn(BaseModel):
    major_code: str = Field(min_length=1, max_length=32)
    major_name: str = Field(min_length=1, max_length=64)
    minor_code: str = Field(min_length=1, max_length=32)
    minor_name: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=2000)


class RelocateIn(BaseModel):
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    address: str = Field(default="", max_length=255)
    grid_id: str = Field(min_length=1, max_length=64)
    grid_name: str = Field(default="", max_length=128)
    community: str = Field(default="", max_length=128)
    street: str = Field(default="", max_length=128)
    note: str | None = Field(default=None, max_length=2000)


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class RepeatOut(BaseModel):
    resident: ResidentOut
    minor_code: str
    minor_name: str
    count: int
    numbers: list[str]


class ClusterOut(BaseModel):
    number: str
    status_text: str
    minor_name: str
    address: str
    size: int
    residents: int
    numbers: list[str]


class NotificationOut(BaseModel):
    id: int
    kind: str
    number: str | None
    message: str
    time: str | None
    read: bool


class DeadLetterOut(BaseModel):
    id: int
    number: str | None
    template_key: str
    channel: str
    recipient: str | None
    attempts: int
    error_code: int | None
    error: str | None
    created_at: str | None


class DueLists(BaseModel):
    overdue: list[CaseSummary]
    due_soon: list[CaseSummary]


class Satisfaction(BaseModel):
    since: str
    until: str
    rate: float | None
    rated: int


# ---- views -----------------------------------------------------------------------------------------


def _resident_view(resident: Resident, staff: StaffUser, *, masked: bool) -> ResidentOut:
    if resident.confidential and staff.role != "admin":
        return ResidentOut(hidden=True, openid=None, channel=resident.channel, phone=None, confidential=True)
    phone = mask_phone(resident.phone) if masked else resident.phone
    return ResidentOut(
        hidden=False, openid=resident.openid, channel=resident.channel, phone=phone, confidential=resident.confidential
    )


def _summary(
    case: Case,
    resident: Resident,
    staff: StaffUser,
    now: datetime,
    *,
    masked: bool = True,
    cluster_numbers: dict[int, str] | None = None,
) -> CaseSummary:
    who = _resident_view(resident, staff, masked=masked)
    phone = None if who.hidden else (mask_phone(case.phone) if masked else case.phone)
    cluster_number = None
    if case.cluster_id is not None and cluster_numbers is not None:
        cluster_number = cluster_numbers.get(case.cluster_id)
    return CaseSummary(
        number=case.number,
        status=case.status,
        status_text=STATUS_LABELS.get(case.status, case.status),
        major_name=case.major_name,
        minor_name=case.minor_name,
        description=case.description,
        address=case.address,
        grid_id=case.grid_id,
        grid_name=case.grid_name,
        community=case.community,
        street=case.street,
        urgent=case.urgent,
        phone=phone,
        resident=who,
        department=case.department,
        created_at=_time(case.created_at),
        due_at=_time(case.due_at),
        overdue=case.status in OPEN_STATUSES and case.due_at < now,
        callback_needed=case.callback_needed,
        repeat_reporter=case.repeat_reporter,
        cluster_number=cluster_number,
    )


def _cluster_numbers(session: Session, rows: list[Case]) -> dict[int, str]:
    ids = {c.cluster_id for c in rows if c.cluster_id is not None}
    if not ids:
        return {}
    found = session.exec(select(Case.id, Case.number).where(col(Case.id).in_(ids))).all()
    return {case_id: number for case_id, number in found if case_id is not None}


def _summaries(session: Session, rows: list[Case], staff: StaffUser, now: datetime) -> list[CaseSummary]:
    residents = residents_by_id(session, [c.resident_id for c in rows])
    numbers = _cluster_numbers(session, rows)
    return [_summary(c, residents[c.resident_id], staff, now, cluster_numbers=numbers) for c in rows]


def _filter(
    status_: Annotated[StatusCode | None, Query(alias="status")] = None,
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
    street: Annotated[str | None, Query(max_length=128)] = None,
    category: Annotated[str | None, Query(max_length=32, description="大类或小类代码")] = None,
    openid: Annotated[str | None, Query(max_length=64)] = None,
    created_from: datetime | None = None,
    created_until: datetime | None = None,
    overdue: bool | None = None,
    flagged: bool | None = None,
    urgent: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="工单号或描述关键词")] = None,
) -> CaseFilter:
    return CaseFilter(
        status=status_,
        grid_id=grid_id,
        street=street,
        category=category,
        openid=openid,
        created_from=created_from,
        created_until=created_until,
        overdue=overdue,
        flagged=flagged,
        urgent=urgent,
        text=q,
    )


Filter = Annotated[CaseFilter, Depends(_filter)]


# ---- login and accounts ----------------------------------------------------------------------------


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, session: SessionDep, settings: SettingsDep, now: Now) -> LoginOut:
    throttle = _throttle(request)
    name = body.name.strip()
    if throttle.blocked(name, now):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "登录失败次数过多，请 15 分钟后再试")
    user = authenticate(session=session, name=name, password=body.password, now=now)
    if user is None:
        throttle.failed(name, now)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "用户名或密码错误", headers={"WWW-Authenticate": "Bearer"})
    throttle.succeeded(name)
    ttl = settings.staff_token_ttl_seconds
    token = issue_token(user, secret=settings.secret_key, ttl_seconds=ttl, now=now)
    return LoginOut(access_token=token, expires_in=ttl, name=user.name, role=user.role)


@router.get("/me", response_model=StaffOut)
def me(staff: CurrentStaff) -> StaffOut:
    assert staff.id is not None
    return StaffOut(id=staff.id, name=staff.name, role=staff.role, active=staff.active)


@router.get("/users", response_model=list[StaffOut])
def list_staff(admin: AdminStaff, session: SessionDep) -> list[StaffOut]:
    users = session.exec(select(StaffUser).order_by(col(StaffUser.name))).all()
    return [StaffOut(id=u.id or 0, name=u.name, role=u.role, active=u.active) for u in users]


@router.post("/users", response_model=StaffOut, status_code=status.HTTP_201_CREATED)
def add_staff(body: StaffIn, admin: AdminStaff, session: SessionDep, now: Now) -> StaffOut:
    try:
        user = create_staff(session=session, name=body.name, password=body.password, role=body.role, now=now)
    except cases.StaffError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"无法创建账号：{exc}") from None
    return StaffOut(id=user.id or 0, name=user.name, role=user.role, active=user.active)


# ---- cases -----------------------------------------------------------------------------------------


@router.get("/cases", response_model=CasePage)
def list_cases(
    staff: CurrentStaff,
    session: SessionDep,
    flt: Filter,
    now: Now,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CasePage:
    rows, total = search_cases(session, flt, now=now, offset=(page - 1) * page_size, limit=page_size)
    numbers = _cluster_numbers(session, [c for c, _r in rows])
    items = [_summary(c, r, staff, now, cluster_numbers=numbers) for c, r in rows]
    return CasePage(items=items, total=total, page=page, page_size=page_size)


CSV_HEADER = [
    "工单号",
    "状态",
    "大类",
    "小类",
    "描述",
    "地址",
    "网格",
    "社区",
    "街道",
    "紧急",
    "联系电话",
    "承办单位",
    "提交时间",
    "办理期限",
    "是否超期",
    "需回访",
    "重复反映",
    "合并主单",
]


@router.get("/cases.csv")
def export_cases(admin: AdminStaff, session: SessionDep, flt: Filter, now: Now) -> StreamingResponse:
    """Every matching case as CSV (UTF-8 with BOM so that Excel reads the Chinese)."""
    rows, _total = search_cases(session, flt, now=now, offset=0, limit=CSV_LIMIT)
    numbers = _cluster_numbers(session, [c for c, _r in rows])
    summaries = [_summary(c, r, admin, now, cluster_numbers=numbers) for c, r in rows]

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(CSV_HEADER)
        for s in summaries:
            writer.writerow(
                [
                    s.number,
                    s.status_text,
                    s.major_name,
                    s.minor_name,
                    s.description,
                    s.address,
                    s.grid_name or s.grid_id,
                    s.community,
                    s.street,
                    "是" if s.urgent else "否",
                    s.phone or "",
                    s.department or "",
                    s.created_at or "",
                    s.due_at or "",
                    "是" if s.overdue else "否",
                    "是" if s.callback_needed else "否",
                    "是" if s.repeat_reporter else "否",
                    s.cluster_number or "",
                ]
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    stamp = local(now).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cases-{stamp}.csv"'},
    )


def _detail(session: Session, case: Case, staff: StaffUser, now: datetime) -> CaseDetail:
    assert case.id is not None
    resident = session.get(Resident, case.resident_id)
    assert resident is not None
    members = cluster_of(session, case)
    numbers = {case.cluster_id: members[0].number} if members and case.cluster_id else {}
    base = _summary(case, resident, staff, now, masked=False, cluster_numbers=numbers)
    rating = rating_of(session, case.id)
    pushes = session.exec(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id).order_by(col(OutboxMessage.id))
    ).all()
    events = timeline(session, case.id)
    return CaseDetail(
        **base.model_dump(),
        lat=case.lat,
        lng=case.lng,
        category_confidence=case.category_confidence,
        category_source=case.category_source,
        closed_at=_time(case.closed_at),
        timeline=[_event_out(e) for e in events],
        photos=[
            PhotoOut(
                sha256=p.sha256,
                content_type=p.content_type,
                width=p.width,
                height=p.height,
                bytes=p.bytes,
                url=f"/api/staff/photos/{p.sha256}",
            )
            for p in photos_of(session, case.id)
        ],
        rating=None
        if rating is None
        else RatingOut(
            score=rating.score,
            score_text=SCORE_LABELS.get(rating.score) if rating.score else None,
            fixed=rating.fixed,
            fixed_text=FIXED_LABELS.get(rating.fixed) if rating.fixed else None,
            comment=rating.comment,
            needs_callback=rating.needs_callback,
            time=_time(rating.created_at),
        ),
        cluster=_summaries(session, members, staff, now),
        moves=[
            MoveOut(to=m.to, to_text=STATUS_LABELS[m.to], label=m.label, requires=m.requires)
            for m in MOVES.get(case.status, ())
        ],
        pushes=[
            PushOut(
                id=p.id or 0,
                template_key=p.template_key,
                state=p.state,
                attempts=p.attempts,
                last_error_code=p.last_error_code,
                last_error=p.last_error,
                created_at=_time(p.created_at),
                sent_at=_time(p.sent_at),
            )
            for p in pushes
        ],
    )


@router.get("/cases/{number}", response_model=CaseDetail)
def case_detail(number: str, staff: CurrentStaff, session: SessionDep, now: Now) -> CaseDetail:
    return _detail(session, _case_or_404(session, number), staff, now)


@router.post("/cases/{number}/transitions", response_model=CaseDetail)
def move_case(number: str, body: TransitionIn, staff: CurrentStaff, session: SessionDep, now: Now) -> CaseDetail:
    case = _case_or_404(session, number)
    try:
        moved = cases.transition(
            session=session,
            number=case.number,
            to=body.to,
            actor=staff.name,
            note=body.note,
            department=body.department,
            now=now,
        )
    except cases.TransitionNotAllowed as exc:
        session.rollback()
        allowed = "、".join(STATUS_LABELS[a] for a in exc.allowed) or "无（已是最终状态）"
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {
                "message": f"当前状态“{STATUS_LABELS.get(exc.current, exc.current)}”不能转为"
                f"“{STATUS_LABELS.get(exc.requested, exc.requested)}”，可转为：{allowed}",
                "current": exc.current,
                "requested": exc.requested,
                "allowed": exc.allowed,
            },
        ) from None
    except cases.MissingField as exc:
        session.rollback()
        raise _missing(exc.name) from None
    return _detail(session, moved, staff, now)


def _checked_category(request: Request, body: ReclassifyIn) -> ReclassifyIn:
    """Names come from the centre's taxonomy, not from the browser; an unknown code is refused."""
    taxonomy = getattr(getattr(request.app.state.services, "nlu", None), "taxonomy", None)
    if taxonomy is None:
        return body
    try:
        minor = taxonomy.minor(body.minor_code)
    except TaxonomyError:
        problem = {"message": f"问题小类 {body.minor_code} 不在分类表中", "field": "minor_code"}
        raise HTTPException(422, problem) from None
    major = taxonomy.major(minor.major_code)
    return body.model_copy(update={"major_code": major.code, "major_name": major.name, "minor_name": minor.name})


def _checked_place(request: Request, body: RelocateIn) -> RelocateIn:
    """Grid, community and street come from the active grid layer; a point outside the district is refused."""
    geo = getattr(request.app.state.services, "geo", None)
    if geo is None:
        return body
    if body.lat is not None and body.lng is not None:
        found = geo.locate_point(body.lat, body.lng)
        if found.grid_id is None:
            raise HTTPException(422, {"message": "该位置不在本区网格范围内", "field": "lat"})
        return body.model_copy(update={"grid_id": found.grid_id, "grid_name": found.grid_name,
                                       "community": found.community, "street": found.street})
    try:
        facts = geo.grid(body.grid_id)
    except UnknownGridError:
        raise HTTPException(422, {"message": f"网格 {body.grid_id} 不存在", "field": "grid_id"}) from None
    return body.model_copy(update={"grid_name": facts.name, "community": facts.community, "street": facts.street})


@router.post("/cases/{number}/reclassify", response_model=CaseDetail)
def reclassify_case(
    number: str, body: ReclassifyIn, request: Request, staff: CurrentStaff, session: SessionDep, now: Now
) -> CaseDetail:
    case = _case_or_404(session, number)
    body = _checked_category(request, body)
    moved = cases.reclassify(
        session=session,
        number=case.number,
        major_code=body.major_code,
        major_name=body.major_name,
        minor_code=body.minor_code,
        minor_name=body.minor_name,
        actor=staff.name,
        now=now,
        note=body.note,
    )
    return _detail(session, moved, staff, now)


@router.post("/cases/{number}/relocate", response_model=CaseDetail)
def relocate_case(
    number: str, body: RelocateIn, request: Request, staff: CurrentStaff, session: SessionDep, now: Now
) -> CaseDetail:
    case = _case_or_404(session, number)
    body = _checked_place(request, body)
    try:
        moved = cases.relocate(
            session=session,
            number=case.number,
            lat=body.lat,
            lng=body.lng,
            address=body.address,
            grid_id=body.grid_id,
            grid_name=body.grid_name,
            community=body.community,
            street=body.street,
            actor=staff.name,
            now=now,
            note=body.note,
        )
    except cases.InvalidDraft as exc:
        raise _missing(exc.field) from None
    return _detail(session, moved, staff, now)


@router.post("/cases/{number}/notes", response_model=CaseDetail)
def note_case(number: str, body: NoteIn, staff: CurrentStaff, session: SessionDep, now: Now) -> CaseDetail:
    case = _case_or_404(session, number)
    try:
        add_note(session=session, number=case.number, actor=staff.name, note=body.note, now=now)
    except cases.MissingField as exc:
        raise _missing(exc.name) from None
    return _detail(session, case, staff, now)


@router.post("/cases/{number}/callback", response_model=CaseDetail)
def called_back(number: str, body: NoteIn, staff: CurrentStaff, session: SessionDep, now: Now) -> CaseDetail:
    """The call-back (回访) was made: clear the flag and record what was said."""
    case = _case_or_404(session, number)
    try:
        done = mark_called_back(session=session, number=case.number, actor=staff.name, note=body.note, now=now)
    except cases.MissingField as exc:
        raise _missing(exc.name) from None
    return _detail(session, done, staff, now)


@router.get("/photos/{sha256}")
def photo(
    sha256: Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")],
    staff: CurrentStaff,
    session: SessionDep,
    settings: SettingsDep,
) -> FileResponse:
    stored = session.exec(select(Photo).where(Photo.sha256 == sha256)).first()
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "照片不存在")
    media = Path(settings.media_dir).resolve()
    path = (media / stored.path).resolve()
    if media not in path.parents or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "照片文件不存在")
    return FileResponse(path, media_type=stored.content_type)


# ---- lists for the console -------------------------------------------------------------------------


@router.get("/due", response_model=DueLists)
def due_lists(staff: CurrentStaff, session: SessionDep, now: Now, rules: Rules) -> DueLists:
    """Overdue cases and those due within ``due_soon_hours`` (24 h by default)."""
    late = cases.overdue(session, now)
    soon = cases.due_soon(session, now, within_hours=rules.due_soon_hours)
    return DueLists(overdue=_summaries(session, late, staff, now), due_soon=_summaries(session, soon, staff, now))


@router.get("/overdue", response_model=list[CaseSummary])
def overdue_cases(staff: CurrentStaff, session: SessionDep, now: Now) -> list[CaseSummary]:
    return _summaries(session, cases.overdue(session, now), staff, now)


@router.get("/due-soon", response_model=list[CaseSummary])
def due_soon_cases(staff: CurrentStaff, session: SessionDep, now: Now, rules: Rules) -> list[CaseSummary]:
    return _summaries(session, cases.due_soon(session, now, within_hours=rules.due_soon_hours), staff, now)


@router.get("/flagged", response_model=list[CaseSummary])
def flagged(staff: CurrentStaff, session: SessionDep, now: Now) -> list[CaseSummary]:
    """Cases needing a call-back (回访) or filed by a repeat reporter."""
    return _summaries(session, flagged_cases(session), staff, now)


@router.get("/repeat-reporters", response_model=list[RepeatOut])
def repeat_list(staff: CurrentStaff, session: SessionDep, now: Now, rules: Rules) -> list[RepeatOut]:
    """一人多诉: residents with several cases on one topic within the window."""
    return [
        RepeatOut(
            resident=_resident_view(r.resident, staff, masked=True),
            minor_code=r.minor_code,
            minor_name=r.minor_name,
            count=r.count,
            numbers=r.numbers,
        )
        for r in repeat_reporters(session, now, rules)
    ]


@router.get("/clusters", response_model=list[ClusterOut])
def cluster_list(staff: CurrentStaff, session: SessionDep, open_only: bool = True) -> list[ClusterOut]:
    """多人一诉: duplicate clusters, largest first."""
    return [
        ClusterOut(
            number=c.first.number,
            status_text=STATUS_LABELS[c.first.status],
            minor_name=c.first.minor_name,
            address=c.first.address or c.first.grid_name,
            size=len(c.members),
            residents=c.residents,
            numbers=[m.number for m in c.members],
        )
        for c in clusters(session, open_only=open_only)
    ]


@router.get("/notifications", response_model=list[NotificationOut])
def notifications(staff: CurrentStaff, session: SessionDep, unread_only: bool = True) -> list[NotificationOut]:
    query = select(StaffNotification, Case.number).join(
        Case, col(Case.id) == col(StaffNotification.case_id), isouter=True
    )
    if unread_only:
        query = query.where(col(StaffNotification.read_at).is_(None))
    rows = session.exec(query.order_by(col(StaffNotification.id).desc()).limit(500)).all()
    return [
        NotificationOut(
            id=n.id or 0,
            kind=n.kind,
            number=number,
            message=n.message,
            time=_time(n.created_at),
            read=n.read_at is not None,
        )
        for n, number in rows
    ]


@router.post("/notifications/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
def read_notification(notification_id: int, staff: CurrentStaff, session: SessionDep, now: Now) -> None:
    note = session.get(StaffNotification, notification_id)
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "通知不存在")
    note.read_at = now
    session.add(note)
    session.commit()


@router.get("/outbox/dead", response_model=list[DeadLetterOut])
def dead_letter_list(
    staff: CurrentStaff, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[DeadLetterOut]:
    """Pushes that could not be delivered, with WeChat's error."""
    rows = list(dead_letters(session, limit=limit))
    ids = {r.case_id for r in rows if r.case_id is not None}
    found = session.exec(select(Case.id, Case.number).where(col(Case.id).in_(ids))).all() if ids else []
    numbers = {case_id: number for case_id, number in found}
    return [
        DeadLetterOut(
            id=r.id or 0,
            number=numbers.get(r.case_id) if r.case_id else None,
            template_key=r.template_key,
            channel=r.channel,
            recipient=r.recipient_openid if staff.role == "admin" else None,
            attempts=r.attempts,
            error_code=r.last_error_code,
            error=r.last_error,
            created_at=_time(r.created_at),
        )
        for r in rows
    ]


@router.post("/outbox/{row_id}/retry", status_code=status.HTTP_202_ACCEPTED)
def retry_push(row_id: int, admin: AdminStaff, session: SessionDep, now: Now) -> dict[str, Any]:
    """Queue a dead-lettered (or held) push again."""
    if not retry_dead(session, row_id, now=now, actor=admin.name):
        raise HTTPException(status.HTTP_409_CONFLICT, "该推送不在失败或暂存状态，无需重试")
    return {"id": row_id, "state": "pending"}


@router.get("/stats/satisfaction", response_model=Satisfaction)
def satisfaction(
    staff: CurrentStaff, session: SessionDep, now: Now, since: datetime | None = None, until: datetime | None = None
) -> Satisfaction:
    """满意率 = (满意 + 基本满意) / 全部评价 (last 30 days by default)."""
    end = until or now
    start = since or end - timedelta(days=30)
    rate = cases.satisfaction_rate(session, start, end)
    rated = session.exec(
        select(func.count())
        .select_from(Rating)
        .where(col(Rating.created_at) >= start, col(Rating.created_at) < end, col(Rating.score).is_not(None))
    ).one()
    return Satisfaction(since=_time(start) or "", until=_time(end) or "", rate=rate, rated=int(rated))


def _event_out(event: CaseEvent) -> EventOut:
    return EventOut(
        kind=event.kind,
        actor=event.actor,
        from_status=event.from_status,
        to_status=event.to_status,
        to_text=STATUS_LABELS.get(event.to_status) if event.to_status else None,
        note=event.note,
        department=event.department,
        time=_time(event.created_at),
    )


@router.get("/events/recent", response_model=list[EventOut])
def recent_events(
    staff: CurrentStaff, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[EventOut]:
    """The latest timeline entries across all cases (the console's activity feed)."""
    events = session.exec(select(CaseEvent).order_by(col(CaseEvent.id).desc()).limit(limit)).all()
    return [_event_out(e) for e in events]
