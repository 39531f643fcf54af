"""The outbox worker against the local WeChat stand-in (the real push client, the real templates)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.metrics import Metrics
from api.settings import Settings
from api.worker import WorkerServices, run_worker
from bot.courier import MP_SUBSCRIBE_IDS, Courier, fit
from bot.push import WeChatApi
from bot.token_cache import MemoryTokenCache
from cases.models import MpSubscription, OutboxMessage
from cases.outbox import OutboxPolicy, claim_batch
from cases.residents import grant_subscription
from cases.rules import CaseRules
from dialogs.outbox import deliver_batch
from reply_templates import Renderer, default_catalog
from sandbox import SandboxConfig, SandboxState, build_sandbox_routers
from tests.cases.conftest import NOW, file, move_to

pytestmark = pytest.mark.anyio

OA, OA_SECRET, MP, MP_SECRET = "wx_oa_worker", "oa-worker-secret", "wx_mp_worker", "mp-worker-secret"
BASE = "http://wx/sandbox/wechat-api"


@dataclass
class Stand:
    state: SandboxState
    courier: Courier


@pytest.fixture
async def stand() -> AsyncIterator[Stand]:
    state = SandboxState(
        SandboxConfig(
            appid=OA,
            secret=OA_SECRET,
            mp_appid=MP,
            mp_secret=MP_SECRET,
            callback_url="http://127.0.0.1:9/wechat",
            token="t",
            aes_key=None,
        )
    )
    app = FastAPI()
    for router in build_sandbox_routers(state):
        app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://wx") as http:
        cache = MemoryTokenCache()
        courier = Courier(
            oa_api=WeChatApi(base_url=BASE, appid=OA, secret=OA_SECRET, cache=cache, http=http),
            mp_api=WeChatApi(base_url=BASE, appid=MP, secret=MP_SECRET, cache=cache, http=http),
            renderer=Renderer(default_catalog()),
        )
        yield Stand(state=state, courier=courier)


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_fit_makes_fields_one_short_line() -> None:
    assert fit({"a": "第一行\n第二行", "b": "一" * 25}) == {"a": "第一行 第二行", "b": "一" * 19 + "…"}


async def test_follower_gets_template_messages_once(engine: Engine, stand: Stand) -> None:
    stand.state.record_interaction("o-follower", opens_window=True, following=True)
    with Session(engine, expire_on_commit=False) as session:
        case = file(session, openid="o-follower").case
        move_to(session, case.number, "accepted")
    report = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w1", now=NOW)
    assert (report.claimed, report.sent) == (2, 2)
    again = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w1", now=NOW + timedelta(hours=1))
    assert again.claimed == 0
    messages = stand.state.messages("o-follower")
    assert [m["via"] for m in messages] == ["template", "template"]
    assert case.number in messages[0]["text"] and "已受理" in messages[1]["text"]
    assert [(r.state, r.delivered_via) for r in rows(engine)] == [("sent", "template"), ("sent", "template")]


async def test_unfollowed_resident_inside_48h_gets_a_customer_service_message(engine: Engine, stand: Stand) -> None:
    stand.state.record_interaction("o-left", opens_window=True, following=False)
    with Session(engine, expire_on_commit=False) as session:
        case = file(session, openid="o-left").case
    report = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w1", now=NOW)
    assert report.sent == 1
    [message] = stand.state.messages("o-left")
    assert message["via"] == "custom" and case.number in message["text"]
    assert "已提交" in message["text"] and "受理" not in message["text"]  # nobody has accepted it yet
    assert rows(engine)[0].delivered_via == "custom"


async def test_no_channel_left_is_dead_lettered_with_wechats_errors(engine: Engine, stand: Stand) -> None:
    stand.state.record_interaction("o-gone", opens_window=False, following=False)
    with Session(engine, expire_on_commit=False) as session:
        file(session, openid="o-gone")
    report = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w1", now=NOW)
    assert report.dead == 1 and stand.state.messages("o-gone") == []
    [row] = rows(engine)
    assert row.state == "dead" and row.last_error_code == 43004
    assert "43004" in (row.last_error or "") and "45015" in (row.last_error or "")


async def test_a_push_failing_at_the_stand_in_is_retried_then_dead_lettered(engine: Engine, stand: Stand) -> None:
    """Unfollowed, inside the window, but the five customer-service messages are used up: 45047 each time."""
    stand.state.record_interaction("o-busy", opens_window=True, following=False)
    for _ in range(5):
        stand.state.send_custom({"touser": "o-busy", "msgtype": "text", "text": {"content": "之前的消息"}})
    with Session(engine, expire_on_commit=False) as session:
        file(session, openid="o-busy")
    policy = OutboxPolicy(max_attempts=3, base_delay_seconds=10)
    now, states = NOW, []
    for _ in range(3):
        report = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w1", now=now, policy=policy)
        assert report.claimed == 1
        [row] = rows(engine)
        states.append((row.state, row.attempts, row.last_error_code))
        now = row.next_attempt_at
    assert states == [("pending", 1, 45047), ("pending", 2, 45047), ("dead", 3, 45047)]
    assert [m["text"] for m in stand.state.messages("o-busy")] == ["之前的消息"] * 5


async def test_mini_program_subscriber_gets_a_subscribe_message_others_wait_on_the_case_page(
    engine: Engine, stand: Stand
) -> None:
    template_id = MP_SUBSCRIBE_IDS["report.filed_push"]
    stand.state.accept_subscriptions("o-mp-yes", [template_id])
    with Session(engine, expire_on_commit=False) as session:
        grant_subscription(session, openid="o-mp-yes", template_id=template_id, now=NOW)
        file(session, openid="o-mp-yes", channel="mp")
        file(session, openid="o-mp-no", channel="mp", description="路灯坏了", lat=31.3, lng=121.5)
    report = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w1", now=NOW)
    assert (report.sent, report.held) == (1, 1)
    [message] = stand.state.messages("o-mp-yes")
    assert message["via"] == "subscribe" and message["body"]["page"].startswith("pages/case/detail?number=BH")
    by_openid = {r.recipient_openid: r for r in rows(engine)}
    assert by_openid["o-mp-yes"].delivered_via == "subscribe"
    assert by_openid["o-mp-no"].state == "held" and by_openid["o-mp-no"].last_error_code is None
    assert "43101" in (by_openid["o-mp-no"].last_error or "")
    with Session(engine) as session:
        grant = session.exec(select(MpSubscription)).one()
        assert grant.remaining == 0  # the acceptance was spent


async def test_row_of_a_killed_worker_reaches_the_resident_once(engine: Engine, stand: Stand) -> None:
    stand.state.record_interaction("o-k", opens_window=True, following=True)
    with Session(engine, expire_on_commit=False) as session:
        file(session, openid="o-k")
        [leased] = claim_batch(session, worker_id="killed", limit=5, lease_seconds=120, now=NOW)
    assert leased.state == "leased"
    early = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w2", now=NOW + timedelta(seconds=60))
    assert early.claimed == 0
    late = await deliver_batch(engine=engine, courier=stand.courier, worker_id="w2", now=NOW + timedelta(seconds=121))
    assert late.sent == 1
    assert len(stand.state.messages("o-k")) == 1


async def test_run_worker_delivers_and_stops(engine: Engine, stand: Stand) -> None:
    stand.state.record_interaction("o-run", opens_window=True, following=True)
    with Session(engine, expire_on_commit=False) as session:
        file(session, openid="o-run", now=NOW)
    hooks_http = httpx.AsyncClient()  # webhooks: none are queued here
    services = WorkerServices(
        engine=engine,
        settings=Settings(worker_poll_seconds=0.01),
        oa_api=stand.courier.oa_api,
        mp_api=stand.courier.mp_api,
        templates=stand.courier.renderer,
        rules=CaseRules(),
        metrics=Metrics(),
        hooks_http=hooks_http,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(services, stop=stop, worker_id="runner"))
    for _ in range(500):
        if stand.state.messages("o-run"):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    await hooks_http.aclose()
    assert len(stand.state.messages("o-run")) == 1
    assert rows(engine)[0].state == "sent"
    assert b'intake_pushes_total{result="sent"} 1.0' in services.metrics.render()
