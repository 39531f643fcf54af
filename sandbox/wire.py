"""What WeChat puts on the wire towards a callback, and how it reads the answer; pure functions.

Messages are built field by field in WeChat's order (``ToUserName`` is the account's original id,
``FromUserName`` the resident's openid). :func:`seal` signs (and, in ``safe`` / ``compat`` mode,
encrypts with wechatpy's :class:`~wechatpy.crypto.WeChatCrypto`) the way WeChat does::

    plain   ?signature&timestamp&nonce&openid                      body: the message XML
    compat  ?signature&timestamp&nonce&openid&encrypt_type=aes&msg_signature
                                                                   body: the message XML + <Encrypt>
    safe    (same query as compat)                                 body: <ToUserName> + <Encrypt> only

:func:`open_reply` verifies and decrypts a passive reply. Tests of ``/wechat`` reuse all of this.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

Mode = Literal["plain", "compat", "safe"]
Scalar = str | int | float

_NUMERIC = frozenset({"CreateTime", "MsgId", "Location_X", "Location_Y", "Scale", "Latitude", "Longitude",
                      "Precision", "ArticleCount"})


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render(fields: Mapping[str, Scalar | None]) -> str:
    """``<xml>`` with one element per field, in the given order: text in CDATA, numbers bare."""
    parts = ["<xml>"]
    for name, value in fields.items():
        if value is None:
            continue
        if name in _NUMERIC and not isinstance(value, str):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            parts.append(f"<{name}>{cdata(str(value))}</{name}>")
    parts.append("</xml>")
    return "".join(parts)


def new_msg_id() -> int:
    """A 64-bit message id like WeChat's (19 digits)."""
    return 6_000_000_000_000_000_000 + secrets.randbelow(3_000_000_000_000_000_000)


def _head(account_id: str, openid: str, msg_type: str, create_time: int | None) -> dict[str, Scalar | None]:
    return {
        "ToUserName": account_id,
        "FromUserName": openid,
        "CreateTime": int(time.time()) if create_time is None else create_time,
        "MsgType": msg_type,
    }


def text_message(
    account_id: str, openid: str, content: str, *, msg_id: int | None = None, create_time: int | None = None
) -> str:
    fields = _head(account_id, openid, "text", create_time)
    fields |= {"Content": content, "MsgId": msg_id or new_msg_id()}
    return render(fields)


def image_message(
    account_id: str,
    openid: str,
    *,
    pic_url: str,
    media_id: str,
    msg_id: int | None = None,
    create_time: int | None = None,
) -> str:
    fields = _head(account_id, openid, "image", create_time)
    fields |= {"PicUrl": pic_url, "MsgId": msg_id or new_msg_id(), "MediaId": media_id}
    return render(fields)


def voice_message(
    account_id: str,
    openid: str,
    *,
    media_id: str,
    recognition: str | None,
    fmt: str = "amr",
    msg_id: int | None = None,
    create_time: int | None = None,
) -> str:
    fields = _head(account_id, openid, "voice", create_time)
    fields |= {"MediaId": media_id, "Format": fmt, "MsgId": msg_id or new_msg_id()}
    fields["Recognition"] = recognition
    return render(fields)


def location_message(
    account_id: str,
    openid: str,
    *,
    lat: float,
    lng: float,
    label: str = "",
    scale: int = 15,
    msg_id: int | None = None,
    create_time: int | None = None,
) -> str:
    """A location the resident picked on the map: ``Location_X`` is the latitude (GCJ-02)."""
    fields = _head(account_id, openid, "location", create_time)
    fields |= {"Location_X": lat, "Location_Y": lng, "Scale": scale, "Label": label,
               "MsgId": msg_id or new_msg_id()}
    return render(fields)


def event_message(
    account_id: str,
    openid: str,
    event: str,
    *,
    key: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    precision: float | None = None,
    create_time: int | None = None,
) -> str:
    """An event (no MsgId: WeChat dedupes events by FromUserName + CreateTime)."""
    fields = _head(account_id, openid, "event", create_time)
    fields["Event"] = event
    if event == "LOCATION":
        fields |= {"Latitude": lat, "Longitude": lng, "Precision": precision}
    elif event in ("subscribe", "unsubscribe"):
        fields["EventKey"] = key or ""
    else:
        fields["EventKey"] = key
    return render(fields)


# --- signing and encryption ---


def signature(token: str, *parts: str) -> str:
    """SHA-1 of the sorted, concatenated parts: WeChat's ``signature`` and ``msg_signature``."""
    signer = WeChatSigner()
    signer.add_data(token, *parts)
    return str(signer.signature)


class _FixedRandomPrp(PrpCrypto):
    def __init__(self, key: bytes, random16: str) -> None:
        super().__init__(key)
        self._random16 = random16

    def get_random_string(self) -> str:
        return self._random16


def encrypt(plaintext: str, *, aes_key: str, appid: str, random16: str | None = None) -> str:
    """WeChat's AES-256-CBC envelope (random16 + length + text + appid), base64; ``random16`` for vectors."""
    key = base64.b64decode(aes_key + "=")
    crypto = PrpCrypto(key) if random16 is None else _FixedRandomPrp(key, random16)
    return str(crypto.encrypt(plaintext, appid).decode("ascii"))


def decrypt(ciphertext: str, *, aes_key: str, appid: str) -> str:
    """The plaintext of an envelope; raises wechatpy's ``InvalidAppIdException`` for another appid."""
    return str(PrpCrypto(base64.b64decode(aes_key + "=")).decrypt(ciphertext, appid))


@dataclass(frozen=True)
class Signed:
    """One inbound request as WeChat would make it: query parameters and body."""

    params: dict[str, str]
    body: bytes


def seal(
    xml: str,
    *,
    token: str,
    openid: str,
    mode: Mode = "safe",
    aes_key: str | None = None,
    appid: str | None = None,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> Signed:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    params = {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "openid": openid}
    if mode == "plain":
        return Signed(params=params, body=xml.encode("utf-8"))
    if aes_key is None or appid is None:
        raise ValueError(f"{mode} mode needs aes_key and appid")
    encrypted = encrypt(xml, aes_key=aes_key, appid=appid)
    params |= {"encrypt_type": "aes", "msg_signature": signature(token, timestamp, nonce, encrypted)}
    if mode == "compat":
        body = xml.removesuffix("</xml>") + f"<Encrypt>{cdata(encrypted)}</Encrypt></xml>"
    else:
        to_user = parse(xml).get("ToUserName", "")
        body = (
            f"<xml><ToUserName>{cdata(str(to_user))}</ToUserName>"
            f"<Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        )
    return Signed(params=params, body=body.encode("utf-8"))


def parse(xml: str | bytes) -> dict[str, Any]:
    """The fields of a WeChat XML document (no DTDs, no entities)."""
    if isinstance(xml, bytes):
        xml = xml.decode("utf-8")
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        raise ValueError("DTDs and entities are not WeChat XML")
    document = xmltodict.parse(xml, disable_entities=True)
    root = document.get("xml")
    if not isinstance(root, dict):
        raise ValueError("not a WeChat <xml> document")
    return root


def open_reply(
    body: bytes | str,
    *,
    token: str,
    mode: Mode = "safe",
    aes_key: str | None = None,
    appid: str | None = None,
) -> str | None:
    """The plaintext XML of a passive reply, verified; ``None`` for ``success`` or an empty answer.

    Raises wechatpy's ``InvalidSignatureException`` / ``InvalidAppIdException``, or ``ValueError`` for a
    reply WeChat could not read (plaintext in safe mode, not XML).
    """
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    if text.strip() in ("", "success"):
        return None
    fields = parse(text)
    if "Encrypt" not in fields:
        if mode == "safe":
            raise ValueError("a plaintext reply in safe mode")
        return text
    if aes_key is None or appid is None:
        raise ValueError("an encrypted reply without aes_key and appid")
    crypto = WeChatCrypto(token, aes_key, appid)
    names = ("MsgSignature", "TimeStamp", "Nonce")
    signature_, timestamp, nonce = (str(fields.get(name, "")) for name in names)
    plaintext = crypto.decrypt_message(text, signature_, timestamp, nonce)
    return str(plaintext)

