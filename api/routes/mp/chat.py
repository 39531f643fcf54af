"""``POST /api/mp/chat``: the same dialogs as the official account, through the same ingress.

The mini-program adapter (``bot/channels/mini_program.py``) reads the message; :func:`api.ingress.receive`
claims it (a resent ``message_id`` gets the first answer), dispatches it and keeps the answer.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ServicesDep
from api.ingress import receive
from api.routes.mp.auth import ERRORS, ResidentDep, problem
from api.services import Services
from bot.channels import mini_program
from bot.channels.mini_program import ChatMessage, MiniProgram, UnreadableChat
from bot.types import Outgoing, Update

router = APIRouter(prefix="/api/mp", tags=["mini-program"])



class ChatIn(BaseModel):
    kind: Literal["text", "location", "image", "event"] = "text"
    text: str | None = Field(default=None, max_length=2000, description="文字消息")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    crs: Literal["wgs84", "gcj02", "bd09"] = Field(default="gcj02", description="坐标系；wx.getLocation 默认 wgs84")
    label: str = Field(default="", max_length=200, description="位置名称或地址")
    image_base64: str | None = Field(default=None, description="图片（base64），最大 10 MB")
    event: str | None = Field(default=None, max_length=32, description="菜单事件，如 CLICK")
    key: str | None = Field(default=None, max_length=64, description="菜单键：REPORT、MY_CASES、RATE、HELP")
    message_id: str | None = Field(default=None, max_length=64, description="客户端消息编号；重发时相同则不重复处理")


class ArticleOut(BaseModel):
    title: str
    description: str = ""
    url: str = ""
    image_url: str = ""


class MessageOut(BaseModel):
    type: Literal["text", "image", "news"]
    text: str | None = None
    media_id: str | None = None
    articles: list[ArticleOut] | None = None


class ChatOut(BaseModel):
    message_id: str
    messages: list[MessageOut]


@dataclass
class MiniProgramReplies:
    """Every answer goes in the response: the request waits for it (the mini-program has no later channel)."""

    services: Services
    unanswered: str = "[]"
    waits: bool = True

    async def complete(self, update: Update) -> Update:
        return update

    def answer(self, update: Update, messages: list[Outgoing]) -> str:
        return MiniProgram.render(messages)

    async def deliver_late(self, update: Update, messages: list[Outgoing]) -> None:  # never: the request waits
        return None


@router.post("/chat", summary="与公众号相同的对话：发一条消息，得到回复", responses=ERRORS)
async def chat(body: ChatIn, services: ServicesDep, openid: ResidentDep) -> ChatOut:
    message = ChatMessage(**{**body.model_dump(), "message_id": body.message_id or uuid.uuid4().hex})
    try:
        update = services.mp_channel.read(openid, message)
    except UnreadableChat as exc:
        code = 413 if exc.reason == mini_program.IMAGE_TOO_BIG else 422
        raise problem(services, code, "mp.message_problem", reason=exc.reason) from None
    reply = await receive(services, update, MiniProgramReplies(services))
    return ChatOut(message_id=message.message_id, messages=[MessageOut(**m) for m in json.loads(reply)])
