"""Staff editing of reply templates: list, read with history, save (linted), preview, rollback.

Every signed-in staff member may edit; each saved version records their name. A save is seen by this
process at once (``invalidate``) and by every other process within ``template_refresh_seconds``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from api.deps import CurrentStaff, ServicesDep, SessionDep
from reply_templates import (
    Catalog,
    Problem,
    TemplateLintError,
    TemplateSpec,
    TemplateVersion,
    UnknownTemplateError,
    VersionNotFoundError,
    active_versions,
    history,
    preview,
    rollback,
    save,
)

router = APIRouter(prefix="/api/staff/templates", tags=["staff-templates"])


class VariablePublic(BaseModel):
    name: str
    description: str
    sample: Any
    optional: bool


class ProblemPublic(BaseModel):
    line: int | None
    code: str
    message: str


class VersionPublic(BaseModel):
    id: int
    body: str
    fields: dict[str, str] | None
    author: str
    created_at: datetime
    previous_body: str | None
    restored_from: int | None


class TemplateSummary(BaseModel):
    key: str
    name: str  # a short Chinese name staff recognise
    used_in: list[str]  # where residents meet it, in Chinese
    kind: str
    description: str
    variables: list[VariablePublic]
    customised: bool
    updated_at: datetime | None
    updated_by: str | None


class TemplateDetail(TemplateSummary):
    body: str
    fields: dict[str, str] | None
    default_body: str
    default_fields: dict[str, str] | None
    history: list[VersionPublic]


class TemplateUpdate(BaseModel):
    body: str = Field(max_length=20_000)
    fields: dict[str, str] | None = None


class PreviewRequest(BaseModel):
    body: str = Field(max_length=20_000)
    fields: dict[str, str] | None = None
    variables: dict[str, Any] | None = None


class PreviewResult(BaseModel):
    text: str
    fields: dict[str, str] | None
    problems: list[ProblemPublic]


class RollbackRequest(BaseModel):
    version_id: int | None = Field(description="要恢复的版本；为空时恢复系统默认文字")


# -- helpers ------------------------------------------------------------------------------------------


def _spec(catalog: Catalog, key: str) -> TemplateSpec:
    try:
        return catalog.get(key)
    except UnknownTemplateError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有这个模板：{key}") from None


def _problems(problems: list[Problem]) -> list[ProblemPublic]:
    return [ProblemPublic(line=p.line, code=p.code, message=p.message_zh) for p in problems]


def _refused(exc: TemplateLintError) -> HTTPException:
    problems = [p.model_dump() for p in _problems(exc.problems)]
    detail = {"message": "模板未通过检查，请修改后再保存", "problems": problems}
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def _variables(spec: TemplateSpec) -> list[VariablePublic]:
    return [
        VariablePublic(name=v.name, description=v.description, sample=v.sample, optional=v.optional)
        for v in spec.variables.values()
    ]


USED_IN = {
    "menu": "菜单与帮助（关注欢迎、帮助、取消、人工服务）",
    "system": "系统出错时",
    "report": "反映问题的对话",
    "status": "查询进度的对话",
    "rating": "满意度评价的对话",
    "handover": "人工队列中工作人员答复居民",
    "supervision": "发给承办单位联系人的提醒",
}
PUSH_CHANNELS = "推送：公众号模板消息、小程序订阅消息，或 48 小时内的客服消息"


def template_name(spec: TemplateSpec) -> str:
    """The description's first clause: "工单状态变化时推送给居民（…）" → "工单状态变化时推送给居民"."""
    name = re.split(r"[（(，。；：;:,]", spec.description, maxsplit=1)[0].strip()
    return name or spec.key


def used_in(spec: TemplateSpec) -> list[str]:
    places = [USED_IN.get(spec.key.split(".", 1)[0], "其他")]
    if spec.is_push:
        places.append(PUSH_CHANNELS)
    return places


def _summary(spec: TemplateSpec, active: TemplateVersion | None) -> TemplateSummary:
    return TemplateSummary(
        key=spec.key,
        name=template_name(spec),
        used_in=used_in(spec),
        kind=spec.kind,
        description=spec.description,
        variables=_variables(spec),
        customised=active is not None,
        updated_at=active.created_at_utc if active else None,
        updated_by=active.author if active else None,
    )


def _version(version: TemplateVersion) -> VersionPublic:
    assert version.id is not None
    return VersionPublic(
        id=version.id,
        body=version.body,
        fields=version.fields,
        author=version.author,
        created_at=version.created_at_utc,
        previous_body=version.previous_body,
        restored_from=version.restored_from,
    )


def _detail(spec: TemplateSpec, versions: list[TemplateVersion]) -> TemplateDetail:
    active = versions[0] if versions else None
    default_fields = dict(spec.fields) if spec.fields else None
    return TemplateDetail(
        **_summary(spec, active).model_dump(),
        body=active.body if active else spec.body,
        fields=(active.fields if active else default_fields) if spec.is_push else None,
        default_body=spec.body,
        default_fields=default_fields,
        history=[_version(v) for v in versions],
    )


# -- routes -------------------------------------------------------------------------------------------


@router.get("", summary="所有回复模板")
def list_templates(services: ServicesDep, session: SessionDep, staff: CurrentStaff) -> list[TemplateSummary]:
    catalog = services.templates.catalog
    active = active_versions(session)
    return [_summary(spec, active.get(spec.key)) for spec in catalog]


@router.get("/{key}", summary="一条模板：当前文字、变量与修改记录")
def read_template(key: str, services: ServicesDep, session: SessionDep, staff: CurrentStaff) -> TemplateDetail:
    spec = _spec(services.templates.catalog, key)
    return _detail(spec, history(session, key))


@router.put("/{key}", summary="保存新版本（先检查）")
def update_template(
    key: str, change: TemplateUpdate, services: ServicesDep, session: SessionDep, staff: CurrentStaff
) -> TemplateDetail:
    renderer = services.templates
    spec = _spec(renderer.catalog, key)
    try:
        save(session=session, key=key, body=change.body, fields=change.fields, author=staff.name,
             catalog=renderer.catalog)
    except TemplateLintError as exc:
        raise _refused(exc) from None
    renderer.invalidate()
    return _detail(spec, history(session, key))


@router.post("/{key}/preview", summary="用示例值预览（不保存）")
def preview_template(key: str, draft: PreviewRequest, services: ServicesDep, staff: CurrentStaff) -> PreviewResult:
    catalog = services.templates.catalog
    _spec(catalog, key)
    shown = preview(key, draft.body, draft.variables, fields=draft.fields, catalog=catalog)
    return PreviewResult(text=shown.text, fields=shown.fields, problems=_problems(shown.problems))


@router.post("/{key}/rollback", summary="恢复到某个旧版本或系统默认文字")
def rollback_template(
    key: str, target: RollbackRequest, services: ServicesDep, session: SessionDep, staff: CurrentStaff
) -> TemplateDetail:
    renderer = services.templates
    spec = _spec(renderer.catalog, key)
    try:
        rollback(session=session, key=key, version_id=target.version_id, author=staff.name,
                 catalog=renderer.catalog)
    except VersionNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "找不到这个版本") from None
    except TemplateLintError as exc:
        raise _refused(exc) from None
    renderer.invalidate()
    return _detail(spec, history(session, key))
