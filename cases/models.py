"""The tables of the case domain.

Datetimes are aware and stored in UTC (SQLModel's ``UTCDateTime``; SQLite keeps them as UTC text);
:func:`cases.clock.utc` normalises what callers pass in. Relationships are plain foreign keys, queried
explicitly.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from cases.vocabulary import FINAL_STATUSES, OPEN_STATUSES, STATUS_LABELS, CaseStatus, Category, Place

__all__ = [
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "STATUS_LABELS",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseStatus",
    "MpSubscription",
    "OutboxMessage",
    "Photo",
    "Rating",
    "Resident",
    "StaffNotification",
    "StaffUser",
    "row_id",
]

def row_id(row: SQLModel) -> int:
    """The primary key of a stored row (flushed rows always have one)."""
    value = getattr(row, "id", None)
    if not isinstance(value, int):
        raise ValueError(f"{type(row).__name__} has not been stored yet")
    return value


class Resident(SQLModel, table=True):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("openid", "channel", name="uq_residents_openid_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    openid: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=8)  # "oa" official account | "mp" mini-program
    unionid: str | None = Field(default=None, max_length=64, index=True)
    phone: str | None = Field(default=None, max_length=32)
    phone_verified: bool = False  # WeChat verified it (getPhoneNumber); a typed phone is only the resident's word
    confidential: bool = False
    first_seen: datetime
    last_seen: datetime  # the last message the resident sent us: opens WeChat's 48 h window


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_minor_created", "minor_code", "created_at"),
        Index("ix_cases_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", index=True)  # None: nobody on WeChat
    channel: str = Field(max_length=8)  # how the resident hears of it: oa | mp | ext (not through WeChat)
    intake_channel: str = Field(default="wechat", max_length=24, index=True)  # cases.channels.IntakeChannel
    appeal_type: str | None = Field(default=None, max_length=16)  # cases.channels.AppealType
    reporter_name: str | None = Field(default=None, max_length=64)  # given by another system (Open311)
    client_id: int | None = Field(default=None, index=True)  # the API client (api_clients.id) that filed it
    token: str | None = Field(default=None, max_length=32, unique=True)  # Open311 token of the request
    media_url: str | None = Field(default=None, max_length=512)  # a photo link another system gave
    description: str = Field(sa_column=Column(Text, nullable=False))
    major_code: str = Field(max_length=32)
    major_name: str = Field(max_length=64)
    minor_code: str = Field(max_length=32)
    minor_name: str = Field(max_length=64)
    category_confidence: float = 1.0
    category_source: str = Field(default="auto", max_length=16)  # auto | resident | staff
    lat: float | None = None  # GCJ-02
    lng: float | None = None
    address: str = Field(default="", max_length=255)
    grid_id: str = Field(max_length=64, index=True)
    grid_name: str = Field(default="", max_length=128)
    community: str = Field(default="", max_length=128)
    street: str = Field(default="", max_length=128, index=True)
    urgent: bool = False
    phone: str | None = Field(default=None, max_length=32)
    status: str = Field(default="submitted", max_length=16)
    department: str | None = Field(default=None, max_length=128)
    assignee: str | None = Field(default=None, max_length=64)  # the centre agent who took it on
    cluster_id: int | None = Field(default=None, index=True)  # id of the cluster's first case
    repeat_reporter: bool = False
    callback_needed: bool = False  # 回访
    due_at: datetime
    reminder_level: int = 0  # 0 none, 1 due-soon reminder added, 2 overdue reminder added, 3 escalated
    closed_at: datetime | None = None
    rating_requested_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def place(self) -> Place:
        return Place(grid_id=self.grid_id, grid_name=self.grid_name, community=self.community, street=self.street,
                     address=self.address, lat=self.lat, lng=self.lng)

    @place.setter
    def place(self, place: Place) -> None:
        self.grid_id, self.grid_name, self.community, self.street = (place.grid_id, place.grid_name,
                                                                     place.community, place.street)
        self.address, self.lat, self.lng = place.address, place.lat, place.lng

    @property
    def category(self) -> Category:
        return Category(major_code=self.major_code, major_name=self.major_name, minor_code=self.minor_code,
                        minor_name=self.minor_name)

    @property
    def case_status(self) -> CaseStatus:
        return CaseStatus(self.status)


class CaseEvent(SQLModel, table=True):
    __tablename__ = "case_events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=32)  # filed, transition, reclassified, relocated, reminder, rated, …
    actor: str = Field(max_length=128)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    department: str | None = Field(default=None, max_length=128)
    created_at: datetime


class Photo(SQLModel, table=True):
    __tablename__ = "photos"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    bytes: int
    content_type: str = Field(max_length=32)
    width: int
    height: int
    path: str = Field(max_length=255)
    stage: str = Field(default="report", max_length=16)  # report | disposal (处置) | verification (核查)
    created_at: datetime


class Rating(SQLModel, table=True):
    __tablename__ = "ratings"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    score: int | None = None  # 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意
    fixed: str | None = Field(default=None, max_length=8)  # yes | partly | no
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    needs_callback: bool = False
    created_at: datetime


class OutboxMessage(SQLModel, table=True):
    """A push waiting to reach a resident, or a signed webhook waiting to reach an endpoint.

    Sent by the worker in :mod:`api.worker`. A webhook row keeps its event type in ``template_key`` and
    its whole JSON payload in ``variables``; ``recipient_openid`` and ``channel`` are empty / ``hook``.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="push", max_length=16)  # push (to a resident) | webhook (to an endpoint)
    endpoint_id: int | None = Field(default=None, index=True)  # webhook_endpoints.id of a webhook row
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    recipient_openid: str = Field(max_length=64)
    channel: str = Field(max_length=8)  # oa | mp
    template_key: str = Field(max_length=64)  # report.filed, status.changed, rating.ask, … | case.created, …
    variables: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    idempotency_key: str = Field(max_length=128, unique=True)
    state: str = Field(default="pending", max_length=16)  # pending | leased | sent | held | dead
    attempts: int = 0
    next_attempt_at: datetime
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = None
    last_error_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    delivered_via: str | None = Field(default=None, max_length=16)  # template | custom | subscribe
    created_at: datetime
    sent_at: datetime | None = None


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default="agent", max_length=16)  # admin | agent | department | grid (cases.roles)
    department_id: int | None = Field(default=None, foreign_key="departments.id", index=True)
    grid_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # a grid worker's
    active: bool = True
    token_version: int = 0  # bumped to revoke every token issued before
    created_at: datetime
    last_login_at: datetime | None = None


class StaffNotification(SQLModel, table=True):
    """Something staff must look at: a poor rating asking for a call-back, a resident asking for a person."""

    __tablename__ = "staff_notifications"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", index=True)
    kind: str = Field(max_length=32)  # callback | handover
    message: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    read_at: datetime | None = None


class MpSubscription(SQLModel, table=True):
    """One-time subscribe-message grants a mini-program resident accepted (wx.requestSubscribeMessage)."""

    __tablename__ = "mp_subscriptions"
    __table_args__ = (UniqueConstraint("openid", "template_id", name="uq_mp_subscriptions_openid_tpl"),)

    id: int | None = Field(default=None, primary_key=True)
    openid: str = Field(max_length=64, index=True)
    template_id: str = Field(max_length=128)
    remaining: int = 0
    updated_at: datetime


class CaseCounter(SQLModel, table=True):
    """The last number handed out per local day; its row lock makes numbering gap-free."""

    __tablename__ = "case_counters"

    day: str = Field(primary_key=True, max_length=8)  # YYYYMMDD in the centre's time zone
    last: int = 0


# The tables of hand-over, departments and supervision live in their own module; importing it here
# registers them with the metadata whenever the case tables are.
from cases import workflow_models as _workflow_models  # noqa: E402,F401
