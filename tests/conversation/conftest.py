"""Whole conversations as residents hold them: through ``/wechat`` in safe mode, and the mini-program chat.

The resident writes through the WeChat stand-in's resident side (XML built, AES-encrypted and signed as
WeChat does, posted to ``/wechat``; the passive reply decrypted). What the resident was told is asserted
by the reply templates rendered for each message (the real renderer, keys noted as it renders) and by
the texts; what was filed is read from the database.
"""

from __future__ import annotations

import base64
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from api.app import create_app
from api.settings import Settings
from cases.models import Case
from cases.models import Resident as ResidentRow

_residents = itertools.count(1)


@dataclass
class Turn:
    keys: list[str]
    text: str

    @property
    def key(self) -> str:
        return self.keys[-1] if self.keys else ""

    def __contains__(self, key: str) -> bool:
        return key in self.keys


@dataclass
class Recorder:
    """Wraps the app's renderer: every key rendered while a message is handled."""

    inner: Any
    keys: list[str] = field(default_factory=list)

    def __call__(self, key: str, **variables: Any) -> str:
        self.keys.append(key)
        return str(self.inner(key, **variables))


@dataclass
class App:
    client: TestClient
    recorder: Recorder

    @property
    def services(self) -> Any:
        return self.client.app.state.services  # type: ignore[attr-defined]

    def cases(self, openid: str) -> list[Case]:
        with Session(self.services.engine) as session:
            query = (select(Case).join(ResidentRow, ResidentRow.id == Case.resident_id)  # type: ignore[arg-type]
                     .where(ResidentRow.openid == openid).order_by(Case.id))  # type: ignore[arg-type]
            return list(session.exec(query))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    tmp: Path = tmp_path_factory.mktemp("conversation")
    settings = Settings(database_url=f"sqlite:///{tmp}/talk.db", media_dir=tmp / "media", data_dir=tmp / "data",
                        worker_poll_seconds=0.2)
    with TestClient(create_app(settings)) as client:
        templates = client.app.state.services.templates  # type: ignore[attr-defined]
        recorder = Recorder(templates.render)
        templates.render = recorder  # the dialogs hold this very renderer
        yield App(client, recorder)


def jpeg(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Resident:
    """One resident on the official account (``/wechat``, safe mode) or in the mini-program chat."""

    app: App
    openid: str
    mini_program: bool = False
    log: list[tuple[str, Turn]] = field(default_factory=list)
    _headers: dict[str, str] = field(default_factory=dict)

    def _login(self) -> dict[str, str]:
        if not self._headers:
            client = self.app.client
            code = client.post("/sandbox/api/mp/code", json={"openid": self.openid}).json()["code"]
            token = client.post("/api/mp/login", json={"code": code}).json()["token"]
            self._headers = {"Authorization": f"Bearer {token}"}
        return self._headers

    def form(self, **fields: str) -> tuple[Turn, dict[str, Any]]:
        """Submit the mini-program's report form; the turn holds the receipt's messages."""
        self.app.recorder.keys.clear()
        response = self.app.client.post("/api/mp/reports", headers=self._login(), data=fields)
        assert response.status_code == 201, response.text
        receipt: dict[str, Any] = response.json()
        turn = Turn(list(self.app.recorder.keys), "\n".join(receipt["messages"]))
        self.log.append((f"[表单] {fields.get('description', '')}", turn))
        return turn, receipt

    def _send(self, shown: str, **message: Any) -> Turn:
        self.app.recorder.keys.clear()
        client = self.app.client
        if self.mini_program:
            self._login()
            if "content" in message:
                message["text"] = message.pop("content")
            if "image_base64" in message:
                message["kind"] = "image"
            response = client.post("/api/mp/chat", json=message, headers=self._headers)
            assert response.status_code == 200, response.text
            text = "\n".join(m.get("text") or "" for m in response.json()["messages"])
        else:
            response = client.post(f"/sandbox/api/residents/{self.openid}/send", json=message)
            assert response.status_code == 200, response.text
            reply = response.json()["reply"]
            text = str(reply.get("Content", "")) if isinstance(reply, dict) else str(reply or "")
        turn = Turn(list(self.app.recorder.keys), text)
        self.log.append((shown, turn))
        return turn

    def say(self, text: str) -> Turn:
        return self._send(text, kind="text", content=text)

    def voice(self, recognition: str) -> Turn:
        return self._send(f"[语音] {recognition}", kind="voice", recognition=recognition)

    def photo(self, colour: str = "red") -> Turn:
        return self._send("[照片]", kind="image", image_base64=base64.b64encode(jpeg(colour)).decode())

    def pin(self, lat: float, lng: float, label: str = "") -> Turn:
        return self._send(f"[位置] {label}", kind="location", lat=lat, lng=lng, label=label)

    def click(self, key: str) -> Turn:
        return self._send(f"[菜单] {key}", kind="event", event="CLICK", key=key)

    def cases(self) -> list[Case]:
        return self.app.cases(self.openid)

    def transcript(self) -> str:
        lines: list[str] = []
        for shown, turn in self.log:
            lines.append(f"居民：{shown}")
            lines.extend(f"共治：{line}" for line in turn.text.splitlines() if line.strip())
        return "\n".join(lines)


def check_case(case: Case, *, category: str, grid: str, address: str, phone: str | None = None,
               urgent: bool = False, appeal: str = "complaint") -> None:
    """What staff will read of a filed case: its category (minor), place (grid), address text, phone, urgent
    flag and appeal type (诉求类型, a ``cases.AppealType`` code)."""
    found = {"category": case.minor_name, "grid": case.grid_name, "address": case.address, "phone": case.phone,
             "urgent": case.urgent, "appeal": case.appeal_type}
    assert found == {"category": category, "grid": grid, "address": address, "phone": phone, "urgent": urgent,
                     "appeal": appeal}


@pytest.fixture
def resident(app: App) -> Resident:
    return Resident(app, f"o-talk-{next(_residents)}")


@pytest.fixture
def mp_resident(app: App) -> Resident:
    return Resident(app, f"o-mp-{next(_residents)}", mini_program=True)
