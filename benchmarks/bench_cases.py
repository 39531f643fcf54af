"""Cases: filing throughput (cases/s) on SQLite and PostgreSQL, and the outbox delivery rate against the
local WeChat stand-in (pushes/s, real push client and templates, the stand-in reached in-process).

PostgreSQL is the server of ``INTAKE_TEST_DATABASE_URL`` (default postgres@127.0.0.1:5432); a throw-away
database is created and dropped. It is skipped with a note when the server is not reachable.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.db import make_engine
from api.migrate import upgrade
from bot.courier import Courier
from bot.push import WeChatApi
from bot.token_cache import MemoryTokenCache
from cases import CaseDraft, CaseRules, Category, Place, file_case
from dialogs.outbox import deliver_batch
from sandbox import SandboxConfig, SandboxState, build_sandbox_routers

FILINGS = 400
THREADS = 8
PUSHES = 400
PG_ADMIN_URL = os.environ.get("INTAKE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def draft(index: int) -> CaseDraft:
    # spread over a grid of points ~1 km apart so that most filings do not cluster
    return CaseDraft(
        openid=f"o-bench-{index % 97}",
        channel="oa",
        description=f"第{index}号楼门口垃圾堆积没人清理",
        category=Category(major_code="ENV", major_name="市容环境", minor_code="ENV-GARBAGE", minor_name="垃圾清运"),
        place=Place(grid_id=f"G-{index % 40:03d}", grid_name="网格", community="社区", street="街道",
                    lat=31.0 + (index % 20) * 0.01, lng=121.0 + (index // 20 % 20) * 0.01, address="某小区"),
    )


def file_many(engine: Engine, indexes: range, rules: CaseRules) -> None:
    for index in indexes:
        with Session(engine, expire_on_commit=False) as session:
            file_case(session=session, draft=draft(index), now=datetime.now(UTC), thresholds=rules)


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def filing(engine: Engine, label: str) -> None:
    rules = CaseRules()
    file_many(engine, range(10), rules)  # warm-up: connections, caches
    seconds = timed(lambda: file_many(engine, range(10, 10 + FILINGS), rules))
    print(f"filing, {label}, 1 thread:  {FILINGS / seconds:8.1f} cases/s ({FILINGS} cases in {seconds:.2f} s)")
    per = FILINGS // THREADS
    start = 10 + FILINGS

    def parallel() -> None:
        threads = [
            threading.Thread(target=file_many, args=(engine, range(start + t * per, start + (t + 1) * per), rules))
            for t in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    seconds = timed(parallel)
    print(
        f"filing, {label}, {THREADS} threads: {per * THREADS / seconds:8.1f} cases/s "
        f"({per * THREADS} cases in {seconds:.2f} s; one day's counter row serialises numbering)"
    )


@contextmanager
def postgres_database() -> Iterator[str | None]:
    import psycopg

    plain = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"intake_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(plain, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"filing, PostgreSQL: skipped ({exc.__class__.__name__}: server not reachable)")
        yield None
        return
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def delivery(engine: Engine) -> None:
    state = SandboxState(
        SandboxConfig(
            appid="wx_bench",
            secret="bench-secret",
            mp_appid="wx_bench_mp",
            mp_secret="bench-mp-secret",
            callback_url="http://127.0.0.1:9/wechat",
            token="t",
            aes_key=None,
        )
    )
    app = FastAPI()
    for router in build_sandbox_routers(state):
        app.include_router(router)
    rules = CaseRules()
    for index in range(PUSHES):
        state.record_interaction(f"o-push-{index}", opens_window=True, following=True)
    for index in range(PUSHES):
        with Session(engine, expire_on_commit=False) as session:
            file_case(
                session=session,
                draft=CaseDraft(**{**draft(index).__dict__, "openid": f"o-push-{index}"}),
                now=datetime.now(UTC),
                thresholds=rules,
            )
    from reply_templates import Renderer, default_catalog

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://wx") as http:
        base = "http://wx/sandbox/wechat-api"
        cache = MemoryTokenCache()
        courier = Courier(
            oa_api=WeChatApi(base_url=base, appid="wx_bench", secret="bench-secret", cache=cache, http=http),
            mp_api=WeChatApi(base_url=base, appid="wx_bench_mp", secret="bench-mp-secret", cache=cache, http=http),
            renderer=Renderer(default_catalog()),
        )
        started = time.perf_counter()
        sent = 0
        while True:
            report = await deliver_batch(engine=engine, courier=courier, worker_id="bench", limit=50)
            sent += report.sent
            if report.claimed == 0:
                break
        seconds = time.perf_counter() - started
    delivered = len(state.messages())
    print(
        f"outbox delivery, SQLite, stand-in in-process: {sent / seconds:8.1f} pushes/s "
        f"({sent} sent, {delivered} received by the stand-in, in {seconds:.2f} s)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        filing(engine, "SQLite")
        engine.dispose()
    with postgres_database() as pg_url:
        if pg_url is not None:
            upgrade(pg_url)
            engine = make_engine(pg_url)
            filing(engine, "PostgreSQL")
            engine.dispose()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'outbox.db'}"
        upgrade(url)
        engine = make_engine(url)
        asyncio.run(delivery(engine))
        engine.dispose()


if __name__ == "__main__":
    main()
