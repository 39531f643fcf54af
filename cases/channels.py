"""Where a case came from (its intake channel) and what kind of appeal it is (诉求类型).

The intake channel is not the push channel: ``Case.channel`` says how the resident is reached (``oa``
official account, ``mp`` mini-program, ``ext`` nobody on WeChat), ``Case.intake_channel`` says through
which door the problem came in — WeChat, the mini-program, the 12345 hotline, 数字城管, a grid worker's
patrol, the leaders' message board, the government website, a phone call to the centre.
"""

from enum import StrEnum


class IntakeChannel(StrEnum):
    WECHAT = "wechat"
    MINI_PROGRAM = "mini_program"
    HOTLINE = "hotline"
    CITY_MANAGEMENT = "city_management"
    GRID_PATROL = "grid_patrol"
    MESSAGE_BOARD = "message_board"
    WEB = "web"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def external(self) -> bool:
        """True for the channels other systems file through (Open311), False for WeChat's own two."""
        return self not in (IntakeChannel.WECHAT, IntakeChannel.MINI_PROGRAM)

    @classmethod
    def of_push_channel(cls, channel: str) -> "IntakeChannel":
        """The intake channel of a case a resident filed in WeChat (``oa`` or ``mp``)."""
        return cls.MINI_PROGRAM if channel == "mp" else cls.WECHAT


CHANNEL_LABELS: dict[IntakeChannel, str] = {
    IntakeChannel.WECHAT: "微信公众号",
    IntakeChannel.MINI_PROGRAM: "微信小程序",
    IntakeChannel.HOTLINE: "12345热线",
    IntakeChannel.CITY_MANAGEMENT: "数字城管",
    IntakeChannel.GRID_PATROL: "网格员巡查",
    IntakeChannel.MESSAGE_BOARD: "领导留言板",
    IntakeChannel.WEB: "政府网站",
    IntakeChannel.PHONE: "来电",
}


class AppealType(StrEnum):
    COMPLAINT = "complaint"
    REPORT = "report"  # 举报: someone breaks a rule
    HELP = "help"
    CONSULT = "consult"
    SUGGESTION = "suggestion"
    PRAISE = "praise"
    OTHER = "other"

    @property
    def label(self) -> str:
        return APPEAL_LABELS[self]

    @classmethod
    def named(cls, text: str | None) -> "AppealType | None":
        """The appeal type of a code ("complaint") or a Chinese name ("投诉", as the NLU and staff say it)."""
        text = (text or "").strip()
        return next((appeal for appeal, name in APPEAL_LABELS.items() if text in (appeal.value, name)), None)


APPEAL_LABELS: dict[AppealType, str] = {
    AppealType.COMPLAINT: "投诉",
    AppealType.REPORT: "举报",
    AppealType.HELP: "求助",
    AppealType.CONSULT: "咨询",
    AppealType.SUGGESTION: "建议",
    AppealType.PRAISE: "表扬",
    AppealType.OTHER: "其他",
}
UNSTATED_APPEAL = "未注明"  # a case filed before appeal types were recorded
