"""Versions: who saved what and when, the text before, rollback, preview."""

import pytest
from sqlmodel import Session

from reply_templates import (
    TemplateLintError,
    UnknownTemplateError,
    VersionNotFoundError,
    current,
    default_catalog,
    history,
    preview,
    rollback,
    save,
)

DEFAULT_HELP = default_catalog().get("menu.help").body


def test_save_records_the_author_and_the_text_it_replaced(session: Session) -> None:
    first = save(session=session, key="menu.help", body="第一版：回复“人工”。", author="王芳")
    second = save(session=session, key="menu.help", body="第二版：回复“人工”。", author="李强")
    assert first.previous_body == DEFAULT_HELP
    assert second.previous_body == "第一版：回复“人工”。"
    assert second.author == "李强" and second.created_at_utc.tzinfo is not None
    assert [v.id for v in history(session, "menu.help")] == [second.id, first.id]
    assert current(session, "menu.help") == second


def test_a_refused_save_stores_nothing(session: Session) -> None:
    with pytest.raises(TemplateLintError) as refused:
        save(session=session, key="menu.human", body="{{ hotline }} 等着吧\n{{ boss }}", author="王芳")
    assert {p.code for p in refused.value.problems} == {"negative_phrase", "undeclared_variable"}
    assert history(session, "menu.human") == []


def test_unknown_keys_cannot_be_created(session: Session) -> None:
    with pytest.raises(UnknownTemplateError):
        save(session=session, key="menu.secret", body="你好", author="王芳")


def test_rollback_restores_an_older_version_as_a_new_one(session: Session) -> None:
    first = save(session=session, key="report.cancelled", body="好的，已取消。", author="王芳")
    save(session=session, key="report.cancelled", body="已取消，欢迎再来。", author="李强")
    restored = rollback(session=session, key="report.cancelled", version_id=first.id, author="张伟")
    assert restored.body == "好的，已取消。" and restored.restored_from == first.id
    assert restored.author == "张伟" and restored.previous_body == "已取消，欢迎再来。"
    assert current(session, "report.cancelled") == restored
    assert len(history(session, "report.cancelled")) == 3


def test_rollback_to_none_restores_the_shipped_default(session: Session) -> None:
    save(session=session, key="menu.help", body="临时说明：回复“人工”。", author="王芳")
    restored = rollback(session=session, key="menu.help", version_id=None, author="王芳")
    assert restored.body == DEFAULT_HELP and restored.restored_from is None


def test_rollback_to_a_version_of_another_key_is_refused(session: Session) -> None:
    other = save(session=session, key="menu.help", body="说明：回复“人工”。", author="王芳")
    with pytest.raises(VersionNotFoundError):
        rollback(session=session, key="menu.unknown", version_id=other.id, author="王芳")
    with pytest.raises(VersionNotFoundError):
        rollback(session=session, key="menu.help", version_id=9999, author="王芳")


def test_saving_a_push_body_keeps_its_fields_and_fields_can_be_edited(session: Session) -> None:
    spec = default_catalog().get("rating.ask")
    kept = save(session=session, key="rating.ask", body="工单 {{ number }} 已办结，请回复 {{ options }}。", author="王芳")
    assert kept.fields == dict(spec.fields or {})
    edited = save(
        session=session,
        key="rating.ask",
        body="工单 {{ number }} 已办结，请回复 {{ options }}。",
        fields={"character_string1": "{{ number }}", "thing2": "{{ summary or '已办结' }}", "thing3": "{{ options }}"},
        author="王芳",
    )
    assert edited.fields is not None and edited.fields["thing3"] == "{{ options }}"
    again = save(session=session, key="rating.ask", body="工单 {{ number }} 办好了，请回复 {{ options }}。", author="李强")
    assert again.fields == edited.fields


def test_preview_renders_with_samples_and_given_values_and_reports_problems() -> None:
    shown = preview("report.filed", "工单 {{ number }}，{{ due_text }}前答复。", {"number": "GZ1"})
    assert shown.text == "工单 GZ1，11月30日 17:00前答复。" and shown.problems == []
    bad = preview("report.filed", "{% if %}")
    assert bad.text == "" and bad.problems[0].code == "syntax"
    push = preview("status.changed", "工单 {{ number }} 有进展。")
    assert push.fields is not None and push.fields["character_string1"] == "GZ20261128001"
