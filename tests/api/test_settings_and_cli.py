"""Settings fail with one line naming the variable; the CLI's check reports each part."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import SANDBOX_SECRET, SettingsError, load_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("INTAKE_WECHAT_AES_KEY", "too-short"),
        ("INTAKE_DATABASE_URL", "mysql://root@localhost/intake"),
        ("INTAKE_REDIS_URL", "http://127.0.0.1:6379"),
        ("INTAKE_PORT", "99999"),
        ("INTAKE_REPLY_BUDGET_SECONDS", "6"),
    ],
)
def test_a_bad_setting_names_its_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(variable + ":")
    assert "\n" not in str(caught.value)


def test_sandbox_is_on_until_a_real_secret_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().sandbox_on
    monkeypatch.setenv("INTAKE_WECHAT_SECRET", "a-real-secret-from-the-console")
    monkeypatch.setenv("INTAKE_SECRET_KEY", "k" * 40)
    real = load_settings()
    assert not real.sandbox_on and real.api_base == "https://api.weixin.qq.com"


def test_turning_the_sandbox_off_without_a_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_SANDBOX", "0")
    monkeypatch.setenv("INTAKE_WECHAT_SECRET", SANDBOX_SECRET)
    with pytest.raises(SettingsError, match="INTAKE_WECHAT_SECRET"):
        load_settings()


def test_production_refuses_the_sandbox_session_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_WECHAT_SECRET", "a-real-secret-from-the-console")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("INTAKE_SECRET_KEY must be set")


def test_postgresql_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", "postgresql://intake@db/intake")
    assert load_settings().database_url == "postgresql+psycopg://intake@db/intake"


def test_check_reports_every_part(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_url: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTAKE_REDIS_URL", redis_url)
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == ["configuration", "database", "redis", "wechat api"]
    assert all(": ok" in line for line in lines)


def test_check_fails_when_redis_is_unreachable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTAKE_REDIS_URL", "redis://127.0.0.1:1/0")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 1
    assert "redis: FAILED" in result.output


def test_a_bad_setting_stops_the_cli_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_WECHAT_AES_KEY", "x")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert "INTAKE_WECHAT_AES_KEY" in result.output


def test_push_template_ids_come_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTAKE_PUSH_TEMPLATE_IDS", '{"status.changed": "tpl-from-console"}')
    assert load_settings().push_template_ids == {"status.changed": "tpl-from-console"}
