"""A stand-in for the centre's work-order platform: a small HTTP server on 127.0.0.1 that receives our
webhooks, checks each signature as a real receiver would, can be told to fail, and signs status calls."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from api.settings import Settings


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The receiver's own check, written from the documentation (not with our code)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Platform:
    def __init__(self) -> None:
        self.secret = ""
        self.key_id = ""
        self.fail_first = 0  # answer 500 to the first attempt of each event this many times
        self.status_for_all: int | None = None  # answer this to everything (e.g. 410)
        self.events: dict[str, dict[str, Any]] = {}  # event id → body, each kept once
        self.accepted: Counter[str] = Counter()  # 2xx answers per event id
        self.attempts: Counter[str] = Counter()
        self.bad_signatures = 0
        self.gate: threading.Event | None = None  # when set up, every answer waits until it is opened
        self.waiting = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/gongzhi"

    def __enter__(self) -> Platform:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gate = platform.gate
                if gate is not None:
                    with platform.lock:
                        platform.waiting += 1
                    gate.wait(60)
                stamp = int(self.headers.get("X-Gongzhi-Timestamp", "0"))
                given = self.headers.get("X-Gongzhi-Signature", "")
                fresh = abs(time.time() - stamp) <= 300
                if not fresh or not hmac.compare_digest(signature(platform.secret, stamp, body), given):
                    with platform.lock:
                        platform.bad_signatures += 1
                    self._answer(401)
                    return
                event = json.loads(body)
                key = self.headers.get("Idempotency-Key", "")
                assert key == event["id"]
                with platform.lock:
                    platform.attempts[key] += 1
                    if platform.status_for_all is not None:
                        code = platform.status_for_all
                    elif platform.attempts[key] <= platform.fail_first:
                        code = 500
                    else:
                        code = 200
                        platform.accepted[key] += 1
                        platform.events.setdefault(key, event)  # a receiver keeps each id once
                self._answer(code)

            def _answer(self, code: int) -> None:
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if predicate(self):
                    return
            time.sleep(0.05)
        raise AssertionError(f"timed out; events: {[e['type'] for e in self.events.values()]}")

    def call(self, client: TestClient, number: str, payload: dict[str, Any] | bytes, *,
             timestamp: int | None = None, secret: str | None = None, headers: dict[str, str] | None = None,
             ) -> Response:
        """A signed status call, as the platform sends it."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        stamp = timestamp if timestamp is not None else int(time.time())
        signed = {"X-Gongzhi-Key": self.key_id, "X-Gongzhi-Timestamp": str(stamp),
                  "X-Gongzhi-Signature": signature(secret or self.secret, stamp, body),
                  "Content-Type": "application/json"}
        return client.post(f"/api/platform/v1/cases/{number}/status", content=body,
                           headers={**signed, **(headers or {})})


def admin(client: TestClient) -> dict[str, str]:
    response = client.post("/api/staff/login", json={"name": "admin", "password": "admin123"})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@contextmanager
def hooked_app(tmp_path: Path, platform: Platform) -> Iterator[TestClient]:
    """The app with its worker (quick retries), the stand-in registered as its webhook endpoint."""
    settings = Settings(database_url=f"sqlite:///{tmp_path}/hooks.db", media_dir=tmp_path / "media",
                        data_dir=tmp_path / "data", worker_poll_seconds=0.05, outbox_retry_base_seconds=0.1,
                        outbox_max_attempts=5, webhook_timeout_seconds=30)
    with TestClient(create_app(settings, run_worker=True)) as client:
        made = client.post("/api/staff/webhooks", headers=admin(client),
                           json={"name": "区工单平台", "url": platform.url, "events": []})
        assert made.status_code == 201, made.text
        platform.secret, platform.key_id = made.json()["secret"], made.json()["key_id"]
        yield client
