from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from cases.errors import StaffError
from cases.staff import authenticate, create_staff, issue_token, set_password, staff_for_token

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SECRET = "test-secret"


def test_password_is_stored_as_argon2_hash_and_checked(session: Session) -> None:
    user = create_staff(session=session, name="王芳", password="s3cret-pass", role="agent", now=NOW)
    assert user.password_hash.startswith("$argon2")
    assert "s3cret-pass" not in user.password_hash
    assert authenticate(session=session, name="王芳", password="s3cret-pass", now=NOW) is not None
    assert authenticate(session=session, name="王芳", password="wrong-pass", now=NOW) is None
    assert authenticate(session=session, name="nobody", password="s3cret-pass", now=NOW) is None


def test_duplicate_name_bad_role_and_short_password_are_refused(session: Session) -> None:
    create_staff(session=session, name="admin", password="long-enough", role="admin", now=NOW)
    with pytest.raises(StaffError):
        create_staff(session=session, name="admin", password="long-enough", role="admin", now=NOW)
    with pytest.raises(StaffError):
        create_staff(session=session, name="x", password="long-enough", role="boss", now=NOW)
    with pytest.raises(StaffError):
        create_staff(session=session, name="y", password="short", role="agent", now=NOW)


def test_token_round_trip_expiry_tampering_and_revocation(session: Session) -> None:
    user = create_staff(session=session, name="li", password="long-enough", role="agent", now=NOW)
    token = issue_token(user, secret=SECRET, ttl_seconds=3600, now=NOW)
    found = staff_for_token(session=session, token=token, secret=SECRET, now=NOW)
    assert found is not None and found.id == user.id
    late = NOW + timedelta(seconds=3600)
    assert staff_for_token(session=session, token=token, secret=SECRET, now=late) is None
    assert staff_for_token(session=session, token=token, secret="other", now=NOW) is None
    forged = token.replace(f"{user.id}.", f"{user.id + 1}.", 1)
    assert staff_for_token(session=session, token=forged, secret=SECRET, now=NOW) is None
    assert staff_for_token(session=session, token="garbage", secret=SECRET, now=NOW) is None
    set_password(session=session, user=user, password="another-one")
    assert staff_for_token(session=session, token=token, secret=SECRET, now=NOW) is None
