"""``intake db upgrade`` and ``intake staff add`` on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from api.cli_cases import db_app, staff_app
from api.db import make_engine
from api.migrate import heads
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
