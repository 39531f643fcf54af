"""The soak: two API processes and an outbox worker on PostgreSQL + Redis, one API process restarted midway.

Private servers only (a throw-away Redis and a fresh PostgreSQL cluster, see :mod:`benchmarks.servers`).
Residents hold whole conversations in safe mode — a problem naming a place, then "保密" and "确认" at the
summary — spread over both API processes as a load balancer would. Halfway through, API process A is stopped (SIGTERM)
and started again; a message that finds it down is retried on B with the same MsgId, as WeChat's retry
through a load balancer would be. At the end it prints errors, lost and duplicated cases (by resident,
against the database), latency percentiles and each process's RSS at start, middle and end.

``SOAK_SECONDS`` sets the duration (default 300); ``SOAK_RESIDENTS`` the concurrent residents (default 24).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from api.settings import SANDBOX_AES_KEY, SANDBOX_APPID, SANDBOX_TOKEN
from benchmarks.servers import ThrowawayPostgres, ThrowawayRedis, free_port
from sandbox import wire

DURATION = int(os.environ.get("SOAK_SECONDS", "300"))
CONCURRENT = int(os.environ.get("SOAK_RESIDENTS", "24"))
TURNS = ("保密", "确认")
PROBLEMS = ("门口的路灯不亮了", "楼下垃圾三天没人收了", "路上有个大坑很危险", "井盖不见了", "小区电梯又坏了")
PLACES = ("星河雅居", "春晖苑", "兰亭苑", "滨湖世纪城", "金色池塘")
MSG_IDS = itertools.count(int(time.time()) * 1000)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    retried_elsewhere: int = 0
    confirmed: dict[str, str] = field(default_factory=dict)  # openid → the reply to 确认
    finished: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Fleet:
    """The API processes and the worker, each in its own process group."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.bin = Path(sys.executable).parent
        self.ports = {"A": free_port(), "B": free_port()}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> None:
        if name == "worker":
            command = [str(self.bin / "intake"), "worker"]
        else:
            command = [str(self.bin / "intake"), "serve", "--no-worker", "--port", str(self.ports[name])]
        self.processes[name] = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL, start_new_session=True)
        if name != "worker":
            deadline = time.time() + 180
            while time.time() < deadline:
                try:
                    if httpx.get(self.url(name) + "/healthz", timeout=2).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            raise RuntimeError(f"API process {name} did not start")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def rss(self) -> dict[str, float]:
        return {name: round(_rss_mb(process.pid), 1) for name, process in sorted(self.processes.items())}


async def _post(client: httpx.AsyncClient, fleet: Fleet, first: str, openid: str, text: str,
                tally: Tally) -> str | None:
    """One message as WeChat sends it; on a dead process the same MsgId goes to the other one."""
    xml = wire.text_message("gh_soak", openid, text, msg_id=next(MSG_IDS))
    signed = wire.seal(xml, token=SANDBOX_TOKEN, openid=openid, aes_key=SANDBOX_AES_KEY, appid=SANDBOX_APPID)
    order = [first, "B" if first == "A" else "A"]
    for attempt, name in enumerate(order * 2):
        started = time.perf_counter()
        try:
            response = await client.post(fleet.url(name) + "/wechat", params=signed.params, content=signed.body,
                                         headers={"Content-Type": "text/xml"}, timeout=10)
        except httpx.HTTPError:
            tally.retried_elsewhere += 1
            await asyncio.sleep(0.2 * attempt)
            continue
        tally.latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            tally.error(f"HTTP {response.status_code}")
            return None
        plain = wire.open_reply(response.content, token=SANDBOX_TOKEN, aes_key=SANDBOX_AES_KEY, appid=SANDBOX_APPID)
        return str(wire.parse(plain).get("Content", "")) if plain is not None else ""
    tally.error("unreachable")
    return None


async def _resident(client: httpx.AsyncClient, fleet: Fleet, openid: str, tally: Tally, rng: random.Random) -> None:
    opening = f"{rng.choice(PLACES)}{rng.choice(PROBLEMS)}"
    for text in (opening, *TURNS):
        first = rng.choice(("A", "B"))
        for _ in range(5):  # an apology asks the resident to send again
            reply = await _post(client, fleet, first, openid, text, tally)
            if reply is None:
                return
            if "稍后再发" not in reply and "系统正在短暂维护" not in reply:
                break
            tally.error("apology")
            await asyncio.sleep(1.0)
        if text == "确认":
            tally.confirmed[openid] = reply or ""
    tally.finished += 1


async def _load(fleet: Fleet, tally: Tally, run: str) -> dict[str, dict[str, float]]:
    rng = random.Random(13)
    counter = itertools.count()
    rss: dict[str, dict[str, float]] = {}
    stop_at = time.monotonic() + DURATION
    warm_at = time.monotonic() + min(10.0, DURATION / 10)  # every process loaded and serving
    restarted = False

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop_at:
            await _resident(client, fleet, f"o-soak-{run}-{next(counter)}", tally, rng)

    async with httpx.AsyncClient() as client:
        tasks = [asyncio.create_task(worker(client)) for _ in range(CONCURRENT)]
        while time.monotonic() < stop_at:
            await asyncio.sleep(1)
            if "start" not in rss and time.monotonic() > warm_at:
                rss["start"] = fleet.rss()
            if not restarted and time.monotonic() > stop_at - DURATION / 2:
                restarted = True
                rss["middle"] = fleet.rss()
                print("  restarting API process A …", flush=True)
                await asyncio.to_thread(fleet.stop, "A")
                await asyncio.to_thread(fleet.start, "A")
        await asyncio.gather(*tasks)
    rss["end"] = fleet.rss()
    return rss


def _cases_by_resident(url: str, run: str) -> dict[str, int]:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute("SELECT r.openid, count(*) FROM cases c JOIN residents r ON r.id = c.resident_id "
                            "WHERE r.openid LIKE %s GROUP BY r.openid", (f"o-soak-{run}-%",)).fetchall()
    return {openid: int(count) for openid, count in rows}


def main() -> None:
    run = uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix="intake-soak-"))
    redis, postgres = ThrowawayRedis(), ThrowawayPostgres()
    fleet: Fleet | None = None
    try:
        redis.start()
        postgres.start()
        env = {**os.environ, "INTAKE_DATABASE_URL": postgres.url, "INTAKE_REDIS_URL": redis.url,
               "INTAKE_REDIS_PREFIX": f"soak-{run}:", "INTAKE_DATA_DIR": str(folder / "data"),
               "INTAKE_MEDIA_DIR": str(folder / "media"), "INTAKE_WORKER_POLL_SECONDS": "0.5"}
        fleet = Fleet(env)
        env["INTAKE_PUBLIC_URL"] = fleet.url("A")
        env["INTAKE_WECHAT_API_BASE"] = fleet.url("A") + "/sandbox/wechat-api"
        fleet.start("A")  # first: migrates and trains the NLU model into the shared data dir
        fleet.start("B")
        fleet.start("worker")
        print(f"soak: {DURATION} s, {CONCURRENT} residents at a time, API processes A and B + worker", flush=True)
        tally = Tally()
        rss = asyncio.run(_load(fleet, tally, run))
        cases = _cases_by_resident(postgres.url, run)
    finally:
        if fleet is not None:
            for name in list(fleet.processes):
                fleet.stop(name)
        redis.close()
        postgres.close()

    filed = {openid for openid, reply in tally.confirmed.items() if "BH" in reply}
    lost = sorted(openid for openid in filed if cases.get(openid, 0) == 0)
    duplicated = sorted(openid for openid, count in cases.items() if count > 1)
    latencies = sorted(tally.latencies)

    def percentile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    print(f"messages answered: {len(latencies)}; conversations finished: {tally.finished}; "
          f"cases filed: {sum(cases.values())} for {len(filed)} residents told a case number")
    print(f"errors: {tally.errors or 'none'}; messages retried on the other process: {tally.retried_elsewhere}")
    print(f"lost cases: {len(lost)} {lost[:5]}; duplicated cases: {len(duplicated)} {duplicated[:5]}")
    print(f"latency p50 {percentile(0.50):.1f} ms, p99 {percentile(0.99):.1f} ms, max {percentile(1.0):.1f} ms")
    for moment, figures in rss.items():
        print(f"RSS {moment:>6}: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in figures.items()))


if __name__ == "__main__":
    main()
