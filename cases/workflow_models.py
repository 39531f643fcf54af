"""Tables of the centre's day beyond the case itself: departments, hand-over requests, the residents'
message log, extension requests (延期) and the notices a department reads.

Registered with the metadata by :mod:`cases.models` (which imports this module).
"""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel


class Department(SQLModel, table=True):
    """A 承办单位: who takes dispatched cases, whom to call, which categories and streets it usually takes."""

    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    contact_person: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    notify_openid: str | None = Field(default=None, max_length=64)  # the contact's WeChat, for reminders
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # major/minor
    streets: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # empty: anywhere
    active: bool = True
    created_at: datetime
    updated_at: datetime


class HandoverRequest(SQLModel, table=True):
    """A resident waiting for a person: they asked for 人工, or rated a case poorly."""

    __tablename__ = "handover_requests"
    __table_args__ = (Index("ix_handover_requests_state_created", "state", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    reason: str = Field(max_length=16)  # human | bad_rating
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    state: str = Field(default="open", max_length=16)  # open | answered | closed
    assignee: str | None = Field(default=None, max_length=64)
    created_at: datetime
    updated_at: datetime
    answered_at: datetime | None = None
    closed_at: datetime | None = None


class ResidentMessage(SQLModel, table=True):
    """One line of a resident's recent conversation: what they wrote, what the bot or staff answered."""

    __tablename__ = "resident_messages"
    __table_args__ = (Index("ix_resident_messages_resident_id", "resident_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id")
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    direction: str = Field(max_length=8)  # in (resident) | bot | staff
    via: str = Field(default="text", max_length=16)  # text, image, … | custom | template | subscribe | call
    text: str = Field(sa_column=Column(Text, nullable=False))
    actor: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(index=True)


class ExtensionRequest(SQLModel, table=True):
    """A department asks for more time (延期); the centre approves or refuses."""

    __tablename__ = "extension_requests"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    department: str = Field(max_length=128)
    requested_by: str = Field(max_length=64)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    requested_due_at: datetime
    state: str = Field(default="pending", max_length=16)  # pending | approved | refused
    decided_by: str | None = Field(default=None, max_length=64)
    decision_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime
    decided_at: datetime | None = None


class DepartmentNotice(SQLModel, table=True):
    """Something a department must see: a new dispatch, 催办/督办, a due or overdue reminder, escalation."""

    __tablename__ = "department_notices"

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="departments.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    kind: str = Field(max_length=16)  # dispatched | urge | supervise | due_soon | overdue | escalated | extension
    message: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    read_at: datetime | None = None
