from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from cases import touch_resident
from cases.models import Resident
from cases.residents import grant_subscription, take_subscription
from tests.cases.conftest import NOW


def test_touch_creates_then_moves_last_seen_forward_only(session: Session) -> None:
    first = touch_resident(session, openid="o-1", channel="oa", now=NOW)
    assert first.first_seen == NOW and first.last_seen == NOW
    touch_resident(session, openid="o-1", channel="oa", now=NOW + timedelta(hours=1), unionid="u-1")
    touch_resident(session, openid="o-1", channel="oa", now=NOW - timedelta(hours=1))
    [resident] = session.exec(select(Resident)).all()
    assert resident.last_seen == NOW + timedelta(hours=1) and resident.unionid == "u-1"


def test_first_contact_from_several_threads_makes_one_resident(engine: Engine) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def contact() -> None:
        try:
            start.wait()
            with Session(engine, expire_on_commit=False) as session:
                touch_resident(session, openid="o-race", channel="mp", now=NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=contact) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(engine) as session:
        assert len(session.exec(select(Resident)).all()) == 1


def test_subscription_grants_are_counted_and_spent(session: Session) -> None:
    assert not take_subscription(session, openid="o-mp", template_id="tpl", now=NOW)
    grant_subscription(session, openid="o-mp", template_id="tpl", now=NOW, count=2)
    assert take_subscription(session, openid="o-mp", template_id="tpl", now=NOW)
    assert take_subscription(session, openid="o-mp", template_id="tpl", now=NOW)
    assert not take_subscription(session, openid="o-mp", template_id="tpl", now=NOW)
