"""Status questions, ratings after the close push, the menu, hand-over and never-silent fallbacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from cases import transition
from cases.models import Rating
from cases.workflow_models import HandoverRequest
from nlu import NLU, Fixed
from reply_templates import save
from tests.dialogs.conftest import Chat
from tests.dialogs.test_report import LAT, LNG, finish

pytestmark = pytest.mark.anyio


async def file_one(chat: Chat, text: str = "小区门口的路灯坏了好几天了") -> str:
    await chat.say(text)
    await chat.pin(LAT, LNG)
    await finish(chat)
    return chat.cases()[-1].number


def move(chat: Chat, number: str, *steps: str) -> None:
    with Session(chat.engine) as session:
        for step in steps:
            transition(session=session, number=number, to=step, actor="张三", department="城管中队",
                       now=datetime.now(UTC))


def close(chat: Chat, number: str) -> None:
    move(chat, number, "accepted", "dispatched", "processing", "verifying", "closed")


def rating_of(chat: Chat, number: str) -> Rating | None:
    with Session(chat.engine) as session:
        case = next(c for c in chat.cases() if c.number == number)
        return session.exec(select(Rating).where(Rating.case_id == case.id)).first()


async def test_status_without_a_number_lists_the_residents_open_cases(chat: Chat) -> None:
    assert (await chat.say("我的工单")).key == "status.none"
    await file_one(chat)
    await file_one(chat, "这边垃圾堆了三天没人清运，味道很大")
    reply = await chat.say("我反映的事情进度怎么样了")
    assert reply.key == "status.list"
    assert "1. " in reply.texts[0] and "生活垃圾未清运" in reply.texts[0] and "路灯不亮" in reply.texts[0]


async def test_status_by_number_shows_the_last_step_in_plain_words(chat: Chat) -> None:
    number = await file_one(chat)
    assert "最新进展：已提交，等待受理（" in (await chat.say(number)).texts[0]
    move(chat, number, "accepted", "dispatched")
    reply = await chat.say(f"查一下 {number.lower()}")
    assert reply.key == "status.one"
    assert "最新进展：已派遣至城管中队（" in reply.texts[0]


async def test_someone_elses_number_gets_the_unknown_number_answer(chat: Chat) -> None:
    number = await file_one(chat)
    stranger = chat.as_resident("o-mallory")
    reply = await stranger.say(number)
    assert reply.key == "status.unknown_number"
    made_up = await stranger.say("BH20200101-0001")
    assert made_up.key == "status.unknown_number"
    assert reply.texts[0].replace(number, "X") == made_up.texts[0].replace("BH20200101-0001", "X")


async def test_rating_by_one_word_after_the_close_push(chat: Chat) -> None:
    number = await file_one(chat)
    close(chat, number)
    reply = await chat.say("满意")
    assert reply.keys == ["rating.thanks_good", "rating.ask_comment"]
    done = await chat.say("跳过")
    assert done.key == "rating.done"
    rating = rating_of(chat, number)
    assert rating is not None and rating.score == 4 and not rating.needs_callback  # 满意 on the 好差评 scale


async def test_rating_by_digit_then_a_comment(chat: Chat) -> None:
    number = await file_one(chat)
    close(chat, number)
    await chat.say("4")
    saved = await chat.say("处理得挺快的，谢谢")
    assert saved.key == "rating.comment_saved"
    rating = rating_of(chat, number)
    assert rating is not None and rating.score == 4 and rating.comment == "处理得挺快的，谢谢"


async def test_not_fixed_flags_a_call_back_and_says_so(chat: Chat) -> None:
    number = await file_one(chat)
    close(chat, number)
    reply = await chat.say("还没修")
    assert reply.keys[0] == "rating.thanks_bad"
    rating = rating_of(chat, number)
    assert rating is not None and rating.fixed == "no" and rating.needs_callback
    assert next(c for c in chat.cases() if c.number == number).callback_needed


async def test_rating_by_free_text(chat: Chat) -> None:
    number = await file_one(chat)
    close(chat, number)
    reply = await chat.say("根本没人来处理，太失望了")
    assert reply.keys[0] == "rating.thanks_bad"
    rating = rating_of(chat, number)
    assert rating is not None and rating.needs_callback


async def test_rating_by_number_from_the_menu(chat: Chat) -> None:
    number = await file_one(chat)
    close(chat, number)
    ask = await chat.say(f"评价 {number}")
    assert ask.key == "rating.ask"
    reply = await chat.say("基本满意")
    assert reply.keys[0] == "rating.thanks_good"
    rating = rating_of(chat, number)
    assert rating is not None and rating.score == 3


async def test_rate_click_with_nothing_to_rate(chat: Chat) -> None:
    assert (await chat.event("CLICK", key="RATE")).key == "rating.nothing_to_rate"


async def test_a_digit_without_a_case_to_rate_is_not_taken_as_a_rating(chat: Chat) -> None:
    reply = await chat.say("5")
    assert not any(key.startswith("rating.thanks") for key in reply.keys)


async def test_subscribe_welcomes_and_unknown_input_gets_a_hint(chat: Chat) -> None:
    assert (await chat.event("subscribe")).keys == ["menu.welcome"]
    hint = await chat.say("嗯嗯")
    assert hint.key in ("menu.unknown", "menu.help", "menu.welcome") and hint.texts


async def test_video_gets_a_polite_answer(chat: Chat) -> None:
    from bot.types import Kind

    reply = await chat._feed(kind=Kind.VIDEO)
    assert reply.key == "menu.unsupported" and "视频" in reply.texts[0]


async def test_human_hand_over_is_recorded_for_staff(chat: Chat) -> None:
    reply = await chat.say("转人工")
    assert reply.key == "menu.human" and "0551-12345" in reply.texts[0]
    with Session(chat.engine) as session:
        requests = session.exec(select(HandoverRequest)).all()
    assert len(requests) == 1 and requests[0].reason == "human" and "转人工" in requests[0].text


async def test_location_event_is_remembered_and_offered(chat: Chat) -> None:
    from bot.types import Location

    silent = await chat.event("LOCATION", location=Location(lat=LAT, lng=LNG))
    assert silent.keys == [] and silent.texts == []
    offer = await chat.say("路边的垃圾桶满了没人倒")
    assert offer.key == "report.offer_recent_location"
    taken = await chat.say("1")
    assert "report.location_set" in taken.keys


async def test_a_template_edit_is_seen_by_the_next_message(chat: Chat) -> None:
    with Session(chat.engine) as session:
        save(session=session, key="menu.welcome", body="欢迎您！有问题随时告诉我们。", author="李四")
        session.commit()
    reply = await chat.event("subscribe")
    assert reply.texts == ["欢迎您！有问题随时告诉我们。"]


async def test_every_key_used_in_dialogs_exists_in_the_shipped_defaults() -> None:
    import re
    from pathlib import Path

    from reply_templates import default_catalog

    used = set()
    for path in Path("dialogs").glob("*.py"):
        used |= set(re.findall(r'say\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text()))
        used |= set(re.findall(r'"((?:report|status|rating|menu|system)\.[a-z_]+)"', path.read_text()))
    assert len(used) > 30
    missing = sorted(key for key in used if key not in default_catalog())
    assert missing == []


async def test_message_times_are_recorded_for_the_48_hour_window(chat: Chat) -> None:
    from cases.models import Resident

    await chat.say("你好")
    desk = chat.dispatcher["desk"]
    await desk.flush()
    with Session(chat.engine) as session:
        resident = session.exec(select(Resident).where(Resident.openid == chat.openid)).one()
    assert (datetime.now(UTC) - resident.last_seen.replace(tzinfo=UTC)).total_seconds() < 60


async def test_the_numbered_choices_of_the_rating_prompt_mean_what_they_say(nlu: NLU) -> None:
    from dialogs.rating import PROMPT_OPTIONS, Verdict, read_answer

    for n, words in enumerate(PROMPT_OPTIONS, start=1):
        assert read_answer(str(n), nlu) == read_answer(words, nlu)  # "1" is 满意, read as the NLU reads 满意
    assert [read_answer(w, nlu) for w in PROMPT_OPTIONS] == [Verdict(4, None), Verdict(3, None), Verdict(2, None)]
    assert read_answer("1分", nlu) == Verdict(1, None)  # an explicit score
    assert read_answer("5", nlu) == Verdict(5, None)  # a digit past the options is a score
    assert read_answer("修了一半", nlu) == Verdict(2, Fixed.PARTLY)
    assert read_answer("我家楼下又有人乱停车了", nlu) is None  # a new problem, not a verdict


def test_the_rating_prompts_show_the_options_the_dialog_reads() -> None:
    from dialogs.rating import OPTIONS_TEXT, PROMPT_OPTIONS
    from reply_templates import Renderer, default_catalog

    assert OPTIONS_TEXT == "1 满意，2 基本满意，3 不满意"
    assert PROMPT_OPTIONS == ("满意", "基本满意", "不满意")
    catalog = default_catalog()
    renderer = Renderer(catalog, strict=True)
    for key in ("rating.ask", "rating.not_understood"):
        options = catalog.get(key).variables["options"]
        assert options.required and options.sample == OPTIONS_TEXT  # what staff preview is what residents get
        assert OPTIONS_TEXT in renderer.render(key, number="GZ20261128001", options=OPTIONS_TEXT)
        assert "满意" not in renderer.render(key, number="GZ20261128001", options="〈选项〉")  # nothing typed by hand
    fields = renderer.render_fields("rating.ask", number="GZ20261128001", options=OPTIONS_TEXT)
    assert fields["thing3"] == f"回复 {OPTIONS_TEXT}"


async def test_the_nlu_reads_a_message_once_and_only_when_asked(nlu: object) -> None:
    from dialogs.understanding import Meaning
    from nlu import Context, IntentReading

    calls: list[str] = []

    class Counting:
        def understand(self, text: str, context: Context = Context.IDLE) -> object:
            calls.append(f"understand {text}")
            return nlu.understand(text, context)  # type: ignore[attr-defined]

        def intent(self, text: str, context: Context = Context.IDLE) -> IntentReading:
            calls.append(f"intent {text}")
            return nlu.intent(text, context)  # type: ignore[attr-defined]

    meaning = Meaning(Counting(), "楼下垃圾没人收")
    assert not meaning.computed and calls == []
    assert meaning.intent == "report"  # the cheap intent reading, no classification
    assert calls == ["intent 楼下垃圾没人收"]
    assert meaning.majors[0].code == "01" and meaning.intent == "report"
    assert calls == ["intent 楼下垃圾没人收", "understand 楼下垃圾没人收"]
