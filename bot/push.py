"""The asynchronous client of WeChat's server API: access token, pushes, media, mini-program login.

One :class:`WeChatApi` per account (the official account and the mini-program have their own appid and
secret). It never blocks the event loop (httpx.AsyncClient, not wechatpy's ``requests`` client) and the
access token lives in a :class:`TokenCache` shared by every process::

    access_token()                 cache hit, valid for more than ``refresh_margin``? -> use it
        miss / stale / rejected -> take the refresh lock (Redis SET NX PX)
            got it   -> re-read the cache (someone may have just refreshed), else fetch, store, release
            held     -> wait for the holder's token to appear in the cache, re-reading it

Every authenticated call that answers 40001 / 42001 / 40014 gets one forced refresh and one retry; a
second failure raises :class:`WeChatApiError`.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from bot.token_cache import CachedToken, TokenCache

TOKEN_ERRORS = frozenset({40001, 42001, 40014})
# -1 "system error", 45009 / 45011 quota, 45033 frequency: worth another attempt later.
RETRYABLE_ERRORS = frozenset({-1, 45009, 45011, 45033})
TEMPLATE_VALUE_MAX = 20


class WeChatApiError(Exception):
    """WeChat answered with a non-zero ``errcode`` (or could not be reached: ``errcode`` -1)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def is_token_error(self) -> bool:
        return self.errcode in TOKEN_ERRORS

    @property
    def is_retryable(self) -> bool:
        """A later attempt may succeed (system busy, quota, network); the message itself is fine."""
        return self.errcode in RETRYABLE_ERRORS


class WeChatUnavailable(WeChatApiError):
    """The API could not be reached or answered something that is not WeChat's JSON."""

    def __init__(self, detail: str) -> None:
        super().__init__(-1, detail)


# --- the client -------------------------------------------------------------------------------------


def check_template_data(data: Mapping[str, str]) -> None:
    """Template fields: at most 20 characters, one line each (WeChat refuses the rest with 47003)."""
    for key, value in data.items():
        if "\n" in value or "\r" in value:
            raise ValueError(f"template field {key!r} must be one line")
        if len(value) > TEMPLATE_VALUE_MAX:
            raise ValueError(
                f"template field {key!r} has {len(value)} characters, at most {TEMPLATE_VALUE_MAX}"
            )


class WeChatApi:
    """One WeChat account's server API (official account or mini-program)."""

    def __init__(
        self,
        *,
        base_url: str,
        appid: str,
        secret: str,
        cache: TokenCache,
        http: httpx.AsyncClient | None = None,
        use_stable_token: bool = True,
        refresh_margin: float = 300.0,
        lock_ttl: float = 10.0,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self._secret = secret
        self._cache = cache
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._use_stable = use_stable_token
        self._margin = refresh_margin
        self._lock_ttl = lock_ttl
        self._clock = clock

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> WeChatApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- token ---

    async def access_token(self, *, force_refresh: bool = False) -> str:
        """The current token; ``force_refresh`` replaces the cached one (once across all processes)."""
        rejected = None
        if force_refresh:
            cached = await self._cache.get(self.appid)
            rejected = cached.token if cached else None
        return await self._token(rejected=rejected, force=force_refresh)

    def _usable(self, cached: CachedToken | None, rejected: str | None) -> bool:
        return (
            cached is not None
            and cached.token != rejected
            and cached.expires_at - self._margin > self._clock()
        )

    async def _token(self, *, rejected: str | None = None, force: bool = False) -> str:
        cached = await self._cache.get(self.appid)
        if not force and self._usable(cached, rejected):
            assert cached is not None
            return cached.token
        while True:
            lock_id = await self._cache.acquire_refresh(self.appid, self._lock_ttl)
            if lock_id is not None:
                try:
                    cached = await self._cache.get(self.appid)
                    # Someone else refreshed between our read and our lock: theirs is fresh.
                    if self._usable(cached, rejected) and not (force and rejected is None):
                        assert cached is not None
                        return cached.token
                    fresh = await self._fetch_token(rejected=rejected)
                    ttl = fresh.expires_at - self._margin - self._clock()
                    if ttl > 0:
                        await self._cache.set(self.appid, fresh, ttl)
                    return fresh.token
                finally:
                    await self._cache.release_refresh(self.appid, lock_id)
            # Another process is refreshing: wait for its token to appear (or for its lock to lapse).
            await asyncio.sleep(0.05)
            cached = await self._cache.get(self.appid)
            if self._usable(cached, rejected):
                assert cached is not None
                return cached.token

    async def _fetch_token(self, *, rejected: str | None) -> CachedToken:
        if self._use_stable:
            body = {"grant_type": "client_credential", "appid": self.appid, "secret": self._secret}
            data = await self._request("POST", "/cgi-bin/stable_token", json_body=body)
            if rejected is not None and data.get("access_token") == rejected:
                # WeChat still considers it current (normal mode returns the same token): force a new one.
                data = await self._request(
                    "POST", "/cgi-bin/stable_token", json_body={**body, "force_refresh": True}
                )
        else:
            params = {"grant_type": "client_credential", "appid": self.appid, "secret": self._secret}
            data = await self._request("GET", "/cgi-bin/token", params=params)
        return CachedToken(
            token=str(data["access_token"]), expires_at=self._clock() + float(data.get("expires_in", 7200))
        )

    # --- transport ---

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        raw: bool = False,
    ) -> dict[str, Any]:
        content = None
        headers = {}
        if json_body is not None:
            # WeChat shows \\uXXXX escapes literally in some places: send UTF-8 as is.
            content = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = await self._http.request(
                method, self.base_url + path, params=params, content=content, headers=headers, files=files
            )
        except httpx.HTTPError as exc:
            raise WeChatUnavailable(f"{method} {path}: {exc!r}") from exc
        if response.status_code >= 500:
            raise WeChatUnavailable(f"{method} {path}: HTTP {response.status_code}")
        content_type = response.headers.get("content-type", "")
        if raw and not content_type.startswith(("application/json", "text/plain")):
            return {"content": response.content, "content_type": content_type}
        try:
            data = json.loads(response.content)
        except ValueError as exc:
            raise WeChatUnavailable(f"{method} {path}: not JSON (HTTP {response.status_code})") from exc
        if not isinstance(data, dict):
            raise WeChatUnavailable(f"{method} {path}: unexpected JSON")
        errcode = int(data.get("errcode", 0) or 0)
        if errcode != 0:
            raise WeChatApiError(errcode, str(data.get("errmsg", "")))
        return data

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        raw: bool = False,
    ) -> dict[str, Any]:
        """An authenticated call: one forced refresh and one retry on a token error."""
        token = await self._token()
        for attempt in (1, 2):
            try:
                return await self._request(
                    method,
                    path,
                    params={**(params or {}), "access_token": token},
                    json_body=json_body,
                    files=files,
                    raw=raw,
                )
            except WeChatApiError as exc:
                if not exc.is_token_error or attempt == 2:
                    raise
                token = await self._token(rejected=token)
        raise AssertionError("unreachable")

    # --- customer-service messages (5 per resident message, within 48 h) ---

    async def _send_custom(self, openid: str, msgtype: str, payload: Mapping[str, Any]) -> None:
        body = {"touser": openid, "msgtype": msgtype, msgtype: payload}
        await self._call("POST", "/cgi-bin/message/custom/send", json_body=body)

    async def send_custom_text(self, openid: str, text: str) -> None:
        await self._send_custom(openid, "text", {"content": text})

    async def send_custom_image(self, openid: str, media_id: str) -> None:
        await self._send_custom(openid, "image", {"media_id": media_id})

    async def send_custom_news(self, openid: str, articles: Sequence[Mapping[str, str]]) -> None:
        """``articles``: dicts with ``title``, ``description``, ``url``, ``picurl`` (WeChat shows one)."""
        await self._send_custom(openid, "news", {"articles": [dict(article) for article in articles]})

    # --- template messages (official account) and subscribe messages (mini-program) ---

    async def send_template(
        self, openid: str, template_id: str, data: Mapping[str, str], url: str | None = None
    ) -> int:
        check_template_data(data)
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        answer = await self._call("POST", "/cgi-bin/message/template/send", json_body=body)
        return int(answer.get("msgid", 0))

    async def send_subscribe(
        self, openid: str, template_id: str, data: Mapping[str, str], page: str | None = None
    ) -> int:
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if page:
            body["page"] = page
        answer = await self._call("POST", "/cgi-bin/message/subscribe/send", json_body=body)
        return int(answer.get("msgid", 0))

    # --- media (temporary: WeChat keeps it 3 days) ---

    async def upload_media(self, kind: str, filename: str, content: bytes) -> str:
        """Upload a temporary ``image`` / ``voice`` / ``video`` / ``thumb``; returns its media_id."""
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        answer = await self._call(
            "POST",
            "/cgi-bin/media/upload",
            params={"type": kind},
            files={"media": (filename, content, content_type)},
        )
        return str(answer["media_id"])

    async def get_media(self, media_id: str) -> tuple[bytes, str]:
        """The bytes and content type of a temporary media (a resident's photo, say)."""
        answer = await self._call("GET", "/cgi-bin/media/get", params={"media_id": media_id}, raw=True)
        if "content" not in answer:
            raise WeChatUnavailable(f"media {media_id}: no content")
        return bytes(answer["content"]), str(answer["content_type"])

    # --- mini-program login ---

    async def jscode2session(self, code: str) -> dict[str, str]:
        """Exchange a ``wx.login`` code for ``openid``, ``session_key`` (and ``unionid`` when bound)."""
        params = {
            "appid": self.appid,
            "secret": self._secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        answer = await self._request("GET", "/sns/jscode2session", params=params)
        wanted = ("openid", "session_key", "unionid")
        return {key: str(value) for key, value in answer.items() if key in wanted}

    async def user_phone_number(self, code: str) -> str:
        """The phone WeChat verified behind a getPhoneNumber button's one-time ``code`` (without country code)."""
        answer = await self._call("POST", "/wxa/business/getuserphonenumber", json_body={"code": code})
        info = answer.get("phone_info")
        phone = info.get("purePhoneNumber") if isinstance(info, dict) else None
        if not phone:
            raise WeChatUnavailable("getuserphonenumber: no phone_info")
        return str(phone)
