"""Every route's body is bounded before it is parsed; every response carries the security headers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

MB = 1024 * 1024


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/g.db", media_dir=tmp_path / "media",
                        request_limits={"/api/mp/reports": 2 * MB}, metrics_token="m" * 24)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_huge_login_body_is_refused_before_it_is_read(client: TestClient) -> None:
    """Scaled from 200 MB: a declared length over the limit is answered at once, nothing parsed."""
    body = b'{"name": "admin", "password": "' + b"x" * (5 * MB) + b'"}'
    response = client.post("/api/staff/login", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "太大" in response.json()["detail"]


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "admin", "password": "'
        for _ in range(40):
            yield b"x" * (256 * 1024)
        yield b'"}'

    response = client.post("/api/staff/login", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_an_unauthenticated_multipart_upload_is_refused_by_size_not_spooled(client: TestClient) -> None:
    """Scaled from 300 MB: without credentials the 1 MB default applies, before any part is spooled."""
    files = [("photos", (f"p{i}.jpg", io.BytesIO(b"\xff" * MB), "image/jpeg")) for i in range(2)]
    response = client.post("/api/mp/reports", data={"description": "路灯坏了"}, files=files)
    assert response.status_code == 413


def test_the_route_limit_applies_with_credentials(client: TestClient) -> None:
    """With a token (even a bad one) the reports route takes its own limit: 1.5 MB reaches the app (401)."""
    files = [("photos", ("p.jpg", io.BytesIO(b"\xff" * (3 * MB // 2)), "image/jpeg"))]
    headers = {"Authorization": "Bearer not-a-token"}
    assert client.post("/api/mp/reports", data={"description": "路灯坏了"}, files=files,
                       headers=headers).status_code == 401
    files = [("photos", (f"p{i}.jpg", io.BytesIO(b"\xff" * MB), "image/jpeg")) for i in range(3)]
    assert client.post("/api/mp/reports", data={"description": "路灯坏了"}, files=files,
                       headers=headers).status_code == 413


def test_small_requests_pass_and_every_response_has_the_security_headers(client: TestClient) -> None:
    wrong = client.post("/api/staff/login", json={"name": "nobody", "password": "x"})
    assert wrong.status_code == 401
    for response in (wrong, client.get("/healthz"), client.get("/staff/login")):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_metrics_need_the_token_when_one_is_configured(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    allowed = client.get("/metrics", headers={"Authorization": "Bearer " + "m" * 24})
    assert allowed.status_code == 200 and "intake_" in allowed.text


def test_a_signature_header_raises_the_limit_only_where_signatures_are_checked(client: TestClient) -> None:
    """The platform's signature header counts as credentials on its own route, nowhere else."""
    files = [("photos", ("p.jpg", io.BytesIO(b"\xff" * (3 * MB // 2)), "image/jpeg"))]
    signed = {"X-Gongzhi-Signature": "sha256=" + "0" * 64}
    assert client.post("/api/mp/reports", data={"description": "路灯坏了"}, files=files,
                       headers=signed).status_code == 413
    body = b'{"action": "accept", "note": "' + b"x" * (3 * MB // 2) + b'"}'
    assert client.post("/api/platform/v1/cases/BH1/status", content=body, headers=signed).status_code == 401
    assert client.post("/api/platform/v1/cases/BH1/status", content=body).status_code == 413
