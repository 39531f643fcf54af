"""The WeChat official-account channel: signatures, the three message modes, XML in and out.

WeChat calls our URL with ``signature``, ``timestamp`` and ``nonce`` in the query; in compatible and safe
mode also ``encrypt_type=aes`` and ``msg_signature`` with the message AES-encrypted in ``<Encrypt>``
(wechatpy's :class:`~wechatpy.crypto.WeChatCrypto` does the cryptography). Message XML is flat, so it is
read with the standard library's expat after refusing any DTD (entity expansion, external entities).
Only UTF-8 is read, as WeChat sends it: a UTF-16 body would hide ``<!DOCTYPE`` from a byte search.

When an EncodingAESKey is configured (safe or compatible mode) every message must come encrypted: in
those modes WeChat always adds the ``<Encrypt>`` copy, and the plain signature covers only the query, so a
plaintext body would let anyone holding one logged ``signature/timestamp/nonce`` speak as any resident.
"""

from __future__ import annotations

import dataclasses
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from bot.errors import BadSignature, MalformedMessage, MediaUnavailable, StaleRequest
from bot.push import WeChatApi, WeChatApiError
from bot.types import (
    Article,
    Channel,
    ImageMessage,
    Kind,
    Location,
    NewsMessage,
    Outgoing,
    Photo,
    TextMessage,
    Update,
)

_KINDS = {
    "text": Kind.TEXT, "image": Kind.IMAGE, "voice": Kind.VOICE, "location": Kind.LOCATION,
    "video": Kind.VIDEO, "shortvideo": Kind.VIDEO, "link": Kind.LINK, "event": Kind.EVENT,
}
_FORBIDDEN = ("<!doctype", "<!entity", "<?xml-stylesheet")
_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CallbackParams:
    """The query parameters WeChat adds to every callback."""

    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str = ""
    msg_signature: str = ""

    @property
    def encrypted(self) -> bool:
        return self.encrypt_type.lower() == "aes"


@dataclass(frozen=True, slots=True)
class Inbound:
    """A verified, decrypted inbound message: the update and who to answer from/to."""

    update: Update
    account_id: str
    fields: dict[str, str]


def parse_flat_xml(body: bytes | str, *, max_bytes: int = 1024 * 1024) -> dict[str, str]:
    """Read ``<xml><Field>value</Field>…</xml>`` into a dict; refuse DTDs, oversize and broken XML."""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise MalformedMessage(f"body of {len(raw)} bytes exceeds {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedMessage("the body is not UTF-8") from None
    declared = _DECLARED_ENCODING.match(text)
    if "\x00" in text or (declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8")):
        raise MalformedMessage("only UTF-8 XML is accepted")
    lowered = text.lower()
    if any(marker in lowered for marker in _FORBIDDEN):
        raise MalformedMessage("DTDs and entity declarations are not accepted")
    try:
        parser = ET.XMLParser(encoding="utf-8")  # whatever the declaration says
        parser.feed(raw)
        root = parser.close()
    except ET.ParseError as exc:
        raise MalformedMessage(f"not well-formed XML: {exc}") from None
    if root.tag != "xml":
        raise MalformedMessage(f"root element is <{root.tag}>, expected <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class OfficialAccount:
    """Verifies, decrypts and reads WeChat's callbacks; renders and encrypts passive replies."""

    def __init__(self, *, token: str, appid: str, aes_key: str | None,
                 timestamp_tolerance: int = 300, max_body_bytes: int = 1024 * 1024,
                 api: WeChatApi | None = None) -> None:
        self.api = api  # WeChat's server API: photos in, customer-service messages out
        self.token = token
        self.appid = appid
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self.timestamp_tolerance = timestamp_tolerance
        self.max_body_bytes = max_body_bytes

    # -- verification ---------------------------------------------------------------------------
    def check(self, params: CallbackParams, *, now: float | None = None) -> None:
        try:
            check_signature(self.token, params.signature, params.timestamp, params.nonce)
        except InvalidSignatureException:
            raise BadSignature("signature does not match") from None
        try:
            sent = int(params.timestamp)
        except ValueError:
            raise BadSignature("timestamp is not a number") from None
        if abs((now if now is not None else time.time()) - sent) > self.timestamp_tolerance:
            raise StaleRequest(f"timestamp {sent} is more than {self.timestamp_tolerance} s from now")

    def verify_url(self, params: CallbackParams, echostr: str, *, now: float | None = None) -> str:
        """The URL check the official-account console runs when the server address is saved."""
        self.check(params, now=now)
        return echostr

    # -- inbound --------------------------------------------------------------------------------
    def read(self, body: bytes, params: CallbackParams, *, now: float | None = None) -> Inbound:
        self.check(params, now=now)
        if self.crypto is not None and not params.encrypted:
            raise BadSignature("a plaintext message while an EncodingAESKey is configured (no downgrade)")
        outer = parse_flat_xml(body, max_bytes=self.max_body_bytes)
        if params.encrypted:
            fields = self._decrypt(outer, params)
        elif "Encrypt" in outer and "MsgType" not in outer:
            raise MalformedMessage("encrypted body without encrypt_type=aes")
        else:
            fields = outer
        return Inbound(update=to_update(fields), account_id=fields.get("ToUserName", ""), fields=fields)

    def _decrypt(self, outer: dict[str, str], params: CallbackParams) -> dict[str, str]:
        if self.crypto is None:
            raise MalformedMessage("an encrypted message arrived but no EncodingAESKey is configured")
        if not outer.get("Encrypt"):
            raise MalformedMessage("encrypt_type=aes but no <Encrypt> element")
        try:
            plain = self.crypto.decrypt_message(outer, params.msg_signature, params.timestamp, params.nonce)
        except InvalidSignatureException:
            raise BadSignature("msg_signature does not match") from None
        except InvalidAppIdException:
            raise BadSignature("message is for another AppID") from None
        except Exception as exc:  # padding, base64, UTF-8: a corrupt ciphertext
            raise MalformedMessage(f"cannot decrypt: {type(exc).__name__}") from None
        return parse_flat_xml(plain, max_bytes=self.max_body_bytes)

    async def with_photo(self, update: Update) -> Update:
        """An image update with its photo downloaded at once (media ids expire after three days)."""
        if update.kind is not Kind.IMAGE or update.photo is not None:
            return update
        media_id = update.raw.get("MediaId", "")
        if self.api is None:
            raise MediaUnavailable(f"no WeChat API to fetch {media_id}")
        try:
            content, _ = await self.api.get_media(media_id)
        except (WeChatApiError, OSError) as exc:
            raise MediaUnavailable(f"photo {media_id}: {exc}") from exc
        return dataclasses.replace(update, photo=Photo(content=content, media_id=media_id,
                                                       url=update.raw.get("PicUrl", "")))

    # -- outbound -------------------------------------------------------------------------------
    def render_reply(self, message: Outgoing, *, to_user: str, from_user: str, now: int | None = None) -> str:
        created = now if now is not None else int(time.time())
        head = (f"<ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
                f"<CreateTime>{created}</CreateTime>")
        if isinstance(message, TextMessage):
            body = f"<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(message.text)}</Content>"
        elif isinstance(message, ImageMessage):
            body = (f"<MsgType><![CDATA[image]]></MsgType>"
                    f"<Image><MediaId>{_cdata(message.media_id)}</MediaId></Image>")
        else:
            body = _render_news(message)
        return f"<xml>{head}{body}</xml>"

    async def send(self, openid: str, message: Outgoing) -> None:
        """One customer-service message (WeChat allows 5 per resident message within 48 h)."""
        if self.api is None:
            raise MediaUnavailable("no WeChat API to send customer-service messages")
        if isinstance(message, TextMessage):
            await self.api.send_custom_text(openid, message.text)
        elif isinstance(message, ImageMessage):
            await self.api.send_custom_image(openid, message.media_id)
        else:
            await self.api.send_custom_news(openid, [
                {"title": a.title, "description": a.description, "url": a.url, "picurl": a.image_url}
                for a in message.articles
            ])

    def seal(self, reply_xml: str, params: CallbackParams) -> str:
        """Encrypt and sign a reply when the request was encrypted; plaintext otherwise."""
        if not params.encrypted or self.crypto is None:
            return reply_xml
        return str(self.crypto.encrypt_message(reply_xml, params.nonce, params.timestamp))


TEXT_LIMIT_BYTES = 2048


def coalesce(messages: list[Outgoing], *, limit: int = TEXT_LIMIT_BYTES) -> list[Outgoing]:
    """Join consecutive texts into one bubble while it fits WeChat's limit.

    A passive reply carries one message; anything more costs a customer-service message (5 per resident
    message, only inside the 48 h window). "收到，地点是…" and the next question belong in one bubble.
    """
    joined: list[Outgoing] = []
    for message in messages:
        last = joined[-1] if joined else None
        if isinstance(message, TextMessage) and isinstance(last, TextMessage):
            combined = f"{last.text}\n\n{message.text}"
            if len(combined.encode()) <= limit:
                joined[-1] = TextMessage(combined)
                continue
        joined.append(message)
    return joined


def _render_news(message: NewsMessage) -> str:
    items = "".join(
        f"<item><Title>{_cdata(a.title)}</Title><Description>{_cdata(a.description)}</Description>"
        f"<PicUrl>{_cdata(a.image_url)}</PicUrl><Url>{_cdata(a.url)}</Url></item>"
        for a in message.articles[:8]
    )
    return (f"<MsgType><![CDATA[news]]></MsgType><ArticleCount>{min(len(message.articles), 8)}</ArticleCount>"
            f"<Articles>{items}</Articles>")


def _float(fields: dict[str, str], name: str) -> float:
    try:
        return float(fields[name])
    except (KeyError, ValueError):
        raise MalformedMessage(f"{name} is missing or not a number") from None


def to_update(fields: dict[str, str]) -> Update:
    """Map WeChat's message fields to our channel-neutral :class:`Update`."""
    sender = fields.get("FromUserName", "")
    if not sender:
        raise MalformedMessage("FromUserName is missing")
    msg_type = fields.get("MsgType", "").lower()
    kind = _KINDS.get(msg_type, Kind.UNKNOWN)
    try:
        created = datetime.fromtimestamp(int(fields.get("CreateTime", "0")), UTC)
    except (ValueError, OverflowError):
        raise MalformedMessage("CreateTime is not a timestamp") from None
    if kind is Kind.EVENT:
        message_id = f"{sender}:{fields.get('CreateTime', '')}:{fields.get('Event', '')}"
    else:
        message_id = fields.get("MsgId") or f"{sender}:{fields.get('CreateTime', '')}"
    extra: dict[str, Any] = {}
    if kind is Kind.TEXT:
        extra["text"] = fields.get("Content", "")
    elif kind is Kind.VOICE:
        extra["text"] = fields.get("Recognition", "")
    elif kind is Kind.LOCATION:
        extra["location"] = Location(lat=_float(fields, "Location_X"), lng=_float(fields, "Location_Y"),
                                     crs="gcj02", label=fields.get("Label", ""))
    elif kind is Kind.LINK:
        extra["text"] = fields.get("Title", "")
    elif kind is Kind.EVENT:
        extra["event"] = fields.get("Event", "")
        extra["event_key"] = fields.get("EventKey", "")
        if extra["event"].upper() == "LOCATION":
            # Position reports of the official account arrive in GCJ-02, like location messages.
            extra["location"] = Location(lat=_float(fields, "Latitude"), lng=_float(fields, "Longitude"),
                                         crs="gcj02", precision=float(fields.get("Precision") or 0) or None)
    return Update(resident_id=sender, channel=Channel.OFFICIAL_ACCOUNT, kind=kind, message_id=message_id,
                  time=created, raw=fields, **extra)


__all__ = ["Article", "CallbackParams", "Inbound", "OfficialAccount", "coalesce", "parse_flat_xml", "to_update"]
