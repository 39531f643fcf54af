"""Templates as staff see them on the console: what each is called and where residents meet it, its
variables, its current text beside the shipped default, and its history. The staff API returns these whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reply_templates.catalog import TemplateSpec
from reply_templates.errors import Problem
from reply_templates.models import TemplateVersion

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


@dataclass(frozen=True)
class VariableView:
    name: str
    description: str
    sample: Any
    optional: bool


@dataclass(frozen=True)
class ProblemView:
    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class PreviewResult:
    text: str
    fields: dict[str, str] | None
    problems: list[ProblemView]


@dataclass(frozen=True)
class VersionView:
    id: int
    body: str
    fields: dict[str, str] | None
    author: str
    created_at: datetime
    previous_body: str | None
    restored_from: int | None


@dataclass(frozen=True)
class TemplateSummary:
    key: str
    name: str  # a short Chinese name staff recognise
    used_in: list[str]  # where residents meet it, in Chinese
    kind: str
    description: str
    variables: list[VariableView]
    customised: bool
    updated_at: datetime | None
    updated_by: str | None


@dataclass(frozen=True)
class TemplateDetail(TemplateSummary):
    body: str
    fields: dict[str, str] | None
    default_body: str
    default_fields: dict[str, str] | None
    history: list[VersionView]


def template_name(spec: TemplateSpec) -> str:
    """The description's first clause: "工单状态变化时推送给居民（…）" → "工单状态变化时推送给居民"."""
    name = re.split(r"[（(，。；：;:,]", spec.description, maxsplit=1)[0].strip()
    return name or spec.key


def used_in(spec: TemplateSpec) -> list[str]:
    places = [USED_IN.get(spec.key.split(".", 1)[0], "其他")]
    if spec.is_push:
        places.append(PUSH_CHANNELS)
    return places


def problem_views(problems: list[Problem]) -> list[ProblemView]:
    return [ProblemView(line=p.line, code=p.code, message=p.message_zh) for p in problems]


def summary(spec: TemplateSpec, active: TemplateVersion | None) -> TemplateSummary:
    return TemplateSummary(
        key=spec.key, name=template_name(spec), used_in=used_in(spec), kind=spec.kind, description=spec.description,
        variables=[VariableView(name=v.name, description=v.description, sample=v.sample, optional=v.optional)
                   for v in spec.variables.values()],
        customised=active is not None, updated_at=active.created_at_utc if active else None,
        updated_by=active.author if active else None,
    )


def version_view(version: TemplateVersion) -> VersionView:
    assert version.id is not None
    return VersionView(id=version.id, body=version.body, fields=version.fields, author=version.author,
                       created_at=version.created_at_utc, previous_body=version.previous_body,
                       restored_from=version.restored_from)


def detail(spec: TemplateSpec, versions: list[TemplateVersion]) -> TemplateDetail:
    """The template with its history, newest version first (``versions`` as :func:`~reply_templates.history` reads
    them); a template without a saved version shows the shipped text."""
    active = versions[0] if versions else None
    default_fields = dict(spec.fields) if spec.fields else None
    return TemplateDetail(
        **vars(summary(spec, active)),
        body=active.body if active else spec.body,
        fields=(active.fields if active else default_fields) if spec.is_push else None,
        default_body=spec.body, default_fields=default_fields, history=[version_view(v) for v in versions],
    )
