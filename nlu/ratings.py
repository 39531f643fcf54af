"""Reading a rating out of a resident's words: "5分", "8分", "⭐⭐⭐⭐", "👍", "还行吧", "这也叫处理了？".

`explicit_rating` finds forms that are ratings in any context (points, stars, verdict emoji, 满意 /
不满意, 好评 / 差评, sarcasm about the handling). `answer_rating` adds what reads as a rating only right
after the bot asked for one: a bare digit 1–5, 修好了, 还没修, 修了一半, 谢谢. `fixed_verdict` reads
whether the problem was fixed (修好了 yes, 修了一半 partly, 还没修 no), which a rating carries beside its score.

The scale is the usual government satisfaction scale: 非常满意 / 点赞 / 五星好评 / 满分 5, 满意 / 比较满意 /
还不错 4, 基本满意 / 一般 / 还行 / 中评 and mixed praise and complaint 3, 不满意 / partly fixed 2,
非常不满意 / 差评 / 零分 / sarcasm / "nobody came, nothing changed" 1. Points out of ten (N > 5 or
"满分10分"): 9–10 → 5, 7–8 → 4, 5–6 → 3, 3–4 → 2, 0–2 → 1; out of a hundred: 90 → 5, 70 → 4, 50 → 3,
30 → 2, below → 1.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.vocabulary import Fixed, Rating

_STARS_FULL = "⭐★🌟"
_STARS_EMPTY = "☆✩"
_NUMERALS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10}
_POINTS = re.compile(
    r"(?:打|给|评|就|能打|可以打|只能打|只给|最多)?(?:个)?(100|[1-9]\d|\d|十"
    r"|[零一二两三四五六七八九]十?[一二三四五六七八九]?)"
    r"\s*(?:分(?!钟|之|钱)|颗星|个星(?!期)|星(?!期))"
)
_OUT_OF_TEN = re.compile(r"满分\s*(10|十)|(10|十)\s*分制|十分制")
_OUT_OF_HUNDRED = re.compile(r"满分\s*(100|一百)|百分制")
_GOOD_EMOJI = "👍👏💯🥰😍"
_BAD_EMOJI = "👎😡😠🤬💢😤💩🙄"
# After a rating request, a face or a flower alone answers it too.
_PLEASED = "😊🙂😄😁😀😃☺🌹💐❤👌🤝🙏"
_DISPLEASED = "😞😭😢😔💔😒😣😫😩☹🙁😑😓"
_DECIMAL = re.compile(r"(\d{1,2})\.(\d)\s*(?:分|星|颗星)")
_HUNDRED = re.compile(r"(一百|百)分")
_VERY = re.compile(r"(?<![零一二两三四五六七八九\d])十分(?=[满不好差感糟失棒热耐负认专周到高重及迅])")  # 十分 = very
_BRACKET_EMOJI = {"[强]": "👍", "[赞]": "👍", "[鼓掌]": "👏",
                  "[弱]": "👎", "[便便]": "💩", "[发怒]": "😡", "[白眼]": "🙄", "[怒]": "😡",
                  "[玫瑰]": "🌹", "[爱心]": "❤", "[OK]": "👌", "[抱拳]": "🙏", "[握手]": "🤝", "[愉快]": "😊",
                  "[难过]": "😞", "[流泪]": "😭", "[大哭]": "😭", "[心碎]": "💔", "[撇嘴]": "😒", "[叹气]": "😔"}
_PUNCT = re.compile(r"[\s,.!?;:~'\"，。！？；：、…·()（）\[\]【】\-]+")
_PICTO = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]")

_LONG_WAIT = (r"((拖|等|过)了?(快|将近|差不多|整整)?(俩|两|三|几|好几|半|一|[0-9]+)(个)?(月|星期|礼拜|年)"
              r"|(一个月|半个月|俩月|两个月|半年|一年)(才|了才))")
# Sarcasm: praise of speed or efficiency next to a long wait, praise in quotes, 呵呵.
_SARCASM = re.compile(
    r"(这|这样|这种)(也|就|都)?(叫|算|能叫|能算)(是)?(处理|解决|修好|修|办结|结案|搞定|完成|办好|服务)"
    r"|呵呵|叹为观止|[“\"'‘「](快|高效|及时|神速|给力|负责|好|满意|效率)[”\"'’」]"
    r"|(真|可真|真是|太|好)(快|神速|高效|及时|迅速|给力|厉害|能干|负责)(啊|呀|呢)?.{0,12}"
    r"(等了|拖了|花了|用了|过了|都)(一个月|半个月|半年|一年|好几[天周个月]|[0-9一二两三四五六七八九十几]+[天周]|好久)"
    r"|(一个月|半个月|半年|好几[天周个月]|[0-9一二两三四五六七八九十几]+[天周])(才)?.{0,10}"
    r"(真|可真|真是|太|好)(快|神速|高效|及时|迅速|给力)"
    r"|才.{1,6}就(修好|解决|处理|来)了.{0,4}(真|太|可真)?(快|神速|高效)"
    r"|越来越[“\"']?(快|好|高效)"
    r"|这就(算|叫|是|当)?(处理|解决|修好|办结|结案|完事|完|结束)(了|啦)?(吗|啊)?$|^就这(吗|啊|呀)?$|好家伙.{0,10}才"
    r"|(你们|这)(效率|速度|办事)(可)?真(是)?(高|快).{0,4}(呵|啊啊|哈哈)"
    r"|(真是谢谢|真(是)?感谢|绝了|佩服|服了|真行|真厉害|可以啊|真快|效率真高).{0,12}" + _LONG_WAIT
    + r"|" + _LONG_WAIT + r".{0,12}(真是谢谢|真(是)?感谢|绝了|佩服|服了|真行|真厉害|可以啊|真快|效率真高)"
)
_NEVER = re.compile(
    r"(根本|压根|完全|一点|丝毫)(就|都|也)?(没|没有|不)(有)?(人)?(来|处理|解决|修|管|变化|改善|改变|用|动)"
    r"|(还是|依然|仍然|照样)(老样子|一样|没变|那样|坏的|没(有)?(修好|解决|处理好|人管))|一点(都|也)?没变"
    r"|没有任何(变化|改善)|(从来|一直)没(人)?(来|管)|人(影)?(都|也)没(有)?(来|到|见|露面)|(一个)?人都没见"
    r"|一点(用|作用|效果)?(都|也)没有|(等于|跟|和)没(处理|解决|修|管)(一样)?|白(报|投诉|反映)了"
)
_CONTRAST = r"(但是|但|不过|就是|可是|只是|然而)"
_FAULT = (r"(太|有点|有些|比较|稍微|还是|又)?(慢|晚|久|拖|差|凶|冲|敷衍|不及时|麻烦|不耐烦|不好|一般|反复|又坏|又堆"
          r"|又脏|又来)")
_MIXED = re.compile(
    rf"{_CONTRAST}.{{0,8}}{_FAULT}"
    rf"|{_CONTRAST}?(问题|事情|事)?(还是)?没(有)?(解决|修好|处理好)"
    rf"|(慢|晚|久|拖)了?(点|一点|些|好久)?{_CONTRAST}(总算|终于|还是|也)?"
)
# Neither praise nor blame: "谈不上满意", "不好不坏".
_HEDGE = re.compile(r"(谈不上|说不上|算不上)(满意|不满意|好|差)|不好不坏|不好也不坏|有好有坏|一般般|中规中矩")
# Verdicts typed as pinyin: "bu man yi", "haoping".
_PINYIN = (("feichangmanyi", "非常满意"), ("henmanyi", "很满意"), ("bumanyi", "不满意"), ("manyi", "满意"),
           ("haoping", "好评"),
           ("henhao", "很好"), ("buxing", "不行"), ("bucuo", "不错"),
           ("chaping", "差评"), ("haixing", "还行"), ("yiban", "一般"), ("zan", "赞"))

# (pattern, score) over punctuation-free text; first match wins, so stronger phrases come first.
_WORDS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(p), s)
    for p, s in (
        (r"(非常|很|特别|极其|极|极度|十分|太|超级?)不满意|差评|负分|零蛋|形式主义|拉(胯|垮)|(非常|很|特别|极其"
         r"|太)不满(?!意)|(很|太|真|好)?生气|气死|走(个)?过场|零分|(很|太|非常|真|特别|极)(差|烂|垃圾|失望)|差劲|糟糕"
         r"|垃圾服务"
         r"|敷衍|糊弄|走过场|应付了事|一星|不及格|(完全|根本|绝不|一点都?)不认可|一塌糊涂|糟透|极差|垃圾得很|辣鸡"
         r"|烂透", 1),
        (r"不(太|怎么|是很|大|是特别)满意|不满意|不咋(地|样|的)|不怎么样|^(太|真|很)?不行(啊|了|呀)?$|没(啥|什么)用|不靠谱"
         r"|不太好|有待(提高|改进)|不满(?!意)|不咋(滴|地)|态度(很|太|真)?(差|不好|恶劣)|不彻底"
         r"|不(太)?认可|(结果|处理|这个|办结)我?不(接受|同意)|不服气|失望", 2),
        (r"(非常|很|特别|十分|超级?|太|相当)满意|满意满意|五星|满分|点(个|了)?赞|^赞+$|给力|^6{3,}$|杠杠的|没得说"
         r"|没话说|无可挑剔|好样的|一流|赞一个|给(你们)?(个)?赞|巴适|好得很|感恩|又快又好|^(太|真|很)?(牛|厉害|优秀)(了|啊|呀|哇)*$|yyds|(太|真)好了|必须(好评|五星|满分)"
         r"|(太|很|真|挺|非常|超|特别)棒"
         r"|棒极了|^棒+$|完美|超赞|非常好|特别好|^(nice|good|great|perfect|excellent)+$"
         r"|(处理|解决|修|办)(得|的)(非常|特别|十分|真)(好|快|及时|到位|迅速|漂亮)|效率(真|特别|非常|很)高|表扬|好评"
         , 5),
        (r"基本(上)?满意|还算满意|一般般|差强人意|凑活|勉勉强强|算是(解决|修好|处理)了吧|(?<![不])及格"
         r"|^还(好|行)(吧|啦|了|啊)?$|还行|还凑合|^(感觉|觉得|我觉得)?(一般|还行|还可以)(吧|啦|了)?$|马马虎虎|凑合|勉强|还行吧"
         r"|还可以吧|还阔以"
         r"|可以吧|就那样|过得去|中规中矩|中评|还好吧|差不多吧|将就|(效果|结果|处理|服务|态度|速度)(一般|还行"
         r"|还可以|马马虎虎)", 3),
        (r"比较满意|挺满意|还(比较)?满意|满意|还不错|不错|挺好|蛮好|很好|好多了"
         r"|(服务|态度|工作人员|师傅|网格员|同志)(很|挺|非常|特别|真|十分)?(周到|热情|耐心|负责|专业|认真)"
         r"|(人|态度)(真|很|挺|特别|蛮)好|(?<!不)靠谱|比(之前|以前|原来|上次|过去)(好|强)(多|点|些|一点)?了?|(莫|没)得问题"
         r"|(处理|解决|修|办)(得|的)(很|挺|蛮)?(好|快|及时|到位|迅速)|效率(挺|蛮)?高", 4),
    )
)
# Only after the bot asked: whether the problem was fixed, and thanks.
_ANSWER_WORDS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(p), s)
    for p, s in (
        (r"(还|也|都)?没(有)?(人)?(修|解决|处理|弄|搞|来|管)(好)?|还是(坏|老样子|一样|没变)|没变化|没效果"
         r"|^(还|也|都)?没(好|弄好|修好)"
         r"|(问题|毛病)?(还|依然|仍然|照样|照旧)(在|存在|那样)$|没(有)?人(联系|找|问)(过)?我"
         r"|敷衍|应付|不作为|推诿|踢皮球|走形式|没用$|不负责", 1),
        (r"(太|有点|有些)(慢|拖|晚)了?|拖(了)?(太|好)久|不太行|^差+$|^(很|太)?一般(吧)?$"
         r"|^(很|太|真|不太)?不好(吧|啊|呀)?$", 2),
        (r"^(不好说|说不好|说不上来|不知道怎么说|不好评价|难说|看情况|就这样吧?|凑合着?吧?|过得去吧?)$", 3),
        (r"(修|解决|处理)了一(半|部分)|部分解决|还差(一点|点)|好了一(半|点)|只(修|解决|处理)了"
         r"|(过|没)(了)?(两|几|一)天(又|就)(坏|堵|漏|不亮|脏|堆)|又(坏|堵|漏)了"
         r"|(修|补|换|清|拉|运|处理|弄|搞|拆)(好|走|掉|完|上)?了.{0,12}(又|还是|照样)(坏|堆|脏|漏|有|来|满|响|回来|裂|堵"
         r"|不亮|开始)", 2),
        (r"^(可以|可以可以|可以的|ok|okay|行|行行|成|还成|不赖|满意的|挺好|好)(的|啊|呀|吧)?$|"
         r"^(速度|效率|处理|来得|修得)?(很|挺|蛮|真|非常)?(快|及时|高|迅速)(的|啊|呀)?$|^好+$|"
         r"(已经)?(修|解决|处理|弄|搞)(好|定)?了|已(修好|解决|处理)|好了|谢谢|感谢|多谢"
         r"|辛苦(了|啦)|辛苦(师傅|你们|大家|网格员)", 4),
    )
)


_FIXED = (r"((修|清|拉|运|拆|补|填|换|弄|搞|处理|疏通|装|拖|搬|要|拿|恢复|修复)(好|走|掉|完|上|平|通|回|干净|到|复|定)"
          r"|解决|搞定|到账|亮|通)了")
_FIXED_THANKS = re.compile(
    r"(终于|总算).{1,10}了.{0,8}(谢谢|感谢|辛苦|多谢)|(谢谢|感谢|多谢).{0,8}(终于|总算).{1,10}了"
    r"|" + _FIXED + r".{0,8}(谢谢|感谢|辛苦|多谢)|(谢谢|感谢|多谢).{0,8}" + _FIXED
)
_THANKS = re.compile(r"谢谢|感谢|多谢|辛苦了|给你们点赞")


def _thanked(score: int, words: str) -> int:
    """A good verdict that also thanks is the top score (as residents mean it)."""
    return 5 if score == 4 and _THANKS.search(words) else score


def _clean(text: str) -> str:
    t = _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())
    if t.isascii() and t.isalpha():
        for pinyin, words in _PINYIN:
            t = t.replace(pinyin, words)
    return t


def _numeral(token: str) -> int:
    if token.isdigit():
        return int(token)
    if "十" in token:  # 十, 二十, 十五, 九十五
        tens, _, units = token.partition("十")
        return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)
    return _NUMERALS[token]


def _from_points(value: int, text: str) -> int:
    if value > 10 or _OUT_OF_HUNDRED.search(text):
        return next(s for floor, s in ((90, 5), (70, 4), (50, 3), (30, 2), (0, 1)) if value >= floor)
    if value > 5 or _OUT_OF_TEN.search(text):
        return next(s for floor, s in ((9, 5), (7, 4), (5, 3), (3, 2), (0, 1)) if value >= floor)
    return max(1, value)  # 0分 -> 1


def _with_emoji(text: str) -> str:
    for code, emoji in _BRACKET_EMOJI.items():
        text = text.replace(code, emoji)
    return text


def explicit_rating(text: str) -> Rating | None:
    """A rating stated in a form that is a rating wherever it appears; None otherwise."""
    if len(text) > 80:
        return None
    raw = _with_emoji(unicodedata.normalize("NFKC", text))
    full = sum(raw.count(s) for s in _STARS_FULL)
    empty = sum(raw.count(s) for s in _STARS_EMPTY)
    rest = _clean(raw.translate({ord(c): None for c in _STARS_FULL + _STARS_EMPTY}))
    if full and full <= 5 and len(rest) <= 8:
        return Rating(full)
    if empty and not full and len(rest) <= 8:
        return Rating(1)
    decimal = _DECIMAL.search(raw)
    if decimal and len(raw) <= 24:  # "4.5分": rounded half up before the scale is read
        value = int(decimal.group(1)) + (int(decimal.group(2)) >= 5)
        return Rating(_from_points(value, _clean(raw)))
    t = _VERY.sub("很", _HUNDRED.sub("100分", _clean(raw)))
    words = _PICTO.sub("", t)
    if len(words) > 40:
        return None
    if _SARCASM.search(words):
        return Rating(1)
    points = _POINTS.search(words)
    if points and len(words) <= 24:
        return Rating(_from_points(_numeral(points.group(1)), words))
    good = sum(raw.count(e) for e in _GOOD_EMOJI)
    bad = sum(raw.count(e) for e in _BAD_EMOJI)
    if (good or bad) and len(words) <= 4:
        return Rating(5 if good > bad else 1)
    if _NEVER.search(words) and re.search(r"满意|评|分|处理|结案|办结", words):
        return Rating(1)
    if _HEDGE.search(words):
        return Rating(3)
    if _FIXED_THANKS.search(words) and not _MIXED.search(words):
        return Rating(5)
    for pattern, score in _WORDS:
        if pattern.search(words):
            if score >= 4 and _MIXED.search(words):
                return Rating(3)
            return Rating(_thanked(score, words))
    return None


_LEAN_GOOD = re.compile(
    r"好|快|及时|棒|赞|谢|感|满意|辛苦|负责|热情|耐心|认真|到位|靠谱|给力|点赞|专业|干净|解决了|修好")
_LEAN_BAD = re.compile(
    r"不|没|差|慢|烂|坏|拖|失望|敷衍|应付|糊弄|过场|气|垃圾|无语|恶劣|投诉|问题还|又|白|浪费|吗$|呢$")


def lean_rating(text: str) -> Rating:
    """A verdict no phrase names, read by the polarity of its words: 4, 3 (both or neither) or 2."""
    t = _PICTO.sub("", _clean(_with_emoji(text)))
    good, bad = len(_LEAN_GOOD.findall(t)), len(_LEAN_BAD.findall(t))
    return Rating(4 if good > bad else 2 if bad > good else 3)


TAIL_CHARS = 24


def answer_rating(text: str) -> Rating | None:
    """A rating read from an answer right after the bot asked for one (adds bare digits and 修好了)."""
    t = _PICTO.sub("", _clean(_with_emoji(text)))
    if re.fullmatch(r"\d{1,3}", t):
        value = int(t)
        return Rating(value) if 1 <= value <= 5 else Rating(_from_points(value, t)) if value <= 100 else None
    if t in _NUMERALS and 1 <= _NUMERALS[t] <= 5:
        return Rating(_NUMERALS[t])
    if not t and text.strip():  # only faces: pleased or not
        raw = _with_emoji(unicodedata.normalize("NFKC", text))
        pleased, displeased = (sum(raw.count(e) for e in faces) for faces in (_PLEASED, _DISPLEASED))
        if pleased != displeased:
            return Rating(5 if pleased > displeased else 1)
    found = explicit_rating(text)
    if found is None and len(t) > 30:  # a long answer: its verdict closes it ("…，非常不满意")
        found = explicit_rating(text[-TAIL_CHARS:])
    if found is not None or len(t) > 30:
        return found
    if _NEVER.search(t):
        return Rating(1)
    for pattern, score in _ANSWER_WORDS:
        if pattern.search(t):
            if score >= 4 and _MIXED.search(t):
                return Rating(3)
            return Rating(_thanked(score, t))
    return None


# Whether the problem was fixed; tried in this order, so "没修好" is no and "修好了又坏了" partly.
_FIXED_VERDICTS: tuple[tuple[Fixed, re.Pattern[str]], ...] = (
    (Fixed.PARTLY, re.compile(
        r"(修|解决|处理|弄|搞|清|修复)了一(半|部分|点)|部分(解决|修好|处理|修复)|还差(一)?点|好了一(半|点|部分)"
        r"|只(修|解决|处理|弄|清)了|没(有)?(完全|彻底)(修好|解决|处理好|弄好|好)|(解决|处理|修)(得|的)?不彻底"
        r"|(修|补|换|清|拉|运|处理|弄|搞)(好|走|掉|完)?了.{0,12}(又|还是|照样)(坏|漏|堵|不亮|脏|堆)"
        r"|(过|没)(了)?(两|几|一)天(又|就)(坏|堵|漏|不亮|脏|堆)|又(坏|堵|漏)了")),
    (Fixed.NO, re.compile(
        r"没(有)?(人)?(修|解决|处理|弄|搞|来|管)(好|过)?|未(修|解决|处理)|还是(坏|老样子|一样|没变|那样)"
        r"|(问题|毛病)?(还|依然|仍然|照样|照旧)(在|存在)$|还没好|没(有)?(变化|效果|改善)|一点(都|也)?没变")),
    (Fixed.YES, re.compile(
        r"(修|解决|处理|弄|搞|清|拉|运|拆|补|填|换|疏通|恢复|修复)(好|走|掉|完|平|通|干净|定)了"
        r"|(已经?|都)(修好|解决|处理好|弄好|搞定|修复)|解决了|搞定了|^(已经|都)?好了|亮了|通了")),
)


def fixed_verdict(text: str) -> Fixed | None:
    """Whether a verdict says the problem was fixed (修好了), partly (修了一半) or not (还没修); None when silent.

    Sarcasm ("这也叫解决了？") says nothing about it.
    """
    t = _PICTO.sub("", _clean(_with_emoji(text)))
    if _SARCASM.search(t):
        return None
    return next((verdict for verdict, pattern in _FIXED_VERDICTS if pattern.search(t)), None)
