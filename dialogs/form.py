"""The mini-program's report form: everything in one submission, read and filed like a chat report.

    description ─ phone ─ photo count ─ point (lat+lng+crs) ─ chosen category   (checked first, in this order)
    photos stored (EXIF removed) ─▶ where: the point, else the address words, else a photo's GPS position
    ─▶ what: the resident's category, else the NLU's one understanding call ─▶ the case desk files it

A form that cannot be filed raises :class:`FormProblem` naming why (``reason``, as the reply template
``mp.report_problem`` words it) and the HTTP status that fits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cases import AppealType, Category, FiledCase, Place
from cases.drafts import CaseDraft, StoredPhoto
from cases.errors import InvalidDraft, PhotoRejected
from dialogs.desk import CaseDesk
from dialogs.words import urgent_hotline
from geo import GeoService, InvalidCoordinate, PointLocation, UnknownCrsError
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
class Located:
    place: Place
    source: Source


@dataclass(frozen=True)
class FiledForm:
    filed: FiledCase
    suggestion: Suggestion
    located: Located
    photos: list[StoredPhoto] = field(default_factory=list)
    danger: str | None = None  # the kind of danger to people the description tells of (fire, gas…)


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


def chosen_category(nlu: NLU, code: str) -> Suggestion:
    try:
        minor = nlu.taxonomy.minor(code.strip())
        major = nlu.taxonomy.major(minor.major_code)
    except TaxonomyError:
        raise FormProblem("unknown_category", code=code) from None
    return Suggestion(Category(major_code=major.code, major_name=major.name, minor_code=minor.code,
                               minor_name=minor.name), score=1.0)


def check(form: ReportForm, nlu: NLU) -> tuple[str, str | None, Suggestion | None]:
    """The cleaned description and phone, and the resident's category; :class:`FormProblem` otherwise."""
    description = form.description.strip()
    if not description:
        raise FormProblem("no_description")
    phone = re.sub(r"[\s\-]", "", form.phone or "") or None
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


async def file_form(form: ReportForm, *, nlu: NLU, geo: GeoService, desk: CaseDesk) -> FiledForm:
    description, phone, chosen = check(form, nlu)
    stored = [await _store(desk, content, index) for index, content in enumerate(form.photos, start=1)]
    located = locate(geo, form, stored)
    understanding = nlu.understand(description)
    picked = chosen or next(iter(suggestions(understanding)), None)
    if picked is None:
        raise FormProblem("category")
    draft = CaseDraft(openid=form.openid, channel="mp", description=description, place=located.place,
                      category=picked.category, category_confidence=picked.score,
                      category_source="resident" if chosen else "auto", urgent=bool(understanding.urgent),
                      phone=phone, confidential=form.confidential, photos=stored,
                      appeal_type=AppealType.named(understanding.appeal))
    try:
        filed = await desk.file(draft)
    except InvalidDraft as exc:
        raise FormProblem(exc.field) from None
    return FiledForm(filed=filed, suggestion=picked, located=located, photos=stored,
                     danger=(understanding.urgency_kind or "") if understanding.urgent else None)


def emergency_line(form: FiledForm) -> dict[str, str] | None:
    """The variables of ``report.urgent`` for a form telling of danger (the same words as the chat's)."""
    if form.danger is None:
        return None
    return {"kind": form.danger, "hotline": urgent_hotline(form.danger)}


async def _store(desk: CaseDesk, content: bytes, index: int) -> StoredPhoto:
    if len(content) > desk.max_photo_bytes:
        raise FormProblem("photo", 413, index=index, photo="too_big")
    try:
        return await desk.store_photo(content)
    except PhotoRejected as exc:
        raise FormProblem("photo", 413 if exc.reason == "too_big" else 422, index=index, photo=exc.reason) from None


def locate(geo: GeoService, form: ReportForm, stored: list[StoredPhoto]) -> Located:
    """The point given, else the address words, else the first photo taken inside the district."""
    if form.lat is not None and form.lng is not None and form.crs:
        try:
            found = geo.locate_point(form.lat, form.lng, crs=form.crs)
        except (InvalidCoordinate, UnknownCrsError):
            raise FormProblem("bad_point") from None
        return _point(found, form.address or geo.describe_point(found.lat, found.lng), "point")
    address = (form.address or "").strip()
    if address:
        best = next((c for c in geo.locate_text(address) if c.grid_id), None)
        if best is None or best.grid_id is None:
            raise FormProblem("address_not_found")
        return Located(Place(grid_id=best.grid_id, grid_name=best.grid_name, community=best.community,
                             street=best.street, address=address, lat=best.lat, lng=best.lng), "address")
    for photo in stored:
        if photo.gps is not None:
            found = geo.locate_point(photo.gps[0], photo.gps[1], crs="wgs84")
            if found.grid_id is not None:
                return _point(found, geo.describe_point(found.lat, found.lng), "photo")
    raise FormProblem("no_place")


def _point(found: PointLocation, address: str, source: Source) -> Located:
    if found.grid_id is None:
        raise FormProblem("outside")
    return Located(Place(grid_id=found.grid_id, grid_name=found.grid_name, community=found.community,
                         street=found.street, address=address or found.grid_name, lat=found.lat,
                         lng=found.lng), source)
