"""Staff editing of reply templates: list, read with history, save (linted), preview, rollback.

Every signed-in staff member may edit; each saved version records their name. A save is seen by this
process at once (``invalidate``) and by every other process within ``template_refresh_seconds``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from api.deps import CurrentStaff, ServicesDep, SessionDep
from reply_templates import (
    Catalog,
    TemplateLintError,
    TemplateSpec,
    UnknownTemplateError,
    VersionNotFoundError,
    active_versions,
    history,
    preview,
    rollback,
    save,
    views,
)

router = APIRouter(prefix="/api/staff/templates", tags=["staff-templates"])


class TemplateUpdate(BaseModel):
    body: str = Field(max_length=20_000)
    fields: dict[str, str] | None = None


class PreviewRequest(BaseModel):
    body: str = Field(max_length=20_000)
    fields: dict[str, str] | None = None
    variables: dict[str, Any] | None = None


class RollbackRequest(BaseModel):
    version_id: int | None = Field(description="要恢复的版本；为空时恢复系统默认文字")


# -- helpers ------------------------------------------------------------------------------------------


def _spec(catalog: Catalog, key: str) -> TemplateSpec:
    try:
        return catalog.get(key)
    except UnknownTemplateError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有这个模板：{key}") from None


def _refused(exc: TemplateLintError) -> HTTPException:
    problems = [vars(p) for p in views.problem_views(exc.problems)]
    detail = {"message": "模板未通过检查，请修改后再保存", "problems": problems}
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


# -- routes -------------------------------------------------------------------------------------------


@router.get("", summary="所有回复模板")
def list_templates(services: ServicesDep, session: SessionDep, staff: CurrentStaff) -> list[views.TemplateSummary]:
    catalog = services.templates.catalog
    active = active_versions(session)
    return [views.summary(spec, active.get(spec.key)) for spec in catalog]


@router.get("/{key}", summary="一条模板：当前文字、变量与修改记录")
def read_template(key: str, services: ServicesDep, session: SessionDep, staff: CurrentStaff) -> views.TemplateDetail:
    spec = _spec(services.templates.catalog, key)
    return views.detail(spec, history(session, key))


@router.put("/{key}", summary="保存新版本（先检查）")
def update_template(
    key: str, change: TemplateUpdate, services: ServicesDep, session: SessionDep, staff: CurrentStaff
) -> views.TemplateDetail:
    renderer = services.templates
    spec = _spec(renderer.catalog, key)
    try:
        save(session=session, key=key, body=change.body, fields=change.fields, author=staff.name,
             catalog=renderer.catalog)
    except TemplateLintError as exc:
        raise _refused(exc) from None
    renderer.invalidate()
    return views.detail(spec, history(session, key))


@router.post("/{key}/preview", summary="用示例值预览（不保存）")
def preview_template(
    key: str, draft: PreviewRequest, services: ServicesDep, staff: CurrentStaff
) -> views.PreviewResult:
    catalog = services.templates.catalog
    _spec(catalog, key)
    shown = preview(key, draft.body, draft.variables, fields=draft.fields, catalog=catalog)
    return views.PreviewResult(text=shown.text, fields=shown.fields, problems=views.problem_views(shown.problems))


@router.post("/{key}/rollback", summary="恢复到某个旧版本或系统默认文字")
def rollback_template(
    key: str, target: RollbackRequest, services: ServicesDep, session: SessionDep, staff: CurrentStaff
) -> views.TemplateDetail:
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
    return views.detail(spec, history(session, key))
