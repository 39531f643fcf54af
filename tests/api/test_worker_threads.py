"""Blocking work (database calls, photos) runs on the app's own few threads, however many residents write."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import WORKER_THREADS, create_app
from api.settings import Settings


def test_residents_filing_at_the_same_time_share_the_few_worker_threads(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/threads.db", media_dir=tmp_path / "media")
    with TestClient(create_app(settings)) as client:

        def conversation(openid: str) -> str:
            reply = ""
            for turn in ("星河雅居门口垃圾三天没人收了", "确认"):
                response = client.post(f"/sandbox/api/residents/{openid}/send", json={"kind": "text", "content": turn})
                assert response.status_code == 200, response.text
                reply = str(response.json()["reply"])
            return reply

        with ThreadPoolExecutor(8) as residents:
            filed = list(residents.map(conversation, [f"o-thread-{n}" for n in range(8)]))
        workers = [t for t in threading.enumerate() if t.name.startswith("intake-worker")]
    assert all("BH" in reply for reply in filed)
    assert 1 <= len(workers) <= WORKER_THREADS
