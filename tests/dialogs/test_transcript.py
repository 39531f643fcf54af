"""The staff's view of a conversation: each message and the bot's answers reach the resident's message log."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from cases.workflow_models import HandoverRequest, ResidentMessage
from tests.dialogs.conftest import Chat

pytestmark = pytest.mark.anyio


async def test_messages_and_answers_are_logged_for_staff(chat: Chat) -> None:
    await chat.say("你好")
    human = await chat.say("人工")
    await chat.dispatcher["desk"].flush()
    with Session(chat.engine) as session:
        lines = session.exec(select(ResidentMessage).order_by(col(ResidentMessage.id))).all()
        request = session.exec(select(HandoverRequest)).one()
    assert [(m.direction, m.text) for m in lines if m.direction == "in"] == [("in", "你好"), ("in", "人工")]
    assert lines[-1].direction == "bot" and lines[-1].text == human.texts[0]
    assert {m.resident_id for m in lines} == {request.resident_id}
