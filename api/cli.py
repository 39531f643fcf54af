"""The ``intake`` command: serve, worker, check, plus the sub-commands of each part (nlu, geo, db…)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from api.cli_cases import db_app, staff_app
from api.cli_geo import geo_app, grids_app, places_app
from api.cli_nlu import nlu_app
from api.cli_support import settings_or_exit
from api.settings import Settings

app = typer.Typer(help="共治 Gongzhi Intake: the grid-governance centre's intake bot.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
app.add_typer(geo_app, name="geo")
app.add_typer(grids_app, name="grids")
app.add_typer(places_app, name="places")
app.add_typer(nlu_app, name="nlu")


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default INTAKE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default INTAKE_PORT)")] = None,
    worker: Annotated[bool, typer.Option(help="Run the outbox worker in this process too")] = True,
) -> None:
    """Run the API with the in-process outbox worker, on the configured (or embedded) defaults.

    With ``--no-worker`` the API only queues pushes: run ``intake worker`` processes beside it (scale-out).
    """
    import uvicorn

    from api.app import serving_app
    from api.prepare import PrepareError

    _logging()
    settings = settings_or_exit()
    if host or port:
        settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v})
    try:
        app_ = serving_app(settings, run_worker=worker)
    except PrepareError as exc:
        typer.echo(f"start-up failed: {exc}", err=True)
        raise typer.Exit(1) from None
    _print_banner(settings)
    uvicorn.run(app_, host=settings.host, port=settings.port,
                loop="uvloop", http="httptools", log_level="info", access_log=False)


def _print_banner(settings: Settings) -> None:
    base = settings.public_url.rstrip("/")
    lines = [f"共治 Gongzhi Intake on {base}", f"  WeChat callback:    {base}/wechat"]
    if settings.sandbox_on:
        lines += [f"  resident simulator: {base}/sandbox",
                  f"  staff console:      {base}/staff   (demo login: admin / admin123)",
                  "  sandbox mode: WeChat's server API is the local stand-in"]
    else:
        lines.append(f"  staff console:      {base}/staff")
    typer.echo("\n".join(lines))


@app.command()
def worker() -> None:
    """Run the outbox worker alone (scale-out: API processes then need no in-process worker)."""
    from api.worker import run_standalone

    _logging()
    asyncio.run(run_standalone(settings_or_exit()))


@app.command()
def check() -> None:
    """Check the configuration and reach the database, Redis and WeChat's API; one line each."""
    settings = settings_or_exit()
    typer.echo(f"configuration: ok (sandbox {'on' if settings.sandbox_on else 'off'})")
    ok = asyncio.run(_check(settings))
    raise typer.Exit(0 if ok else 1)


async def _check(settings: Settings) -> bool:
    from sqlalchemy import text

    from api.app import create_app
    from api.db import make_engine

    ok = True
    try:
        engine = make_engine(settings.database_url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        typer.echo(f"database: ok ({settings.database_url.split('@')[-1]})")
    except Exception as exc:
        ok = False
        typer.echo(f"database: FAILED ({type(exc).__name__}: {exc})")
    if settings.redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url, socket_connect_timeout=3)
        try:
            await client.ping()  # type: ignore[misc]
            typer.echo("redis: ok")
        except Exception as exc:
            ok = False
            typer.echo(f"redis: FAILED ({exc})")
        finally:
            await client.aclose()
    else:
        typer.echo("redis: not configured (dialog state in memory)")
    app_ = create_app(settings)
    try:
        async with app_.router.lifespan_context(app_):
            await app_.state.services.oa_api.access_token(force_refresh=True)
        typer.echo(f"wechat api: ok ({'local stand-in' if settings.sandbox_on else settings.api_base})")
    except Exception as exc:
        ok = False
        typer.echo(f"wechat api: FAILED ({type(exc).__name__}: {exc})")
    return ok
