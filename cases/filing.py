"""Filing a case: validation, the daily number, duplicate clusters, the repeat-reporter flag.

:func:`file_case` does everything in the caller's session and one transaction, committed at the end
(``commit=False`` leaves the commit to the caller, who then holds the day's counter row lock until it
commits). The day's counter row is taken first: on PostgreSQL its row lock serialises filings of one
day, which makes numbers gap-free (a rolled-back filing rolls its number back too) and cluster joining
race-free (two neighbours filing at once see each other's case).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from cases.clock import local_day, utc
from cases.drafts import CaseDraft, FiledCase
from cases.errors import InvalidDraft
from cases.lifecycle import follow_cluster
from cases.models import OPEN_STATUSES, Case, CaseCounter, CaseEvent, Photo, Resident, row_id
from cases.pushes import case_variables, push_to_resident
from cases.residents import get_or_create_resident, record_phone, resident_by_phone
from cases.rules import DEFAULT_RULES, CaseRules
from cases.vocabulary import CaseStatus, Category, Place
from cases.webhooks import emit

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine; GCJ-02's offset is locally constant)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


SIMILARITY_CHARS = 300


def similarity(a: str, b: str) -> float:
    """How alike two descriptions are, 0–100 (character-level: works for Chinese without segmentation).

    Only the openings are compared: a problem is named in its first sentences, and a description may be
    of any length (partial_ratio's cost grows with the product of the lengths).
    """
    return float(fuzz.partial_ratio(a.strip()[:SIMILARITY_CHARS], b.strip()[:SIMILARITY_CHARS]))


@dataclass(frozen=True)
class _Checked:
    description: str
    place: Place
    category: Category
    minor_code: str


def validate(draft: CaseDraft, rules: CaseRules) -> _Checked:
    """The cleaned draft, or :class:`InvalidDraft` naming the first missing piece."""
    description = draft.description.strip()
    if not description:
        raise InvalidDraft("description", "empty")
    place = draft.place
    if place is None or not place.grid_id:
        raise InvalidDraft("grid_id", "not_located")
    category = draft.category
    if category is None or not (category.minor_code and category.major_code):
        raise InvalidDraft("category", "missing")
    if draft.channel not in ("oa", "mp", "ext"):
        raise InvalidDraft("channel", "unknown")
    if draft.channel == "ext" and not draft.source.external:
        raise InvalidDraft("intake_channel", "not_external")
    if draft.category_source not in ("auto", "resident", "staff"):
        raise InvalidDraft("category_source", "unknown")
    check_point(place)
    if not draft.openid and draft.channel != "ext":
        raise InvalidDraft("openid", "empty")
    return _Checked(description, place, category, category.minor_code)


def check_point(place: Place) -> None:
    """A place's point is whole (both coordinates or none) and on the globe."""
    if (place.lat is None) != (place.lng is None):
        raise InvalidDraft("location", "lat_and_lng_go_together")
    if place.lat is not None and place.lng is not None and not (-90 <= place.lat <= 90 and -180 <= place.lng <= 180):
        raise InvalidDraft("location", "out_of_range")


def next_number(session: Session, now: datetime) -> str:
    """``BH20261127-0001``: the next number of the local day, taken under the day's counter row lock."""
    day = local_day(now).strftime("%Y%m%d")
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(CaseCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": CaseCounter.__table__.c.last + 1})  # type: ignore[attr-defined]
        .returning(CaseCounter.__table__.c.last)  # type: ignore[attr-defined]
    )
    sequence = int(session.execute(statement).scalar_one())
    return f"BH{day}-{sequence:04d}"


def _find_cluster_target(
    session: Session, checked: _Checked, now: datetime, rules: CaseRules
) -> Case | None:
    lat, lng = checked.place.lat, checked.place.lng
    if lat is None or lng is None:
        return None
    lat_span = rules.duplicate_radius_m / 111_000.0
    lng_span = lat_span / max(math.cos(math.radians(lat)), 0.01)
    candidates = session.exec(
        select(Case)
        .where(Case.minor_code == checked.minor_code)
        .where(col(Case.status).in_(OPEN_STATUSES))
        .where(col(Case.created_at) >= utc(now) - timedelta(days=rules.duplicate_days))
        .where(col(Case.lat).between(lat - lat_span, lat + lat_span))
        .where(col(Case.lng).between(lng - lng_span, lng + lng_span))
    ).all()
    best: tuple[float, float, Case] | None = None
    for candidate in candidates:
        assert candidate.lat is not None and candidate.lng is not None
        metres = distance_m(lat, lng, candidate.lat, candidate.lng)
        score = similarity(checked.description, candidate.description)
        if metres > rules.duplicate_radius_m or score < rules.duplicate_similarity:
            continue
        if best is None or (score, -metres) > (best[0], -best[1]):
            best = (score, metres, candidate)
    return best[2] if best else None


def _resident_of(session: Session, draft: CaseDraft, moment: datetime) -> Resident | None:
    """The WeChat resident the case belongs to: the sender, or for another system's case the one resident
    whose WeChat-verified phone is the caller's (so a hotline caller who also uses WeChat hears of the case)."""
    if draft.channel == "ext":
        return resident_by_phone(session, draft.phone) if draft.phone else None
    resident = get_or_create_resident(
        session, openid=draft.openid, channel=draft.channel, now=moment, unionid=draft.unionid
    )
    resident.last_seen = max(resident.last_seen, moment)
    if draft.phone:
        record_phone(resident, draft.phone)
    if draft.confidential:
        resident.confidential = True
    session.add(resident)
    return resident


def cluster_members(session: Session, cluster_id: int) -> list[Case]:
    return list(session.exec(select(Case).where(Case.cluster_id == cluster_id).order_by(col(Case.id))).all())


def file_case(
    *,
    session: Session,
    draft: CaseDraft,
    now: datetime,
    thresholds: CaseRules = DEFAULT_RULES,
    commit: bool = True,
) -> FiledCase:
    """Validate and store ``draft`` as a new case with its first event, photos and "filed" push."""
    rules = thresholds
    checked = validate(draft, rules)
    description, category = checked.description, checked.category
    moment = utc(now)
    number = next_number(session, moment)  # first: takes the day's lock
    resident = _resident_of(session, draft, moment)
    channel = resident.channel if resident is not None else draft.channel
    linked = draft.channel == "ext" and resident is not None

    target = _find_cluster_target(session, checked, moment, rules)
    case = Case(
        number=number,
        resident_id=resident.id if resident is not None else None,
        channel=channel,
        intake_channel=draft.source.value,
        appeal_type=draft.appeal_type.value if draft.appeal_type else None,
        reporter_name=draft.reporter_name,
        client_id=draft.client_id,
        token=draft.token,
        media_url=draft.media_url,
        description=description,
        grid_id=checked.place.grid_id,
        major_code=category.major_code,
        major_name=category.major_name or category.major_code,
        minor_code=checked.minor_code,
        minor_name=category.minor_name or checked.minor_code,
        category_confidence=draft.category_confidence,
        category_source=draft.category_source,
        urgent=draft.urgent,
        phone=draft.phone,
        status=CaseStatus.SUBMITTED,
        due_at=rules.due_at(
            created=moment, urgent=draft.urgent, minor_code=checked.minor_code, major_code=category.major_code
        ),
        created_at=moment,
        updated_at=moment,
    )
    case.place = checked.place
    if target is not None:
        if target.cluster_id is None:
            target.cluster_id = target.id
            session.add(target)
        case.cluster_id = target.cluster_id
    session.add(case)
    session.flush()
    assert case.id is not None

    for photo in draft.photos:
        session.add(
            Photo(
                case_id=row_id(case),
                sha256=photo.sha256,
                bytes=photo.bytes,
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                path=photo.path,
                created_at=moment,
            )
        )

    cluster_size, neighbours = 1, 0
    session.add(
        CaseEvent(
            case_id=row_id(case),
            kind="filed",
            actor="resident" if draft.channel != "ext" else draft.source.label,
            to_status="submitted",
            note=f"经{draft.source.label}提交" + ("，按来电号码关联到微信居民" if linked else ""),
            created_at=moment,
        )
    )
    if case.cluster_id is not None:
        members = cluster_members(session, case.cluster_id)
        cluster_size = len(members)
        neighbours = len({m.resident_id for m in members if m.resident_id is not None} - {case.resident_id})
        root = next(m for m in members if m.id == case.cluster_id)
        session.add(
            CaseEvent(
                case_id=row_id(case),
                kind="cluster_joined",
                actor="system",
                note=f"与 {root.number} 为同一问题，合并办理（共 {cluster_size} 件）",
                created_at=moment,
            )
        )
        session.add(
            CaseEvent(
                case_id=row_id(root),
                kind="cluster_joined",
                actor="system",
                note=f"{number} 反映同一问题，已并入本案（共 {cluster_size} 件）",
                created_at=moment,
            )
        )
        follow_cluster(session, case, root, moment=moment)

    repeat_count = 0 if resident is None else session.exec(
        select(func.count())
        .select_from(Case)
        .where(Case.resident_id == resident.id)
        .where(Case.minor_code == checked.minor_code)
        .where(col(Case.created_at) >= moment - timedelta(days=rules.repeat_days))
    ).one()
    if resident is not None and repeat_count >= rules.repeat_count:
        case.repeat_reporter = True
        session.add(case)
        session.add(
            CaseEvent(
                case_id=row_id(case),
                kind="repeat_reporter",
                actor="system",
                note=f"该居民 {rules.repeat_days} 天内就“{case.minor_name}”已反映 {repeat_count} 次",
                created_at=moment,
            )
        )

    push_to_resident(
        session,
        case=case,
        template_key="report.filed_push",
        key="filed",
        now=moment,
        variables=case_variables(
            case,
            now=moment,
            cluster_size=cluster_size,
            joined=case.cluster_id is not None,
            neighbours=neighbours,
        ),
    )
    emit(session, case=case, event_type="case.created", now=moment)
    if commit:
        session.commit()
    else:
        session.flush()
    return FiledCase(
        case=case,
        cluster_size=cluster_size,
        joined_existing=target is not None,
        repeat_reporter=case.repeat_reporter,
        neighbours=neighbours,
    )
