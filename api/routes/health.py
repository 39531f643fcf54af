"""``GET /healthz`` (database, and Redis when configured) and ``GET /metrics`` (Prometheus)."""

from __future__ import annotations

import asyncio
import inspect

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import ServicesDep
from api.services import Services

router = APIRouter(tags=["health"])


def _database_ok(services: Services) -> bool:
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/healthz")
async def healthz(services: ServicesDep) -> JSONResponse:
    checks: dict[str, str] = {
        "database": "ok" if await asyncio.to_thread(_database_ok, services) else "down",
    }
    if services.redis is not None:
        try:
            pong = services.redis.ping()
            if inspect.isawaitable(pong):
                await pong
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "down"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", **checks},
                        status_code=200 if healthy else 503)


@router.get("/metrics")
async def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
