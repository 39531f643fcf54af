"""Departments' and grid workers' work (``/api/staff/my``): their own cases, 处置, 退回, 延期, 核查, notices.

A department user sees only cases dispatched to its department; a grid worker only cases in their grids.
Anything else answers 403 naming why. Residents are shown masked (phone 138****5678; nothing of a
confidential resident).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.deps import AnyStaff, DepartmentStaff, GridStaff, NowDep, SessionDep, SettingsDep
from api.routes.staff.case_actions import conflict, missing
from api.routes.staff.cases import case_or_404
from api.settings import Settings
from cases import departments, fieldwork, supervision, views
from cases.drafts import StoredPhoto
from cases.errors import MissingField, PhotoRejected, TransitionNotAllowed
from cases.models import Case, StaffUser
from cases.photos import store_photo
from cases.roles import OutOfScope, check_case_scope, department_of
from cases.search import own_cases
from cases.views import CaseDetail, CasePage, case_file
from geo import to_gcj02

router = APIRouter(prefix="/api/staff/my", tags=["staff-field"])
MAX_PHOTOS = 9
PHOTO_ERRORS = {"too_big": "照片太大", "not_an_image": "文件不是图片", "unsupported_type": "只支持 JPEG、PNG 图片"}


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ExtensionIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    due_at: datetime


def _scoped_case(session: Session, staff: StaffUser, number: str) -> Case:
    case = case_or_404(session, number)
    try:
        check_case_scope(session, staff, case)
    except OutOfScope as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    return case


@router.get("/cases", response_model=CasePage, summary="我的工单（承办单位：派给本单位的；网格员：本网格的）")
def my_cases(
    staff: AnyStaff,
    session: SessionDep,
    now: NowDep,
    status_: Annotated[str | None, Query(alias="status", max_length=16)] = None,
    open_only: bool = True,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    rows, total = own_cases(session, staff, status=status_, open_only=open_only, now=now,
                            offset=(page - 1) * page_size, limit=page_size)
    return CasePage(items=views.page_summaries(session, rows, admin=False, now=now), total=total, page=page,
                    page_size=page_size)


@router.get("/cases/{number}", response_model=CaseDetail)
def my_case(number: str, staff: AnyStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    return case_file(session, _scoped_case(session, staff, number), staff, now)


async def _photos(settings: Settings, uploads: list[UploadFile] | None) -> list[StoredPhoto]:
    files = [f for f in (uploads or []) if f.filename or f.size]
    if len(files) > MAX_PHOTOS:
        raise HTTPException(413, f"照片最多 {MAX_PHOTOS} 张")
    stored = []
    for index, upload in enumerate(files, start=1):
        content = await upload.read(settings.max_photo_bytes + 1)
        try:
            stored.append(await asyncio.to_thread(store_photo, content, settings.media_dir, settings.max_photo_bytes))
        except PhotoRejected as exc:
            raise HTTPException(422, f"第 {index} 张照片无法接收：{PHOTO_ERRORS.get(exc.reason, exc.reason)}") from None
    return stored


@router.post("/cases/{number}/dispose", response_model=CaseDetail, summary="承办单位：处置完毕（说明与处置后照片）")
async def dispose(
    number: str,
    settings: SettingsDep,
    staff: DepartmentStaff,
    session: SessionDep,
    now: NowDep,
    note: Annotated[str, Form(min_length=1, max_length=2000, description="处置情况")],
    photos: Annotated[list[UploadFile] | None, File(description="处置后照片，最多 9 张")] = None,
) -> CaseDetail:
    case = _scoped_case(session, staff, number)
    stored = await _photos(settings, photos)
    try:
        done = fieldwork.report_disposal(session=session, number=case.number, actor=staff.name, note=note,
                                         photos=stored, now=now)
    except TransitionNotAllowed as exc:
        session.rollback()
        raise conflict(exc) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    return case_file(session, done, staff, now)


@router.post("/cases/{number}/return", response_model=CaseDetail, summary="承办单位：退回中心（写明原因）")
def send_back(number: str, body: ReturnIn, staff: DepartmentStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    case = _scoped_case(session, staff, number)
    try:
        back = fieldwork.send_back(session=session, number=case.number, actor=staff.name, reason=body.reason, now=now)
    except TransitionNotAllowed as exc:
        session.rollback()
        raise conflict(exc) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    return case_file(session, back, staff, now)


@router.post("/cases/{number}/extension", response_model=CaseDetail, summary="承办单位：申请延期")
def ask_extension(
    number: str, body: ExtensionIn, staff: DepartmentStaff, session: SessionDep, now: NowDep
) -> CaseDetail:
    case = _scoped_case(session, staff, number)
    department = department_of(session, staff)
    assert department is not None  # a department user in scope has one
    try:
        supervision.request_extension(session=session, number=case.number, department=department.name,
                                      actor=staff.name, reason=body.reason, due_at=body.due_at, now=now)
    except supervision.SupervisionRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return case_file(session, case, staff, now)


@router.post("/cases/{number}/verify", response_model=CaseDetail, summary="网格员：现场核查（照片与位置）")
async def verify(
    number: str,
    settings: SettingsDep,
    staff: GridStaff,
    session: SessionDep,
    now: NowDep,
    passed: Annotated[bool, Form(description="核查是否通过")],
    note: Annotated[str, Form(max_length=2000, description="核查说明（不通过时必填）")] = "",
    lat: Annotated[float | None, Form(ge=-90, le=90, description="网格员所在纬度（GCJ-02）")] = None,
    lng: Annotated[float | None, Form(ge=-180, le=180, description="网格员所在经度（GCJ-02）")] = None,
    crs: Annotated[Literal["gcj02", "wgs84", "bd09"], Form(description="坐标系：手机浏览器定位为 wgs84")] = "gcj02",
    off_site_reason: Annotated[str | None, Form(max_length=500, description="未在现场核查的原因")] = None,
    photos: Annotated[list[UploadFile] | None, File(description="核查照片，最多 9 张")] = None,
) -> CaseDetail:
    case = _scoped_case(session, staff, number)
    if (lat is None) != (lng is None):
        raise HTTPException(422, "位置需要同时提供纬度和经度")
    stored = await _photos(settings, photos)
    position = None
    if lat is not None and lng is not None:
        position = fieldwork.Position(*to_gcj02(lat, lng, crs))
    try:
        checked = fieldwork.verify(session=session, number=case.number, actor=staff.name, passed=passed, note=note,
                                   photos=stored, position=position, now=now, off_site_reason=off_site_reason)
    except fieldwork.TooFarAway as exc:
        raise HTTPException(422, {"message": str(exc), "field": "lat", "distance_m": round(exc.distance)}) from None
    except TransitionNotAllowed as exc:
        session.rollback()
        raise conflict(exc) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    return case_file(session, checked, staff, now)


@router.get("/notices", response_model=list[departments.NoticeView], summary="承办单位：派单、催办、督办、到期提醒")
def my_notices(staff: DepartmentStaff, session: SessionDep, unread_only: bool = False) -> list[departments.NoticeView]:
    department = department_of(session, staff)
    if department is None or department.id is None:
        return []
    return departments.notice_views(session, department.id, unread_only=unread_only)


@router.post("/notices/read", status_code=status.HTTP_204_NO_CONTENT, summary="全部标为已读")
def read_notices(staff: DepartmentStaff, session: SessionDep, now: NowDep) -> None:
    department = department_of(session, staff)
    if department is not None and department.id is not None:
        departments.mark_notices_read(session, department.id, now=now)

