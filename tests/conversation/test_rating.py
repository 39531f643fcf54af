"""Rating a closed case in the resident's own words: what the NLU reads is what staff see, on one scale.

After the prompt (评价 → "回复 1 满意，2 基本满意，3 不满意") and while idle with a case waiting for its rating
(the close push asked), the resident may answer with an option, a score, stars, a verdict or whether the
problem was fixed; staff read the score (非常满意 5 … 非常不满意 1), whether it was fixed and the call-back flag.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conversation.conftest import Resident


def _staff(resident: Resident) -> dict[str, str]:
    response = resident.app.client.post("/api/staff/login", json={"name": "admin", "password": "admin123"})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _closed_case(resident: Resident) -> str:
    resident.say("海棠城门口井盖丢了")
    resident.say("确认")
    [case] = resident.cases()
    for step in ({"to": "accepted"}, {"to": "dispatched", "department": "市政"}, {"to": "processing"},
                 {"to": "verifying"}, {"to": "closed", "note": "井盖已补上"}):
        response = resident.app.client.post(f"/api/staff/cases/{case.number}/transitions", json=step,
                                            headers=_staff(resident))
        assert response.status_code == 200, response.text
    return case.number


def _rating(resident: Resident, number: str) -> dict[str, Any]:
    detail = resident.app.client.get(f"/api/staff/cases/{number}", headers=_staff(resident)).json()
    rating: dict[str, Any] = detail["rating"]
    return rating


@pytest.mark.parametrize(
    ("answer", "score_text", "fixed", "callback"),
    [
        ("满意", "满意", None, False),
        ("1", "满意", None, False),  # option 1 of the prompt is 满意, whatever 1 would be as a score
        ("2", "基本满意", None, False),
        ("3", "不满意", None, True),
        ("5", "非常满意", None, False),  # past the options a digit is a score
        ("修了一半", "不满意", "partly", True),
        ("修好了", "满意", "yes", False),
        ("还是老样子", "非常不满意", "no", True),
    ],
)
def test_an_answer_to_the_rating_prompt_records_what_the_nlu_reads(
    resident: Resident, answer: str, score_text: str, fixed: str | None, callback: bool
) -> None:
    number = _closed_case(resident)
    assert resident.click("RATE").keys == ["rating.ask"]
    thanks = resident.say(answer)
    assert thanks.keys[0] == ("rating.thanks_bad" if callback else "rating.thanks_good")
    rating = _rating(resident, number)
    assert (rating["score_text"], rating["fixed"], rating["needs_callback"]) == (score_text, fixed, callback)


@pytest.mark.parametrize(
    ("answer", "score", "fixed"),
    [("5分", 5, None), ("⭐⭐⭐⭐", 4, None), ("还行吧", 3, None), ("这也叫处理了？", 1, None), ("1", 4, None),
     ("还没修", 1, "no"), ("修好了", 4, "yes"), ("已经解决了", 4, "yes")],
)
def test_after_the_close_push_the_next_message_rates_without_asking_again(
    resident: Resident, answer: str, score: int, fixed: str | None
) -> None:
    number = _closed_case(resident)
    thanks = resident.say(answer)
    assert thanks.keys[0].startswith("rating.thanks_")
    rating = _rating(resident, number)
    assert (rating["score"], rating["fixed"]) == (score, fixed)


def test_a_new_problem_after_the_close_push_is_a_report_not_a_rating(resident: Resident) -> None:
    number = _closed_case(resident)
    turn = resident.say("海棠城北门的路灯也不亮了")
    assert not any(key.startswith("rating.") for key in turn.keys)
    assert _rating(resident, number) is None


def test_asking_whether_a_fee_can_be_cancelled_is_not_a_withdrawal(resident: Resident) -> None:
    asked = resident.say("物业费涨了，我想问问能取消吗")
    assert "menu.nothing_to_cancel" not in asked.keys and "report.cancelled" not in asked.keys
    resident.say("取消")
    resident.say("海棠城门口井盖丢了")
    during = resident.say("停车费能不能取消")
    assert "report.cancelled" not in during.keys
    cancelled = resident.say("那就取消吧")
    assert cancelled.keys == ["report.cancelled"] and resident.cases() == []


def test_commands_still_work_while_a_case_waits_for_its_rating(resident: Resident) -> None:
    number = _closed_case(resident)
    assert resident.say("取消").keys == ["menu.nothing_to_cancel"]
    assert resident.say("转人工").keys == ["menu.human"]
    assert _rating(resident, number) is None


def test_staff_reword_the_rating_prompt_and_option_1_still_means_satisfied(resident: Resident) -> None:
    headers = _staff(resident)
    client = resident.app.client
    dropped = client.put("/api/staff/templates/rating.ask", headers=headers,
                         json={"body": "工单 {{ number }} 已经办好了，请回复 1 不满意，2 基本满意，3 满意。"})
    assert dropped.status_code == 422
    [problem] = dropped.json()["detail"]["problems"]
    assert problem["code"] == "missing_variable"
    assert "{{ options }}" in problem["message"] and "请只修改它前后的文字" in problem["message"]
    refused = client.put("/api/staff/templates/rating.not_understood", headers=headers,
                         json={"body": "没看明白，请回复 1 到 3。"})
    assert refused.status_code == 422
    reworded = client.put("/api/staff/templates/rating.ask", headers=headers, json={
        "body": "您好！工单 {{ number }} 已经处理完毕，麻烦您给我们打个分：\n{{ options }}。",
        "fields": {"character_string1": "{{ number }}", "thing2": "{{ summary or '已处理完毕' }}",
                   "thing3": "打分：{{ options }}"},
    })
    assert reworded.status_code == 200, reworded.text
    try:
        number = _closed_case(resident)
        asked = resident.click("RATE")
        assert asked.keys == ["rating.ask"]
        assert "麻烦您给我们打个分" in asked.text and "1 满意，2 基本满意，3 不满意" in asked.text
        assert resident.say("1").keys[0] == "rating.thanks_good"
        rating = _rating(resident, number)
        assert (rating["score_text"], rating["needs_callback"]) == ("满意", False)
    finally:
        client.post("/api/staff/templates/rating.ask/rollback", headers=headers, json={"version_id": None})


def test_an_answer_the_bot_cannot_read_is_asked_again_with_the_same_options(resident: Resident) -> None:
    _closed_case(resident)
    resident.click("RATE")
    again = resident.say("嗯")
    assert again.keys == ["rating.not_understood"] and "1 满意，2 基本满意，3 不满意" in again.text
