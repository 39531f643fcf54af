"""The dialogs' window on the case store: async methods over :mod:`cases`, run in worker threads.

The case functions are synchronous (SQLModel sessions); running them in a thread keeps the event loop free
for other residents' messages while a case is filed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

import cases
from bot.expiring import KEY_MASK, ExpiringSet
from cases import activity, followups, handover, photos, residents
from cases.drafts import CaseDraft, FiledCase, StoredPhoto
from cases.models import Case, Rating
from cases.my_views import Step
from cases.rules import CaseRules

T = TypeVar("T")
log = logging.getLogger(__name__)
FLUSH_BACKOFF_MAX = 30.0
PHONES_KEPT = 10_000  # residents whose last phone is cached (a lookup saved per report they start)


class CaseDesk:
    def __init__(self, *, engine: Engine, rules: CaseRules, media_dir: Path, max_photo_bytes: int,
                 clock: Callable[[], datetime] | None = None, touch_interval: float = 600.0,
                 flush_delay: float = 1.0, max_photo_pixels: int = photos.MAX_PIXELS,
                 photo_decoders: int = 2) -> None:
        self.engine = engine
        self.rules = rules
        self.media_dir = media_dir
        self.max_photo_bytes = max_photo_bytes
        self.max_photo_pixels = max_photo_pixels
        # Decoding a photo takes a core and tens of MB for a moment: a few at a time, the rest wait.
        self._decoding = asyncio.Semaphore(photo_decoders)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.touch_interval = touch_interval
        self.flush_delay = flush_delay
        self._touched = ExpiringSet(touch_interval)  # residents whose message time was written lately
        self._pending: dict[tuple[str, str], datetime] = {}
        self._exchanges: list[handover.LoggedMessage] = []
        self._flusher: asyncio.Task[None] | None = None
        self._phones: dict[tuple[str, str], str | None] = {}

    async def _run(self, work: Callable[[Session], T]) -> T:
        def in_thread() -> T:
            with Session(self.engine, expire_on_commit=False) as session:
                result = work(session)
                session.commit()
                return result

        return await asyncio.to_thread(in_thread)

    async def _read(self, work: Callable[[Connection], T]) -> T:
        """A read of a few columns, on a plain connection (no ORM session), in a worker thread."""
        def in_thread() -> T:
            with self.engine.connect() as connection:
                return work(connection)

        return await asyncio.to_thread(in_thread)

    def seen(self, openid: str, channel: str) -> None:
        """Note the resident's message time (WeChat's 48 h window); written in batches, off the reply path.

        Each resident is written at most every ``touch_interval`` seconds; all residents seen within
        ``flush_delay`` share one transaction.
        """
        key, now = (openid, channel), time.monotonic()
        touched = self._touched
        touched.sweep(now)
        fingerprint = hash(key) & KEY_MASK  # a collision only delays one resident's write by the interval
        if fingerprint in touched:
            return
        touched.add(fingerprint, now)
        self._pending[key] = self.clock()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        """Write the batch after ``flush_delay``; while the database is away, retry with backoff."""
        delay = self.flush_delay
        while True:
            await asyncio.sleep(delay)
            if await self.flush():
                return
            delay = min(delay * 2, FLUSH_BACKOFF_MAX)

    def note_exchange(self, *, openid: str, channel: str, via: str, text: str, answers: Sequence[str]) -> None:
        """Keep a message and the bot's answers for the staff's view of the conversation, written in batches
        after the message times (:meth:`seen` creates a new resident's row in the same transaction)."""
        self.seen(openid, channel)
        self._exchanges.append(handover.LoggedMessage(openid, channel, via, text, tuple(answers), self.clock()))
        if len(self._exchanges) > 50_000:
            del self._exchanges[:10_000]
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def flush(self) -> bool:
        """Write the noted message times and exchanges now (also called at shut-down); False if the database
        failed.

        A failed batch is kept (a newer time noted meanwhile wins) for the next attempt: the 48 h window
        of a resident who wrote during a database outage is not lost.
        """
        pending, self._pending = self._pending, {}
        exchanges, self._exchanges = self._exchanges, []
        if not pending and not exchanges:
            return True

        def work(session: Session) -> None:
            activity.record_activity(session, pending)
            handover.log_messages(session, exchanges)

        try:
            await self._run(work)
        except Exception as exc:
            log.warning("could not record %d residents' last messages, keeping them for later: %s",
                        len(pending), exc)
            self._pending = {**pending, **self._pending}
            self._exchanges = [*exchanges, *self._exchanges][-50_000:]
            return False
        return True

    async def store_photo(self, content: bytes) -> StoredPhoto:
        async with self._decoding:
            return await asyncio.to_thread(photos.store_photo, content, self.media_dir, self.max_photo_bytes,
                                           self.max_photo_pixels)

    async def file(self, draft: CaseDraft) -> FiledCase:
        now = self.clock()
        filed = await self._run(lambda s: cases.file_case(session=s, draft=draft, now=now, thresholds=self.rules))
        if draft.phone:
            self._remember_phone((draft.openid, draft.channel), draft.phone)
        return filed

    async def profile_phone(self, openid: str, channel: str) -> str | None:
        """The phone the resident gave last time, to offer it again (looked up once per process)."""
        key = (openid, channel)
        if key in self._phones:
            phone = self._phones[key]
            self._remember_phone(key, phone)
            return phone

        phone = await self._read(lambda connection: residents.phone_on_record(connection, openid, channel))
        self._remember_phone(key, phone)
        return phone

    def _remember_phone(self, key: tuple[str, str], phone: str | None) -> None:
        self._phones.pop(key, None)
        self._phones[key] = phone
        if len(self._phones) > PHONES_KEPT:  # the residents writing now, not everyone since start-up
            del self._phones[next(iter(self._phones))]

    async def open_cases(self, openid: str) -> Sequence[Case]:
        return await self._run(lambda s: list(cases.cases_of_resident(s, openid, open_only=True)))

    async def all_cases(self, openid: str) -> Sequence[Case]:
        return await self._run(lambda s: list(cases.cases_of_resident(s, openid, open_only=False)))

    async def case(self, openid: str, number: str) -> Case | None:
        return await self._run(lambda s: cases.get_case_for_resident(s, openid, number))

    async def last_step(self, case: Case) -> Step:
        """The latest step of the case a resident may read, for the status answer."""
        return await self._run(lambda s: followups.last_step(s, case))

    async def awaiting_rating(self, openid: str) -> Sequence[Case]:
        now = self.clock()
        return await self._run(
            lambda s: list(cases.awaiting_rating(s, openid, now=now, rating_days=self.rules.rating_days)))

    async def rate(self, *, number: str, openid: str, score: int | None, fixed: str | None,
                   comment: str | None) -> Rating:
        now = self.clock()
        return await self._run(lambda s: cases.rate(session=s, number=number, openid=openid, score=score,
                                                    fixed=fixed, comment=comment, now=now,
                                                    rating_days=self.rules.rating_days))

    async def comment(self, *, number: str, openid: str, comment: str) -> None:
        now = self.clock()
        await self._run(lambda s: followups.add_rating_comment(session=s, number=number, openid=openid,
                                                           comment=comment, now=now))

    async def request_human(self, *, openid: str, channel: str, text: str) -> None:
        now = self.clock()
        await self._run(lambda s: followups.request_handover(session=s, openid=openid, channel=channel,
                                                         text=text, now=now))
