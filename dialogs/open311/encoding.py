"""Open311 answers in either format: JSON, or XML with the element names of the GeoReport v2 spec.

Every answer is a list of records (services, requests, errors) except a service definition. Errors are
``[{"code": 403, "description": "…"}]`` / ``<errors><error><code>403</code>…</error></errors>`` whatever
went wrong, so a client needs one error parser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from dialogs.open311 import Open311Error

Format = Literal["json", "xml"]
JSON_TYPE, XML_TYPE = "application/json; charset=utf-8", "text/xml; charset=utf-8"
# The list element and the record element of each kind of answer, as the spec names them.
ROOTS: dict[str, tuple[str, str]] = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
# Lists inside a record: the element of one item.
ITEMS: dict[str, str] = {"attributes": "attribute", "values": "value", "keywords": "keyword"}


def check_format(fmt: str) -> Format:
    if fmt == "json":
        return "json"
    if fmt == "xml":
        return "xml"
    raise Open311Error(400, f"不支持的格式“{fmt[:20]}”，请使用 .json 或 .xml")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: Element, record: Mapping[str, Any]) -> None:
    for key, value in record.items():
        child = SubElement(parent, key)
        if isinstance(value, Mapping):
            _fill(child, value)
        elif isinstance(value, list | tuple):
            for item in value:
                node = SubElement(child, ITEMS.get(key, "item"))
                if isinstance(item, Mapping):
                    _fill(node, item)
                else:
                    node.text = _text(item)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, payload: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> bytes:
    element = Element(root)
    if isinstance(payload, Mapping):
        _fill(element, payload)
    else:
        for record in payload:
            _fill(SubElement(element, item or "item"), record)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + tostring(element, encoding="utf-8", xml_declaration=False)


@dataclass(frozen=True)
class Encoded:
    """An answer ready to send: its bytes, their media type and the HTTP status."""

    body: bytes
    media_type: str
    status: int = 200


def answer(kind: str, payload: Sequence[Mapping[str, Any]], fmt: Format, status: int = 200) -> Encoded:
    """A list answer (services, requests, errors) in ``fmt``."""
    if fmt == "xml":
        root, item = ROOTS[kind]
        return Encoded(to_xml(root, item, payload), XML_TYPE, status)
    return Encoded(json.dumps(list(payload), ensure_ascii=False).encode("utf-8"), JSON_TYPE, status)


def definition(payload: Mapping[str, Any], fmt: Format) -> Encoded:
    """A service definition (one record, not a list)."""
    if fmt == "xml":
        return Encoded(to_xml("service_definition", None, payload), XML_TYPE)
    return Encoded(json.dumps(payload, ensure_ascii=False).encode("utf-8"), JSON_TYPE)


def error(exc: Open311Error) -> Encoded:
    """Whatever went wrong, in the spec's error list and the format that was asked for."""
    fmt: Format = "xml" if exc.fmt == "xml" else "json"
    return answer("errors", [{"code": exc.status, "description": exc.description}], fmt, exc.status)
