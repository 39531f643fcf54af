"""The stand-in's wire helpers: Tencent's published crypto vectors, and WeChat's three modes end to end."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from sandbox import wire

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "wechat_crypto.json").read_text("utf-8"))
DECRYPT_SAMPLES = ["official_account_decrypt_sample", "official_account_decrypt_sample_2"]
TOKEN, AES_KEY, APPID, ACCOUNT = "wire-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx_wire", "gh_wire"


@pytest.mark.parametrize("name", DECRYPT_SAMPLES)
def test_published_samples_verify_and_decrypt(name: str) -> None:
    sample = VECTORS[name]
    assert wire.signature(sample["token"], sample["timestamp"], sample["nonce"], sample["encrypt"]) == (
        sample["msg_signature"]
    )
    assert wire.decrypt(sample["encrypt"], aes_key=sample["aes"], appid=sample["appid"]) == (
        sample["decrypted_plaintext"]
    )


def test_published_sample_has_the_published_random_prefix() -> None:
    sample = VECTORS["official_account_decrypt_sample"]
    key = base64.b64decode(sample["aes"] + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    raw = decryptor.update(base64.b64decode(sample["encrypt"])) + decryptor.finalize()
    assert raw[:16].decode("ascii") == sample["decrypted_random16"]
    assert raw[16 + 4 : -raw[-1]].endswith(sample["decrypted_appid"].encode())


def test_published_sample_reply_envelope_opens() -> None:
    sample = VECTORS["official_account_decrypt_sample"]
    envelope = (
        f"<xml><Encrypt><![CDATA[{sample['encrypt']}]]></Encrypt>"
        f"<MsgSignature><![CDATA[{sample['msg_signature']}]]></MsgSignature>"
        f"<TimeStamp>{sample['timestamp']}</TimeStamp><Nonce><![CDATA[{sample['nonce']}]]></Nonce></xml>"
    )
    opened = wire.open_reply(envelope, token=sample["token"], aes_key=sample["aes"], appid=sample["appid"])
    assert opened == sample["decrypted_plaintext"]
    with pytest.raises(InvalidSignatureException):
        wire.open_reply(envelope, token="another-token", aes_key=sample["aes"], appid=sample["appid"])
    with pytest.raises(InvalidAppIdException):
        wire.open_reply(envelope, token=sample["token"], aes_key=sample["aes"], appid="wx_someone_else")


@pytest.mark.parametrize(("message", "cipher"), [("msg1", "cipher1"), ("msg2", "cipher2")])
def test_encryption_with_a_fixed_random_prefix_reproduces_the_published_ciphertext(
    message: str, cipher: str
) -> None:
    sample = VECTORS["official_account_encrypt_fixed_random"]
    encrypted = wire.encrypt(sample[message], aes_key=sample["aes"], appid=sample["appid"],
                             random16=sample["random"])
    assert encrypted == sample[cipher]
    assert wire.decrypt(encrypted, aes_key=sample["aes"], appid=sample["appid"]) == sample[message]


def test_text_message_is_laid_out_like_wechat() -> None:
    xml = wire.text_message(ACCOUNT, "o_resident", "小区门口<垃圾>没人清", msg_id=6054768590064713728,
                            create_time=1409735668)
    assert xml == (
        "<xml><ToUserName><![CDATA[gh_wire]]></ToUserName><FromUserName><![CDATA[o_resident]]></FromUserName>"
        "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[小区门口<垃圾>没人清]]></Content><MsgId>6054768590064713728</MsgId></xml>"
    )
    parsed = parse_message(xml)
    assert (parsed.type, parsed.content, parsed.id) == ("text", "小区门口<垃圾>没人清", 6054768590064713728)


def test_location_message_puts_latitude_in_location_x() -> None:
    parsed = parse_message(wire.location_message(ACCOUNT, "o_resident", lat=31.8206, lng=117.2272, label="合肥"))
    assert parsed.type == "location"
    assert tuple(map(float, parsed.location)) == (31.8206, 117.2272)
    assert parsed.label == "合肥"


def test_events_parse_with_wechatpy() -> None:
    click = parse_message(wire.event_message(ACCOUNT, "o_resident", "CLICK", key="REPORT"))
    assert (click.type, click.event, click.key) == ("event", "click", "REPORT")
    where = parse_message(wire.event_message(ACCOUNT, "o_resident", "LOCATION", lat=31.8, lng=117.2,
                                             precision=30.0))
    assert (where.latitude, where.longitude) == (31.8, 117.2)


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_sealed_message_passes_wechatpy_checks_in_every_mode(mode: wire.Mode) -> None:
    xml = wire.text_message(ACCOUNT, "o_resident", "路灯坏了")
    signed = wire.seal(xml, token=TOKEN, openid="o_resident", mode=mode, aes_key=AES_KEY, appid=APPID)
    params = signed.params
    check_signature(TOKEN, params["signature"], params["timestamp"], params["nonce"])
    assert params["openid"] == "o_resident"
    if mode == "plain":
        assert "encrypt_type" not in params
        assert signed.body.decode() == xml
        return
    assert params["encrypt_type"] == "aes"
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    plaintext = crypto.decrypt_message(signed.body, params["msg_signature"], params["timestamp"], params["nonce"])
    assert plaintext == xml
    fields = wire.parse(signed.body)
    assert fields["ToUserName"] == ACCOUNT
    assert ("Content" in fields) is (mode == "compat")


def test_tampered_message_fails_the_signature_check() -> None:
    signed = wire.seal(wire.text_message(ACCOUNT, "o", "x"), token=TOKEN, openid="o", aes_key=AES_KEY,
                       appid=APPID)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    with pytest.raises(InvalidSignatureException):
        crypto.decrypt_message(signed.body, "0" * 40, signed.params["timestamp"], signed.params["nonce"])


def test_reply_round_trip_in_safe_mode() -> None:
    reply = TextReply(source=ACCOUNT, target="o_resident", content="已收到，谢谢").render()
    envelope = WeChatCrypto(TOKEN, AES_KEY, APPID).encrypt_message(reply, "12345", "1700000000")
    opened = wire.open_reply(envelope, token=TOKEN, aes_key=AES_KEY, appid=APPID)
    assert opened is not None
    assert wire.parse(opened)["Content"] == "已收到，谢谢"
    assert wire.open_reply("success", token=TOKEN, aes_key=AES_KEY, appid=APPID) is None
    assert wire.open_reply(b"", token=TOKEN, aes_key=AES_KEY, appid=APPID) is None
    with pytest.raises(ValueError):
        wire.open_reply(reply, token=TOKEN, mode="safe", aes_key=AES_KEY, appid=APPID)
    assert wire.open_reply(reply, token=TOKEN, mode="compat", aes_key=AES_KEY, appid=APPID) == reply


def test_parse_refuses_entities() -> None:
    hostile = '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'
    with pytest.raises(ValueError):
        wire.parse(hostile)
