"""What in a message carries its subject: formulas, dates, numbers, place codes and villages' names removed.

Real posts open with salutations (尊敬的领导您好), close with formulas (恳请相关部门尽快处理, 谢谢), and
are full of dates, numbers, house numbers and anonymised or unknown place codes ("C4市", "A3区"). None of
that says what the problem is, yet a model trained on short sentences latches onto it ("2019年" looked
like 急救服务). `strip_noise` removes it before classification; `content_chars` measures what is left,
so a message that is only noise is `unknown` rather than a confident guess.
"""

from __future__ import annotations

import re

from nlu.text import for_matching

_VARIANTS = str.maketrans({"巿": "市", "邨": "村", "衞": "卫", "裏": "里", "着": "着", "塲": "场", "銹": "锈",
                           "钜": "巨", "逹": "达", "淸": "清", "囬": "回", "嘞": "了", "麽": "么", "昰": "是",
                           "亊": "事", "説": "说", "為": "为", "鬧": "闹", "擾": "扰", "題": "题", "問": "问"})

_ADDRESSED = (
    r"(尊敬的|敬爱的|亲爱的)?(各位|相关)?(领导|书记|市长|区长|县长|局长|主任|部门|工作人员|同志|政府|负责人|管理员"
    r"|小编|客服)"
    r"(们)?[,，:：\s]*(你|您)?(们)?好[!！,，。:：\s]*"
    r"|[^，。！？!?\n]{0,12}(书记|市长|区长|县长|局长|主任)(您|你)好"
)
_SALUTATION_INSIDE = re.compile(_ADDRESSED)
_SALUTATION = re.compile(_ADDRESSED + r"|^(你|您)(们)?好[!！,，。:：\s]*|^(在吗|打扰了|打扰一下)[!！,，。\s]*")
# _CLOSING and _DATE open with a lookahead on the characters a match can start with: the same matches, but
# the scan skips every other position at once instead of trying each alternative there (4-5x faster).
_CLOSING = re.compile(
    r"(?=[望希恳请麻敬烦盼万非十衷感谢多此辛期静不])(?:"
    r"(望|希望|恳请|恳求|请求|请|麻烦|敬请|烦请|盼)(相关|有关|各级|上级|政府|领导|贵)?(部门|单位|领导|政府)?"
    r"(能|可以|给予|予以)?(尽快|尽早|早日|及时|高度|切实|认真|彻底)?(重视|关注|处理|解决|调查|核实|督促|回复|落实"
    r"|过问|帮助|协调|查处|介入)"
    r"(一下|此事|此问题|这个问题|该问题)?(为盼|为谢|是盼)?"
    r"|(万分|非常|十分|衷心)?(感谢|谢谢|多谢)(您|你)?(们)?(百忙之中|在百忙之中)?(的)?(关注|支持|帮助|回复|查看|阅读)?"
    r"|此致敬礼|此致|敬礼|辛苦了|盼复|期待(您的|你们的)?回复|静候佳音|不胜感激|感激不尽|万分感谢)"
)
_DATE = re.compile(
    r"(?=[\d上下这本今去前明])(?:\d{2,4}\s*年(\s*\d{1,2}\s*月)?(\s*\d{1,2}\s*[日号])?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*月(份|初|中|底)?"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[:：]\d{2}|(上|下|这|本)(个)?(月|周|星期)|(今|去|前|明)年)"
)
# An anonymised or unknown place code ("C4市", "A3区", "K2"): one or two Latin letters standing alone, so a
# word such as KTV, APP or ETC is kept.
_PLACE_CODE = re.compile(r"(?<![A-Za-z])[A-Za-z]{1,2}\d{0,3}(?![A-Za-z])(市|区|县|镇|乡|街道|村|社区|路|街|小区)?")
# A village's, town's or group's own name ("樟树塘村", "马迹塘镇", "竹林塘组"): two or three characters standing
# after a boundary (the start, a space, punctuation or another unit's suffix) right before the unit. Such a
# name says nothing of the problem, yet its characters do to a classifier of character n-grams: 塘 made
# three villages' posts about roads and rubbish look like posts about ponds. Not a name: words that only
# point at a unit (我们村, 本村, 全镇, 该组), that say its kind (农村, 城中村, 新村), or a unit followed by a word
# of its own (村委, 组长, 乡镇, 镇政府).
_LOCAL_NAME = re.compile(
    r"(?:(?<=[县区市镇乡村组\s，。、：:,!！?？])|^)"
    r"(?![我你他她咱本全该各邻同这那哪每整外城])"
    r"[\u4e00-\u9fa5]{1,2}[^\s农城乡新老大小]"
    r"(?=村(?!委|干|级|庄|务|集|道|子)|组(?!织|长|成|建)|镇(?!政府|上|里)|乡(?!镇|村|下|政府))"
)
_NUMBER = re.compile(r"\d+(\.\d+)?\s*(%|元|万|千|百|米|号|栋|楼|层|室|单元|户|人|次|个|天|年|小时|分钟|公里)?")
_FILLER = re.compile(r"[的了吗呢吧啊呀哦嗯是我你您在有和与及或就都也还很好请问谢哈呵嘿嘻喔啦太真超挺蛮]")
# Words that judge or frame a problem without naming it: "很危险", "有个问题", "太严重了".
_GENERIC = re.compile(
    r"危险(?![品化])|隐患|安全(?![帽带绳网])|问题|事情|事儿|情况|严重|麻烦|着急|急事|紧急|不好|不行|不对|糟糕|厉害"
    r"|投诉|举报|反映|求助|帮忙|帮帮|处理|解决|一下|一个|这个|那个|这事|那事|此事|有点|非常|特别|这里|那里|这边"
    r"|那边|怎么办|怎么回事|什么|管管|看看"
)
_CJK = re.compile(r"[\u3400-\u9fff]")


_VARIANT_CHARS = re.compile("[" + "".join(chr(c) for c in _VARIANTS) + "]")
# Every salutation ends in 好, 在吗 or 打扰: the costly pattern runs only in a window before each of these.
_SALUTATION_KEY = re.compile(r"好|在吗|打扰")
SALUTATION_REACH = 24


def fold_variants(text: str) -> str:
    """Variant and traditional characters residents' input methods produce, folded to the usual ones."""
    return text.translate(_VARIANTS) if _VARIANT_CHARS.search(text) else text


def strip_salutations(text: str) -> str:
    """The text without salutations (尊敬的领导您好, 胡书记您好, 在吗)."""
    windows: list[list[int]] = []
    for key in _SALUTATION_KEY.finditer(text):
        start, end = max(0, key.start() - SALUTATION_REACH), key.end() + 4
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    pieces: list[str] = []
    done = 0
    for start, end in windows:
        pattern = _SALUTATION if start == 0 else _SALUTATION_INSIDE
        pieces += [text[done:start], pattern.sub(" ", text[start:end])]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def strip_noise(text: str) -> str:
    """The text without salutations, closing formulas, dates, numbers, place codes and villages' names."""
    text = strip_salutations(fold_variants(text))
    text = _CLOSING.sub(" ", text)
    text = _DATE.sub(" ", text)
    text = _PLACE_CODE.sub(" ", text)
    text = _LOCAL_NAME.sub(" ", text)
    return _NUMBER.sub(" ", text)


# Words that announce a problem without naming it ("这边有点问题", "想反映个情况").
_ANNOUNCING = re.compile(r"问题|情况|事情|反映|投诉|举报|毛病|不对劲")


def announces_problem(text: str) -> bool:
    """Whether the text says a problem is coming ("这边有点问题", "我要反映个情况"), named or not."""
    return _ANNOUNCING.search(text) is not None


def content_chars(text: str) -> int:
    """How many meaningful CJK characters remain once noise and function words are removed."""
    return len(_CJK.findall(_FILLER.sub("", _GENERIC.sub("", strip_noise(text)))))


MAX_CHARS = 200  # a message's first 200 meaningful characters decide its category
WORD_CHARS = 0  # jieba words as features: none (they cost a third of a long post and added nothing measurable)
RAW_CHARS = 500  # raw text looked at (salutations and dates come off first)


def subject_text(text: str) -> str:
    """What the classifier reads: the opening of the text, noise removed, matching-normalised."""
    return for_matching(strip_noise(text[:RAW_CHARS]))[:MAX_CHARS]
