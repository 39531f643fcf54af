"""Who may see and do what: the centre's admins and agents, departments' users, grid workers.

* centre admin (中心管理员) – everything, staff accounts and departments, residents' full identity;
* centre agent (中心坐席) – every case: accept, dispatch, supervise, close, answer residents;
* department user (承办单位) – only cases dispatched to its department: 处置 with a note and photos, 退回,
  延期 requests;
* grid worker (网格员) – only cases in their own grids: 核查 on site with photos and a location check.

The checks raise :class:`RoleRequired` or :class:`OutOfScope`, which name what is missing, so that an
API can answer 403 with a sentence a person understands.
"""

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import false
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from cases.errors import CaseError
from cases.models import Case, StaffUser
from cases.workflow_models import Department

ADMIN = "admin"
AGENT = "agent"
DEPARTMENT = "department"
GRID = "grid"
ROLES = (ADMIN, AGENT, DEPARTMENT, GRID)
Role = Literal["admin", "agent", "department", "grid"]
CENTRE = (ADMIN, AGENT)
ROLE_LABELS = {ADMIN: "中心管理员", AGENT: "中心坐席", DEPARTMENT: "承办单位", GRID: "网格员"}


class RoleRequired(CaseError):
    """The account's role may not do this; ``required`` lists the roles that may."""

    def __init__(self, required: Iterable[str], actual: str) -> None:
        self.required = tuple(required)
        self.actual = actual
        names = "或".join(f"“{ROLE_LABELS.get(r, r)}”" for r in self.required)
        super().__init__(f"此操作需要{names}角色，当前账号的角色是“{ROLE_LABELS.get(actual, actual)}”")


class OutOfScope(CaseError):
    """The case is not one this department user or grid worker looks after."""

    def __init__(self, number: str, why: str) -> None:
        self.number = number
        super().__init__(f"工单 {number} {why}，无权查看或办理")


def require_role(user: StaffUser, *roles: str) -> None:
    if user.role not in roles:
        raise RoleRequired(roles, user.role)


def department_of(session: Session, user: StaffUser) -> Department | None:
    return session.get(Department, user.department_id) if user.department_id is not None else None


def visible_cases(session: Session, user: StaffUser) -> ColumnElement[bool] | None:
    """A condition on :class:`Case` limiting a list to what ``user`` may see; None: everything."""
    if user.role in CENTRE:
        return None
    if user.role == DEPARTMENT:
        department = department_of(session, user)
        return col(Case.department) == department.name if department is not None else false()
    if user.role == GRID:
        return col(Case.grid_id).in_(list(user.grid_ids or [])) if user.grid_ids else false()
    return false()


def check_case_scope(session: Session, user: StaffUser, case: Case) -> None:
    """Raise :class:`OutOfScope` unless ``user`` may see ``case``."""
    if user.role in CENTRE:
        return
    if user.role == DEPARTMENT:
        department = department_of(session, user)
        if department is None or case.department != department.name:
            raise OutOfScope(case.number, "未派遣给您的单位")
        return
    if user.role == GRID:
        if case.grid_id not in (user.grid_ids or []):
            raise OutOfScope(case.number, "不在您负责的网格内")
        return
    raise OutOfScope(case.number, "不在您的范围内")
