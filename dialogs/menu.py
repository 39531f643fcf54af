"""Menu and help: the welcome, the commands that work anywhere, hand-over to a person, and never silence.

    subscribe ──▶ welcome                          取消 (anywhere) ──▶ drop the dialog in progress
    帮助 / menu HELP ──▶ what the bot can do         人工 ──▶ office hours and hotline; request recorded
    LOCATION event ──▶ remembered a few minutes (offered when a report needs a place), no answer
    video, link, other media ──▶ a polite "please send words, photos or a location"
    anything else ──▶ a short hint of what the bot can do
"""

from __future__ import annotations

from bot.filters import EventIs, Keywords, Kind, Predicate
from bot.fsm import FSMContext
from bot.router import Router
from bot.types import Kind as K
from bot.types import Update
from dialogs.desk import CaseDesk
from dialogs.hours import office_window
from dialogs.say import Say
from dialogs.steps import Report
from dialogs.understanding import Meaning, says
from nlu import Intent

commands = Router("commands")  # tried before every dialog
fallback = Router("menu")  # tried after every dialog



@commands.handler(Predicate(says(Intent.CANCEL)))
async def cancel(state: FSMContext, say: Say, raw_state: str | None) -> None:
    data = await state.get_data()
    await state.set_data({"recent_location": data["recent_location"]} if data.get("recent_location") else {})
    await state.set_state(None)
    say("report.cancelled" if raw_state and Report.contains(raw_state) else "menu.nothing_to_cancel")


@commands.handler(Keywords(click_keys=["HELP"]) | Predicate(says(Intent.HELP, at_least=0.8)))
async def help_(say: Say) -> None:
    say("menu.help")


@commands.handler(Keywords(click_keys=["HUMAN"]) | Predicate(says(Intent.HUMAN)))
async def human(update: Update, say: Say, desk: CaseDesk, centre: dict[str, str]) -> None:
    await desk.request_human(openid=update.resident_id, channel=update.channel.value, text=update.text)
    window = office_window(centre["office_hours"], desk.clock())
    say("menu.human", office_hours=centre["office_hours"], hotline=centre["hotline"],
        open_now=window.open_now if window else None, next_open=window.next_open if window else "")


@commands.handler(EventIs("LOCATION"))
async def remember_position(update: Update, state: FSMContext, desk: CaseDesk) -> None:
    assert update.location is not None
    await state.update_data(recent_location={"lat": update.location.lat, "lng": update.location.lng,
                                             "crs": update.location.crs, "at": desk.clock().timestamp()})


@commands.handler(EventIs("subscribe"))
async def welcome(say: Say) -> None:
    say("menu.welcome")


@commands.handler(EventIs("unsubscribe", "VIEW", "TEMPLATESENDJOBFINISH", "subscribe_msg_popup_event"))
async def silent_event() -> None:
    """Events that need no answer (WeChat ignores a reply to them anyway)."""


@fallback.handler(Kind(K.VIDEO, K.LINK, K.UNKNOWN))
async def unsupported(update: Update, say: Say) -> None:
    say("menu.unsupported", kind=update.kind.value if update.kind in (K.VIDEO, K.LINK) else "other")


@fallback.handler(Kind(K.TEXT, K.VOICE))
async def greeting_or_unknown(say: Say, meaning: Meaning | None) -> None:
    if meaning is not None and meaning.intent in ("greeting", "help"):
        say("menu.help" if meaning.intent == "help" else "menu.welcome")
    else:
        say("menu.unknown")


@fallback.handler()
async def anything_else(update: Update, say: Say) -> None:
    if update.kind is K.EVENT:
        return
    say("menu.unknown")
