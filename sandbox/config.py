"""The stand-in's configuration (our accounts and callback, WeChat's limits) and the errors it answers with."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

import httpx

DAY = 24 * 3600.0


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the stand-in needs to know about our accounts and our callback."""

    appid: str
    secret: str
    mp_appid: str
    mp_secret: str
    callback_url: str
    token: str
    aes_key: str | None
    account_id: str = "gh_5a7d0b1c2e3f"  # the official account's original id (ToUserName)
    public_url: str | None = None  # where the stand-in is served; default: callback_url minus "/wechat"
    encrypt_mode: Literal["safe", "compat", "plain"] = "safe"
    callback_transport: httpx.AsyncBaseTransport | None = None
    callback_timeout: float = 5.0
    callback_retries: int = 2  # WeChat tries 3 times in all when it gets no answer in 5 s
    token_ttl: int = 7200
    token_overlap: float = 300.0  # after cgi-bin/token issues a new token the old one lives 5 more minutes
    service_window: float = 2 * DAY
    service_quota: int = 5
    media_ttl: float = 3 * DAY
    code_ttl: float = 300.0

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return self.callback_url.rstrip("/").removesuffix("/wechat")

    @property
    def mode(self) -> Literal["safe", "compat", "plain"]:
        return self.encrypt_mode if self.aes_key else "plain"


class WeChatFault(Exception):
    """An answer WeChat gives as ``{"errcode": …, "errmsg": …}`` (with HTTP 200, as WeChat does)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    def body(self) -> dict[str, Any]:
        rid = "-".join(secrets.token_hex(4) for _ in range(3))
        return {"errcode": self.errcode, "errmsg": f"{self.errmsg} rid: {rid}"}
