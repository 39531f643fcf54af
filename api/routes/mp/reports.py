"""Reporting from the mini-program's form: the categories, suggestions while typing, and ``POST /reports``.

The form is read and filed by :mod:`dialogs.form` with the chat's own draft, filing and reply templates (the
NLU's one understanding call); this module only translates HTTP to it and back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field

from api.deps import ServicesDep
from api.routes.mp.auth import ERRORS, ErrorOut, ResidentDep, problem
from bot.types import Responder
from cases import CaseStatus
from dialogs.form import MAX_PHOTOS, FormProblem, ReportForm, Suggestion, file_form, suggestions
from dialogs.say import Say

router = APIRouter(prefix="/api/mp", tags=["mini-program"])

MAX_DESCRIPTION = 2000


class CategoryOut(BaseModel):
    major_code: str
    major_name: str
    minor_code: str | None
    minor_name: str | None
    score: float


class SuggestOut(BaseModel):
    suggestions: list[CategoryOut]
    confident: bool = Field(description="第一项是否足够可信（可信时可直接采用）")
    urgent: bool = Field(description="描述像紧急情况（应提示拨打 119/110/120）")


class MinorOut(BaseModel):
    code: str
    name: str


class MajorOut(BaseModel):
    code: str
    name: str
    minors: list[MinorOut]


class LocationOut(BaseModel):
    lat: float = Field(description="GCJ-02")
    lng: float = Field(description="GCJ-02")
    address: str
    grid_id: str
    grid_name: str
    community: str
    street: str
    source: Literal["point", "address", "photo"] = Field(description="来自所给坐标、地址，或照片中的拍摄位置")


class ReportOut(BaseModel):
    number: str
    status: str
    status_label: str
    due_at: datetime
    category: CategoryOut
    location: LocationOut
    photos: int
    urgent: bool
    emergency_hint: str | None
    joined_existing: bool = Field(description="与附近居民反映的同一问题合并办理")
    neighbours: int = Field(description="同一问题已有几位居民反映")
    messages: list[str] = Field(default_factory=list,
                                description="对话里提交后的同样回复（紧急时第一条为报警提示），可直接显示")


def _category_out(suggestion: Suggestion) -> CategoryOut:
    c = suggestion.category
    return CategoryOut(major_code=c.major_code, major_name=c.major_name, minor_code=c.minor_code,
                       minor_name=c.minor_name, score=suggestion.score)


@router.get("/categories", summary="问题类别（大类与小类）")
def categories(services: ServicesDep) -> list[MajorOut]:
    taxonomy = services.nlu.taxonomy
    return [MajorOut(code=major.code, name=major.name,
                     minors=[MinorOut(code=m.code, name=m.name) for m in taxonomy.minors_of(major.code)])
            for major in taxonomy.majors]


@router.get("/categories/suggest", summary="输入描述时的类别建议（前三项）", responses=ERRORS)
def suggest(
    services: ServicesDep, openid: ResidentDep,
    text: Annotated[str, Query(max_length=MAX_DESCRIPTION, description="居民正在输入的描述")] = "",
) -> SuggestOut:
    if len(text.strip()) < 2:
        return SuggestOut(suggestions=[], confident=False, urgent=False)
    understanding = services.nlu.understand(text.strip())
    return SuggestOut(suggestions=[_category_out(s) for s in suggestions(understanding)],
                      confident=bool(understanding.confident), urgent=bool(understanding.urgent))


@router.post("/reports", status_code=201, summary="提交反映（表单：描述、照片、位置、电话、是否保密）",
             responses={**ERRORS, 413: {"model": ErrorOut, "description": "照片太大或太多"}})
async def report(
    services: ServicesDep,
    openid: ResidentDep,
    description: Annotated[str, Form(max_length=MAX_DESCRIPTION, description="问题描述")],
    photos: Annotated[list[UploadFile] | None, File(description="照片，最多 9 张，每张不超过 10 MB")] = None,
    lat: Annotated[float | None, Form(ge=-90, le=90, description="纬度")] = None,
    lng: Annotated[float | None, Form(ge=-180, le=180, description="经度")] = None,
    crs: Annotated[str | None, Form(description="坐标系：wgs84（wx.getLocation 默认）、gcj02 或 bd09")] = None,
    address: Annotated[str | None, Form(max_length=200, description="地址或地名（没有坐标时用）")] = None,
    phone: Annotated[str | None, Form(max_length=20, description="联系电话（可选）")] = None,
    confidential: Annotated[bool, Form(description="是否要求对身份保密")] = False,
    category: Annotated[str | None, Form(max_length=8, description="居民自选的小类代码（可选）")] = None,
) -> ReportOut:
    files = [f for f in (photos or []) if f.filename or f.size]
    contents = [] if len(files) > MAX_PHOTOS else \
        [await upload.read(services.settings.max_photo_bytes + 1) for upload in files]
    form = ReportForm(openid=openid, description=description, photos=contents, photo_count=len(files), lat=lat,
                      lng=lng, crs=crs, address=address, phone=phone, confidential=confidential, category=category)
    say = Say(services.templates, Responder())
    try:
        done = await file_form(form, nlu=services.nlu, geo=services.geo, desk=services.desk, say=say)
    except FormProblem as exc:
        raise problem(services, exc.status, "mp.report_problem", reason=exc.reason, **exc.variables) from None
    keys = list(say.keys)
    messages = await say.flush()
    case = done.filed.case
    return ReportOut(
        number=case.number, status=case.status, status_label=CaseStatus.label_of(case.status), due_at=case.due_at,
        category=_category_out(done.category),
        location=LocationOut(lat=case.lat or 0.0, lng=case.lng or 0.0, address=case.address, grid_id=case.grid_id,
                             grid_name=case.grid_name, community=case.community, street=case.street,
                             source=done.source),
        photos=done.photos, urgent=case.urgent,
        emergency_hint=messages[keys.index("report.urgent")] if "report.urgent" in keys else None,
        joined_existing=done.filed.joined_existing, neighbours=done.filed.neighbours, messages=messages,
    )
