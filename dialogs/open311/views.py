"""Our taxonomy and cases in Open311's vocabulary: services, service definitions, service requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cases import AppealType
from cases.clock import local
from cases.models import FINAL_STATUSES, STATUS_LABELS, Case
from geo import gcj02_to_wgs84
from nlu.taxonomy import Taxonomy

SERVICE_NOTICE = "已受理登记，处置进展可凭工单号查询"


def when(moment: datetime | None) -> str | None:
    """W3C date-time in the centre's time zone, as the spec writes them (``2026-11-27T09:30:00+08:00``)."""
    return local(moment).isoformat(timespec="seconds") if moment is not None else None


def services(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """One service per minor category, grouped by its major, with its keywords."""
    majors = {m.code: m.name for m in taxonomy.majors}
    return [
        {
            "service_code": minor.code,
            "service_name": minor.name,
            "description": f"{majors[minor.major_code]} · {minor.name}",
            "metadata": True,
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys((*minor.keywords, *minor.synonyms))),
            "group": majors[minor.major_code],
        }
        for minor in taxonomy.minors
    ]


def definition(code: str) -> dict[str, Any]:
    """The extra attributes a request of any service may carry: the appeal type (诉求类型)."""
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "appeal_type",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "诉求类型",
                "order": 1,
                "description": "诉求类型：投诉、求助、咨询、建议、举报或表扬",
                "values": [{"key": a.value, "name": a.label} for a in AppealType],
            }
        ],
    }


def request(case: Case, note: str | None) -> dict[str, Any]:
    """A case as a service request (no caller's name or phone: whoever reads it sees only the problem)."""
    lat, lng = gcj02_to_wgs84(case.lat, case.lng) if case.lat is not None and case.lng is not None else (None, None)
    return {
        "service_request_id": case.number,
        "status": "closed" if case.status in FINAL_STATUSES else "open",
        "status_notes": STATUS_LABELS[case.status] + (f"：{note}" if note else ""),
        "service_name": case.minor_name,
        "service_code": case.minor_code,
        "description": case.description,
        "agency_responsible": case.department,
        "service_notice": SERVICE_NOTICE,
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(case.updated_at),
        "expected_datetime": when(case.due_at),
        "address": case.address or case.grid_name,
        "address_id": None,
        "zipcode": None,
        "lat": round(lat, 6) if lat is not None else None,
        "long": round(lng, 6) if lng is not None else None,
        "media_url": case.media_url,
    }
