"""Other systems as channels: external cases, API keys, webhook events in the outbox, signed inbound calls."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from cases import ApiKeyRejected, ClientError, EndpointError, IntakeChannel, InvalidDraft
from cases.clients import authenticate, issue_key, list_clients, revoke
from cases.inbound import InboundRejected, StatusCall, UnknownAction, admit, apply_status_call
from cases.models import Case, CaseEvent, OutboxMessage, Resident
from cases.ratings import rate
from cases.residents import record_phone, verify_phone
from cases.signing import SignatureRejected, sign, verify
from cases.webhooks import create_endpoint, set_active
from tests.cases.conftest import NOW, file, move_to

TOLERANCE = 300


def hooks(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "webhook")
                             .order_by(col(OutboxMessage.id))).all())


def pushes(session: Session, number: str) -> list[str]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "push")
                        .where(col(OutboxMessage.idempotency_key).startswith(number))).all()
    return [row.template_key for row in rows]


def test_every_change_is_one_webhook_event_per_subscribed_endpoint(session: Session) -> None:
    platform = create_endpoint(session, name="区工单平台", url="http://127.0.0.1:9/hook", events=[],
                               actor="admin", now=NOW)
    only_new = create_endpoint(session, name="统计", url="http://127.0.0.1:9/new", events=["case.created"],
                               actor="admin", now=NOW)
    filed = file(session)
    move_to(session, filed.case.number, "closed")
    rate(session=session, number=filed.case.number, openid="o-resident-1", score=5, fixed=None, comment=None,
         now=NOW + timedelta(hours=1))
    rows = hooks(session)
    to_platform = [r for r in rows if r.endpoint_id == platform.id]
    assert [r.template_key for r in to_platform] == ["case.created"] + ["case.status_changed"] * 5 + ["case.rated"]
    assert [r.variables["data"].get("to_status") for r in to_platform[1:6]] == [
        "accepted", "dispatched", "processing", "verifying", "closed"]
    assert to_platform[-1].variables["data"]["score"] == 5
    assert [r.template_key for r in rows if r.endpoint_id == only_new.id] == ["case.created"]
    ids = [r.variables["id"] for r in to_platform]
    assert len(set(ids)) == len(ids)  # every event its own id
    assert to_platform[0].variables["case"]["channel"] == "wechat"
    assert "o-resident-1" not in json.dumps([r.variables for r in rows])  # no resident identity leaves


def test_an_inactive_endpoint_hears_nothing_and_bad_endpoints_are_refused(session: Session) -> None:
    endpoint = create_endpoint(session, name="平台", url="https://example.invalid/h", events=[], actor="a", now=NOW)
    set_active(session, endpoint.id or 0, False)
    file(session)
    assert hooks(session) == []
    for kwargs, reason in (({"name": "平台"}, "name_taken"), ({"url": "ftp://x"}, "bad_url"),
                           ({"events": ["case.deleted"]}, "bad_event"), ({"name": " "}, "bad_name")):
        values = {"name": "新", "url": "https://x", "events": [], **kwargs}
        with pytest.raises(EndpointError) as caught:
            create_endpoint(session, actor="a", now=NOW, **values)  # type: ignore[arg-type]
        assert caught.value.reason == reason


def test_a_case_from_another_system_has_no_resident_and_no_pushes(session: Session) -> None:
    filed = file(session, openid="", channel="ext", intake_channel=IntakeChannel.HOTLINE, phone="13912345678",
                 reporter_name="王先生")
    case = filed.case
    assert (case.resident_id, case.channel, case.intake_channel) == (None, "ext", "hotline")
    move_to(session, case.number, "closed")
    assert pushes(session, case.number) == []
    note = session.exec(select(CaseEvent.note).where(CaseEvent.case_id == case.id)).first()
    assert note == "经12345热线提交"


def mp_resident(session: Session, openid: str = "o-mp-1") -> Resident:
    resident = session.get(Resident, file(session, openid=openid, channel="mp").case.resident_id)
    assert resident is not None
    return resident


def hotline_call(session: Session, phone: str = "13912345678") -> Case:
    return file(session, openid="", channel="ext", intake_channel=IntakeChannel.HOTLINE, phone=phone,
                description="楼道灯坏了", minor_code="ENV-LIGHT", lat=None, lng=None).case


def test_a_hotline_caller_whose_phone_wechat_verified_hears_of_the_case(session: Session) -> None:
    resident = mp_resident(session)
    verify_phone(session, resident, "13912345678")  # confirmed with the mini-program's phone button
    session.commit()
    case = hotline_call(session)
    assert (case.channel, case.resident_id) == ("mp", resident.id)
    assert pushes(session, case.number) == ["report.filed_push"]


def test_a_number_verified_again_by_someone_else_now_reaches_them(session: Session) -> None:
    before, after = mp_resident(session, "o-mp-1"), mp_resident(session, "o-mp-2")
    verify_phone(session, before, "13912345678")
    verify_phone(session, after, "13912345678")  # the number changed hands
    session.commit()
    assert hotline_call(session).resident_id == after.id


def test_a_typed_phone_does_not_tie_someone_elses_hotline_case_to_the_typist(session: Session) -> None:
    file(session, phone="13912345678")  # anyone can type anyone's number into a report
    case = hotline_call(session)
    assert (case.channel, case.resident_id) == ("ext", None)
    assert pushes(session, case.number) == []


def test_typing_another_phone_takes_the_verification_away(session: Session) -> None:
    resident = mp_resident(session)
    verify_phone(session, resident, "13912345678")
    record_phone(resident, "13912345678")  # the same number typed again: still verified
    assert resident.phone_verified
    session.commit()
    file(session, openid="o-mp-1", channel="mp", phone="13800000000")
    assert not resident.phone_verified
    assert hotline_call(session).resident_id is None and hotline_call(session, "13800000000").resident_id is None


def test_an_external_draft_must_name_an_external_channel(session: Session) -> None:
    with pytest.raises(InvalidDraft):
        file(session, openid="", channel="ext")  # WeChat is not another system
    with pytest.raises(InvalidDraft):
        file(session, openid="", channel="oa")


def test_api_keys_are_shown_once_stored_hashed_and_revocable(session: Session) -> None:
    issued = issue_key(session, name="12345热线", channel="hotline", rate_per_minute=30, actor="admin", now=NOW)
    assert issued.key.startswith("gz_") and len(issued.key) > 40
    stored = list_clients(session)[0]
    assert issued.key not in (stored.key_hash, stored.key_prefix) and issued.key.startswith(stored.key_prefix)
    assert authenticate(session, issued.key, now=NOW).name == "12345热线"
    for bad in (None, "", "gz_wrong", issued.key[:-1] + "x", "Bearer " + issued.key):
        with pytest.raises(ApiKeyRejected):
            authenticate(session, bad, now=NOW)
    revoke(session, stored.id or 0, now=NOW)
    with pytest.raises(ApiKeyRejected):
        authenticate(session, issued.key, now=NOW)
    for kwargs, reason in (({"name": "12345热线"}, "name_taken"), ({"channel": "fax"}, "bad_channel"),
                           ({"rate_per_minute": 0}, "bad_rate")):
        values = {"name": "新", "channel": "web", "rate_per_minute": 10, **kwargs}
        with pytest.raises(ClientError) as caught:
            issue_key(session, actor="admin", now=NOW, **values)  # type: ignore[arg-type]
        assert caught.value.reason == reason


def test_signatures_refuse_missing_malformed_stale_and_wrong() -> None:
    body = b'{"action":"accept"}'
    stamp = int(NOW.timestamp())
    good = sign("s3cret", stamp, body)
    assert verify(secret="s3cret", timestamp=str(stamp), signature=good, body=body, now=NOW, tolerance=60) == stamp
    cases = {
        "missing": (str(stamp), None, body, NOW),
        "malformed": ("yesterday", good, body, NOW),
        "stale": (str(stamp), good, body, NOW + timedelta(seconds=61)),
        "mismatch": (str(stamp), good, body + b" ", NOW),
    }
    for reason, (timestamp, signature, payload, now) in cases.items():
        with pytest.raises(SignatureRejected) as caught:
            verify(secret="s3cret", timestamp=timestamp, signature=signature, body=payload, now=now, tolerance=60)
        assert caught.value.reason == reason
    with pytest.raises(SignatureRejected):
        verify(secret="other", timestamp=str(stamp), signature=good, body=body, now=NOW, tolerance=60)


def test_an_inbound_call_is_admitted_once_and_moves_the_case_like_staff(session: Session) -> None:
    endpoint = create_endpoint(session, name="区工单平台", url="http://127.0.0.1:9/h", events=[], actor="a", now=NOW)
    number = file(session).case.number
    body = json.dumps({"action": "accept"}).encode()
    stamp = str(int(NOW.timestamp()))
    signature = sign(endpoint.secret, int(stamp), body)
    admitted = admit(session, key_id=endpoint.key_id, timestamp=stamp, signature=signature, body=body, now=NOW,
                     tolerance=TOLERANCE)
    assert admitted.id == endpoint.id
    with pytest.raises(InboundRejected) as replay:
        admit(session, key_id=endpoint.key_id, timestamp=stamp, signature=signature, body=body,
              now=NOW + timedelta(seconds=5), tolerance=TOLERANCE)
    assert replay.value.reason == "replayed"
    with pytest.raises(InboundRejected) as unknown:
        admit(session, key_id="wh_nobody", timestamp=stamp, signature=signature, body=body, now=NOW,
              tolerance=TOLERANCE)
    assert unknown.value.reason == "unknown_endpoint"

    case = apply_status_call(session, endpoint=endpoint, call=StatusCall(number=number, action="accept",
                                                                           operator="李科员"), now=NOW)
    assert case.status == "accepted"
    assert pushes(session, number) == ["report.filed_push", "status.changed"]
    actor = session.exec(select(CaseEvent.actor).where(CaseEvent.to_status == "accepted")).one()
    assert actor == "区工单平台·李科员"
    with pytest.raises(UnknownAction):
        apply_status_call(session, endpoint=endpoint, call=StatusCall(number=number, action="teleport"), now=NOW)
    assert session.exec(select(Case.status).where(Case.number == number)).one() == "accepted"
