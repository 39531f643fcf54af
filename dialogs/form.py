"""The mini-program's report form: one submission read into the chat's draft and filed by the chat's code.

    description ─ phone ─ photo count ─ point (lat+lng+crs) ─ chosen category   (checked first, in this order)
    photos stored (EXIF removed) ─▶ where: the point, else the address words, else a photo's GPS position
    ─▶ what: the NLU's one understanding call, read into the draft as a chat message is (category, appeal
    type, urgency); the resident's chosen category wins ─▶ filed by :mod:`dialogs.filing`, answered with the
    chat's templates (the emergency line first when it tells of danger)

The submission is the resident's confirmation: a form is one report (several problems in it stay one case).
A form that cannot be filed raises :class:`FormProblem` naming why (``reason``, as the reply template
``mp.report_problem`` words it) and the HTTP status that fits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.types import Channel, Kind, Update
from cases import Category, FiledCase
from cases.drafts import StoredPhoto
from cases.errors import InvalidDraft, PhotoRejected
from dialogs.danger import warn
from dialogs.desk import CaseDesk
from dialogs.draft import add_description, choose_category, place_of, point_address, set_place, set_point, without_phone
from dialogs.filing import file_drafts, tell_filed
from dialogs.say import Say
from geo import GeoService, InvalidCoordinate, UnknownCrsError
from nlu import NLU, TaxonomyError, Understanding

MAX_PHOTOS = 9
PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
CRS_NAMES = ("wgs84", "gcj02", "bd09")
Source = Literal["point", "address", "photo"]


class FormProblem(Exception):
    def __init__(self, reason: str, status: int = 422, **variables: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.variables = variables


@dataclass(frozen=True)
class ReportForm:
    openid: str
    description: str
    photos: Sequence[bytes] = ()
    photo_count: int = 0  # how many photos were sent (they are not read when there are too many)
    lat: float | None = None
    lng: float | None = None
    crs: str | None = None
    address: str | None = None
    phone: str | None = None
    confidential: bool = False
    category: str | None = None  # a minor code the resident chose


@dataclass(frozen=True)
class Suggestion:
    category: Category
    score: float


@dataclass(frozen=True)
class FiledForm:
    filed: FiledCase
    category: Suggestion  # as filed: the resident's choice (score 1) or the classifier's reading
    source: Source
    photos: int


def suggestions(understanding: Understanding) -> list[Suggestion]:
    """The top three categories of one understanding call (the minor only where it belongs to the major)."""
    minor = understanding.minor
    found = []
    for major in understanding.majors[:3]:
        mine = minor if minor is not None and minor.code.startswith(major.code) else None
        found.append(Suggestion(Category(major_code=major.code, major_name=major.name,
                                         minor_code=mine.code if mine else None,
                                         minor_name=mine.name if mine else None),
                                score=round(float(major.score), 3)))
    return found


def chosen_category(nlu: NLU, code: str) -> dict[str, Any]:
    """The resident's pick as the chat's category choice (a minor with its major)."""
    try:
        minor = nlu.taxonomy.minor(code.strip())
        major = nlu.taxonomy.major(minor.major_code)
    except TaxonomyError:
        raise FormProblem("unknown_category", code=code) from None
    return {"code": minor.code, "name": minor.name, "major_code": major.code, "major_name": major.name}


def check(form: ReportForm, nlu: NLU) -> tuple[str, str | None, dict[str, Any] | None]:
    """The description (the phone taken out), the phone and the resident's category; :class:`FormProblem`."""
    phone = re.sub(r"[\s\-]", "", form.phone or "") or None
    description = without_phone(form.description, phone)
    if not description:
        raise FormProblem("no_description")
    if phone is not None and not PHONE.match(phone):
        raise FormProblem("bad_phone")
    count = max(form.photo_count, len(form.photos))
    if count > MAX_PHOTOS:
        raise FormProblem("too_many_photos", 413, count=count, max=MAX_PHOTOS)
    if (form.lat is None) != (form.lng is None):
        raise FormProblem("half_point")
    if form.lat is not None and form.crs not in CRS_NAMES:
        raise FormProblem("no_crs")
    return description, phone, chosen_category(nlu, form.category) if form.category else None


async def file_form(form: ReportForm, *, nlu: NLU, geo: GeoService, desk: CaseDesk, say: Say) -> FiledForm:
    """Read the form into a draft as the chat does, file it, and say what the chat says after 确认."""
    description, phone, chosen = check(form, nlu)
    stored = [await _store(desk, content, index) for index, content in enumerate(form.photos, start=1)]
    data: dict[str, Any] = {"phone": phone, "phone_source": "typed" if phone else None,
                            "confidential": form.confidential, "photos": [asdict(p) for p in stored],
                            "merged": True}
    source = locate(data, geo, form, stored)
    understanding = nlu.understand(description)  # the one understanding call
    if understanding.urgent:
        warn(say, understanding.urgency_kind)
    add_description(data, description, nlu, understanding)
    if chosen is not None:
        choose_category(data, chosen)
    category = data.get("category")
    if not category:
        raise FormProblem("category")
    update = Update(kind=Kind.TEXT, text=description, resident_id=form.openid, channel=Channel.MINI_PROGRAM,
                    message_id=f"form-{uuid.uuid4().hex}")
    try:
        filed = await file_drafts(update, data, desk)
    except InvalidDraft as exc:
        raise FormProblem(exc.field) from None
    tell_filed(filed, say)
    picked = Suggestion(Category(major_code=category["major_code"], major_name=category["major_name"],
                                 minor_code=category["minor_code"], minor_name=category["minor_name"]),
                        score=float(category["confidence"]))
    return FiledForm(filed=filed[0], category=picked, source=source, photos=len(stored))


async def _store(desk: CaseDesk, content: bytes, index: int) -> StoredPhoto:
    if len(content) > desk.max_photo_bytes:
        raise FormProblem("photo", 413, index=index, photo="too_big")
    try:
        return await desk.store_photo(content)
    except PhotoRejected as exc:
        raise FormProblem("photo", 413 if exc.reason == "too_big" else 422, index=index, photo=exc.reason) from None


def locate(data: dict[str, Any], geo: GeoService, form: ReportForm, stored: list[StoredPhoto]) -> Source:
    """The report's place, as the chat sets it: the point given, else the address words, else the first
    photo taken inside the district."""
    if form.lat is not None and form.lng is not None and form.crs:
        try:
            found = geo.locate_point(form.lat, form.lng, crs=form.crs)
        except (InvalidCoordinate, UnknownCrsError):
            raise FormProblem("bad_point") from None
        if found.grid_id is None:
            raise FormProblem("outside")
        set_point(data, found, point_address(geo, found, (form.address or "").strip()))
        return "point"
    address = (form.address or "").strip()
    if address:
        best = next((c for c in geo.locate_text(address) if c.grid_id), None)
        if best is None:
            raise FormProblem("address_not_found")
        set_place(data, place_of(best))
        return "address"
    for photo in stored:
        if photo.gps is not None:
            found = geo.locate_point(photo.gps[0], photo.gps[1], crs="wgs84")
            if found.grid_id is not None:
                set_point(data, found, point_address(geo, found, ""))
                return "photo"
    raise FormProblem("no_place")
