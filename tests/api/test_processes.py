"""Real processes: ``intake serve --no-worker`` queues pushes, a separate ``intake worker`` delivers them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    port = _free_port()
    return {**os.environ, "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path}/procs.db", "INTAKE_PORT": str(port),
            "INTAKE_PUBLIC_URL": f"http://127.0.0.1:{port}", "INTAKE_DATA_DIR": str(tmp_path / "data"),
            "INTAKE_MEDIA_DIR": str(tmp_path / "media"), "INTAKE_WORKER_POLL_SECONDS": "0.2"}


@pytest.fixture
def server(environment: dict[str, str]) -> Iterator[str]:
    process = subprocess.Popen([str(BIN / "intake"), "serve", "--no-worker"], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = environment["INTAKE_PUBLIC_URL"]
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("intake serve did not start")
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(20)


def _templates(url: str, openid: str) -> list[dict[str, Any]]:
    log = httpx.get(url + "/sandbox/api/messages", params={"openid": openid}).json()
    return [m for m in log if m["via"] == "template"]


def test_a_separate_worker_process_delivers_what_the_api_queued(server: str, environment: dict[str, str]) -> None:
    openid = "o-scale-out"
    for text in ("星河雅居门口垃圾三天没人收了", "确认"):
        response = httpx.post(f"{server}/sandbox/api/residents/{openid}/send", json={"kind": "text", "content": text},
                              timeout=10)
        assert response.status_code == 200
    assert "BH" in str(response.json()["reply"])
    time.sleep(1.0)
    assert _templates(server, openid) == [], "no worker runs in the API process"

    worker = subprocess.Popen([str(BIN / "intake"), "worker"], env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not _templates(server, openid):
            time.sleep(0.2)
        pushes = _templates(server, openid)
        assert len(pushes) == 1 and "BH" in pushes[0]["text"]
    finally:
        worker.send_signal(signal.SIGTERM)
        _, errors = worker.communicate(timeout=20)
    assert worker.returncode == 0, errors.decode()
