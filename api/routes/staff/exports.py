"""``GET /api/staff/cases.csv``: every matching case as CSV for administrators (phones masked)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import AdminStaff, NowDep, SessionDep
from api.routes.staff.cases import Filter
from cases import search, views
from cases.clock import local, shown

router = APIRouter(prefix="/api/staff", tags=["staff"])
CSV_LIMIT = 50_000
CSV_HEADER = ["工单号", "状态", "大类", "小类", "描述", "地址", "网格", "社区", "街道", "紧急", "联系电话", "承办单位",
              "提交时间", "办理期限", "是否超期", "需回访", "重复反映", "合并主单", "来源渠道",
              "诉求类型"]


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def row_of(s: views.CaseSummary) -> list[str]:
    return [s.number, s.status_text, s.major_name, s.minor_name, s.description, s.address, s.grid_name or s.grid_id,
            s.community, s.street, _yes(s.urgent), s.phone or "", s.department or "",
            shown(s.created_at) or "", shown(s.due_at) or "",
            _yes(s.overdue), _yes(s.callback_needed), _yes(s.repeat_reporter), s.cluster_number or "", s.channel_text,
            s.appeal_text or ""]


@router.get("/cases.csv")
def export_cases(admin: AdminStaff, session: SessionDep, flt: Filter, now: NowDep) -> StreamingResponse:
    """Every matching case as CSV (UTF-8 with BOM so that Excel reads the Chinese)."""
    rows, _total = search.search_cases(session, flt, now=now, offset=0, limit=CSV_LIMIT)
    summaries = views.page_summaries(session, rows, admin=True, now=now)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(CSV_HEADER)
        for summary in summaries:
            writer.writerow(row_of(summary))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    stamp = local(now).strftime("%Y%m%d-%H%M")
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="cases-{stamp}.csv"'})
