"""The pushes a case sends to its resident: a template key and variables, never rendered text.

Template keys (rendered by ``reply_templates`` in the worker):

* ``report.filed_push`` – the case was filed (variables below plus ``joined``, ``neighbours``)
* ``status.changed``  – accepted, rejected, dispatched, closed, reopened (plus ``previous_status``,
  ``previous_text``, ``reopened``)
* ``rating.ask``      – the case was closed: please rate it within ``rating_days`` days, with ``options``
  (the numbered options, ``cases.ratings.prompt_options_text()``)

Common variables: ``number``, ``status``, ``status_text`` (Chinese), ``category``, ``address``, ``grid_name``,
``summary`` (the description cut to 20 characters), ``time`` (local, ``2026-11-27 09:00``), ``due``,
``note``, ``department``, ``urgent``, ``cluster_size``.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from cases.clock import local
from cases.models import Case, OutboxMessage, Resident
from cases.outbox import enqueue
from cases.vocabulary import CaseStatus


def local_text(moment: datetime | None) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def case_variables(case: Case, *, now: datetime, cluster_size: int = 1, **extra: Any) -> dict[str, Any]:
    summary = case.description.strip().replace("\n", " ")
    variables: dict[str, Any] = {
        "number": case.number,
        "status": case.status,
        "status_text": CaseStatus.label_of(case.status),
        "category": case.minor_name,
        "address": case.address or case.grid_name,
        "grid_name": case.grid_name,
        "summary": summary if len(summary) <= 20 else summary[:19] + "…",  # fits a 20-character field
        "time": local_text(now),
        "due": local_text(case.due_at),
        "note": "",
        "department": case.department or "",
        "urgent": case.urgent,
        "cluster_size": cluster_size,
    }
    variables.update(extra)
    return variables


def push_to_resident(
    session: Session,
    *,
    case: Case,
    template_key: str,
    variables: dict[str, Any],
    key: str,
    now: datetime,
) -> OutboxMessage | None:
    """Enqueue one push about ``case`` to its resident; ``key`` makes it unique (idempotency key).

    None when nobody on WeChat filed the case (another system did, for a caller we do not know).
    """
    if case.resident_id is None:
        return None
    resident = session.get(Resident, case.resident_id)
    assert resident is not None
    return enqueue(
        session,
        case_id=case.id,
        openid=resident.openid,
        channel=case.channel,
        template_key=template_key,
        variables=variables,
        idempotency_key=f"{case.number}:{key}",
        now=now,
    )
