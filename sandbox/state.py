"""What the local WeChat stand-in remembers: tokens, media, residents, subscriptions, codes, messages.

One :class:`SandboxState` per app process, in memory. Several API processes must therefore all point
``WECHAT_API_BASE`` at the same process's stand-in (a token issued by one stand-in is unknown to another).

Its clock is ``time.time`` plus an offset that tests move forward with :meth:`SandboxState.advance`
(or ``POST /sandbox/api/clock``): token expiry, the 48-hour window and media expiry all read it. The
messages it POSTs to our callback carry the real wall time, so the callback's replay check still passes.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.config import DAY, SandboxConfig, WeChatFault

__all__ = ["DAY", "SandboxConfig", "SandboxState", "WeChatFault"]

AppKind = Literal["oa", "mp"]


@dataclass
class _Token:
    value: str
    appid: str
    kind: Literal["basic", "stable"]
    expires_at: float
    revoked_at: float | None = None


@dataclass
class Media:
    media_id: str
    kind: str
    filename: str
    content: bytes
    content_type: str
    created_at: float


@dataclass
class Resident:
    openid: str
    following: bool = True
    last_interaction: float | None = None
    sent_since: int = 0  # customer-service messages since the last interaction
    credits: Counter[str] = field(default_factory=Counter)  # subscribe-message acceptances by template


@dataclass
class _Code:
    openid: str
    unionid: str | None
    issued_at: float
    used: bool = False


@dataclass
class _PhoneCode:
    """What the getPhoneNumber button hands the mini-program: a one-time code for a phone WeChat verified."""

    appid: str
    phone: str
    issued_at: float
    used: bool = False


# Mini-program subscribe-message field limits by key prefix (thing1, time2, …).
SUBSCRIBE_LIMITS = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "phone_number": 17,
    "car_number": 8,
    "name": 10,
    "phrase": 5,
    "time": 64,
    "date": 64,
    "amount": 32,
}
TEMPLATE_LIMIT = 20


class SandboxState:
    """The stand-in's memory; every method is what one WeChat API call does to it."""

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self._base_clock = clock
        self.callback_transport = config.callback_transport
        self.reset()

    def reset(self) -> None:
        self._offset = 0.0
        self._tokens: dict[str, _Token] = {}
        self._current: dict[tuple[str, str], str] = {}  # (appid, kind) -> token value
        self.token_requests: Counter[str] = Counter()  # appid -> token and stable_token calls
        self.media: dict[str, Media] = {}
        self.residents: dict[str, Resident] = {}
        self._codes: dict[str, _Code] = {}
        self._phone_codes: dict[str, _PhoneCode] = {}
        self._log: list[dict[str, Any]] = []
        self._seq = 0

    # --- the clock ---

    def now(self) -> float:
        return self._base_clock() + self._offset

    def advance(self, seconds: float) -> float:
        self._offset += seconds
        return self.now()

    # --- accounts and tokens ---

    def _app(self, appid: str, secret: str) -> AppKind:
        apps: dict[str, tuple[str, AppKind]] = {
            self.config.appid: (self.config.secret, "oa"),
            self.config.mp_appid: (self.config.mp_secret, "mp"),
        }
        if appid not in apps:
            raise WeChatFault(40013, "invalid appid")
        if not secrets.compare_digest(apps[appid][0].encode(), secret.encode()):
            raise WeChatFault(40125, "invalid appsecret")
        return apps[appid][1]

    def _new_token(self, appid: str, kind: Literal["basic", "stable"]) -> _Token:
        value = f"{len(self._tokens) + 1}_" + secrets.token_urlsafe(96)
        token = _Token(value=value, appid=appid, kind=kind, expires_at=self.now() + self.config.token_ttl)
        self._tokens[value] = token
        self._current[(appid, kind)] = value
        return token

    def _answer(self, token: _Token) -> dict[str, Any]:
        return {"access_token": token.value, "expires_in": round(token.expires_at - self.now())}

    def issue_token(self, *, grant_type: str, appid: str, secret: str) -> dict[str, Any]:
        """``GET cgi-bin/token``: a new token each time; the previous one lives ``token_overlap`` more."""
        if grant_type != "client_credential":
            raise WeChatFault(40002, "invalid grant_type")
        self._app(appid, secret)
        self.token_requests[appid] += 1
        previous = self._tokens.get(self._current.get((appid, "basic"), ""))
        if previous is not None and previous.revoked_at is None:
            previous.revoked_at = self.now() + self.config.token_overlap
        return self._answer(self._new_token(appid, "basic"))

    def issue_stable_token(
        self, *, grant_type: str, appid: str, secret: str, force_refresh: bool = False
    ) -> dict[str, Any]:
        """``POST cgi-bin/stable_token``: the same token while it has more than 5 minutes left."""
        if grant_type != "client_credential":
            raise WeChatFault(40002, "invalid grant_type")
        self._app(appid, secret)
        self.token_requests[appid] += 1
        current = self._tokens.get(self._current.get((appid, "stable"), ""))
        if current is not None and force_refresh:
            current.revoked_at = self.now()
        elif current is not None and current.revoked_at is None and current.expires_at - self.now() > 300:
            return self._answer(current)
        return self._answer(self._new_token(appid, "stable"))

    def authenticate(self, access_token: str | None, *, allowed: tuple[AppKind, ...]) -> str:
        """The appid an access token belongs to, or the error WeChat gives for it."""
        if not access_token:
            raise WeChatFault(41001, "access_token missing")
        token = self._tokens.get(access_token)
        now = self.now()
        if token is None or (token.revoked_at is not None and token.revoked_at <= now):
            raise WeChatFault(40001, "invalid credential, access_token is invalid or not latest")
        if token.expires_at <= now:
            raise WeChatFault(42001, "access_token expired")
        kind: AppKind = "oa" if token.appid == self.config.appid else "mp"
        if kind not in allowed:
            raise WeChatFault(48001, "api unauthorized")
        return token.appid

    # --- residents ---

    def resident(self, openid: str) -> Resident:
        if openid not in self.residents:
            self.residents[openid] = Resident(openid=openid)
        return self.residents[openid]

    def record_interaction(self, openid: str, *, opens_window: bool, following: bool | None = None) -> None:
        """A resident wrote to us (or clicked a menu, followed…): the 48-hour window and quota restart."""
        resident = self.resident(openid)
        if following is not None:
            resident.following = following
        if opens_window:
            resident.last_interaction = self.now()
            resident.sent_since = 0

    def accept_subscriptions(self, openid: str, template_ids: list[str]) -> dict[str, int]:
        resident = self.resident(openid)
        for template_id in template_ids:
            resident.credits[template_id] += 1
        return dict(resident.credits)

    def issue_code(self, openid: str, unionid: str | None = None) -> str:
        code = secrets.token_hex(16)
        self._codes[code] = _Code(openid=openid, unionid=unionid, issued_at=self.now())
        self.resident(openid)
        return code

    def issue_phone_code(self, phone: str) -> str:
        """The code the getPhoneNumber button gives after WeChat has verified ``phone`` (by SMS, on its side)."""
        code = secrets.token_hex(16)
        self._phone_codes[code] = _PhoneCode(appid=self.config.mp_appid, phone=phone, issued_at=self.now())
        return code

    def user_phone_number(self, appid: str, code: str) -> dict[str, Any]:
        """``getuserphonenumber``: the phone behind a getPhoneNumber code, once, within five minutes."""
        entry = self._phone_codes.get(code)
        if entry is None or entry.appid != appid or entry.used or self.now() - entry.issued_at > self.config.code_ttl:
            raise WeChatFault(40029, "invalid code")
        entry.used = True
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": entry.phone,
                "purePhoneNumber": entry.phone,
                "countryCode": "86",
                "watermark": {"timestamp": int(self.now()), "appid": appid},
            },
        }

    # --- the messages log: what reached each resident ---

    def record(
        self, openid: str, *, via: str, msgtype: str, text: str | None, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        self._seq += 1
        entry = {
            "seq": self._seq,
            "at": self.now(),
            "openid": openid,
            "via": via,
            "msgtype": msgtype,
            "text": text,
            "body": dict(body),
        }
        self._log.append(entry)
        return entry

    def messages(self, openid: str | None = None) -> list[dict[str, Any]]:
        return [entry for entry in self._log if openid is None or entry["openid"] == openid]

    def clear_messages(self, openid: str | None = None) -> None:
        self._log = [entry for entry in self._log if openid is not None and entry["openid"] != openid]

    # --- message sending ---

    def send_custom(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``cgi-bin/message/custom/send``: 5 messages per resident interaction, within 48 hours."""
        openid = body.get("touser")
        msgtype = body.get("msgtype")
        if not isinstance(openid, str) or not openid:
            raise WeChatFault(40003, "invalid openid")
        payload = body.get(msgtype) if isinstance(msgtype, str) else None
        if not isinstance(payload, dict):
            raise WeChatFault(40008, "invalid message type")
        text = self._custom_text(msgtype, payload)  # type: ignore[arg-type]
        resident = self.residents.get(openid)
        last = resident.last_interaction if resident is not None else None
        if resident is None or last is None or self.now() - last > self.config.service_window:
            raise WeChatFault(45015, "response out of time limit or subscription is canceled")
        if resident.sent_since >= self.config.service_quota:
            raise WeChatFault(45047, "out of response count limit")
        resident.sent_since += 1
        self.record(openid, via="custom", msgtype=str(msgtype), text=text, body=body)
        return {"errcode": 0, "errmsg": "ok"}

    def _custom_text(self, msgtype: str, payload: Mapping[str, Any]) -> str | None:
        if msgtype == "text":
            content = payload.get("content")
            if not isinstance(content, str) or not content:
                raise WeChatFault(44003, "empty content")
            if len(content.encode("utf-8")) > 2048:
                raise WeChatFault(45002, "content size out of limit")
            return content
        if msgtype in ("image", "voice", "video"):
            self._live_media(str(payload.get("media_id", "")))
            return None
        if msgtype == "news":
            articles = payload.get("articles")
            if not isinstance(articles, list) or not articles:
                raise WeChatFault(44002, "empty post data")
            if len(articles) > 1:
                raise WeChatFault(45008, "article size out of limit")
            return "\n".join(str(article.get("title", "")) for article in articles)
        if msgtype in ("mpnews", "msgmenu", "miniprogrampage", "link"):
            return None
        raise WeChatFault(40008, "invalid message type")

    def _fields(self, body: Mapping[str, Any]) -> dict[str, str]:
        data = body.get("data")
        if not isinstance(data, dict):
            raise WeChatFault(47001, "data format error")
        values: dict[str, str] = {}
        for key, item in data.items():
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str):
                raise WeChatFault(47003, f"argument invalid! data.{key}.value invalid")
            values[key] = value
        return values

    def send_template(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``cgi-bin/message/template/send``: followers only; fields one line of at most 20 characters."""
        openid = body.get("touser")
        template_id = body.get("template_id")
        if not isinstance(openid, str) or not openid:
            raise WeChatFault(40003, "invalid openid")
        if not isinstance(template_id, str) or not template_id:
            raise WeChatFault(40037, "invalid template_id")
        values = self._fields(body)
        for key, value in values.items():
            if len(value) > TEMPLATE_LIMIT or "\n" in value or "\r" in value:
                raise WeChatFault(47003, f"argument invalid! data.{key}.value invalid")
        resident = self.residents.get(openid)
        if resident is None or not resident.following:
            raise WeChatFault(43004, "require subscribe")
        text = "\n".join(f"{key}: {value}" for key, value in values.items())
        entry = self.record(openid, via="template", msgtype="template", text=text, body=body)
        return {"errcode": 0, "errmsg": "ok", "msgid": 1_000_000_000 + int(entry["seq"])}

    def send_subscribe(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``cgi-bin/message/subscribe/send``: each acceptance by the resident allows one message."""
        openid = body.get("touser")
        template_id = body.get("template_id")
        if not isinstance(openid, str) or not openid:
            raise WeChatFault(40003, "invalid openid")
        if not isinstance(template_id, str) or not template_id:
            raise WeChatFault(40037, "invalid template_id")
        values = self._fields(body)
        for key, value in values.items():
            prefix = key.rstrip("0123456789")
            limit = SUBSCRIBE_LIMITS.get(prefix)
            if limit is None or len(value) > limit or "\n" in value:
                raise WeChatFault(47003, f"argument invalid! data.{key}.value invalid")
        resident = self.residents.get(openid)
        if resident is None or resident.credits[template_id] <= 0:
            raise WeChatFault(43101, "user refuse to accept the msg")
        resident.credits[template_id] -= 1
        text = "\n".join(f"{key}: {value}" for key, value in values.items())
        entry = self.record(openid, via="subscribe", msgtype="subscribe", text=text, body=body)
        return {"errcode": 0, "errmsg": "ok", "msgid": 2_000_000_000 + int(entry["seq"])}

    # --- media ---

    def store_media(self, *, kind: str, filename: str, content: bytes, content_type: str) -> Media:
        if kind not in ("image", "voice", "video", "thumb"):
            raise WeChatFault(40004, "invalid media type")
        if not content:
            raise WeChatFault(41005, "media data missing")
        limits = {"image": 10 << 20, "voice": 2 << 20, "video": 10 << 20, "thumb": 64 << 10}
        if len(content) > limits[kind]:
            raise WeChatFault(40009 if kind == "image" else 40006, f"invalid {kind} size")
        media_id = secrets.token_urlsafe(48)
        media = Media(media_id, kind, filename, content, content_type, created_at=self.now())
        self.media[media_id] = media
        return media

    def _live_media(self, media_id: str) -> Media:
        media = self.media.get(media_id)
        if media is None or self.now() - media.created_at > self.config.media_ttl:
            raise WeChatFault(40007, "invalid media_id")
        return media

    def get_media(self, media_id: str) -> Media:
        return self._live_media(media_id)

    # --- mini-program login ---

    def jscode2session(self, *, appid: str, secret: str, js_code: str, grant_type: str) -> dict[str, Any]:
        if self._app(appid, secret) != "mp":
            raise WeChatFault(40013, "invalid appid")
        if grant_type != "authorization_code":
            raise WeChatFault(40002, "invalid grant_type")
        code = self._codes.get(js_code)
        if code is None or self.now() - code.issued_at > self.config.code_ttl:
            raise WeChatFault(40029, "invalid code")
        if code.used:
            raise WeChatFault(40163, "code been used")
        code.used = True
        answer = {"session_key": secrets.token_urlsafe(18), "openid": code.openid}
        if code.unionid:
            answer["unionid"] = code.unionid
        return answer
