"""``intake db upgrade`` and ``intake staff add`` on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli_cases import db_app, staff_app
from api.db import make_engine
from api.migrate import heads
from cases.departments import save_department
from cases.models import StaffUser
from cases.staff import authenticate


def test_upgrade_then_add_staff_with_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    runner = CliRunner()
    upgraded = runner.invoke(db_app, ["upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert all(head in upgraded.output for head in heads())

    monkeypatch.setenv("INTAKE_STAFF_PASSWORD", "correct-horse")
    added = runner.invoke(staff_app, ["add", "zhang", "--role", "admin"])
    assert added.exit_code == 0, added.output
    assert "zhang" in added.output and "admin" in added.output
    again = runner.invoke(staff_app, ["add", "zhang", "--role", "admin"])
    assert again.exit_code == 1
    bad_role = runner.invoke(staff_app, ["add", "li", "--role", "boss"])
    assert bad_role.exit_code == 2

    engine = make_engine(url)
    with Session(engine) as session:
        user = authenticate(session=session, name="zhang", password="correct-horse", now=datetime.now(UTC))
        assert user is not None and user.role == "admin"
    engine.dispose()


def test_password_is_prompted_when_not_in_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    monkeypatch.delenv("INTAKE_STAFF_PASSWORD", raising=False)
    runner = CliRunner()
    assert runner.invoke(db_app, ["upgrade"]).exit_code == 0
    added = runner.invoke(staff_app, ["add", "wang"], input="typed-secret\ntyped-secret\n")
    assert added.exit_code == 0, added.output
    assert "(agent)" in added.output
    listed = runner.invoke(staff_app, ["list"])
    assert "wang\tagent" in listed.output


def test_every_console_role_can_be_added_and_a_missing_post_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path / "data"))  # the shipped grid layer
    monkeypatch.setenv("INTAKE_STAFF_PASSWORD", "correct-horse")
    runner = CliRunner()
    assert runner.invoke(db_app, ["upgrade"]).exit_code == 0
    engine = make_engine(url)
    with Session(engine) as session:
        save_department(session=session, now=datetime.now(UTC), name="市政维护所")

    unbound = runner.invoke(staff_app, ["add", "chen", "--role", "department"])
    assert unbound.exit_code == 1
    assert "承办单位账号需要 --department" in unbound.output and "市政维护所" in unbound.output
    assert "needs --department" in unbound.output
    unknown = runner.invoke(staff_app, ["add", "chen", "--role", "department", "--department", "环卫所"])
    assert unknown.exit_code == 1 and "没有名为“环卫所”的承办单位" in unknown.output
    department = runner.invoke(staff_app, ["add", "chen", "--role", "department", "--department", "市政维护所"])
    assert department.exit_code == 0, department.output
    assert "chen added (department, 市政维护所)" in department.output

    gridless = runner.invoke(staff_app, ["add", "zhou", "--role", "grid"])
    assert gridless.exit_code == 1 and "网格员账号需要至少一个 --grid" in gridless.output
    lost = runner.invoke(staff_app, ["add", "zhou", "--role", "grid", "--grid", "兰亭第1网格", "--grid", "月亮第9网格"])
    assert lost.exit_code == 1 and "没有这些网格：月亮第9网格" in lost.output
    worker = runner.invoke(staff_app, ["add", "zhou", "--role", "grid", "--grid", "兰亭第1网格",
                                       "--grid", "34011100100801"])
    assert worker.exit_code == 0, worker.output
    assert "zhou added (grid, 2 grid(s))" in worker.output
    assert "chen\tdepartment" in runner.invoke(staff_app, ["list"]).output

    with Session(engine) as session:
        chen = session.exec(select(StaffUser).where(StaffUser.name == "chen")).one()
        zhou = session.exec(select(StaffUser).where(StaffUser.name == "zhou")).one()
        assert chen.department_id is not None and chen.grid_ids == []
        assert zhou.department_id is None and len(zhou.grid_ids) == 2 and "34011100100801" in zhou.grid_ids
    engine.dispose()
