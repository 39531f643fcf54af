"""Text preparation: clean-up (width, case, emoji, voice-input typos, dialect) and jieba segmentation.

`normalize` keeps digits and letters (the extractors need them); `for_matching` additionally drops
everything that is not a CJK character, letter or digit, which is what the classifier looks at.

jieba's full dictionary (~350k words) takes ~0.5 s to load even from its marshal cache. The Tokenizer
writes a dictionary holding the frequent general words (freq >= MIN_FREQ) plus the taxonomy's keywords
and the gazetteer's place names, keyed by a hash of its content, and lets jieba cache its prefix table
next to it: a warm start then loads it in well under 100 ms. All of that happens on the first text
that needs words, which with `WORD_CHARS` = 0 is none: a server starts without importing jieba.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlu.errors import ModelCacheError

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
    "🚮": "垃圾", "💡": "灯", "🚗": "车", "🐕": "狗", "💧": "水", "👌": "好",
}
_PICTOGRAPH_RE = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U000e0000-\U000e007f]"
)
_NON_WORD_RE = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_SPACE_RE = re.compile(r"\s+")


@functools.lru_cache(maxsize=64)
def normalize(text: str) -> str:
    """NFKC (full-width digits/letters to ASCII), lower case, emoji mapped or removed, typos fixed."""
    text = unicodedata.normalize("NFKC", text).lower()
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, word)
    text = _PICTOGRAPH_RE.sub(" ", text)
    text = _CORRECTION_RE.sub(lambda m: CORRECTIONS[m.group(0)], text)
    return _SPACE_RE.sub(" ", text).strip()


@functools.lru_cache(maxsize=64)
def for_matching(text: str) -> str:
    """Normalised text keeping only CJK characters, ASCII letters and digits (no spaces)."""
    return _NON_WORD_RE.sub("", normalize(text))


MIN_FREQ = 20
DOMAIN_FREQ = 2000

logging.getLogger("jieba").setLevel(logging.WARNING)


def _jieba_dictionary() -> Path:
    """jieba's shipped dictionary, found without importing jieba (its import pulls in pkg_resources)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ModelCacheError("jieba is not installed")
    return Path(spec.origin).parent / "dict.txt"


def _import_jieba() -> Any:
    with warnings.catch_warnings():
        # jieba 0.42 imports pkg_resources (deprecated) when it is available; that is not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        import jieba
    return jieba


class Tokenizer:
    """Segments normalised text into words; one instance per process is enough.

    jieba is imported and its dictionary written and loaded (~0.2 s) on the first non-empty text only:
    the classifier's features are character n-grams (`WORD_CHARS` = 0), so a server that never asks for
    words never pays for them. A dictionary file jieba cannot read is written anew.
    """

    def __init__(self, domain_words: Iterable[str], cache_dir: Path) -> None:
        self._domain = sorted({w.strip() for w in domain_words if 2 <= len(w.strip()) <= 12 and " " not in w})
        self._general = _jieba_dictionary()
        digest = hashlib.sha256(
            ("\n".join(self._domain) + f"|{MIN_FREQ}|{self._general.stat().st_size}").encode("utf-8")
        ).hexdigest()[:16]
        self.cache_dir = cache_dir
        self.dictionary_path = cache_dir / f"jieba-dict-{digest}.txt"
        self._jieba: Any = None

    def words(self, text: str) -> list[str]:
        """Words of `text` (HMM off: unknown words fall apart into characters, which n-grams cover)."""
        if not text:
            return []
        return [w for w in self._segmenter().lcut(text, HMM=False) if w.strip()]

    def _segmenter(self) -> Any:
        if self._jieba is None:
            jieba = _import_jieba()
            if not self.dictionary_path.exists():
                _write_dictionary(self.dictionary_path, self._general, self._domain)
            segmenter = self._readable(jieba)
            if segmenter is None:  # a damaged dictionary file: write it anew
                _write_dictionary(self.dictionary_path, self._general, self._domain)
                segmenter = self._initialized(jieba)
            self._jieba = segmenter
        return self._jieba

    def _readable(self, jieba: Any) -> Any:
        """jieba over the dictionary file, or None when jieba cannot read it (it leaves the file open then)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return self._initialized(jieba)
            except ValueError:  # jieba's "invalid dictionary entry", or not UTF-8
                return None

    def _initialized(self, jieba: Any) -> Any:
        segmenter = jieba.Tokenizer(dictionary=str(self.dictionary_path))
        segmenter.tmp_dir = str(self.cache_dir)
        segmenter.initialize()
        return segmenter


def _write_dictionary(path: Path, general_path: Path, domain_words: list[str]) -> None:
    lines: list[str] = []
    seen: set[str] = set()
    with general_path.open(encoding="utf-8") as general:
        for line in general:
            parts = line.split()
            if len(parts) >= 2 and int(parts[1]) >= MIN_FREQ:
                lines.append(f"{parts[0]} {parts[1]}")
                seen.add(parts[0])
    lines.extend(f"{w} {DOMAIN_FREQ}" for w in domain_words if w not in seen)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jieba-dict-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise ModelCacheError(f"cannot write tokenizer dictionary {path}: {exc}") from exc
