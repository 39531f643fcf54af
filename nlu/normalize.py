"""Text clean-up shared by every component: width, case, emoji, voice-input typos and dialect words.

`normalize` keeps digits and letters (the extractors need them); `for_matching` additionally drops
everything that is not a CJK character, letter or digit, which is what the classifier looks at.
"""

from __future__ import annotations

import re
import unicodedata

# Common voice-to-text and pinyin-input slips, homophones and dialect words -> standard form.
# Keys are matched literally; longer keys win over shorter ones.
CORRECTIONS: dict[str, str] = {
    "陆灯": "路灯", "路等": "路灯", "鹿灯": "路灯", "录灯": "路灯",
    "井该": "井盖", "景盖": "井盖", "井改": "井盖",
    "拉圾": "垃圾", "垃极": "垃圾", "拉基": "垃圾", "垃级": "垃圾", "乐色": "垃圾",
    "燥音": "噪音", "躁音": "噪音", "造音": "噪音", "噪声": "噪音",
    "油姻": "油烟", "油湮": "油烟",
    "违张": "违章", "违停车": "违停",
    "物叶": "物业", "无业费": "物业费", "物也": "物业",
    "电悌": "电梯", "店梯": "电梯", "电题": "电梯",
    "红路灯": "红绿灯", "红绿等": "红绿灯", "红旅灯": "红绿灯",
    "共想单车": "共享单车", "共亨单车": "共享单车",
    "蟑郎": "蟑螂", "老属": "老鼠",
    "煤汽": "煤气", "然气": "燃气", "燃汽": "燃气", "天然汽": "天然气",
    "低宝": "低保", "公基金": "公积金", "公机金": "公积金", "社宝": "社保", "医宝": "医保",
    "工姿": "工资", "欠心": "欠薪", "身分证": "身份证", "户囗": "户口",
    "占到经营": "占道经营", "摆滩": "摆摊", "牛皮鲜": "牛皮癣",
    "广场午": "广场舞", "跳午": "跳舞", "扬成": "扬尘", "焚绕": "焚烧",
    "消访": "消防", "消房": "消防", "灭火气": "灭火器",
    "暖汽": "暖气", "水亚": "水压",
    "幼儿圆": "幼儿园", "补习版": "补习班", "班主人": "班主任",
    "狗较": "狗叫", "拴神": "拴绳", "溜狗": "遛狗", "楼上楼水": "楼上漏水", "露水": "漏水",
    "小区里头": "小区里", "马路牙子": "路边", "马路上头": "马路上",
    # dialect and colloquial words
    "啥子": "什么", "啥": "什么", "咋个": "怎么", "咋": "怎么", "俺": "我", "木有": "没有",
    "没得": "没有", "莫得": "没有", "么得": "没有", "搞么事": "干什么", "么事": "什么事",
    "小伢": "小孩", "伢子": "孩子", "一哈": "一下", "黑咕隆咚": "黑灯瞎火", "贼吵": "很吵",
    "嘎子": "地方", "恁": "那么", "咱": "我",
}
_CORRECTION_RE = re.compile("|".join(re.escape(k) for k in sorted(CORRECTIONS, key=len, reverse=True)))

# Emoji that carry a resident's verdict become words; all other pictographs are dropped.
EMOJI_WORDS: dict[str, str] = {
    "👍": "赞", "👏": "赞", "🙏": "谢谢", "😊": "", "👎": "差评", "😡": "生气", "🔥": "火",
}
_PICTOGRAPH_RE = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U000e0000-\U000e007f]"
)
_NON_WORD_RE = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_SPACE_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width digits/letters to ASCII), lower case, emoji mapped or removed, typos fixed."""
    text = unicodedata.normalize("NFKC", text).lower()
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, word)
    text = _PICTOGRAPH_RE.sub(" ", text)
    text = _CORRECTION_RE.sub(lambda m: CORRECTIONS[m.group(0)], text)
    return _SPACE_RE.sub(" ", text).strip()


def for_matching(text: str) -> str:
    """Normalised text keeping only CJK characters, ASCII letters and digits (no spaces)."""
    return _NON_WORD_RE.sub("", normalize(text))
