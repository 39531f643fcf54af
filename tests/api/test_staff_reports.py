"""The weekly report over HTTP, on a SQLite file and on PostgreSQL, with a week of cases filed for real."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from api.settings import Settings
from cases import AppealType, CaseDraft, CaseRules, file_case, rate, transition
from cases.staff import create_staff
from tests.cases.conftest import draft_of

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 25, 20, 0, tzinfo=CST)  # Wednesday evening of 2026-W48 (Mon 23 – Sun 29 Nov)
HERE, NEAR, FAR, FARTHER = (31.2304, 121.4737), (31.2310, 121.4745), (31.2480, 121.4737), (31.2700, 121.4900)
LAMP: dict[str, Any] = {"major_code": "04", "major_name": "市政设施", "minor_code": "0401", "minor_name": "路灯不亮"}
BIN: dict[str, Any] = {"major_code": "01", "major_name": "市容环卫", "minor_code": "0101", "minor_name": "生活垃圾未清运"}


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=CST)


def draft(openid: str, where: tuple[float, float], grid: str, category: dict[str, Any], text: str,
          **extra: Any) -> CaseDraft:
    return draft_of(openid=openid, channel="oa", description=text, lat=where[0], lng=where[1],
                     grid_id=grid, grid_name=f"{grid}网格", community="幸福里社区", street="湖滨街道",
                     address="幸福里", **category, **extra)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/reports.db"
        return
    admin: str = request.getfixturevalue("postgres_url")
    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    name = f"{plain.rsplit('/', 1)[1]}_reports_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, media_dir=tmp_path / "media", data_dir=tmp_path / "data")
    app = create_app(settings, clock=lambda: NOW.astimezone(UTC))
    with TestClient(app) as test_client:
        services = app.state.services
        with Session(services.engine, expire_on_commit=False) as session:
            create_staff(session=session, name="agent1", password="agent-password-1", role="agent",
                         now=NOW)
            session.commit()
            seed(session)
        yield test_client


def seed(session: Session) -> None:
    """A week with a cluster, a repeat reporter, two ratings and overdue cases from the week before."""
    rules = CaseRules()

    def file(moment: datetime, d: CaseDraft) -> str:
        return file_case(session=session, draft=d, now=moment, thresholds=rules).case.number

    def move(number: str, moment: datetime, *steps: str) -> None:
        for to in steps:
            transition(session=session, number=number, to=to, actor="张伟", now=moment,
                       department="市政维护所" if to == "dispatched" else None,
                       note="已处理" if to == "closed" else None)

    # The week before: one case closed in time, one still open and overdue, one closed late this week.
    on_time = file(at(16, 9), draft("o-f", HERE, "G9", BIN, "垃圾桶满了，味道很大"))
    move(on_time, at(17, 9), "accepted", "dispatched", "processing", "verifying", "closed")
    late_closed = file(at(16, 10), draft("o-d", FARTHER, "G3", BIN, "楼下垃圾站好几天没清运"))
    file(at(17, 11), draft("o-e", FARTHER, "G3", LAMP, "小区北门的路灯一直不亮"))
    move(late_closed, at(24, 15), "accepted", "dispatched", "processing", "verifying", "closed")
    rate(session=session, number=late_closed, openid="o-d", score=2, fixed="partly", comment=None, now=at(24, 18))

    # This week: A reports the same lamp problem three times (repeat reporter); B joins A's first case.
    file(at(23, 10), draft("o-a", HERE, "G1", LAMP, "幸福里东门路灯坏了，晚上一片漆黑",
                           appeal_type=AppealType.COMPLAINT))
    file(at(23, 12), draft("o-b", NEAR, "G1", LAMP, "幸福里东门的路灯坏了，晚上很黑", phone="13912345678",
                           appeal_type=AppealType.HELP))
    file(at(24, 9), draft("o-a", FAR, "G2", LAMP, "南门路灯也不亮了"))
    file(at(25, 9), draft("o-a", FARTHER, "G3", LAMP, "北边路口路灯还是不亮", confidential=True))
    tidy = file(at(23, 14), draft("o-c", FAR, "G2", BIN, "垃圾没人收，堆在路边", appeal_type=AppealType.COMPLAINT))
    move(tidy, at(24, 10), "accepted", "dispatched", "processing", "verifying", "closed")
    rate(session=session, number=tidy, openid="o-c", score=5, fixed="yes", comment="很快", now=at(25, 9))
    session.commit()


def token(client: TestClient, name: str = "agent1", password: str = "agent-password-1") -> dict[str, str]:
    response = client.post("/api/staff/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_this_weeks_report(client: TestClient) -> None:
    report = client.get("/api/staff/reports/weekly", headers=token(client)).json()
    assert (report["week"], report["start_date"], report["end_date"]) == ("2026-W48", "2026-11-23", "2026-11-29")
    assert report["totals"] == {"filed": 5, "closed": 2, "rejected": 0, "urgent": 0, "open_now": 4}
    assert [(c["minor_name"], c["count"]) for c in report["by_category"]] == [("路灯不亮", 4), ("生活垃圾未清运", 1)]
    assert [(g["grid_id"], g["count"]) for g in report["by_grid"]] == [("G1", 2), ("G2", 2), ("G3", 1)]
    assert report["hot_grids"][0]["grid_id"] == "G1"
    # cases filed before appeal types were recorded are counted apart, never guessed
    assert [(a["appeal_text"], a["count"]) for a in report["by_appeal"]] == [("投诉", 2), ("求助", 1), ("未注明", 2)]

    [repeat] = report["repeat_reporters"]
    assert (repeat["minor_name"], repeat["count"]) == ("路灯不亮", 3)
    assert repeat["resident"].startswith("保密居民 #")  # A asked for confidentiality; agents do not see who

    [cluster] = report["clusters"]
    assert (cluster["size"], cluster["residents"], cluster["minor_name"]) == (2, 2, "路灯不亮")

    assert report["satisfaction"] == {"rated": 2, "satisfied": 1, "basically_satisfied": 0, "rate": 0.5}

    overdue = {o["status_label"]: o for o in report["overdue"]}
    assert set(overdue) == {"待受理", "已办结"}  # still open since last week; closed late on Tuesday
    assert overdue["已办结"]["finished_at"] is not None
    assert overdue["待受理"]["overdue_hours"] > 24


def test_last_week_and_the_csv(client: TestClient) -> None:
    headers = token(client)
    last = client.get("/api/staff/reports/weekly", params={"week": "2026-W47"}, headers=headers).json()
    assert last["totals"]["filed"] == 3
    assert last["totals"]["closed"] == 1
    assert last["satisfaction"]["rate"] is None
    # the case closed late and the one still open were both past due during that week
    assert sorted(o["status"] for o in last["overdue"]) == ["closed", "submitted"]

    response = client.get("/api/staff/reports/weekly", params={"week": "2026-W48", "format": "csv"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="weekly-2026-W48.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["周报", "2026-W48", "2026-11-23 至 2026-11-29"]
    summary = rows[rows.index(next(r for r in rows if r and r[0] == "汇总")) + 1]
    assert summary[1] == "5" and summary[9] == "50.0%"
    assert ["", "04", "市政设施", "0401", "路灯不亮", "4"] in rows
    appeals = rows.index(["按诉求类型", "诉求类型", "件数"])
    assert rows[appeals + 1:appeals + 4] == [["", "投诉", "2"], ["", "求助", "1"], ["", "未注明", "2"]]


@pytest.mark.parametrize(("week", "message"), [("48", "周的格式应为 2026-W48（年-W周数）"),
                                                ("2026-W54", "2026 年没有第 54 周"),
                                                ("0001-W01", "周报只能查 2000 年到 2099 年的周"),
                                                ("9999-W52", "周报只能查 2000 年到 2099 年的周")])
def test_a_bad_week_is_refused(client: TestClient, week: str, message: str) -> None:
    response = client.get("/api/staff/reports/weekly", params={"week": week}, headers=token(client))
    assert response.status_code == 422
    assert response.json()["detail"] == message


def test_only_staff_may_read_it(client: TestClient) -> None:
    assert client.get("/api/staff/reports/weekly").status_code == 401
