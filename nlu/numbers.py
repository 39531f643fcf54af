"""Numbers in free text: phone numbers and case numbers.

Phones are normalised: mobiles as 11 digits, landlines as area code + number. Handles spaces, dashes,
dots, brackets, full-width digits, +86/0086 prefixes and digits spoken as Chinese numerals (幺三八…).
Case numbers (BH20261127-0001) are removed first; dates, prices, building and room numbers do not form
a valid phone shape and are skipped. A bare 7-8 digit local number counts only right after a phone cue
word (电话, 座机…) and gets Hefei's area code 0551.

Case numbers are BH + yyyymmdd + '-' + a 4-digit sequence, tolerant of case, width and separators.
"""

from __future__ import annotations

import re
import unicodedata

# BH + yyyymmdd + 4-digit sequence; "bh 20261127 0001", "BH20261127—0001", "BH202611270001".
CASE_NUMBER_RE = re.compile(
    r"(?i)(?<![a-z])b\s*h\s*[-_:#：]?\s*(20\d{6})\s*[-_–—.\s]?\s*(\d{4})(?!\d)"
    r"|(?<![\d])(20\d{6})\s*[-_–—]\s*(\d{4})(?!\d)"
)


# Characters NFKC changes that matter to numbers: full-width digits, letters and signs, circled digits, and
# full-width brackets next to a digit ("（0551）"); not ，！？（） in prose, which nearly every Chinese text has.
# Without any, NFKC (slow on a long post) is skipped.
_WIDE = re.compile("[\uff03\uff0b\uff0d-\uff19\uff21-\uff3a\uff41-\uff5a\u2460-\u24ff]|（\\s*\\d|\\d\\s*）")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text) if _WIDE.search(text) else text


# Every case number holds its date (20yymmdd): a literal-prefixed search that rules most texts out quickly.
_CASE_HINT = re.compile(r"20\d{6}")


def extract_case_number(text: str) -> str | None:
    """The first case number in `text` as 'BH' + date + '-' + sequence, or None."""
    return _case_number(_nfkc(text))


def case_number_and_phone(text: str) -> tuple[str | None, str | None]:
    """`(extract_case_number(text), extract_phone(text))`, normalising the text once.

    On a long post the width normalisation and the scans over the whole text are most of both costs.
    """
    wide = _nfkc(text)
    phones = _phones(wide)
    return _case_number(wide), phones[0] if phones else None


def _case_number(text: str) -> str | None:
    match = CASE_NUMBER_RE.search(text) if _CASE_HINT.search(text) else None
    if not match:
        return None
    date, seq = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return f"BH{date}-{seq}"


LOCAL_AREA_CODE = "0551"

_CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺洞两", "00123456789102")
_CN_DIGIT = "[零〇一二三四五六七八九幺洞两]"
_CN_RUN = re.compile(_CN_DIGIT + r"[零〇一二三四五六七八九幺洞两\s-]{6,}" + _CN_DIGIT)
# The lookahead (a candidate starts with +, a digit or "(") lets the scan skip prose quickly; same matches.
_CANDIDATE = re.compile(r"(?=[+\d(])(?:\+|00)?[\d(][\d\s\-–—.()/]{5,24}\d")
_SEPARATORS = re.compile(r"[\s\-–—.()/]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
_PHONE_CUE = re.compile(r"(电话|手机|号码|座机|联系|打|拨|致电|tel|call)[^\d]{0,6}$")
_AREA_CODE_3 = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029")


def _ascii_digits(text: str) -> str:
    """Spoken digit runs (幺三八…) as ASCII digits in width-normalised text."""
    return _CN_RUN.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def _as_phone(digits: str, cue: bool) -> str | None:
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(digits):
        area_len = 3 if digits.startswith(_AREA_CODE_3) else 4
        local = digits[area_len:]
        if 7 <= len(local) <= 8 and local[0] != "0":
            return digits
        return None
    if cue and _LOCAL.match(digits) and len(digits) == 8:
        return LOCAL_AREA_CODE + digits
    return None


def extract_phones(text: str) -> list[str]:
    """Every phone number in `text`, normalised, in order of appearance, without duplicates."""
    return _phones(_nfkc(text))


def _phones(text: str) -> list[str]:
    text = _ascii_digits(text)
    if _CASE_HINT.search(text):
        text = CASE_NUMBER_RE.sub(" ", text)
    found: list[str] = []
    for match in _CANDIDATE.finditer(text):
        start = match.start()
        if start > 0 and (text[start - 1].isascii() and text[start - 1].isalnum()):
            continue
        cue = bool(_PHONE_CUE.search(text[max(0, start - 12) : start]))
        groups = [g for g in _SEPARATORS.split(match.group(0).replace("+", "")) if g]
        phone = _as_phone("".join(groups), cue)
        if phone is None:
            phone = _phone_in_groups(groups, cue)
        if phone and phone not in found:
            found.append(phone)
    return found


def _phone_in_groups(groups: list[str], cue: bool) -> str | None:
    """The longest run of consecutive digit groups that forms a phone (a room number before it, say)."""
    best: str | None = None
    for i in range(len(groups)):
        for j in range(i + 1, len(groups) + 1):
            phone = _as_phone("".join(groups[i:j]), cue and i == 0)
            if phone and (best is None or len(phone) > len(best)):
                best = phone
    return best


def extract_phone(text: str) -> str | None:
    """The first phone number in `text`, normalised, or None."""
    phones = extract_phones(text)
    return phones[0] if phones else None
