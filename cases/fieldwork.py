"""What departments and grid workers do on a case: 处置 (with a note and after-photos), 退回, 核查.

* 处置 (a department): the case goes to 待核查 (through 处置中 when it was only dispatched), with the note
  and the after-photos in the timeline.
* 退回 (a department): back to the centre (已受理) with a reason; the centre dispatches again.
* 核查 (a grid worker, on site): passed — the case waits for the centre's 结案 with a 核查通过 entry;
  failed — back to 处置中 for the department. The worker's position is checked against the case's place:
  farther than ``max_distance_m`` is refused unless a reason is given (the photos still count).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from cases.clock import utc
from cases.drafts import StoredPhoto
from cases.errors import CaseError, MissingField, TransitionNotAllowed
from cases.filing import distance_m
from cases.lifecycle import allowed_moves, get_case, transition
from cases.models import Case, CaseEvent, Photo, row_id

VERIFY_DISTANCE_M = 300.0


class TooFarAway(CaseError):
    """The grid worker's position is too far from the case's place for an on-site check."""

    def __init__(self, distance: float, limit: float) -> None:
        super().__init__(f"您的位置距工单地点约 {distance:.0f} 米，超过 {limit:.0f} 米；请到现场核查，或写明原因")
        self.distance = distance
        self.limit = limit


def attach_photos(session: Session, case: Case, photos: Sequence[StoredPhoto], *, stage: str, now: datetime) -> None:
    """Add stored photos to ``case`` as ``stage`` (disposal, verification). Not committed."""
    for photo in photos:
        session.add(Photo(case_id=row_id(case), sha256=photo.sha256, bytes=photo.bytes,
                          content_type=photo.content_type, width=photo.width, height=photo.height,
                          path=photo.path, stage=stage, created_at=utc(now)))


def report_disposal(
    *, session: Session, number: str, actor: str, note: str, photos: Sequence[StoredPhoto], now: datetime
) -> Case:
    """A department reports the case handled (处置完毕): to 待核查 with its note and photos. Commits."""
    words = note.strip()
    if not words:
        raise MissingField("note")
    case = get_case(session, number)
    if case.status not in ("dispatched", "processing"):
        raise TransitionNotAllowed(case.status, "verifying", allowed_moves(case.status))
    if case.status == "dispatched":
        transition(session=session, number=number, to="processing", actor=actor, now=now, commit=False)
    attach_photos(session, case, photos, stage="disposal", now=now)
    suffix = f"（附处置后照片 {len(photos)} 张）" if photos else ""
    transition(session=session, number=number, to="verifying", actor=actor, note=f"处置情况：{words}{suffix}",
               now=now, commit=False)
    session.commit()
    return get_case(session, number)


def send_back(*, session: Session, number: str, actor: str, reason: str, now: datetime) -> Case:
    """A department returns (退回) a case that is not its to handle, with the reason. Commits."""
    if not reason.strip():
        raise MissingField("note")
    return transition(session=session, number=number, to="accepted", actor=actor, note=f"退回：{reason.strip()}",
                      now=now)


@dataclass(frozen=True)
class Position:
    lat: float  # GCJ-02, as the phone's map reports it
    lng: float
    accuracy_m: float | None = None


def verify(
    *,
    session: Session,
    number: str,
    actor: str,
    passed: bool,
    note: str,
    photos: Sequence[StoredPhoto],
    position: Position | None,
    now: datetime,
    max_distance_m: float = VERIFY_DISTANCE_M,
    off_site_reason: str | None = None,
) -> Case:
    """A grid worker's on-site check (核查) of a case waiting for it. Commits.

    Raises :class:`TooFarAway` when the worker is farther than ``max_distance_m`` from the case's place
    (no ``off_site_reason``), :class:`MissingField` for a failed check without a note, and
    :class:`TransitionNotAllowed` unless the case is 待核查.
    """
    case = get_case(session, number)
    if case.status != "verifying":
        raise TransitionNotAllowed(case.status, "closed" if passed else "processing", allowed_moves(case.status))
    words = note.strip()
    if not passed and not words:
        raise MissingField("note")
    where = "未提供位置"
    if position is not None and case.lat is not None and case.lng is not None:
        distance = distance_m(position.lat, position.lng, case.lat, case.lng)
        if distance > max_distance_m and not (off_site_reason or "").strip():
            raise TooFarAway(distance, max_distance_m)
        where = f"距工单地点约 {distance:.0f} 米" + ("（现场）" if distance <= max_distance_m else "")
    elif position is not None:
        where = f"位置 {position.lat:.5f},{position.lng:.5f}（工单无坐标）"
    if off_site_reason and off_site_reason.strip():
        where += f"；未在现场的原因：{off_site_reason.strip()}"
    attach_photos(session, case, photos, stage="verification", now=now)
    text = ("核查通过" if passed else "核查不通过") + (f"：{words}" if words else "") + f"（{where}"
    text += f"，照片 {len(photos)} 张）" if photos else "）"
    if passed:
        session.add(CaseEvent(case_id=row_id(case), kind="verified", actor=actor, note=text, created_at=utc(now)))
        session.commit()
        return get_case(session, number)
    return transition(session=session, number=number, to="processing", actor=actor, note=text, now=now)


def verification_passed(session: Session, case: Case) -> bool:
    """Whether the latest 核查 since the case last entered 待核查 passed."""
    events = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id).desc())
    ).all()
    for event in events:
        if event.kind == "verified":
            return True
        if event.kind == "transition" and event.to_status == "verifying":
            return False
    return False
