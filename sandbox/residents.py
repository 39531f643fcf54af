"""The residents' side of the stand-in: WeChat's server role towards our ``/wechat`` callback, plus helpers.

``POST /sandbox/api/residents/{openid}/send`` does what WeChat does when a resident writes::

    build the message XML -> encrypt + sign (safe mode) -> POST to the callback (5 s, up to 3 tries)
        -> verify + decrypt the passive reply -> the resident sees it (messages log) -> JSON back

A callback that fails, times out three times or answers something unreadable makes WeChat show the
resident "该公众号暂时无法提供服务，请稍后再试"; the stand-in records that line the same way.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from sandbox import wire
from sandbox.state import SandboxState, WeChatFault

PREFIX = "/sandbox/api"
SERVICE_DOWN = "该公众号暂时无法提供服务，请稍后再试"
# What restarts the 48-hour customer-service window (WeChat's list: messages, follow, menu clicks, scans).
WINDOW_EVENTS = frozenset({"subscribe", "CLICK", "SCAN", "scancode_push", "scancode_waitmsg"})


class ResidentMessage(BaseModel):
    kind: Literal["text", "image", "location", "voice", "event"]
    content: str | None = None
    image_base64: str | None = None
    filename: str = "photo.jpg"
    lat: float | None = None
    lng: float | None = None
    label: str = ""
    precision: float | None = None
    recognition: str | None = None
    event: str | None = None
    key: str | None = None
    msg_id: int | None = None


class Subscription(BaseModel):
    template_ids: Annotated[list[str], Field(min_length=1)]


class CodeRequest(BaseModel):
    openid: str
    unionid: str | None = None


class PhoneCodeRequest(BaseModel):
    phone: str = Field(pattern=r"^1[3-9][0-9]{9}$")


class ClockMove(BaseModel):
    advance: float = 0.0


class _Borrowed(httpx.AsyncBaseTransport):
    """Lend the app's transport to a short-lived client without letting the client close it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        return None


class Phone:
    """One resident's phone: writes to the official account and reads what comes back."""

    def __init__(self, state: SandboxState, openid: str) -> None:
        self.state = state
        self.openid = openid

    def build(self, message: ResidentMessage) -> tuple[str, bool]:
        """The message XML, and whether it restarts the customer-service window."""
        config = self.state.config
        account, openid = config.account_id, self.openid
        if message.kind == "text":
            if not message.content:
                raise HTTPException(422, "text needs content")
            return wire.text_message(account, openid, message.content, msg_id=message.msg_id), True
        if message.kind == "image":
            try:
                photo = base64.b64decode(message.image_base64 or "", validate=True)
            except binascii.Error:
                raise HTTPException(422, "image_base64 is not base64") from None
            if not photo:
                raise HTTPException(422, "image needs image_base64")
            media = self.state.store_media(
                kind="image", filename=message.filename, content=photo, content_type=_image_type(photo)
            )
            pic_url = f"{config.base_url}{PREFIX}/media/{media.media_id}"
            xml = wire.image_message(account, openid, pic_url=pic_url, media_id=media.media_id,
                                     msg_id=message.msg_id)
            return xml, True
        if message.kind == "voice":
            media = self.state.store_media(
                kind="voice", filename="voice.amr", content=b"#!AMR\n" + secrets.token_bytes(32),
                content_type="audio/amr",
            )
            xml = wire.voice_message(
                account, openid, media_id=media.media_id, recognition=message.recognition,
                msg_id=message.msg_id,
            )
            return xml, True
        if message.kind == "location":
            if message.lat is None or message.lng is None:
                raise HTTPException(422, "location needs lat and lng")
            xml = wire.location_message(
                account, openid, lat=message.lat, lng=message.lng, label=message.label, msg_id=message.msg_id
            )
            return xml, True
        if not message.event:
            raise HTTPException(422, "event needs event")
        xml = wire.event_message(account, openid, message.event, key=message.key, lat=message.lat,
                                 lng=message.lng, precision=message.precision)
        return xml, message.event in WINDOW_EVENTS

    async def send(self, message: ResidentMessage) -> tuple[int, dict[str, Any]]:
        xml, opens_window = self.build(message)
        following = {"subscribe": True, "unsubscribe": False}.get(message.event or "")
        self.state.record_interaction(self.openid, opens_window=opens_window, following=following)
        result: dict[str, Any] = {"message": wire.parse(xml), "status": None, "reply": None, "error": None}
        try:
            status, body = await self._deliver(xml)
        except httpx.HTTPError as exc:
            return self._failed(result, f"callback unreachable or too slow: {exc!r}")
        result["status"] = status
        if status != 200:
            return self._failed(result, f"callback answered HTTP {status}: {body[:200]!r}")
        if message.event == "unsubscribe":
            return 200, result  # whatever the callback answers, an unsubscribed resident sees nothing
        config = self.state.config
        try:
            plaintext = wire.open_reply(body, token=config.token, mode=config.mode, aes_key=config.aes_key,
                                        appid=config.appid)
            reply = wire.parse(plaintext) if plaintext is not None else None
        except (InvalidSignatureException, InvalidAppIdException, ValueError) as exc:
            return self._failed(result, f"unreadable reply: {exc!r}")
        if reply is not None:
            if reply.get("ToUserName") != self.openid or reply.get("FromUserName") != config.account_id:
                return self._failed(result, "reply addressed to someone else")
            msgtype = str(reply.get("MsgType", ""))
            self.state.record(self.openid, via="reply", msgtype=msgtype, text=_reply_text(reply), body=reply)
        result["reply"] = reply
        return 200, result

    def _failed(self, result: dict[str, Any], error: str) -> tuple[int, dict[str, Any]]:
        self.state.record(self.openid, via="system", msgtype="text", text=SERVICE_DOWN, body={})
        result["error"] = error
        return 502, result

    async def _deliver(self, xml: str) -> tuple[int, bytes]:
        """POST like WeChat: up to ``1 + callback_retries`` tries, each given ``callback_timeout`` seconds."""
        config = self.state.config
        signed = wire.seal(xml, token=config.token, openid=self.openid, mode=config.mode,
                           aes_key=config.aes_key, appid=config.appid)
        transport = self.state.callback_transport
        client = httpx.AsyncClient(
            transport=_Borrowed(transport) if transport is not None else None,
            timeout=config.callback_timeout,
        )
        async with client:
            for attempt in range(config.callback_retries + 1):
                try:
                    # wait_for as well: an in-process ASGI transport ignores httpx's timeouts.
                    response = await asyncio.wait_for(
                        client.post(
                            config.callback_url, params=signed.params, content=signed.body,
                            headers={"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"},
                        ),
                        timeout=config.callback_timeout,
                    )
                    return response.status_code, response.content
                except (httpx.TimeoutException, TimeoutError):
                    if attempt == config.callback_retries:
                        raise httpx.TimeoutException(
                            f"no answer within {config.callback_timeout} s, {attempt + 1} tries"
                        ) from None
        raise AssertionError("unreachable")


def _image_type(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.startswith(b"GIF8"):
        return "image/gif"
    return "image/jpeg"


def _reply_text(reply: dict[str, Any]) -> str | None:
    if reply.get("MsgType") == "text":
        return str(reply.get("Content") or "")
    if reply.get("MsgType") == "news":
        items = (reply.get("Articles") or {}).get("item") or []
        items = items if isinstance(items, list) else [items]
        return "\n".join(str(item.get("Title", "")) for item in items)
    return None


def build_residents_router(state: SandboxState) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["sandbox: residents"])

    @router.post("/residents/{openid}/send")
    async def send(openid: str, message: ResidentMessage) -> JSONResponse:
        try:
            status, result = await Phone(state, openid).send(message)
        except WeChatFault as fault:
            raise HTTPException(422, fault.errmsg) from None
        return JSONResponse(result, status_code=status)

    @router.post("/residents/{openid}/subscribe")
    async def subscribe(openid: str, request: Subscription) -> dict[str, Any]:
        return {"openid": openid, "credits": state.accept_subscriptions(openid, request.template_ids)}

    @router.post("/mp/code")
    async def mp_code(request: CodeRequest) -> dict[str, str]:
        return {"code": state.issue_code(request.openid, request.unionid)}

    @router.post("/mp/phone-code")
    async def mp_phone_code(request: PhoneCodeRequest) -> dict[str, str]:
        """What the mini-program's getPhoneNumber button yields once the resident has confirmed ``phone``."""
        return {"code": state.issue_phone_code(request.phone)}

    @router.get("/messages")
    async def messages(openid: Annotated[str | None, Query()] = None) -> list[dict[str, Any]]:
        return state.messages(openid)

    @router.delete("/messages", status_code=204)
    async def clear_messages(openid: Annotated[str | None, Query()] = None) -> Response:
        state.clear_messages(openid)
        return Response(status_code=204)

    @router.get("/clock")
    async def clock() -> dict[str, float]:
        return {"now": state.now()}

    @router.post("/clock")
    async def move_clock(move: ClockMove) -> dict[str, float]:
        return {"now": state.advance(move.advance)}

    @router.get("/stats")
    async def stats() -> dict[str, Any]:
        return {"token_requests": dict(state.token_requests), "media": len(state.media),
                "residents": len(state.residents)}

    @router.post("/reset", status_code=204)
    async def reset() -> Response:
        state.reset()
        return Response(status_code=204)

    @router.get("/media/{media_id}")
    async def picture(media_id: str) -> Response:
        """What a PicUrl serves: the photo, without a token (WeChat's picture URLs are public)."""
        media = state.media.get(media_id)
        if media is None:
            raise HTTPException(404, "no such picture")
        return Response(media.content, media_type=media.content_type)

    return router
