"""``intake db …`` and ``intake staff …``: schema migrations and staff accounts."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from api.cli_support import settings_or_exit
from api.db import make_engine
from cases.errors import StaffError
from cases.models import StaffUser
from cases.staff import create_staff, set_password

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts of the console and the staff API.", no_args_is_help=True)

PASSWORD_ENV = "INTAKE_STAFF_PASSWORD"


class Role(StrEnum):
    admin = "admin"
    agent = "agent"


def _password() -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "heads",
) -> None:
    """Migrate the database at INTAKE_DATABASE_URL to the newest schema."""
    from api.migrate import current, upgrade

    settings = settings_or_exit()
    upgrade(settings.database_url, revision)
    where = settings.database_url.split("@")[-1]
    typer.echo(f"database {where}: at {', '.join(sorted(current(settings.database_url))) or 'base'}")


@db_app.command("current")
def db_current() -> None:
    """Show the revision the database is at, and the newest one shipped."""
    from api.migrate import current, heads

    settings = settings_or_exit()
    typer.echo(f"database: {', '.join(sorted(current(settings.database_url))) or 'base (empty)'}")
    typer.echo(f"newest:   {', '.join(sorted(heads()))}")


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Argument(help="Login name (shown in every case timeline entry)")],
    role: Annotated[Role, typer.Option("--role", help="admin or agent")] = Role.agent,
) -> None:
    """Add a staff account; the password comes from INTAKE_STAFF_PASSWORD or a prompt."""
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            user = create_staff(
                session=session, name=name, password=_password(), role=role.value, now=datetime.now(UTC)
            )
            typer.echo(f"staff {user.name} added ({user.role})")
    except StaffError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@staff_app.command("password")
def staff_password(name: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Set a new password (from INTAKE_STAFF_PASSWORD or a prompt); existing logins end."""
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            user = session.exec(select(StaffUser).where(StaffUser.name == name)).first()
            if user is None:
                typer.echo(f"error: no staff {name!r}", err=True)
                raise typer.Exit(1)
            set_password(session=session, user=user, password=_password())
            typer.echo(f"password of {name} changed")
    except StaffError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@staff_app.command("list")
def staff_list() -> None:
    """List the staff accounts."""
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            for user in session.exec(select(StaffUser).order_by(col(StaffUser.name))).all():
                state = "" if user.active else " (disabled)"
                typer.echo(f"{user.name}\t{user.role}{state}")
    finally:
        engine.dispose()
