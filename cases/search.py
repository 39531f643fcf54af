"""The staff's case search: filters, sort orders and pages of cases with their residents."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlalchemy import case as when
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, or_, select

from cases.clock import utc
from cases.models import OPEN_STATUSES, Case, Resident, StaffUser
from cases.roles import visible_cases


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    grid_id: str | None = None
    street: str | None = None
    category: str | None = None  # major or minor code
    openid: str | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None
    overdue: bool | None = None
    flagged: bool | None = None  # call-back needed or repeat reporter
    urgent: bool | None = None
    text: str | None = None  # number or words in the description
    channel: str | None = None  # intake channel (cases.channels.IntakeChannel)
    # False for agents: ?openid= must not link a confidential resident to their cases.
    confidential_visible: bool = True
    community: str | None = None
    department: str | None = None
    minor_codes: tuple[str, ...] = ()  # any of these categories (major or minor codes)
    appeal_type: str | None = None  # 诉求类型 (cases.channels.AppealType)
    sort: str = "-created"  # created | due | updated | status, "-" for descending


SORTS = {"created": col(Case.created_at), "due": col(Case.due_at), "updated": col(Case.updated_at),
         "status": col(Case.status), "number": col(Case.number)}


LIKE_ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """``%text%`` with the text's own ``%``, ``_`` and escape characters matched literally."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


def search_cases(
    session: Session,
    flt: CaseFilter,
    *,
    now: datetime,
    offset: int = 0,
    limit: int = 50,
    scope: ColumnElement[bool] | None = None,
) -> tuple[list[tuple[Case, Resident | None]], int]:
    """A page of cases (newest first unless ``flt.sort`` says otherwise) with their residents, and the
    number of all matching cases; ``scope`` limits them to what a department or grid worker may see."""
    query = select(Case, Resident).outerjoin(Resident, col(Resident.id) == col(Case.resident_id))
    conditions: list[ColumnElement[bool]] = [] if scope is None else [scope]
    if flt.community:
        conditions.append(col(Case.community) == flt.community)
    if flt.department:
        conditions.append(col(Case.department) == flt.department)
    if flt.minor_codes:
        codes = list(flt.minor_codes)
        conditions.append(or_(col(Case.minor_code).in_(codes), col(Case.major_code).in_(codes)))
    if flt.status:
        conditions.append(col(Case.status) == flt.status)
    if flt.grid_id:
        conditions.append(col(Case.grid_id) == flt.grid_id)
    if flt.street:
        conditions.append(col(Case.street) == flt.street)
    if flt.category:
        conditions.append(or_(col(Case.minor_code) == flt.category, col(Case.major_code) == flt.category))
    if flt.openid:
        conditions.append(col(Resident.openid) == flt.openid)
        if not flt.confidential_visible:
            conditions.append(col(Resident.confidential).is_(False))
    if flt.created_from:
        conditions.append(col(Case.created_at) >= utc(flt.created_from))
    if flt.created_until:
        conditions.append(col(Case.created_at) < utc(flt.created_until))
    if flt.overdue is not None:
        late = (col(Case.status).in_(OPEN_STATUSES)) & (col(Case.due_at) < utc(now))
        conditions.append(late if flt.overdue else ~late)
    if flt.flagged is not None:
        flagged = col(Case.callback_needed) | col(Case.repeat_reporter)
        conditions.append(flagged if flt.flagged else ~flagged)
    if flt.urgent is not None:
        conditions.append(col(Case.urgent) == flt.urgent)
    if flt.channel:
        conditions.append(col(Case.intake_channel) == flt.channel)
    if flt.appeal_type:
        conditions.append(col(Case.appeal_type) == flt.appeal_type)
    if flt.text:
        like = like_pattern(flt.text.strip())
        conditions.append(or_(col(Case.number).like(like, escape=LIKE_ESCAPE),
                              col(Case.description).like(like, escape=LIKE_ESCAPE)))
    query = query.where(*conditions)
    total = session.exec(
        select(func.count())
        .select_from(Case)
        .outerjoin(Resident, col(Resident.id) == col(Case.resident_id))
        .where(*conditions)
    ).one()
    # open urgent cases (danger to people) on top, then in the chosen order (newest first by default)
    urgent_open = when((col(Case.urgent) & col(Case.status).in_(OPEN_STATUSES), 0), else_=1)
    key = SORTS.get(flt.sort.lstrip("-"), SORTS["created"])
    order = key.desc() if flt.sort.startswith("-") else key.asc()
    rows = session.exec(
        query.order_by(urgent_open, order, col(Case.id).desc()).offset(offset).limit(limit)
    ).all()
    return [(case, resident) for case, resident in rows], int(total)


def own_cases(
    session: Session, reader: StaffUser, *, status: str | None, open_only: bool, now: datetime, offset: int, limit: int
) -> tuple[list[tuple[Case, Resident | None]], int]:
    """The cases a department user or grid worker works on (open ones unless a status is asked), soonest due
    first, as :func:`search_cases` pages them."""
    scope = visible_cases(session, reader)
    if open_only and not status:
        still_open = col(Case.status).in_(OPEN_STATUSES)
        scope = still_open if scope is None else and_(scope, still_open)
    return search_cases(session, CaseFilter(status=status, sort="due"), now=now, offset=offset, limit=limit,
                        scope=scope)
