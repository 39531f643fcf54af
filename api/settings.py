"""All configuration in one place, read from ``INTAKE_*`` environment variables at start-up.

Nothing here runs at import time: :func:`load_settings` builds a :class:`Settings` in the lifespan or
the CLI, and a bad value stops the start with one line naming the variable.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SANDBOX_APPID = "wx_sandbox_appid_000"
SANDBOX_SECRET = "sandbox-secret-0000000000000000"
SANDBOX_TOKEN = "gongzhi-sandbox-token"
# 43 characters of base64 (no padding) that decode to 32 bytes: the sandbox's EncodingAESKey.
SANDBOX_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SANDBOX_SECRET_KEY = "sandbox-only-secret-key-change-me"


class SettingsError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", frozen=True)

    database_url: str = "sqlite:///./var/intake.db"
    redis_url: str | None = None
    redis_prefix: str = "intake:"

    wechat_token: str = SANDBOX_TOKEN
    wechat_appid: str = SANDBOX_APPID
    wechat_secret: str = SANDBOX_SECRET
    wechat_aes_key: str | None = SANDBOX_AES_KEY
    wechat_api_base: str | None = None
    mp_appid: str = "wx_sandbox_miniprogram"
    mp_secret: str = "sandbox-mp-secret"
    sandbox: bool | None = None

    media_dir: Path = Path("./var/media")
    data_dir: Path = Path("./var/data")
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000

    dialog_ttl_seconds: Annotated[int, Field(ge=60)] = 30 * 60
    reply_budget_seconds: Annotated[float, Field(gt=0, le=4.8)] = 4.0
    location_event_ttl_seconds: Annotated[int, Field(ge=10)] = 5 * 60
    max_body_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024
    # Every request body, before parsing: the default, and per path prefix (JSON), e.g. {"/api/mp/reports": 50000000}.
    # Unset prefixes get room for their photos: reports 9 × max_photo_bytes, chat one photo in base64.
    max_request_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024
    request_limits: dict[str, Annotated[int, Field(ge=1024)]] = Field(default_factory=dict)
    metrics_token: str | None = None  # when set, /metrics needs "Authorization: Bearer <token>"
    max_photo_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    max_photo_pixels: Annotated[int, Field(ge=10_000)] = 24_000_000
    photo_decoders: Annotated[int, Field(ge=1, le=64)] = 2
    timestamp_tolerance_seconds: Annotated[int, Field(ge=10)] = 300
    worker_poll_seconds: Annotated[float, Field(gt=0)] = 1.0
    template_refresh_seconds: Annotated[float, Field(gt=0)] = 1.0

    # WeChat's template ids per push key (JSON), e.g. {"status.changed": "<id from the console>"}.
    push_template_ids: dict[str, str] = Field(default_factory=dict)
    push_subscribe_ids: dict[str, str] = Field(default_factory=dict)

    centre_hotline: str = "0551-12345"
    centre_office_hours: str = "工作日 8:30–12:00、14:00–17:30"
    migrate_on_start: bool = True

    # Other systems: Open311 clients, webhooks to the centre's platform and its signed status calls.
    outbox_retry_base_seconds: Annotated[float, Field(gt=0)] = 30.0
    outbox_max_attempts: Annotated[int, Field(ge=1, le=50)] = 6
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 10.0
    platform_max_body_bytes: Annotated[int, Field(ge=1024)] = 20 * 1024 * 1024

    staff_token_ttl_seconds: Annotated[int, Field(ge=60)] = 12 * 3600
    secret_key: str = SANDBOX_SECRET_KEY

    @field_validator("wechat_aes_key")
    @classmethod
    def _check_aes_key(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) != 43:
            raise ValueError("must be the 43-character EncodingAESKey from the official-account console")
        try:
            raw = base64.b64decode(value + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("is not valid base64") from exc
        if len(raw) != 32:
            raise ValueError("must decode to 32 bytes")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _sandbox_default(self) -> Settings:
        if self.sandbox is None:
            object.__setattr__(self, "sandbox", self.wechat_secret == SANDBOX_SECRET)
        if not self.sandbox and self.wechat_secret == SANDBOX_SECRET:
            raise ValueError("INTAKE_WECHAT_SECRET must be set when INTAKE_SANDBOX is off")
        if not self.sandbox and (self.secret_key == SANDBOX_SECRET_KEY or len(self.secret_key) < 32):
            raise ValueError("INTAKE_SECRET_KEY must be set to 32 or more random characters outside the sandbox")
        return self

    @property
    def sandbox_on(self) -> bool:
        return bool(self.sandbox)

    @property
    def api_base(self) -> str:
        """Where WeChat's server API lives: the real one, or the local stand-in while sandboxed."""
        if self.wechat_api_base:
            return self.wechat_api_base.rstrip("/")
        if self.sandbox_on:
            return self.public_url.rstrip("/") + "/sandbox/wechat-api"
        return "https://api.weixin.qq.com"


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment (and explicit overrides), or raise one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:  # a rule across settings: its message names the variable
            raise SettingsError(message) from None
        raise SettingsError(f"INTAKE_{str(first['loc'][0]).upper()}: {message}") from None
