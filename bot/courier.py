"""Carrying one push to a resident through WeChat: the official account's template message, else a
customer-service text (inside WeChat's 48 h window); the mini-program's subscribe message, else held (the
resident reads it on the case page). Knows the channels and WeChat's errors, not the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.push import RETRYABLE_ERRORS, TOKEN_ERRORS, WeChatApi, WeChatApiError

# WeChat template ids per push key. WeChat assigns them in the official-account / mini-program console;
# the local stand-in accepts any id, so these defaults serve the sandbox and are overridden in production.
OA_TEMPLATE_IDS: dict[str, str] = {
    "report.filed_push": "sandbox-tpl-report-filed",
    "status.changed": "sandbox-tpl-status-changed",
    "rating.ask": "sandbox-tpl-rating-ask",
    "handover.reply_notice": "sandbox-tpl-handover-reply",
    "supervision.notice": "sandbox-tpl-supervision",
}
MP_SUBSCRIBE_IDS: dict[str, str] = {
    "report.filed_push": "sandbox-sub-report-filed",
    "status.changed": "sandbox-sub-status-changed",
    "rating.ask": "sandbox-sub-rating-ask",
    "handover.reply_notice": "sandbox-sub-handover-reply",
}
CASE_PAGE = "pages/case/detail?number={number}"
FIELD_MAX = 20
NO_SUBSCRIPTION = 43101
RETRY_LATER = frozenset(RETRYABLE_ERRORS | TOKEN_ERRORS | {45047})  # 45047: 5 messages used, wait for the next


class TemplateRenderer(Protocol):
    """What the courier needs of the reply templates' renderer."""

    def render(self, key: str, **variables: Any) -> str: ...

    def render_fields(self, key: str, **variables: Any) -> dict[str, str]: ...


@dataclass(frozen=True)
class Outcome:
    state: Literal["sent", "held", "retry", "dead"]
    via: str | None = None  # template | custom | subscribe
    template_id: str | None = None
    code: int | None = None
    error: str = ""


def fit(fields: Mapping[str, str]) -> dict[str, str]:
    """Template fields as WeChat takes them: one line, at most 20 characters (cut with an ellipsis)."""
    fitted = {}
    for key, value in fields.items():
        line = " ".join(str(value).split())
        fitted[key] = line if len(line) <= FIELD_MAX else line[: FIELD_MAX - 1] + "…"
    return fitted


def _describe(kind: str, exc: WeChatApiError) -> str:
    return f"{kind} {exc.errcode}: {exc.errmsg}"


class Push(Protocol):
    """One push to deliver (an outbox row): to whom, on which channel, which template with which values."""

    @property
    def recipient_openid(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def template_key(self) -> str: ...
    @property
    def variables(self) -> dict[str, Any]: ...


@dataclass
class Courier:
    """Carries one outbox row to WeChat; knows the channels, not the database."""

    oa_api: WeChatApi
    mp_api: WeChatApi
    renderer: TemplateRenderer
    template_ids: Mapping[str, str] = field(default_factory=lambda: dict(OA_TEMPLATE_IDS))
    subscribe_ids: Mapping[str, str] = field(default_factory=lambda: dict(MP_SUBSCRIBE_IDS))
    case_page: str = CASE_PAGE

    async def deliver(self, row: Push) -> Outcome:
        variables = dict(row.variables or {})
        if row.channel == "mp":
            return await self._mini_program(row, variables)
        return await self._official_account(row, variables)

    async def _official_account(self, row: Push, variables: dict[str, Any]) -> Outcome:
        openid, key = row.recipient_openid, row.template_key
        errors: list[tuple[str, WeChatApiError]] = []
        fields = fit(await asyncio.to_thread(self.renderer.render_fields, key, **variables))  # staff code
        template_id = self.template_ids.get(key)
        if fields and template_id:
            try:
                await self.oa_api.send_template(openid, template_id, fields)
                return Outcome("sent", via="template")
            except WeChatApiError as exc:
                errors.append(("模板消息", exc))
            except ValueError as exc:  # a field WeChat would refuse (47003)
                errors.append(("模板消息", WeChatApiError(47003, str(exc))))
        try:  # customer-service text: only inside the 48 h window after the resident's last message
            text = await asyncio.to_thread(self.renderer.render, key, **variables)  # off the event loop
            await self.oa_api.send_custom_text(openid, text)
            return Outcome("sent", via="custom")
        except WeChatApiError as exc:
            errors.append(("客服消息", exc))
        text = "；".join(_describe(kind, exc) for kind, exc in errors)
        retryable = [exc for _kind, exc in errors if exc.errcode in RETRY_LATER]
        if retryable:
            return Outcome("retry", code=retryable[0].errcode, error=text)
        return Outcome("dead", code=errors[0][1].errcode, error=text)

    async def _mini_program(self, row: Push, variables: dict[str, Any]) -> Outcome:
        key = row.template_key
        template_id = self.subscribe_ids.get(key)
        fields = fit(await asyncio.to_thread(self.renderer.render_fields, key, **variables))  # staff code
        if not template_id or not fields:
            return Outcome("held", error=f"{key} 没有小程序订阅消息模板，居民可在工单页查看")
        page = self.case_page.format(number=variables.get("number", ""))
        try:
            await self.mp_api.send_subscribe(row.recipient_openid, template_id, fields, page=page)
            return Outcome("sent", via="subscribe", template_id=template_id)
        except WeChatApiError as exc:
            if exc.errcode == NO_SUBSCRIPTION:
                return Outcome(
                    "held", code=exc.errcode, error=_describe("订阅消息", exc) + "（居民未订阅，工单页可见）"
                )
            state: Literal["retry", "dead"] = "retry" if exc.errcode in RETRY_LATER else "dead"
            return Outcome(state, code=exc.errcode, error=_describe("订阅消息", exc))
