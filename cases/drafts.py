"""What callers hand to :func:`cases.file_case` and what they get back."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cases.models import Case

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
    openid: str
    channel: Channel
    description: str
    major_code: str | None
    major_name: str | None
    minor_code: str | None
    minor_name: str | None
    grid_id: str | None
    category_confidence: float = 1.0
    category_source: CategorySource = "auto"
    lat: float | None = None  # GCJ-02
    lng: float | None = None
    address: str = ""
    grid_name: str = ""
    community: str = ""
    street: str = ""
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
