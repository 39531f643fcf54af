"""Rendering: defaults, staff versions seen by every process, and never crashing the bot."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from reply_templates import (
    Renderer,
    TemplateRenderError,
    TemplateVersion,
    UnknownTemplateError,
    default_catalog,
    save,
)

ERROR_TEXT = default_catalog().get("system.error").body.strip()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def queries(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_renders_the_shipped_default_without_a_database() -> None:
    renderer = Renderer(default_catalog(), None)
    text = renderer.render("report.filed", number="GZ20261128001", due_text="11月30日17:00前", grid_name="春晖网格")
    assert text.startswith("已提交，谢谢您！工单号 GZ20261128001。")
    assert "由春晖网格的网格员处理" in text


def test_an_optional_variable_may_be_left_out() -> None:
    renderer = Renderer(default_catalog(), None, strict=True)
    assert "输入新的手机号" in renderer.render("report.ask_phone")
    assert "138****5678" in renderer.render("report.ask_phone", masked_phone="138****5678")


def test_a_template_edit_is_seen_by_another_process_on_its_next_render(engine: Engine) -> None:
    editor = Renderer(default_catalog(), engine, refresh_seconds=0)
    other = Renderer(default_catalog(), engine, refresh_seconds=0)
    assert other.render("menu.help") == editor.render("menu.help")
    with Session(engine) as session:
        save(session=session, key="menu.help", body="您好，回复“人工”就有工作人员为您服务。", author="王芳")
    assert other.render("menu.help") == "您好，回复“人工”就有工作人员为您服务。"
    assert editor.render("menu.help") == "您好，回复“人工”就有工作人员为您服务。"


def test_the_database_is_checked_at_most_once_per_refresh_period(engine: Engine, queries: list[str]) -> None:
    clock = FakeClock()
    renderer = Renderer(default_catalog(), engine, refresh_seconds=1.0, clock=clock)
    renderer.render("menu.help")
    with Session(engine) as session:
        save(session=session, key="menu.help", body="新的帮助：回复“人工”。", author="王芳")
    queries.clear()
    for _ in range(50):
        assert "新的帮助" not in renderer.render("menu.help")
    assert queries == []
    clock.now += 1.0
    assert renderer.render("menu.help") == "新的帮助：回复“人工”。"
    assert renderer.render("menu.help") == "新的帮助：回复“人工”。"
    assert len(queries) == 2  # one fingerprint, one reload of the active versions
    clock.now += 1.0
    renderer.render("menu.help")
    assert len(queries) == 3  # fingerprint unchanged: nothing reloaded


def test_invalidate_makes_the_next_render_check_again(engine: Engine) -> None:
    clock = FakeClock()
    renderer = Renderer(default_catalog(), engine, refresh_seconds=60, clock=clock)
    renderer.render("menu.help")
    with Session(engine) as session:
        save(session=session, key="menu.help", body="新的帮助：回复“人工”。", author="王芳")
    renderer.invalidate()
    assert renderer.render("menu.help") == "新的帮助：回复“人工”。"


def test_a_broken_staff_version_falls_back_to_the_default(engine: Engine) -> None:
    with Session(engine) as session:  # written around the lint, as an old or hand-edited row would be
        session.add(TemplateVersion(key="status.one", body="{{ number }} {{ nonsense.deep }}", author="x"))
        session.commit()
    renderer = Renderer(default_catalog(), engine, refresh_seconds=0)
    text = renderer.render("status.one", number="GZ1", status_text="处置中", step="status", step_status="已派遣", updated="今天")
    assert text.startswith("工单 GZ1：处置中")
    strict = Renderer(default_catalog(), engine, refresh_seconds=0, strict=True)
    with pytest.raises(TemplateRenderError):
        strict.render("status.one", number="GZ1", status_text="处置中", step="status", step_status="已派遣", updated="今天")


def test_missing_variables_or_unknown_keys_answer_with_the_apology() -> None:
    renderer = Renderer(default_catalog(), None)
    assert renderer.render("report.filed") == ERROR_TEXT
    assert renderer.render("report.no_such_moment") == ERROR_TEXT
    strict = Renderer(default_catalog(), None, strict=True)
    with pytest.raises(UnknownTemplateError):
        strict.render("report.no_such_moment")
    with pytest.raises(TemplateRenderError):
        strict.render("report.filed")


def test_a_database_failure_keeps_the_texts_already_loaded() -> None:
    def broken() -> Session:
        raise OSError("database is down")

    renderer = Renderer(default_catalog(), broken, refresh_seconds=0)
    assert "反映问题" in renderer.render("menu.help")


def test_push_fields_are_one_line_of_at_most_twenty_characters() -> None:
    renderer = Renderer(default_catalog(), None, strict=True)
    fields = renderer.render_fields(
        "status.changed",
        number="GZ20261128001",
        status_text="处置中",
        note="维修班组已经到场，\n正在更换灯泡和老化的线路，预计今晚恢复照明",
        department="春晖社区",
        time="2026-11-28 10:20",
    )
    assert fields["character_string1"] == "GZ20261128001"
    assert len(fields["thing3"]) == 20 and fields["thing3"].endswith("…") and "\n" not in fields["thing3"]
    assert set(fields) == {"character_string1", "phrase2", "thing3", "thing4", "time5"}
    with pytest.raises(Exception, match="not a push template"):
        renderer.render_fields("menu.help")
    assert Renderer(default_catalog(), None).render_fields("menu.help") == {}


def test_a_long_list_is_cut_to_the_wechat_text_limit() -> None:
    renderer = Renderer(default_catalog(), None, strict=True)
    cases = [
        {"n": i, "number": f"GZ2026112800{i}", "status_text": "处置中", "category": "路灯不亮",
         "place": "网格员已到现场" * 5, "date": "今天"}
        for i in range(40)
    ]
    text = renderer.render("status.list", cases=cases)
    assert len(text.encode("utf-8")) <= 2048 and text.endswith("…")


def test_a_staff_version_without_the_rating_options_falls_back_to_the_default(engine: Engine) -> None:
    options = "1 满意，2 基本满意，3 不满意"
    with Session(engine) as session:  # saved before the options were required: hand-typed and reordered
        session.add(TemplateVersion(key="rating.ask", body="工单 {{ number }} 已办结，请回复 1 不满意，2 基本满意，3 满意。",
                                    fields=None, author="旧版本", previous_body=""))
        session.add(TemplateVersion(key="rating.not_understood", body="没读懂，请回复：{{ options }}", author="王芳",
                                    previous_body=""))
        session.commit()
    renderer = Renderer(default_catalog(), engine, refresh_seconds=0)
    text = renderer.render("rating.ask", number="GZ1", options=options)
    assert text.startswith("您反映的问题（工单 GZ1）已经办结") and options in text and "1 不满意" not in text
    assert renderer.render("rating.not_understood", options=options) == f"没读懂，请回复：{options}"
