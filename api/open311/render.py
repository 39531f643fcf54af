"""Open311 answers in either format: JSON, or XML with the element names of the GeoReport v2 spec.

Every answer is a list of records (services, requests, errors) except a service definition. Errors are
``[{"code": 403, "description": "…"}]`` / ``<errors><error><code>403</code>…</error></errors>`` whatever
went wrong, so a client needs one error parser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi import Response

from dialogs.open311 import Open311Error

Format = Literal["json", "xml"]
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


def answer(kind: str, payload: Sequence[Mapping[str, Any]], fmt: Format, status: int = 200) -> Response:
    """A list answer (services, requests, errors) in ``fmt``."""
    if fmt == "xml":
        root, item = ROOTS[kind]
        return Response(to_xml(root, item, payload), status_code=status, media_type="text/xml; charset=utf-8")
    return Response(json.dumps(list(payload), ensure_ascii=False), status_code=status,
                    media_type="application/json; charset=utf-8")


def definition(payload: Mapping[str, Any], fmt: Format) -> Response:
    """A service definition (one record, not a list)."""
    if fmt == "xml":
        return Response(to_xml("service_definition", None, payload), media_type="text/xml; charset=utf-8")
    return Response(json.dumps(payload, ensure_ascii=False), media_type="application/json; charset=utf-8")


def error_response(exc: Open311Error) -> Response:
    fmt: Format = "xml" if exc.fmt == "xml" else "json"
    return answer("errors", [{"code": exc.status, "description": exc.description}], fmt, exc.status)
