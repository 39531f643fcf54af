"""The official-account channel: published crypto vectors, the three modes, every kind, hostile input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.channels.official_account import CallbackParams, OfficialAccount, parse_flat_xml
from bot.errors import BadSignature, MalformedMessage, StaleRequest
from bot.types import Kind, TextMessage

VECTORS = json.loads((Path(__file__).parent / "data" / "wechat_crypto.json").read_text())
TOKEN, APPID, AES = "tok", "wx_test_appid", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def params(timestamp: str | None = None, nonce: str = "n0nce", **extra: str) -> CallbackParams:
    ts = timestamp or str(int(time.time()))
    return CallbackParams(signature=sign(TOKEN, ts, nonce), timestamp=ts, nonce=nonce, **extra)


def message(kind: str, body: str, msg_id: str = "1001") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[o-resident]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
            f"{body}<MsgId>{msg_id}</MsgId></xml>")


@pytest.mark.parametrize("name", ["official_account_decrypt_sample", "official_account_decrypt_sample_2"])
def test_published_samples_decrypt_to_their_plaintext(name: str) -> None:
    v = VECTORS[name]
    channel = OfficialAccount(token=v["token"], appid=v["appid"], aes_key=v["aes"])
    body = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{v['encrypt']}]]></Encrypt></xml>"
    query = CallbackParams(signature=sign(v["token"], v["timestamp"], v["nonce"]), timestamp=v["timestamp"],
                           nonce=v["nonce"], encrypt_type="aes", msg_signature=v["msg_signature"])
    inbound = channel.read(body.encode(), query, now=float(v["timestamp"]))
    assert inbound.fields == parse_flat_xml(v["decrypted_plaintext"])
    assert inbound.update.text == "abcdteT"
    assert inbound.update.resident_id == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"


def test_plaintext_text_message_becomes_an_update() -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=None)
    inbound = channel.read(message("text", "<Content><![CDATA[路灯坏了]]></Content>").encode(), params())
    assert inbound.update.kind is Kind.TEXT
    assert inbound.update.text == "路灯坏了"
    assert inbound.update.message_id == "1001"
    assert inbound.account_id == "gh_account"


def test_safe_mode_round_trip_with_wechatpy_as_the_sender() -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=AES)
    wechat = WeChatCrypto(TOKEN, AES, APPID)
    ts, nonce = str(int(time.time())), "12345"
    sealed = wechat.encrypt_message(message("text", "<Content><![CDATA[井盖丢了]]></Content>"), nonce, ts)
    outer = parse_flat_xml(sealed)
    query = CallbackParams(signature=sign(TOKEN, ts, nonce), timestamp=ts, nonce=nonce, encrypt_type="aes",
                           msg_signature=outer["MsgSignature"])
    body = f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><Encrypt><![CDATA[{outer['Encrypt']}]]></Encrypt></xml>"
    inbound = channel.read(body.encode(), query)
    assert inbound.update.text == "井盖丢了"
    reply = channel.render_reply(TextMessage("收到，谢谢您"), to_user="o-resident", from_user="gh_account")
    sealed_reply = parse_flat_xml(channel.seal(reply, query))
    plain = wechat.decrypt_message(sealed_reply, sealed_reply["MsgSignature"], sealed_reply["TimeStamp"],
                                   sealed_reply["Nonce"])
    assert parse_flat_xml(plain)["Content"] == "收到，谢谢您"


def test_compatible_mode_uses_the_encrypted_copy() -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=AES)
    wechat = WeChatCrypto(TOKEN, AES, APPID)
    ts, nonce = str(int(time.time())), "777"
    outer = parse_flat_xml(wechat.encrypt_message(message("text", "<Content><![CDATA[真的]]></Content>"), nonce, ts))
    body = message("text", f"<Content><![CDATA[明文]]></Content><Encrypt><![CDATA[{outer['Encrypt']}]]></Encrypt>")
    query = CallbackParams(signature=sign(TOKEN, ts, nonce), timestamp=ts, nonce=nonce, encrypt_type="aes",
                           msg_signature=outer["MsgSignature"])
    assert channel.read(body.encode(), query).update.text == "真的"


@pytest.mark.parametrize(
    ("kind", "body", "check"),
    [
        ("image", "<PicUrl><![CDATA[http://x/p.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>",
         lambda u: u.kind is Kind.IMAGE and u.raw["MediaId"] == "m1"),
        ("voice", "<MediaId><![CDATA[v]]></MediaId><Format><![CDATA[amr]]></Format>"
                  "<Recognition><![CDATA[门口垃圾没人收]]></Recognition>",
         lambda u: u.kind is Kind.VOICE and u.text == "门口垃圾没人收"),
        ("location", "<Location_X>31.8206</Location_X><Location_Y>117.3056</Location_Y><Scale>15</Scale>"
                     "<Label><![CDATA[合肥市包河区春晖路]]></Label>",
         lambda u: u.location.lat == 31.8206 and u.location.lng == 117.3056 and u.location.crs == "gcj02"),
        ("shortvideo", "<MediaId><![CDATA[v]]></MediaId>", lambda u: u.kind is Kind.VIDEO),
        ("link", "<Title><![CDATA[文章]]></Title><Url><![CDATA[http://x]]></Url>", lambda u: u.kind is Kind.LINK),
    ],
)
def test_every_message_kind_is_mapped(kind: str, body: str, check: object) -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=None)
    update = channel.read(message(kind, body).encode(), params()).update
    assert check(update)  # type: ignore[operator]


def test_events_are_identified_by_sender_and_time() -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=None)
    body = ("<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName><CreateTime>1700000000</CreateTime>"
            "<MsgType>event</MsgType><Event>LOCATION</Event><Latitude>31.8</Latitude><Longitude>117.3</Longitude>"
            "<Precision>30.0</Precision></xml>")
    update = channel.read(body.encode(), params()).update
    assert update.kind is Kind.EVENT and update.event == "LOCATION"
    assert update.message_id == "o-1:1700000000:LOCATION"
    assert update.location is not None and update.location.precision == 30.0


def test_wrong_signature_is_refused() -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=None)
    bad = CallbackParams(signature="0" * 40, timestamp=str(int(time.time())), nonce="n")
    with pytest.raises(BadSignature):
        channel.read(message("text", "<Content>x</Content>").encode(), bad)


def test_replayed_timestamp_is_refused() -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=None)
    with pytest.raises(StaleRequest):
        channel.read(message("text", "<Content>x</Content>").encode(), params(str(int(time.time()) - 301)))


def test_tampered_ciphertext_is_refused() -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=AES)
    wechat = WeChatCrypto(TOKEN, AES, APPID)
    ts, nonce = str(int(time.time())), "1"
    outer = parse_flat_xml(wechat.encrypt_message(message("text", "<Content>x</Content>"), nonce, ts))
    forged = outer["Encrypt"][:-8] + "AAAAAAA="
    query = CallbackParams(signature=sign(TOKEN, ts, nonce), timestamp=ts, nonce=nonce, encrypt_type="aes",
                           msg_signature=outer["MsgSignature"])
    with pytest.raises(BadSignature):
        channel.read(f"<xml><Encrypt>{forged}</Encrypt></xml>".encode(), query)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml>&lol2;</xml>',
        b'<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
        b"<xml><Content>unclosed</xml>",
        b"not xml at all",
        b"<html><body/></html>",
        b"<xml>" + b"<Content>x</Content>" * 60000 + b"</xml>",
    ],
)
def test_hostile_or_broken_xml_is_refused(body: bytes) -> None:
    channel = OfficialAccount(token=TOKEN, appid=APPID, aes_key=None)
    with pytest.raises(MalformedMessage):
        channel.read(body, params())


def test_consecutive_texts_share_one_bubble_within_the_limit() -> None:
    from bot.channels.official_account import coalesce
    from bot.types import ImageMessage

    joined = coalesce([TextMessage("收到，地点是星河雅居。"), TextMessage("方便留个电话吗？"), ImageMessage("m"),
                       TextMessage("a" * 2000), TextMessage("b" * 100)])
    assert joined == [TextMessage("收到，地点是星河雅居。\n\n方便留个电话吗？"), ImageMessage("m"),
                      TextMessage("a" * 2000), TextMessage("b" * 100)]
