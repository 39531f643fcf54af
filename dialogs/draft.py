"""The report being written: its slots and what a message adds to them. No replies and no I/O here.

The draft lives in the dialog's data (a plain dict, so any storage keeps it):

    description · category {major/minor code and name, confidence, source, confident} · category_choices
    appeal (诉求类型, a cases.AppealType code, read from the description)
    location {lat, lng, address, grid…} · place_choices · road_hint · photos · phone · phone_source
    confidential · urgent · urgent_kind · problems (several in one message) · recent_location
"""

from __future__ import annotations

import re
from typing import Any

from cases import AppealType
from dialogs.say import shorten
from dialogs.understanding import Reading
from geo import GeoService, PointLocation, TextCandidate
from nlu import NLU
from nlu import AppealType as Appeal

PLACE_SCORE_CLEAR = 12.0  # a best place this far ahead of the next is taken without asking
VAGUE_SCORE = 0.35  # below this, an unsure reading of a short text is a reason to ask what the problem is
MAX_CHOICES = 3


def fresh(data: dict[str, Any]) -> dict[str, Any]:
    """A new draft; keeps only the recently reported position."""
    return {"recent_location": data["recent_location"]} if data.get("recent_location") else {}


def without_phone(text: str, phone: str | None) -> str:
    """The text with the phone number (as typed, spaces or dashes included) taken out."""
    if not phone:
        return text.strip()
    digits = r"[\s-]*".join(re.escape(d) for d in phone)
    text = re.sub(rf"(?:电话|手机|号码|联系方式)?[:：]?\s*{digits}", "", text)
    return text.strip(" ，,。;；")


def add_description(data: dict[str, Any], text: str, nlu: NLU, known: Reading | None = None) -> None:
    """Add words about the problem (the phone number taken out) and classify the whole description."""
    text = without_phone(text, data.get("phone"))
    if not text:
        return
    data["description"] = f"{data['description']}；{text}" if data.get("description") else text
    classify(data, nlu, known if data["description"] == text else None)


def replace_in_description(data: dict[str, Any], wrong: str, right: str, nlu: NLU) -> None:
    """"不是路灯是井盖": the wrong word replaced (or the right one added), then classified again."""
    description = data.get("description", "")
    if wrong and wrong in description:
        data["description"] = description.replace(wrong, right)
    else:
        data["description"] = f"{description}；{right}" if description else right
    if (data.get("category") or {}).get("source") == "resident":
        data["category"]["source"] = "auto"
    classify(data, nlu)


def classify(data: dict[str, Any], nlu: NLU, known: Reading | None = None) -> None:
    """Classify the whole description (``known``: the NLU's reading of it, when already made).

    The appeal type (诉求类型) is read again from every new description; the category only while the
    resident has not chosen one. The choices offered when unsure are minors (the words residents
    recognise), each with its major, so what the resident picks is exactly what is filed.
    """
    result = known if known is not None else nlu.understand(data["description"])
    data["appeal"] = appeal_code(result.appeal)
    if data.get("category", {}).get("source") == "resident":
        return
    top = result.majors[0] if result.majors else None
    minor = result.minor
    if top is None or minor is None:
        return
    major_code = minor.code[:2]
    data["category"] = {
        "major_code": major_code, "major_name": nlu.taxonomy.major(major_code).name,
        "minor_code": minor.code, "minor_name": minor.name,
        "confidence": round(float(top.score), 3), "source": "auto", "confident": bool(result.confident),
    }
    data["vague"] = bool(getattr(result, "unknown", False)) or (
        not result.confident and float(top.score) < VAGUE_SCORE)
    if result.urgent:
        data["urgent"] = True
        data["urgent_kind"] = data.get("urgent_kind") or result.urgency_kind


def appeal_code(appeal: Appeal | None) -> str | None:
    """The case's code of an appeal type the NLU names in Chinese ("投诉" → ``complaint``)."""
    found = AppealType.named(str(appeal)) if appeal else None
    return found.value if found else None


def minor_choices(nlu: NLU, text: str) -> list[dict[str, Any]]:
    """The likeliest minors for a text, one per major, in the taxonomy's own (plain) words."""
    choices: list[dict[str, Any]] = []
    majors: set[str] = set()
    for minor in nlu.classify(text).minors:
        if minor.code[:2] in majors:
            continue
        majors.add(minor.code[:2])
        choices.append({"code": minor.code, "name": minor.name, "major_code": minor.code[:2],
                        "major_name": nlu.taxonomy.major(minor.code[:2]).name})
        if len(choices) == MAX_CHOICES:
            break
    return choices


def choose_category(data: dict[str, Any], choice: dict[str, Any]) -> None:
    data["category"] = {"major_code": choice["major_code"], "major_name": choice["major_name"],
                        "minor_code": choice["code"], "minor_name": choice["name"],
                        "confidence": 1.0, "source": "resident", "confident": True}
    data["vague"] = False


# -- places -----------------------------------------------------------------------------------------
def place_of(candidate: TextCandidate) -> dict[str, Any]:
    """A gazetteer candidate as it is kept in the dialog data (and offered as a numbered choice).

    ``name`` is the address as the resident gave it: the place with its building, unit or gate.
    """
    return {"name": candidate.address, "community": candidate.community, "street": candidate.street,
            "lat": candidate.lat, "lng": candidate.lng, "grid_id": candidate.grid_id,
            "grid_name": candidate.grid_name, "kind": candidate.kind, "words": candidate.matched}


def set_place(data: dict[str, Any], place: dict[str, Any]) -> None:
    data["location"] = {
        "lat": place["lat"], "lng": place["lng"], "address": place["name"], "grid_id": place["grid_id"],
        "grid_name": place["grid_name"], "community": place["community"], "street": place["street"],
        "approximate": place.get("kind") == "road", "words": place.get("words", ""),
    }
    data.pop("place_choices", None)
    data.pop("road_hint", None)


def set_point(data: dict[str, Any], found: PointLocation, address: str) -> None:
    """A located point (pin, recent position) as the report's place."""
    data["location"] = {"lat": found.lat, "lng": found.lng, "address": address,
                        "grid_id": found.grid_id, "grid_name": found.grid_name, "community": found.community,
                        "street": found.street, "approximate": found.approximate}
    data.pop("place_choices", None)
    data.pop("road_hint", None)


def point_address(geo: GeoService, found: PointLocation, label: str) -> str:
    """How a located point is named: the label given with it, else the nearest named place, else its grid."""
    return label or geo.describe_point(found.lat, found.lng) or found.grid_name


def places_from_text(data: dict[str, Any], text: str, geo: GeoService) -> list[TextCandidate]:
    """Look for place words; one clear winner sets the location, several become numbered choices.

    A road named alone is long: it is remembered (``road_hint``) and the resident asked once where on
    it; the answer is read together with the road ("北段", "和繁华大道交口").
    """
    hint = data.get("road_hint")
    candidates = geo.locate_text(f"{hint}{text}") if hint else []
    if not candidates or not candidates[0].precise:
        candidates = geo.locate_text(text) or candidates
    if not candidates:
        return []
    if not candidates[0].precise and not hint:
        data["road_hint"] = candidates[0].name
        return list(candidates)
    if len(candidates) == 1 or candidates[0].score - candidates[1].score >= PLACE_SCORE_CLEAR:
        set_place(data, place_of(candidates[0]))
    else:
        data["place_choices"] = [place_of(c) for c in candidates[:5]]
    return list(candidates)


def absorb_text(data: dict[str, Any], text: str, meaning: Reading | None, nlu: NLU, geo: GeoService) -> None:
    """Everything a free-text message carries: phone, place, description (with its category), urgency."""
    if meaning is not None and meaning.phone:
        data["phone"] = meaning.phone
        data["phone_source"] = "message"
    if not data.get("location"):
        places_from_text(data, text, geo)
    add_description(data, text.strip(), nlu, meaning)


def summary(data: dict[str, Any]) -> dict[str, Any]:
    """Everything understood, for the read-back before filing (the phone masked by the caller)."""
    category = data.get("category") or {}
    location = data.get("location") or {}
    return {
        "description": shorten(data.get("description", "")),
        "place": location.get("address") or location.get("grid_name", ""),
        "grid_name": location.get("grid_name", ""),
        "category": category.get("minor_name") or category.get("major_name") or "",
        "photo_count": len(data.get("photos", [])),
        "confidential": bool(data.get("confidential")),
        "problems": [p["text"] for p in data.get("problems", [])],
    }
