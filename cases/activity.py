"""When residents last wrote to us (WeChat's 48 h customer-service window), recorded in bulk."""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from cases.clock import utc
from cases.models import Resident


def record_activity(session: Session, seen: Mapping[tuple[str, str], datetime]) -> None:
    """Upsert ``(openid, channel) → last message time`` for many residents in one statement (no commit).

    New residents are created; known ones keep the later of the stored and the given time.
    """
    if not seen:
        return
    rows = [{"openid": openid, "channel": channel, "first_seen": utc(moment), "last_seen": utc(moment),
             "confidential": False} for (openid, channel), moment in seen.items()]
    table = Resident.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    excluded = insert.excluded
    newest = func.greatest if dialect == "postgresql" else func.max
    statement = insert.on_conflict_do_update(
        index_elements=["openid", "channel"],
        set_={"last_seen": newest(table.c.last_seen, excluded.last_seen)},
    )
    # executemany: one cached statement whatever the number of rows (a multi-VALUES literal would be
    # compiled anew for every batch size, holding the interpreter for milliseconds).
    session.execute(statement, rows)
