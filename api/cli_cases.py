"""``intake db …`` and ``intake staff …``: schema migrations and staff accounts."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from api.cli_support import settings_or_exit
from api.db import make_engine
from cases import departments
from cases.errors import StaffError
from cases.models import StaffUser
from cases.staff import create_staff, set_password
from geo import GeoService

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts of the console and the staff API.", no_args_is_help=True)

PASSWORD_ENV = "INTAKE_STAFF_PASSWORD"


class Role(StrEnum):
    """The console's roles (cases.roles): 中心管理员, 中心坐席, 承办单位, 网格员."""

    admin = "admin"
    agent = "agent"
    department = "department"
    grid = "grid"


class PostMissing(Exception):
    """A department user without an existing department, or a grid worker without known grids."""


def department_id_of(session: Session, wanted: str | None) -> int:
    """The id of the department named (or numbered) ``wanted``; :class:`PostMissing` when there is none."""
    known = departments.list_departments(session)
    names = "、".join(d.name for d in known) or "（无 none）"
    if not wanted or not wanted.strip():
        raise PostMissing(f"承办单位账号需要 --department 指定所属单位；现有单位：{names}\n"
                          "a department user needs --department NAME")
    found = next((d for d in known if wanted.strip() in (d.name, str(d.id))), None)
    if found is None or found.id is None:
        raise PostMissing(f"没有名为“{wanted.strip()}”的承办单位；现有单位：{names}（可在控制台“单位与账号”页添加）\n"
                          f"no department named {wanted.strip()!r}; add it in the console first")
    return found.id


def grid_ids_of(grids: Iterable[tuple[str, str]], wanted: list[str]) -> list[str]:
    """The ids of the grids named (by id or name) in ``wanted``, from ``grids`` (id, name) of the layer."""
    if not [w for w in wanted if w.strip()]:
        raise PostMissing("网格员账号需要至少一个 --grid（网格编号或名称，可重复）\n"
                          "a grid worker needs at least one --grid ID_OR_NAME (repeatable)")
    by_name = {key: grid_id for grid_id, name in grids for key in (grid_id, name)}
    unknown = [w.strip() for w in wanted if w.strip() and w.strip() not in by_name]
    if unknown:
        raise PostMissing(f"没有这些网格：{'、'.join(unknown)}（请用网格编号或完整名称，如“兰亭第1网格”）\n"
                          f"unknown grid(s): {', '.join(unknown)}")
    return list(dict.fromkeys(by_name[w.strip()] for w in wanted if w.strip()))


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


RoleOption = Annotated[Role, typer.Option("--role", help="admin, agent, department (承办单位) or grid (网格员)")]
DepartmentOption = Annotated[str | None, typer.Option("--department", help="A department user's unit (name or id)")]
GridOption = Annotated[list[str] | None, typer.Option("--grid", help="A grid worker's grid (id or name); repeatable")]


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Argument(help="Login name (shown in every case timeline entry)")],
    role: RoleOption = Role.agent,
    department: DepartmentOption = None,
    grid: GridOption = None,
) -> None:
    """Add a staff account; the password comes from INTAKE_STAFF_PASSWORD or a prompt."""
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            department_id = department_id_of(session, department) if role is Role.department else None
            grid_ids: list[str] = []
            if role is Role.grid:
                layer = GeoService.load(settings.data_dir).snapshot.layer
                grid_ids = grid_ids_of(((g.grid_id, g.grid_name) for g in layer.grids), grid or [])
            user = create_staff(session=session, name=name, password=_password(), role=role.value,
                                now=datetime.now(UTC), department_id=department_id, grid_ids=grid_ids)
            post = f", {department}" if department_id else f", {len(grid_ids)} grid(s)" if grid_ids else ""
            typer.echo(f"staff {user.name} added ({user.role}{post})")
    except (StaffError, PostMissing) as exc:
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
