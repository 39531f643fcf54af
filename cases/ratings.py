"""Residents rate a closed case (满意度评价); a poor rating asks staff to call back (回访)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.errors import CaseNotFound, MissingField, RatingRejected
from cases.handover import open_request
from cases.models import Case, CaseEvent, Rating, Resident, StaffNotification, row_id
from cases.queries import get_case_for_resident
from cases.rules import DEFAULT_RULES
from cases.webhooks import emit

# The five levels of the government's 好差评 scale, as the NLU reads residents' words (nlu/ratings.py).
SCORE_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
FIXED_LABELS = {"yes": "已解决", "partly": "部分解决", "no": "未解决"}
SATISFIED, BASICALLY_SATISFIED = (5, 4), (3,)  # the scores that count as satisfied (满意率)
# The numbered options the rating prompts offer (rating.ask, in the close push and in the chat, and
# rating.not_understood), in their order: a resident's "1" means option 1. The one place they are written:
# the prompts show them through their required ``options`` variable (staff reword the sentence around it,
# never the numbering), and the rating dialog reads a bare digit against the same tuple.
PROMPT_OPTIONS = (SCORE_LABELS[4], SCORE_LABELS[3], SCORE_LABELS[2])


def prompt_options_text() -> str:
    """The options as the prompts show them: "1 满意，2 基本满意，3 不满意" (fits a 20-character push field
    after "回复 ")."""
    return "，".join(f"{n} {words}" for n, words in enumerate(PROMPT_OPTIONS, start=1))


def rate(
    *,
    session: Session,
    number: str,
    openid: str,
    score: int | None,
    fixed: str | None,
    comment: str | None,
    now: datetime,
    rating_days: int = DEFAULT_RULES.rating_days,
) -> Rating:
    """Store the resident's rating of their closed case. Commits.

    Raises :class:`CaseNotFound` (not this resident's case), :class:`MissingField` (neither score nor
    fixed) or :class:`RatingRejected` (``invalid``, ``not_closed``, ``expired``, ``already_rated``).
    """
    moment = utc(now)
    if score is None and fixed is None:
        raise MissingField("score")
    if (score is not None and score not in SCORE_LABELS) or (fixed is not None and fixed not in FIXED_LABELS):
        raise RatingRejected("invalid")
    case = get_case_for_resident(session, openid, number)
    if case is None:
        raise CaseNotFound(number)
    if case.status != "closed" or case.closed_at is None:
        raise RatingRejected("not_closed")
    if moment > utc(case.closed_at) + timedelta(days=rating_days):
        raise RatingRejected("expired")
    if session.exec(select(Rating).where(Rating.case_id == case.id)).first() is not None:
        raise RatingRejected("already_rated")
    poor = (score is not None and score <= 2) or fixed == "no"
    comment = (comment or "").strip() or None
    assert case.resident_id is not None  # found through its resident
    rating = Rating(
        case_id=row_id(case),
        resident_id=case.resident_id,
        score=score,
        fixed=fixed,
        comment=comment,
        needs_callback=poor,
        created_at=moment,
    )
    session.add(rating)
    parts = [SCORE_LABELS[score] if score is not None else "", FIXED_LABELS[fixed] if fixed else ""]
    summary = "，".join(p for p in parts if p) + (f"：{comment}" if comment else "")
    session.add(
        CaseEvent(
            case_id=row_id(case),
            kind="rated",
            actor="resident",
            note=summary,
            created_at=moment,
        )
    )
    case.rating_requested_at = None
    if poor:
        case.callback_needed = True
        session.add(
            CaseEvent(
                case_id=row_id(case),
                kind="callback_flagged",
                actor="system",
                note=f"居民评价：{summary}，需回访",
                created_at=moment,
            )
        )
        session.add(
            StaffNotification(
                case_id=row_id(case),
                kind="callback",
                message=f"{case.number} 居民评价“{summary}”，请安排回访",
                created_at=moment,
            )
        )
        resident = session.get(Resident, case.resident_id)
        assert resident is not None
        open_request(session, resident=resident, reason="bad_rating", text=summary, now=moment, case=case)
    session.add(case)
    emit(session, case=case, event_type="case.rated", now=moment, data={
        "score": score, "score_text": SCORE_LABELS[score] if score is not None else None, "fixed": fixed,
        "comment": comment, "needs_callback": poor,
    })
    session.commit()
    return rating


def awaiting_rating(
    session: Session,
    openid: str,
    *,
    now: datetime | None = None,
    rating_days: int = DEFAULT_RULES.rating_days,
) -> list[Case]:
    """The resident's closed cases still waiting for a rating (newest first), within the rating window."""
    moment = utc(now or datetime.now(UTC))
    return list(
        session.exec(
            select(Case)
            .join(Resident, col(Resident.id) == col(Case.resident_id))
            .where(Resident.openid == openid)
            .where(Case.status == "closed")
            .where(col(Case.rating_requested_at).is_not(None))
            .where(col(Case.closed_at) >= moment - timedelta(days=rating_days))
            .order_by(col(Case.closed_at).desc())
        ).all()
    )


@dataclass(frozen=True)
class Satisfaction:
    """满意率 over a window: ((非常)满意 + 基本满意) / all ratings with a score; ``rate`` is None when nobody rated."""

    rated: int
    satisfied: int
    basically_satisfied: int

    @property
    def rate(self) -> float | None:
        if not self.rated:
            return None
        return round((self.satisfied + self.basically_satisfied) / self.rated, 4)


def satisfaction(session: Session, since: datetime, until: datetime) -> Satisfaction:
    """The satisfaction of the ratings given in [since, until)."""
    scores = session.exec(
        select(Rating.score, func.count())
        .where(col(Rating.created_at) >= utc(since), col(Rating.created_at) < utc(until))
        .where(col(Rating.score).is_not(None))
        .group_by(col(Rating.score))
    ).all()
    counts = {score: int(count) for score, count in scores}
    return Satisfaction(rated=sum(counts.values()), satisfied=sum(counts.get(s, 0) for s in SATISFIED),
                        basically_satisfied=sum(counts.get(s, 0) for s in BASICALLY_SATISFIED))


def is_satisfied(score: int | None) -> bool:
    """(非常)满意 or 基本满意: what the satisfaction rate counts."""
    return score in (*SATISFIED, *BASICALLY_SATISFIED)


def mark_called_back(*, session: Session, number: str, actor: str, note: str, now: datetime) -> Case:
    """Staff did the call-back (回访): clear the flag, record what was said. Commits."""
    if not note.strip():
        raise MissingField("note")
    case = session.exec(select(Case).where(Case.number == number)).first()
    if case is None:
        raise CaseNotFound(number)
    case.callback_needed = False
    session.add(case)
    session.add(
        CaseEvent(
            case_id=row_id(case),
            kind="called_back",
            actor=actor,
            note=note.strip(),
            created_at=utc(now),
        )
    )
    session.commit()
    return case
