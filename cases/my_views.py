"""Case views for the resident: one's own cases as the mini-program lists them, and a case's public steps.

The mini-program API returns these views whole. What a step is called and what a held push says are the
bot's words: the caller passes them in (``title``, ``notice``), rendered from reply templates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import Field
from sqlmodel import Session

from cases import queries
from cases.models import Case, CaseEvent, OutboxMessage, Rating
from cases.vocabulary import CaseStatus

# Steps of the resident's timeline whose staff note the resident may read (notes on other steps are internal).
PUBLIC_NOTE_STATUSES = (CaseStatus.REJECTED, CaseStatus.CLOSED, CaseStatus.PROCESSING)



@dataclass(frozen=True)
class MyCase:
    """One of the resident's own cases, as the mini-program lists it."""

    number: str
    status: str
    status_label: str
    description: str
    major_name: str
    minor_name: str
    address: str
    grid_name: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    can_rate: bool
    rated: bool


def my_case(case: Case, *, rated: bool) -> MyCase:
    return MyCase(
        number=case.number, status=case.status, status_label=CaseStatus.label_of(case.status),
        description=case.description, major_name=case.major_name, minor_name=case.minor_name,
        address=case.address, grid_name=case.grid_name, created_at=case.created_at, updated_at=case.updated_at,
        due_at=case.due_at, can_rate=case.status == CaseStatus.CLOSED and not rated, rated=rated,
    )


def my_cases(session: Session, openid: str) -> list[MyCase]:
    """The resident's cases, newest first."""
    found = queries.cases_of_resident(session, openid)
    rated = queries.rated_case_ids(session, [c.id for c in found if c.id is not None])
    return [my_case(c, rated=c.id in rated) for c in found]


@dataclass(frozen=True)
class Step:
    """A step of the case a resident may read (the chat and the mini-program word it through reply templates)."""

    at: datetime
    kind: str  # filed | status | rated
    status: str | None
    department: str | None
    note: str | None
    reopened: bool  # a closed case taken up again


def public_step(event: CaseEvent) -> Step | None:
    if event.kind == "filed":
        return Step(at=event.created_at, kind="filed", status=CaseStatus.SUBMITTED, department=None, note=None,
                    reopened=False)
    if event.kind == "transition" and event.to_status:
        note = event.note if event.to_status in PUBLIC_NOTE_STATUSES else None
        return Step(at=event.created_at, kind="status", status=event.to_status,
                    department=event.department if event.to_status == CaseStatus.DISPATCHED else None, note=note,
                    reopened=event.from_status == CaseStatus.CLOSED)
    if event.kind == "rated":
        return Step(at=event.created_at, kind="rated", status=None, department=None, note=event.note, reopened=False)
    return None


@dataclass(frozen=True)
class TitledStep(Step):
    """A step as the mini-program's timeline shows it, with its title."""

    title: str


@dataclass(frozen=True)
class MyRating:
    score: int | None
    fixed: str | None
    comment: str | None
    created_at: datetime


def my_rating(rating: Rating) -> MyRating:
    return MyRating(score=rating.score, fixed=rating.fixed, comment=rating.comment, created_at=rating.created_at)


@dataclass(frozen=True)
class Notice:
    """A push no channel could carry (held or dead), shown on the case's page instead."""

    key: str
    text: str
    at: datetime


@dataclass(frozen=True)
class MyCaseDetail(MyCase):
    urgent: bool
    department: str | None
    photos: int
    timeline: list[TitledStep]
    rating: MyRating | None
    notices: Annotated[list[Notice], Field(description="未能以订阅消息送达、留在工单页的通知")]


def my_case_detail(session: Session, case: Case, openid: str, *, title: Callable[[Step], str],
                   notice: Callable[[OutboxMessage], str]) -> MyCaseDetail:
    case_id = case.id
    assert case_id is not None
    rating = queries.rating_of(session, case_id)
    base = my_case(case, rated=rating is not None)
    return MyCaseDetail(
        **{name: getattr(base, name) for name in MyCase.__dataclass_fields__},
        urgent=case.urgent, department=case.department, photos=len(queries.photos_of(session, case_id)),
        timeline=[TitledStep(**vars(step), title=title(step))
                  for event in queries.timeline(session, case_id) if (step := public_step(event)) is not None],
        rating=my_rating(rating) if rating is not None else None,
        notices=[Notice(key=m.template_key, text=notice(m), at=m.created_at)
                 for m in queries.held_pushes(session, case_id, openid)],
    )
