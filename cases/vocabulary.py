"""The case domain's vocabulary, passed whole from the dialogs to the database and out to every schema.

* :class:`CaseStatus` — the closed loop's statuses and the Chinese label staff and residents read;
* :class:`Place` — where a problem is: a point (GCJ-02), the words for it, and the grid it falls in;
* :class:`Category` — what a problem is: the taxonomy's major and minor class;
* :func:`mask_phone` — how a phone number is shown where it must not be read in full (:func:`mask_phones_in`
  inside free text).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class CaseStatus(enum.StrEnum):
    """A case's status; the value is what the database stores, :attr:`label` what people read."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    PROCESSING = "processing"
    VERIFYING = "verifying"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in FINAL_STATUSES

    @classmethod
    def label_of(cls, code: str) -> str:
        """The label of a stored status code (the code itself for one this version does not know)."""
        try:
            return cls(code).label
        except ValueError:
            return code


_LABELS: dict[CaseStatus, str] = {
    CaseStatus.SUBMITTED: "待受理",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.REJECTED: "不予受理",
    CaseStatus.DISPATCHED: "已派遣",
    CaseStatus.PROCESSING: "处置中",
    CaseStatus.VERIFYING: "待核查",
    CaseStatus.CLOSED: "已办结",
}
FINAL_STATUSES: tuple[CaseStatus, ...] = (CaseStatus.REJECTED, CaseStatus.CLOSED)
OPEN_STATUSES: tuple[CaseStatus, ...] = tuple(s for s in CaseStatus if s not in FINAL_STATUSES)
STATUS_LABELS: dict[str, str] = {status.value: status.label for status in CaseStatus}


@dataclass(frozen=True, slots=True)
class Place:
    """Where a problem is: the grid it falls in, with the point (GCJ-02) and words when known."""

    grid_id: str
    grid_name: str = ""
    community: str = ""
    street: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lng is not None

    @property
    def label(self) -> str:
        """How the place reads in one phrase: the address, else the grid's name, else its id."""
        return self.address or self.grid_name or self.grid_id


@dataclass(frozen=True, slots=True)
class Category:
    """What a problem is, in the centre's taxonomy: a major class and (when known) one of its minors."""

    major_code: str
    major_name: str
    minor_code: str | None = None
    minor_name: str | None = None

    @property
    def name(self) -> str:
        """The most precise name: the minor's when known."""
        return self.minor_name or self.major_name


def mask_phone(phone: str | None) -> str | None:
    """138****5678: the first three and the last four digits; ``****`` for anything shorter than 8."""
    if not phone:
        return None
    digits = phone.strip()
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_phones_in(text: str) -> str:
    """Mobile numbers inside free text masked as :func:`mask_phone` masks one."""
    return _MOBILE_IN_TEXT.sub(lambda found: mask_phone(found.group(0)) or "", text)
