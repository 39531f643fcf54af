"""Malformed mini-program requests are answered in Chinese (the rest of the API keeps FastAPI's 422 body).

Each pydantic error becomes ``{"field", "loc", "type", "msg"}``; the sentence comes from the reply template
``mp.field_problem`` (staff edit it like every other sentence residents read).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from api.services import Services

KINDS = {"missing": "missing", "string_too_long": "too_long", "too_long": "too_long",
         "string_too_short": "too_short", "too_short": "too_short", "greater_than_equal": "out_of_range",
         "less_than_equal": "out_of_range", "greater_than": "out_of_range", "less_than": "out_of_range",
         "literal_error": "choice", "enum": "choice", "json_invalid": "json"}


def problem_kind(kind: str) -> str:
    if kind in KINDS:
        return KINDS[kind]
    return "format" if kind.endswith(("_parsing", "_type")) else "other"


def chinese_problem(services: Services, error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error with a polite Chinese message."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = loc[0] if loc else "body"
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    msg = services.templates.render("mp.field_problem", field=field, kind=problem_kind(kind),
                                    max_length=ctx.get("max_length", ""), expected=ctx.get("expected", ""))
    return {"field": field, "loc": list(error.get("loc", ())), "type": kind, "msg": msg}


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith("/api/mp"):
        return await request_validation_exception_handler(request, exc)
    services: Services = request.app.state.services
    problems = [chinese_problem(services, dict(e)) for e in exc.errors()]
    return JSONResponse({"detail": problems, "message": "；".join(p["msg"] for p in problems)}, status_code=422)
