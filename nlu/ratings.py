"""Reading a rating out of a resident's words: "5分", "10分", "⭐⭐⭐⭐", "👍", "还行吧", "这也叫处理了？".

`explicit_rating` finds forms that are ratings in any context (points, stars, emoji verdicts, 满意 /
不满意, 好评 / 差评, sarcasm about the handling). `answer_rating` adds what only reads as a rating right
after the bot asked for one: a bare digit 1–5, 还行, 一般般, 修好了, 还没修, 谢谢.
Scores out of ten ("8分", "满分10分") are halved and rounded up; "100分" and "满分" are 5.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.vocabulary import Rating

_STARS_FULL = "⭐★🌟✨"
_STARS_EMPTY = "☆✩"
_NUMERALS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10}
_POINTS = re.compile(r"(?:打|给|评|就)?(?:个)?(100|10|[0-9]|[零一二两三四五六七八九十])\s*(?:分|颗星|个星|星)")
_OUT_OF_TEN = re.compile(r"满分\s*10|10\s*分制|十分制")
_GOOD_EMOJI = "👍👏💯🙏😊😀😄😃🥰❤💐🌹"
_BAD_EMOJI = "👎😡😠🤬💢😤"
_PUNCT = re.compile(r"[\s,.!?;:~'\"，。！？；：、…·()（）\[\]【】\-]+")

# (pattern over punctuation-free normalised text, score); first match wins, so longer phrases come first.
_WORDS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(p), s)
    for p, s in (
        (r"(这|这样|这种)(也|就|都)?(叫|算|能叫|能算)(是)?(处理|解决|修好|修|办结|结案|搞定|完成|办好)", 1),
        (r"(根本|压根|完全|一点都?)(就)?没(有)?(处理|解决|修|人来|变化|改善|用)", 1),
        (r"(非常|很|特别|极其|十分|太)不满意|差评|(很|太|非常|真|特别)(差|烂|垃圾)|差劲|糟糕|敷衍|糊弄|走过场"
         r"|应付了事", 1),
        (r"不(太|怎么|是很|大)满意|不满意|不咋地|不怎么样|不行|没(啥|什么)用|不靠谱", 2),
        (r"呵呵|就这(样|\?|？)?$|你们可真(行|厉害)", 2),
        (r"(非常|很|特别|十分|超级?|太)满意|满意满意|好评|五星|满分|点赞|^赞+$|给力|太棒|很棒|真棒|真不错|很好"
         r"|非常好|特别好|"
         r"(处理|解决|修|办)(得|的)(很|真|非常|挺|蛮|特别|十分)?(好|快|及时|到位|迅速|漂亮)|效率(很|真|挺|蛮"
         r"|非常)?高", 5),
        (r"基本满意|比较满意|还算满意|挺满意|还(比较)?满意|还不错|不错|挺好|蛮好|还好", 4),
        (r"满意", 5),
        (r"一般般?|马马虎虎|凑合|勉强|还行吧|就那样|过得去|及格|中规中矩", 3),
        (r"还行|还可以|可以吧", 4),
    )
)
# Only after the bot asked: answers about whether the problem was fixed, and thanks.
_ANSWER_WORDS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(p), s)
    for p, s in (
        (r"(还|也|都)?没(有)?(修|解决|处理|弄|搞)(好)?|还是(坏|老样子|一样|没变)|没(人)?(来|管)|没变化|没效果", 2),
        (r"(修|解决|处理)了一(半|部分)|部分解决|还差(一点|点)|好了一(半|点)", 3),
        (r"(已经)?(修|解决|处理|弄|搞)(好|定)?了|已(修好|解决|处理)|好了|谢谢|感谢|多谢|辛苦(了|啦)", 5),
    )
)


def _clean(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def _numeral(token: str) -> int:
    return int(token) if token.isdigit() else _NUMERALS[token]


def _from_points(value: int, out_of_ten: bool) -> int:
    if value >= 100:
        return 5
    if value > 5 or out_of_ten:
        return max(1, min(5, -(-value // 2)))  # 10 -> 5, 8 -> 4, 6 -> 3, 1 -> 1
    return max(1, value)  # 0分 -> 1


def explicit_rating(text: str) -> Rating | None:
    """A rating stated in a form that is a rating wherever it appears; None otherwise."""
    raw = unicodedata.normalize("NFKC", text)
    full = sum(raw.count(s) for s in _STARS_FULL)
    empty = sum(raw.count(s) for s in _STARS_EMPTY)
    if full and full <= 5 and len(_clean(raw.translate({ord(c): None for c in _STARS_FULL + _STARS_EMPTY}))) <= 6:
        return Rating(full)
    if empty and not full:
        return Rating(1)
    t = _clean(raw)
    if len(t) <= 16:
        points = _POINTS.search(t)
        if points:
            return Rating(_from_points(_numeral(points.group(1)), bool(_OUT_OF_TEN.search(t))))
    good = sum(raw.count(e) for e in _GOOD_EMOJI)
    bad = sum(raw.count(e) for e in _BAD_EMOJI)
    words = _PICTO.sub("", t)
    if (good or bad) and len(words) <= 4:
        return Rating(5 if good > bad else 1)
    if len(words) > 30:
        return None
    for pattern, score in _WORDS:
        if pattern.search(words):
            return Rating(score)
    return None


def answer_rating(text: str) -> Rating | None:
    """A rating read from an answer right after the bot asked for one (adds bare digits and 修好了)."""
    t = _PICTO.sub("", _clean(text))
    if re.fullmatch(r"[1-5]", t):
        return Rating(int(t))
    if t in _NUMERALS and 1 <= _NUMERALS[t] <= 5:
        return Rating(_NUMERALS[t])
    found = explicit_rating(text)
    if found is not None or len(t) > 20:
        return found
    for pattern, score in _ANSWER_WORDS:
        if pattern.search(t):
            return Rating(score)
    return None


_PICTO = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]")
