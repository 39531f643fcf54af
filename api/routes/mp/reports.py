"""Reporting from the mini-program's form: the categories, suggestions while typing, and ``POST /reports``.

The form's description goes through the NLU's one understanding call (category, urgency) — the same reading
the chat's dialogs make — and the case is filed by the same case desk.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile
from pydantic import BaseModel, Field

from api.deps import ServicesDep
from api.routes.mp.auth import ERRORS, ErrorOut, ResidentDep
from api.routes.mp.places import LocationOut, locate
from api.services import Services
from cases import CaseStatus, Category
from cases.drafts import CaseDraft, StoredPhoto
from cases.errors import InvalidDraft, PhotoRejected
from nlu import Taxonomy, TaxonomyError, Understanding

router = APIRouter(prefix="/api/mp", tags=["mini-program"])

MAX_PHOTOS = 9
MAX_DESCRIPTION = 2000
PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
PHOTO_REASONS = {
    "too_big": "超过 10 MB，请压缩后再传",
    "not_an_image": "不是图片，或文件已损坏",
    "unsupported_type": "格式不支持，请上传 JPG、PNG 或 WebP 图片",
}
DRAFT_PROBLEMS = {
    "description": "问题描述太短或太长，请用一两句话说明",
    "grid_id": "无法确定问题所在网格，请重新选择位置",
    "category": "无法判断问题类别，请选择一个类别",
}


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


def suggestions(understanding: Understanding) -> SuggestOut:
    """The top three categories of one understanding call (the minor only where it belongs to the major)."""
    found = []
    minor = understanding.minor
    for major in understanding.majors[:3]:
        belongs = minor is not None and minor.code.startswith(major.code)
        found.append(CategoryOut(major_code=major.code, major_name=major.name,
                                 minor_code=minor.code if belongs and minor else None,
                                 minor_name=minor.name if belongs and minor else None,
                                 score=round(float(major.score), 3)))
    return SuggestOut(suggestions=found, confident=bool(understanding.confident), urgent=bool(understanding.urgent))


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
    return suggestions(services.nlu.understand(text.strip()))


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
    description = description.strip()
    if not description:
        raise HTTPException(422, "请描述一下遇到的问题")
    phone = re.sub(r"[\s\-]", "", phone or "") or None
    if phone is not None and not PHONE.match(phone):
        raise HTTPException(422, "联系电话格式不正确，请填写 11 位手机号或带区号的固定电话")
    files = [f for f in (photos or []) if f.filename or f.size]
    if len(files) > MAX_PHOTOS:
        raise HTTPException(413, f"照片最多 {MAX_PHOTOS} 张，您上传了 {len(files)} 张")
    if (lat is None) != (lng is None):
        raise HTTPException(422, "位置需要同时提供纬度 lat 和经度 lng")
    if lat is not None and crs not in ("wgs84", "gcj02", "bd09"):
        raise HTTPException(422, "请注明坐标系 crs：wgs84、gcj02 或 bd09")
    chosen = _chosen_category(services.nlu.taxonomy, category) if category else None

    stored = [await _store(services, await upload.read(services.settings.max_photo_bytes + 1), index)
              for index, upload in enumerate(files, start=1)]
    location = await asyncio.to_thread(locate, services.geo, lat, lng, crs, address, stored)
    understanding = services.nlu.understand(description)
    picked = chosen or _auto_category(understanding)
    draft = CaseDraft(
        openid=openid, channel="mp", description=description, place=location.place,
        category=Category(major_code=picked.major_code, major_name=picked.major_name,
                          minor_code=picked.minor_code, minor_name=picked.minor_name),
        category_confidence=picked.score, category_source="resident" if chosen else "auto",
        urgent=bool(understanding.urgent), phone=phone, confidential=confidential, photos=stored,
    )
    try:
        filed = await services.desk.file(draft)
    except InvalidDraft as exc:
        raise HTTPException(422, DRAFT_PROBLEMS.get(exc.field, "提交的内容不完整，请检查后重试")) from None
    case = filed.case
    return ReportOut(
        number=case.number, status=case.status, status_label=CaseStatus.label_of(case.status),
        due_at=case.due_at, category=picked, location=location, photos=len(stored), urgent=case.urgent,
        emergency_hint=services.templates.render("mp.emergency_hint") if case.urgent else None,
        joined_existing=filed.joined_existing, neighbours=filed.neighbours,
    )


async def _store(services: Services, content: bytes, index: int) -> StoredPhoto:
    if len(content) > services.settings.max_photo_bytes:
        raise HTTPException(413, f"第 {index} 张照片{PHOTO_REASONS['too_big']}")
    try:
        return await services.desk.store_photo(content)
    except PhotoRejected as exc:
        code = 413 if exc.reason == "too_big" else 422
        raise HTTPException(code, f"第 {index} 张照片{PHOTO_REASONS.get(exc.reason, '无法使用')}") from None


def _chosen_category(taxonomy: Taxonomy, code: str) -> CategoryOut:
    try:
        minor = taxonomy.minor(code.strip())
        major = taxonomy.major(minor.major_code)
    except TaxonomyError:
        raise HTTPException(422, f"没有这个问题类别：{code}") from None
    return CategoryOut(major_code=major.code, major_name=major.name, minor_code=minor.code,
                       minor_name=minor.name, score=1.0)


def _auto_category(understanding: Understanding) -> CategoryOut:
    found = suggestions(understanding).suggestions
    if not found:
        raise HTTPException(422, DRAFT_PROBLEMS["category"])
    return found[0]

