"""WeChat's server API as the stand-in serves it: same paths, same JSON, same errcodes.

Mounted under ``/sandbox/wechat-api``, so ``WECHAT_API_BASE=<public_url>/sandbox/wechat-api`` and
``https://api.weixin.qq.com`` are interchangeable for our client. Like WeChat, every answer is HTTP 200;
failures are ``{"errcode": …, "errmsg": "… rid: …"}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile

from sandbox.state import SandboxState, WeChatFault

PREFIX = "/sandbox/wechat-api"


class WeChatRoute(APIRoute):
    """Turns a :class:`WeChatFault` raised anywhere in a handler into WeChat's error JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except WeChatFault as fault:
                return wechat_json(fault.body())

        return guarded


def wechat_json(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(data, media_type="application/json; encoding=utf-8")


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        raise WeChatFault(44002, "empty post data")
    try:
        data = json.loads(raw)
    except ValueError:
        raise WeChatFault(47001, "data format error") from None
    if not isinstance(data, dict):
        raise WeChatFault(47001, "data format error")
    return data


def build_wechat_api_router(state: SandboxState) -> APIRouter:
    router = APIRouter(prefix=PREFIX, route_class=WeChatRoute, tags=["sandbox: WeChat API"])

    @router.get("/cgi-bin/token")
    async def token(
        grant_type: str = "", appid: str = "", secret: str = ""
    ) -> JSONResponse:
        if not appid:
            raise WeChatFault(41002, "appid missing")
        if not secret:
            raise WeChatFault(41004, "appsecret missing")
        return wechat_json(state.issue_token(grant_type=grant_type, appid=appid, secret=secret))

    @router.post("/cgi-bin/stable_token")
    async def stable_token(request: Request) -> JSONResponse:
        body = await _json_body(request)
        if not body.get("appid"):
            raise WeChatFault(41002, "appid missing")
        if not body.get("secret"):
            raise WeChatFault(41004, "appsecret missing")
        answer = state.issue_stable_token(
            grant_type=str(body.get("grant_type", "")),
            appid=str(body["appid"]),
            secret=str(body["secret"]),
            force_refresh=body.get("force_refresh") is True,
        )
        return wechat_json(answer)

    @router.post("/cgi-bin/message/custom/send")
    async def custom_send(request: Request, access_token: str = "") -> JSONResponse:
        state.authenticate(access_token, allowed=("oa", "mp"))
        return wechat_json(state.send_custom(await _json_body(request)))

    @router.post("/cgi-bin/message/template/send")
    async def template_send(request: Request, access_token: str = "") -> JSONResponse:
        state.authenticate(access_token, allowed=("oa",))
        return wechat_json(state.send_template(await _json_body(request)))

    @router.post("/cgi-bin/message/subscribe/send")
    async def subscribe_send(request: Request, access_token: str = "") -> JSONResponse:
        state.authenticate(access_token, allowed=("mp",))
        return wechat_json(state.send_subscribe(await _json_body(request)))

    @router.post("/cgi-bin/media/upload")
    async def media_upload(request: Request, access_token: str = "", type: str = "") -> JSONResponse:
        state.authenticate(access_token, allowed=("oa", "mp"))
        async with request.form() as form:
            upload = form.get("media")
            if not isinstance(upload, UploadFile):
                raise WeChatFault(41005, "media data missing")
            content = await upload.read()
            filename = upload.filename or "media"
            content_type = upload.content_type or "application/octet-stream"
        media = state.store_media(
            kind=type,
            filename=filename,
            content=content,
            content_type=content_type,
        )
        created_at = int(media.created_at)
        return wechat_json({"type": media.kind, "media_id": media.media_id, "created_at": created_at})

    @router.get("/cgi-bin/media/get")
    async def media_get(access_token: str = "", media_id: str = "") -> Response:
        state.authenticate(access_token, allowed=("oa", "mp"))
        media = state.get_media(media_id)
        filename = media.filename if media.filename.isascii() else "media" + Path(media.filename).suffix
        disposition = f'attachment; filename="{filename}"'
        return Response(
            media.content, media_type=media.content_type, headers={"Content-disposition": disposition}
        )

    @router.post("/wxa/business/getuserphonenumber")
    async def user_phone_number(request: Request, access_token: str = "") -> JSONResponse:
        appid = state.authenticate(access_token, allowed=("mp",))
        code = (await _json_body(request)).get("code")
        if not code or not isinstance(code, str):
            raise WeChatFault(41008, "missing code")
        return wechat_json(state.user_phone_number(appid, code))

    @router.get("/sns/jscode2session")
    async def jscode2session(
        appid: str = "", secret: str = "", js_code: str = "", grant_type: str = ""
    ) -> JSONResponse:
        if not appid:
            raise WeChatFault(41002, "appid missing")
        if not secret:
            raise WeChatFault(41004, "appsecret missing")
        if not js_code:
            raise WeChatFault(41008, "missing code")
        answer = state.jscode2session(appid=appid, secret=secret, js_code=js_code, grant_type=grant_type)
        return wechat_json(answer)

    return router
