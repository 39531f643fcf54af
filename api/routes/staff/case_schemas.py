"""What the staff API shows of a case: public schemas built whole from :mod:`cases.views` (never field by field).

Times are shown in the centre's time zone (``2026-11-27T09:30:00+08:00``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, computed_field

from cases.clock import local
from cases.ratings import FIXED_LABELS, SCORE_LABELS
from cases.vocabulary import CaseStatus

LocalTime = Annotated[datetime, PlainSerializer(lambda moment: local(moment).isoformat(timespec="seconds"),
                                                return_type=str)]


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ResidentPublic(Public):
    hidden: bool  # confidential and the reader is an agent
    openid: str | None
    channel: str
    phone: str | None
    confidential: bool


class CaseBase(Public):
    number: str
    status: str
    status_text: str
    major_name: str
    minor_name: str
    description: str
    address: str
    grid_id: str
    grid_name: str
    community: str
    street: str
    urgent: bool


class CaseSummary(CaseBase):
    phone: str | None
    resident: ResidentPublic
    department: str | None
    assignee: str | None = None
    created_at: LocalTime | None
    due_at: LocalTime | None
    overdue: bool
    callback_needed: bool
    repeat_reporter: bool
    cluster_number: str | None
    channel: str = "wechat"  # intake channel
    channel_text: str = "微信公众号"
    reporter_name: str | None = None
    appeal_type: str | None = None
    appeal_text: str | None = None  # 诉求类型


class EventPublic(Public):
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    note: str | None
    department: str | None
    time: LocalTime | None = Field(validation_alias="created_at")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def to_text(self) -> str | None:
        return CaseStatus.label_of(self.to_status) if self.to_status else None


class PhotoPublic(Public):
    stage: str = "report"  # report | disposal (处置) | verification (核查)
    sha256: str
    content_type: str
    width: int
    height: int
    bytes: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/api/staff/photos/{self.sha256}"


class RatingPublic(Public):
    score: int | None
    fixed: str | None
    comment: str | None
    needs_callback: bool
    time: LocalTime | None = Field(validation_alias="created_at")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def score_text(self) -> str | None:
        return SCORE_LABELS.get(self.score) if self.score else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fixed_text(self) -> str | None:
        return FIXED_LABELS.get(self.fixed) if self.fixed else None


class MovePublic(Public):
    to: str
    label: str
    requires: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def to_text(self) -> str:
        return CaseStatus.label_of(self.to)


class PushPublic(Public):
    id: int
    template_key: str
    state: str
    attempts: int
    last_error_code: int | None
    last_error: str | None
    created_at: LocalTime | None
    sent_at: LocalTime | None


class CaseDetail(CaseSummary):
    lat: float | None
    lng: float | None
    category_confidence: float
    category_source: str
    closed_at: LocalTime | None
    timeline: list[EventPublic]
    photos: list[PhotoPublic]
    rating: RatingPublic | None
    cluster: list[CaseSummary]
    moves: list[MovePublic]
    pushes: list[PushPublic]


class CasePage(Public):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int
