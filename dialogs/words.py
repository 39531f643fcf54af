"""Fixed words residents use to answer the bot's questions, and small formatting helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from nlu import EMERGENCY_NUMBERS

CONFIRM_WORDS = frozenset({"确认", "提交", "是", "是的", "对", "对的", "好", "好的", "确定", "没问题", "可以",
                           "确认提交"})
BACK_WORDS = frozenset({"修改", "返回", "上一步", "改一下", "不对", "重填"})
SKIP_WORDS = frozenset({"跳过", "略过", "不用", "不需要", "算了", "没有"})
YES_WORDS = frozenset({"是", "是的", "好", "好的", "可以", "要", "需要", "用", "行", "对"})
NO_WORDS = frozenset({"否", "不", "不要", "不用", "不需要", "不必", "无"})
CANCEL_WORDS = frozenset({"取消", "不报了", "撤销", "退出", "不反映了", "算了不报了"})
HELP_WORDS = frozenset({"帮助", "help", "怎么用", "菜单", "说明", "?", "？"})
HUMAN_WORDS = frozenset({"人工", "转人工", "人工服务", "人工客服", "找客服", "客服"})
MY_CASES_WORDS = frozenset({"我的工单", "我的反映", "查进度", "查询进度", "进度", "工单", "查询"})
RATE_WORDS = frozenset({"评价", "我要评价", "评分"})

CHINA = timezone(timedelta(hours=8))


def urgent_hotline(kind: str | None) -> str:
    """Which number to call first for this kind of danger; 119/110/120 when unsure."""
    return EMERGENCY_NUMBERS.get(kind or "", "119/110/120")


def local_time(moment: datetime) -> str:
    """"11月30日 17:00" in the centre's time zone (stored times are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(CHINA)
    return f"{local.month}月{local.day}日 {local:%H:%M}"
