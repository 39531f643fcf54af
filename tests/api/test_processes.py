"""Real processes: ``intake serve --no-worker`` queues pushes, a separate ``intake worker`` delivers them."""

from __future__ import annotations

import json
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
def serving(environment: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    process = subprocess.Popen([str(BIN / "intake"), "serve", "--no-worker"], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = environment["INTAKE_PUBLIC_URL"]
    try:
        deadline = time.time() + 180  # a fresh data folder: the NLU model is trained first, on a shared machine
        while time.time() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("intake serve did not start")
        yield url, process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(20)


@pytest.fixture
def server(serving: tuple[str, subprocess.Popen[bytes]]) -> str:
    return serving[0]


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


def _libraries(pid: int) -> str:
    maps = Path(f"/proc/{pid}/maps")
    if not maps.exists():
        pytest.skip("no /proc on this system")
    return maps.read_text()


def test_on_a_fresh_data_folder_the_server_loads_a_model_it_did_not_train(
    serving: tuple[str, subprocess.Popen[bytes]], environment: dict[str, str]
) -> None:
    url, process = serving
    cached = list((Path(environment["INTAKE_DATA_DIR"]) / "nlu-cache").glob("nlu-model-*.npz"))
    assert len(cached) == 1, "the model is trained and cached before the server starts"
    libraries = _libraries(process.pid)
    assert "/sklearn/" not in libraries and "/scipy/" not in libraries, "training libraries in the server"
    openid = "o-fresh-model"
    for text in ("星河雅居门口垃圾三天没人收了", "确认"):
        response = httpx.post(f"{url}/sandbox/api/residents/{openid}/send", json={"kind": "text", "content": text},
                              timeout=10)
    assert "BH" in str(response.json()["reply"])


def test_a_server_that_cannot_migrate_stops_with_one_clear_line(environment: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    environment = {**environment, "INTAKE_DATABASE_URL": f"sqlite:///{blocker}/intake.db"}
    result = subprocess.run([str(BIN / "intake"), "serve", "--no-worker"], env=environment, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert "start-up failed: migrating the database" in result.stderr


APP_ON_A_FRESH_FOLDER = """
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from api.app import serving_app
from api.settings import Settings

folder = Path(sys.argv[1])
settings = Settings(database_url=f"sqlite:///{folder}/app.db", media_dir=folder / "media", data_dir=folder / "data")
app = serving_app(settings, run_worker=False)
with TestClient(app):
    major = app.state.services.nlu.classify("小区电梯又坏了").major.code
print(json.dumps({"major": major, "training_imported": sorted({m.split(".")[0] for m in sys.modules} & {"sklearn", "scipy"})}))
"""


def test_the_uvicorn_factorys_app_on_a_fresh_data_folder_has_its_model_trained_by_a_child(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", APP_ON_A_FRESH_FOLDER, str(tmp_path)], capture_output=True,
                            text=True, timeout=300, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"major": "07", "training_imported": []}
    assert list((tmp_path / "data" / "nlu-cache").glob("nlu-model-*.npz"))
