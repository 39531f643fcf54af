"""Case numbers like BH20261127-0001, tolerant of case, width, spaces and separators."""

from __future__ import annotations

import re
import unicodedata

# BH + yyyymmdd + 4-digit sequence; "bh 20261127 0001", "BH20261127—0001", "BH202611270001".
CASE_NUMBER_RE = re.compile(
    r"(?i)(?<![a-z])b\s*h\s*[-_:#]?\s*(20\d{6})\s*[-_–—.\s]?\s*(\d{4})(?!\d)"
    r"|(?<![\d])(20\d{6})\s*[-_–—]\s*(\d{4})(?!\d)"
)


def extract_case_number(text: str) -> str | None:
    """The first case number in `text` as 'BH' + date + '-' + sequence, or None."""
    match = CASE_NUMBER_RE.search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    date, seq = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return f"BH{date}-{seq}"
