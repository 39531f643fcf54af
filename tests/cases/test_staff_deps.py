"""``CurrentStaff`` / ``AdminStaff`` from :mod:`api.deps` on a small app of their own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.app import create_app
from api.deps import AdminStaff, CurrentStaff
from api.leaves import Leaves
from api.settings import Settings
from cases.staff import create_staff, issue_token
from tests.conftest import running


def _app(settings: Settings, leaves: Leaves) -> FastAPI:
    app = create_app(settings, leaves=leaves)

    @app.get("/me")
    def me(user: CurrentStaff) -> dict[str, str]:
        return {"name": user.name}

    @app.get("/admin-only")
    def admin_only(user: AdminStaff) -> dict[str, str]:
        return {"name": user.name}

    return app


@pytest.mark.anyio
async def test_no_token_401_bad_token_401_agent_403_admin_200(engine: Engine, tmp_path: Path,
                                                               leaves: Leaves) -> None:
    settings = Settings(secret_key="k" * 32, database_url=engine.url.render_as_string(hide_password=False),
                        migrate_on_start=False, media_dir=tmp_path / "media", data_dir=tmp_path / "data")
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        agent = create_staff(session=session, name="agent", password="password1", role="agent", now=now)
        admin = create_staff(session=session, name="boss", password="password1", role="admin", now=now)
    agent_token = issue_token(agent, secret=settings.secret_key, ttl_seconds=600, now=now)
    admin_token = issue_token(admin, secret=settings.secret_key, ttl_seconds=600, now=now)
    async with running(_app(settings, leaves)) as client:
        await _check(client, agent_token, admin_token)


async def _check(client: httpx.AsyncClient, agent_token: str, admin_token: str) -> None:
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    response = await client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/me", headers=bearer("nonsense"))).status_code == 401
    assert (await client.get("/me", headers=bearer(agent_token))).json() == {"name": "agent"}
    assert (await client.get("/admin-only", headers=bearer(agent_token))).status_code == 403
    ok = await client.get("/admin-only", headers=bearer(admin_token))
    assert ok.status_code == 200 and ok.json() == {"name": "boss"}
