"""人工: a request staff see, and an honest answer about when a person will reply."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from cases.models import Resident as ResidentRow
from cases.models import StaffNotification
from dialogs.words import CHINA
from tests.conversation.conftest import Resident, check_case


def _office_open(now: datetime) -> bool:
    """The default hours, 工作日 8:30–12:00、14:00–17:30, worked out here independently."""
    local = now.astimezone(CHINA)
    minutes = local.hour * 60 + local.minute
    return local.weekday() < 5 and (510 <= minutes < 720 or 840 <= minutes < 1050)


def test_human_mid_report_records_a_request_and_says_when_to_expect_an_answer(resident: Resident) -> None:
    resident.say("星河雅居门口路灯坏了")
    turn = resident.say("转人工")
    assert turn.keys == ["menu.human"]
    if _office_open(datetime.now(UTC)):
        assert "会在这里回复您" in turn.text
    else:
        assert "下班时间" in turn.text and "上班后回复您" in turn.text
    assert "0551-12345" in turn.text
    with Session(resident.app.services.engine) as session:
        notes = session.exec(select(StaffNotification).join(
            ResidentRow, ResidentRow.id == StaffNotification.resident_id)  # type: ignore[arg-type]
            .where(ResidentRow.openid == resident.openid)).all()
    assert len(notes) == 1 and notes[0].kind == "handover"

    # staff find the request in the hand-over queue with the resident and what was said
    client = resident.app.client
    client.portal.call(resident.app.services.desk.flush)  # the conversation log is written in batches
    token = client.post("/api/staff/login", json={"name": "admin", "password": "admin123"}).json()["access_token"]
    queue = client.get("/api/staff/handover", headers={"Authorization": f"Bearer {token}"}).json()
    [request] = [r for r in queue if r["resident"]["label"].endswith(resident.openid[-4:])]
    said = [m["text"] for m in request["messages"]]
    assert "星河雅居门口路灯坏了" in said and "转人工" in said and request["reason"] == "human"


def test_the_report_goes_on_after_asking_for_a_person(resident: Resident) -> None:
    resident.say("星河雅居门口路灯坏了 电话13912345678")
    resident.say("人工")
    filed = resident.say("确认")
    assert filed.key.startswith("report.filed"), filed.keys
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="兰亭第1网格", address="星河雅居", phone="13912345678")
