"""How a resident's short answer is compared with the words a dialog expects (取消, 确认, 2, 第二个…).

One rule for every comparison the runtime and the dialogs make: NFKC (full-width letters, digits and
punctuation to their ASCII forms), lower case, surrounding blanks and sentence punctuation removed. "取消？",
"确认！", "ＯＫ" and " 2。" read as "取消", "确认", "ok" and "2". The NLU has its own, richer clean-up
(typos, dialect, emoji) in ``nlu.text``; this one only decides whether an answer *is* a given word, and
(:func:`tidy`, case kept) cleans an answer a value is read from, such as a correction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_EDGES = "。．.！!？?，,、；;：:~～…  \t\r\n"


def tidy(text: str) -> str:
    """NFKC with the surrounding blanks and sentence punctuation removed, case kept (for reading a value
    out of an answer, such as the new place of a correction)."""
    return unicodedata.normalize("NFKC", text).strip(_EDGES)


def normalise(text: str) -> str:
    """``text`` as it is compared with expected words."""
    return tidy(text).lower()


def is_word(text: str, words: Iterable[str]) -> bool:
    """The answer is one of ``words`` (each compared after the same normalisation)."""
    said = normalise(text)
    return any(said == normalise(word) for word in words)
