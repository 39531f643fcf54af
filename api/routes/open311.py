"""Open311 GeoReport v2 at ``/open311/v2/``: services, service definitions, requests, tokens (.json / .xml).

Reading the service list needs nothing; everything else needs the client's ``api_key`` (a query or form
field, as the spec has it): a request is filed under the key's channel, and a client reads back the
requests of its own channel only. Every error is in the spec's shape, in the format that was asked for.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from api.deps import ServicesDep
from api.services import Services
from cases.channel_queries import ChannelQuery, case_by_token, channel_cases, latest_notes
from cases.clients import ApiClient, ApiKeyRejected, authenticate
from cases.errors import CaseNotFound
from cases.lifecycle import get_case
from cases.models import Case
from dialogs.open311 import Open311Error, encoding, views
from dialogs.open311.encoding import Encoded
from dialogs.open311.intake import file_request, parse_form
from nlu import TaxonomyError

router = APIRouter(prefix="/open311/v2", tags=["open311"])
MAX_FORM_BYTES = 64 * 1024
MAX_IDS = 100


async def error(request: Request, exc: Exception) -> Response:
    """Any :class:`Open311Error` as the spec's error list."""
    assert isinstance(exc, Open311Error)
    return _sent(encoding.error(exc))


def _sent(encoded: Encoded) -> Response:
    return Response(encoded.body, status_code=encoded.status, media_type=encoded.media_type)


async def _client(services: Services, key: str | None, fmt: str) -> ApiClient:
    """The client of ``key`` within its rate limit; 403 for a bad key, 429 over the limit."""

    def check() -> ApiClient:
        with Session(services.engine, expire_on_commit=False) as session:
            return authenticate(session, key, now=services.clock())

    try:
        client = await asyncio.to_thread(check)
    except ApiKeyRejected:
        raise Open311Error(403, "api_key 无效或已停用", fmt) from None
    wait = await services.limiter.hit(f"open311:{client.id}", client.rate_per_minute)
    if wait:
        raise Open311Error(429, f"请求过于频繁：每分钟最多 {client.rate_per_minute} 次，请 {wait} 秒后再试", fmt)
    return client


def _records(services: Services, rows: list[Case]) -> list[dict[str, Any]]:
    with Session(services.engine) as session:
        notes = latest_notes(session, [c.id for c in rows if c.id is not None])
    return [views.request(c, notes.get(c.id or 0)) for c in rows]


def _list(raw: str | None, fmt: str, name: str) -> list[str]:
    items = [item.strip() for item in (raw or "").split(",") if item.strip()]
    if len(items) > MAX_IDS:
        raise Open311Error(400, f"{name} 最多 {MAX_IDS} 项", fmt)
    return items


def _date(raw: str | None, fmt: str, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} 须为 W3C 日期时间，如 2026-11-27T09:30:00+08:00", fmt) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/services.{fmt}")
def service_list(services: ServicesDep, fmt: str, jurisdiction_id: str | None = None) -> Response:
    kind = encoding.check_format(fmt)
    return _sent(encoding.answer("services", views.services(services.nlu.taxonomy), kind))


@router.get("/services/{code}.{fmt}")
def service_definition(services: ServicesDep, code: str, fmt: str, jurisdiction_id: str | None = None) -> Response:
    kind = encoding.check_format(fmt)
    try:
        services.nlu.taxonomy.minor(code)
    except TaxonomyError:
        raise Open311Error(404, f"没有服务代码 {code[:20]}", kind) from None
    return _sent(encoding.definition(views.definition(code), kind))


@router.post("/requests.{fmt}")
async def post_request(request: Request, services: ServicesDep, fmt: str) -> Response:
    kind = encoding.check_format(fmt)
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        raise Open311Error(413, "请求体过大", kind)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        raise Open311Error(400, "请以 application/x-www-form-urlencoded 表单提交", kind)
    try:
        raw = await request.form()
    except Exception:  # a body the form parser cannot read
        raise Open311Error(400, "表单无法解析", kind) from None
    form = {key: value for key, value in raw.items() if isinstance(value, str)}
    client = await _client(services, form.get("api_key"), kind)
    try:
        fields = parse_form(form)
        case = await asyncio.to_thread(file_request, fields, client=client, nlu=services.nlu, geo=services.geo,
                                       engine=services.engine, rules=services.rules, now=services.clock())
    except Open311Error as exc:
        exc.fmt = kind
        raise
    receipt = {"service_request_id": case.number, "token": case.token, "service_notice": views.SERVICE_NOTICE,
               "account_id": None}
    return _sent(encoding.answer("requests", [receipt], kind, 201))


@router.get("/requests.{fmt}")
async def get_requests(
    services: ServicesDep, fmt: str, api_key: str | None = None, service_request_id: str | None = None,
    service_code: str | None = None, start_date: str | None = None, end_date: str | None = None,
    status: str | None = None, jurisdiction_id: str | None = None,
) -> Response:
    kind = encoding.check_format(fmt)
    client = await _client(services, api_key, kind)
    statuses = set(_list(status, kind, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能是 open 或 closed", kind)
    query = ChannelQuery(
        channel=client.channel, numbers=_list(service_request_id, kind, "service_request_id"),
        minor_codes=_list(service_code, kind, "service_code"), start=_date(start_date, kind, "start_date"),
        end=_date(end_date, kind, "end_date"), open_=None if len(statuses) != 1 else statuses == {"open"},
    )
    with Session(services.engine, expire_on_commit=False) as session:
        rows = channel_cases(session, query)
    return _sent(encoding.answer("requests", _records(services, rows), kind))


@router.get("/requests/{number}.{fmt}")
async def get_request(services: ServicesDep, number: str, fmt: str, api_key: str | None = None,
                      jurisdiction_id: str | None = None) -> Response:
    kind = encoding.check_format(fmt)
    client = await _client(services, api_key, kind)
    with Session(services.engine, expire_on_commit=False) as session:
        try:
            case = get_case(session, number)
        except CaseNotFound:
            case = None
    if case is None or case.intake_channel != client.channel:
        raise Open311Error(404, f"没有服务请求 {number[:24]}", kind)
    return _sent(encoding.answer("requests", _records(services, [case]), kind))


@router.get("/tokens/{token}.{fmt}")
async def get_token(services: ServicesDep, token: str, fmt: str, api_key: str | None = None,
                    jurisdiction_id: str | None = None) -> Response:
    kind = encoding.check_format(fmt)
    client = await _client(services, api_key, kind)
    with Session(services.engine, expire_on_commit=False) as session:
        case = case_by_token(session, token)
    if case is None or case.intake_channel != client.channel:
        raise Open311Error(404, f"没有令牌 {token[:24]}", kind)
    return _sent(encoding.answer("requests", [{"service_request_id": case.number, "token": token}], kind))
