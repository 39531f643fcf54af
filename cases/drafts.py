"""What callers hand to :func:`cases.file_case` and what they get back."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cases.models import Case
from cases.vocabulary import Category, Place

Channel = Literal["oa", "mp"]
CategorySource = Literal["auto", "resident", "staff"]


@dataclass(frozen=True)
class StoredPhoto:
    """A photo written by :func:`cases.photos.store_photo` (EXIF removed), ready to attach to a case."""

    sha256: str
    bytes: int
    content_type: str
    width: int
    height: int
    path: str
    gps: tuple[float, float] | None = None  # (lat, lng) WGS-84 from the original EXIF, when present


@dataclass(frozen=True)
class CaseDraft:
    """A report ready to file: who, what (:class:`Category`), where (:class:`Place`) and the rest."""

    openid: str
    channel: Channel
    description: str
    category: Category | None
    place: Place | None
    category_confidence: float = 1.0
    category_source: CategorySource = "auto"
    urgent: bool = False
    phone: str | None = None
    confidential: bool = False
    photos: Sequence[StoredPhoto] = ()
    unionid: str | None = None


@dataclass(frozen=True)
class FiledCase:
    case: Case
    cluster_size: int  # cases in the duplicate cluster, this one included (1 when alone)
    joined_existing: bool
    repeat_reporter: bool
    neighbours: int = 0  # other residents who reported the same problem
