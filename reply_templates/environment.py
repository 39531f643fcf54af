"""The one Jinja2 environment every template is compiled in: sandboxed, strict, plain text."""

from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment, SecurityError

WECHAT_TEXT_LIMIT_BYTES = 2048  # a customer-service / passive text message
PUSH_FIELD_LIMIT_CHARS = 20  # a template-message field (``thing`` values)
ELLIPSIS = "…"


MAX_REPEAT = 1000  # "x" * n and n ** m stay small: a typo must not exhaust memory while linting


class ReplyEnvironment(SandboxedEnvironment):
    """The sandbox, plus limits on ``*`` and ``**`` (Jinja's own ``range`` limit covers loops)."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if operator == "*":
            for a, b in ((left, right), (right, left)):
                if isinstance(a, str | list | tuple) and isinstance(b, int) and len(a) * b > MAX_REPEAT:
                    raise SecurityError("repetition too large")
        return super().call_binop(context, operator, left, right)


def make_environment() -> SandboxedEnvironment:
    return ReplyEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def finish_text(text: str) -> str:
    """Trailing spaces off every line, blank lines off both ends."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def finish_field(text: str) -> str:
    """One line, at most the WeChat field limit (an ellipsis marks a cut)."""
    value = " ".join(text.split())
    if len(value) > PUSH_FIELD_LIMIT_CHARS:
        value = value[: PUSH_FIELD_LIMIT_CHARS - 1] + ELLIPSIS
    return value


def fit_text(text: str, limit: int = WECHAT_TEXT_LIMIT_BYTES) -> str:
    """Cut ``text`` so its UTF-8 form fits ``limit`` bytes (a safety net for long lists at runtime)."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    cut = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut.rstrip() + ELLIPSIS


def render(template: Template, variables: Mapping[str, Any]) -> str:
    return finish_text(template.render(**variables))
