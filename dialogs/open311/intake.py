"""A POST /requests, from form fields to a filed case: checked, classified, located, then ``cases.file``.

What the client left out is worked out as for a WeChat report: no ``service_code`` → the NLU classifies
the description; no point → the gazetteer finds the place the ``address_string`` (or else the
description) names. Open311 points are WGS-84 (the spec's datum); cases keep GCJ-02 like WeChat's.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from cases import AppealType, CaseDraft, CaseRules, Category, IntakeChannel, Place, file_case
from cases.clients import ApiClient
from cases.models import Case
from dialogs.open311 import Open311Error
from geo import GeoService, InvalidCoordinate
from nlu import NLU, TaxonomyError

MAX_DESCRIPTION = 2000
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,30}$")


@dataclass(frozen=True)
class RequestForm:
    description: str
    service_code: str | None = None
    lat: float | None = None
    lng: float | None = None
    address_string: str = ""
    media_url: str | None = None
    phone: str | None = None
    name: str | None = None
    appeal_type: AppealType | None = None


def _number(form: Mapping[str, str], key: str, low: float, high: float) -> float | None:
    raw = (form.get(key) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{key} 不是数字：{raw[:30]}") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise Open311Error(400, f"{key} 超出范围：{raw[:30]}")
    return value


def parse_form(form: Mapping[str, str]) -> RequestForm:
    """The fields of a POST /requests, or :class:`Open311Error` (400) naming the first bad one."""
    description = (form.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "description 不能为空：请描述要反映的问题")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description 过长（最多 {MAX_DESCRIPTION} 字）")
    lat, lng = _number(form, "lat", -90, 90), _number(form, "long", -180, 180)
    if (lat is None) != (lng is None):
        raise Open311Error(400, "lat 与 long 须同时提供")
    address = (form.get("address_string") or "").strip()[:255]
    if lat is None and not address and not form.get("address_id"):
        raise Open311Error(400, "请提供位置：lat/long 或 address_string")
    media_url = (form.get("media_url") or "").strip() or None
    if media_url and (not media_url.startswith(("http://", "https://")) or len(media_url) > 512):
        raise Open311Error(400, "media_url 须为 http(s) 链接，且不超过 512 个字符")
    phone = (form.get("phone") or "").strip() or None
    if phone and not PHONE.match(phone):
        raise Open311Error(400, "phone 不是有效的电话号码")
    name = (form.get("name") or "").strip() or \
        ((form.get("last_name") or "").strip() + (form.get("first_name") or "").strip()) or None
    appeal_raw = (form.get("attribute[appeal_type]") or "").strip()
    try:
        appeal = AppealType(appeal_raw) if appeal_raw else None
    except ValueError:
        known = "、".join(f"{a.value}（{a.label}）" for a in AppealType)
        raise Open311Error(400, f"attribute[appeal_type] 只能是 {known}") from None
    code = (form.get("service_code") or "").strip() or None
    return RequestForm(description=description, service_code=code, lat=lat, lng=lng, address_string=address,
                       media_url=media_url, phone=phone, name=name[:64] if name else None, appeal_type=appeal)


def locate(form: RequestForm, geo: GeoService, nlu: NLU) -> Place:
    """The grid of the request's point, else of the place its address (or description) names."""
    if form.lat is not None and form.lng is not None:
        try:
            where = geo.locate_point(form.lat, form.lng, crs="wgs84")
        except InvalidCoordinate:
            raise Open311Error(400, "lat/long 不是有效坐标") from None
        if where.grid_id is None:
            raise Open311Error(400, "该位置不在本区网格范围内")
        return Place(grid_id=where.grid_id, grid_name=where.grid_name, community=where.community,
                     street=where.street, address=form.address_string or where.grid_name, lat=where.lat, lng=where.lng)
    for text in (form.address_string, nlu.place(form.address_string) or "", form.description):
        for candidate in geo.locate_text(text) if text else []:
            if candidate.grid_id:
                return Place(grid_id=candidate.grid_id, grid_name=candidate.grid_name, community=candidate.community,
                             street=candidate.street, address=form.address_string or candidate.name,
                             lat=candidate.lat, lng=candidate.lng)
    raise Open311Error(400, "无法根据 address_string 定位到本区的地点，请提供 lat/long 或更具体的地址")


@dataclass(frozen=True)
class Reading:
    major_code: str
    major_name: str
    minor_code: str
    minor_name: str
    confidence: float
    urgent: bool
    appeal: AppealType | None


def categorise(form: RequestForm, nlu: NLU) -> Reading:
    """The request's category (its service code, else the NLU's), urgency and appeal type (given or read)."""
    meaning = nlu.understand(form.description)
    appeal = form.appeal_type or AppealType.named(meaning.appeal)
    if form.service_code:
        try:
            minor = nlu.taxonomy.minor(form.service_code)
        except TaxonomyError:
            raise Open311Error(404, f"没有服务代码 {form.service_code[:20]}") from None
        major = nlu.taxonomy.major(minor.major_code)
        return Reading(major.code, major.name, minor.code, minor.name, 1.0, meaning.urgent, appeal)
    top = meaning.majors[0]
    best = meaning.minor if meaning.minor and meaning.minor.code.startswith(top.code) else None
    if best is None:  # the major's catch-all minor (其他…), else its first
        minors = nlu.taxonomy.minors_of(top.code)
        fallback = next((m for m in minors if "其他" in m.name), minors[0])
        return Reading(top.code, top.name, fallback.code, fallback.name, round(float(top.score), 3), meaning.urgent,
                       appeal)
    return Reading(top.code, top.name, best.code, best.name, round(float(top.score), 3), meaning.urgent, appeal)


def file_request(
    form: RequestForm, *, client: ApiClient, nlu: NLU, geo: GeoService, engine: Engine, rules: CaseRules,
    now: datetime,
) -> Case:
    """Classify, locate and file the request as a case of the client's channel (run in a worker thread)."""
    reading = categorise(form, nlu)
    place = locate(form, geo, nlu)
    draft = CaseDraft(
        openid="", channel="ext", intake_channel=IntakeChannel(client.channel), client_id=client.id,
        description=form.description,
        category=Category(reading.major_code, reading.major_name, reading.minor_code, reading.minor_name),
        category_confidence=reading.confidence, category_source="resident" if form.service_code else "auto",
        place=place,
        urgent=reading.urgent, phone=form.phone, reporter_name=form.name,
        appeal_type=reading.appeal, media_url=form.media_url, token=secrets.token_hex(8),
    )
    with Session(engine, expire_on_commit=False) as session:
        return file_case(session=session, draft=draft, now=now, thresholds=rules).case
