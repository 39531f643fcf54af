"""Faults under a stream of residents: Redis restarted (losing every key), PostgreSQL stopped and started.

Residents write through the WeChat stand-in (safe mode, signed, to ``/wechat``) while the faults happen
on private, throw-away servers. Whatever happens, each message gets a polite answer (never a 500, never
silence), a half-finished report outlives the Redis restart, and every resident who pressed 确认 ends up
with exactly one case.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from benchmarks.servers import ThrowawayPostgres, ThrowawayRedis
from reply_templates import default_catalog

SCRIPT = ("星河雅居门口垃圾三天没人收了", "保密", "确认")  # describe; at the summary ask for 保密; confirm
APOLOGIES = {default_catalog().get(key).body.strip() for key in ("system.busy", "system.error")}
RESIDENTS = [f"o-fault-{n}" for n in range(8)]


@pytest.fixture
def servers() -> Iterator[tuple[ThrowawayRedis, ThrowawayPostgres]]:
    if not (shutil.which("redis-server") and shutil.which("pg_ctl") and shutil.which("initdb")):
        pytest.skip("redis-server and PostgreSQL's pg_ctl/initdb are needed for private servers")
    redis, postgres = ThrowawayRedis(), ThrowawayPostgres()
    try:
        redis.start()
        postgres.start()
        yield redis, postgres
    finally:
        redis.close()
        postgres.close()


class Resident:
    def __init__(self, client: TestClient, openid: str) -> None:
        self.client = client
        self.openid = openid
        self.step = 0
        self.filed: list[str] = []
        self.apologies = 0

    @property
    def done(self) -> bool:
        return self.step == len(SCRIPT)

    def send_next(self) -> str:
        """Send the next message of the script; an apology means "send it again later"."""
        response = self.client.post(f"/sandbox/api/residents/{self.openid}/send",
                                    json={"kind": "text", "content": SCRIPT[self.step]})
        assert response.status_code == 200, response.text  # the callback answered 200, readable
        reply = response.json()["reply"]
        assert isinstance(reply, dict) and reply.get("Content"), f"{self.openid} got no answer: {reply!r}"
        text = str(reply["Content"])
        if text.strip() in APOLOGIES:
            self.apologies += 1
            return text
        if SCRIPT[self.step] == "确认":
            assert "BH" in text, text  # its number (or the number of the case it joined)
            self.filed.append(text)
        self.step += 1
        return text


@pytest.mark.postgres
def test_redis_restart_and_postgres_outage_lose_no_report_and_file_none_twice(
    servers: tuple[ThrowawayRedis, ThrowawayPostgres], tmp_path: Path
) -> None:
    redis, postgres = servers
    settings = Settings(database_url=postgres.url, redis_url=redis.url, redis_prefix=f"fault-{uuid.uuid4().hex}:",
                        media_dir=tmp_path / "media", data_dir=tmp_path / "data", template_refresh_seconds=0.2)
    with TestClient(create_app(settings)) as client:
        residents = [Resident(client, openid) for openid in RESIDENTS]
        for resident in residents:  # every report begun, each draft now only in Redis + its database copy
            resident.send_next()

        redis.stop()  # messages while Redis is away: a polite "please send again", nothing handled
        for resident in residents[:3]:
            assert resident.send_next().strip() in APOLOGIES
        redis.start()  # empty: no persistence
        for resident in residents:  # the drafts come back from the database: 保密 is read against them
            assert "请确认" in resident.send_next()

        postgres.stop()  # half the residents press 确认 while the database is away
        for resident in residents:
            if not resident.done:
                resident.send_next()
        postgres.start()

        for _ in range(4):  # the apologised-to send again, as the apology asks
            for resident in residents:
                if not resident.done:
                    resident.send_next()

    assert all(r.done for r in residents), [(r.openid, r.step) for r in residents]
    assert sum(r.apologies for r in residents) >= 3
    assert all(len(r.filed) == 1 for r in residents)
    plain = postgres.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        rows = conn.execute("SELECT r.openid, count(*) FROM cases c JOIN residents r ON r.id = c.resident_id "
                            "GROUP BY r.openid").fetchall()
    assert dict(rows) == {openid: 1 for openid in RESIDENTS}


def test_mini_program_chat_answers_politely_while_redis_is_away(tmp_path: Path) -> None:
    redis = ThrowawayRedis()
    settings = Settings(database_url=f"sqlite:///{tmp_path}/mp.db", redis_url=redis.url, redis_prefix="mp-fault:",
                        media_dir=tmp_path / "media", data_dir=tmp_path / "data")
    try:
        redis.start()
        with TestClient(create_app(settings)) as client:
            code = client.post("/sandbox/api/mp/code", json={"openid": "o-mp-fault"}).json()["code"]
            token = client.post("/api/mp/login", json={"code": code}).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            assert client.post("/api/mp/chat", json={"kind": "text", "text": "星河雅居门口垃圾三天没人收了"},
                               headers=headers).status_code == 200
            redis.stop()
            response = client.post("/api/mp/chat", json={"kind": "text", "text": "跳过"}, headers=headers)
            assert response.status_code == 200
            [message] = response.json()["messages"]
            assert message["text"].strip() in APOLOGIES
    finally:
        redis.close()
