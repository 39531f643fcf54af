"""What callers hand to :func:`cases.file_case` and what they get back."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cases.channels import AppealType, IntakeChannel
from cases.models import Case
from cases.vocabulary import Category, Place

Channel = Literal["oa", "mp", "ext"]  # how the resident is reached; "ext": not through WeChat
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
    intake_channel: IntakeChannel | None = None  # None: the WeChat channel of ``channel``
    appeal_type: AppealType | None = None
    reporter_name: str | None = None
    client_id: int | None = None  # the API client filing for another system
    token: str | None = None
    media_url: str | None = None

    @property
    def source(self) -> IntakeChannel:
        return self.intake_channel or IntakeChannel.of_push_channel(self.channel)


@dataclass(frozen=True)
class FiledCase:
    case: Case
    cluster_size: int  # cases in the duplicate cluster, this one included (1 when alone)
    joined_existing: bool
    repeat_reporter: bool
    neighbours: int = 0  # other residents who reported the same problem
