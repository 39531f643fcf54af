"""The one Jinja2 environment every template is compiled in: sandboxed, strict, plain text."""

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from reply_templates import bounds

WECHAT_TEXT_LIMIT_BYTES = 2048  # a customer-service / passive text message
PUSH_FIELD_LIMIT_CHARS = 20  # a template-message field (``thing`` values)
ELLIPSIS = "…"


LOOP_GUARD = "_loop_guard"


class ReplyEnvironment(SandboxedEnvironment):
    """The sandbox, plus the limits of :mod:`reply_templates.bounds` on every loop, call and operator."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: bounds.guard_filter(name, f) for name, f in self.filters.items()}
        self.filters[LOOP_GUARD] = bounds.loop_guard
        self.globals.pop("lipsum", None)  # lipsum(n=…) writes pages of text
        self.globals["range"] = bounds.bounded_range
        self.globals["namespace"] = bounds.bounded_namespace

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Every ``{% for %}`` iterates through the loop guard, so each iteration spends a step."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, LOOP_GUARD, [], [], None, None, lineno=loop.lineno)
        return tree

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        bounds.budget_of(context).spend()
        bounds.check_binop(operator, left, right)
        return bounds.check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        bounds.budget_of(__context).spend()
        # A str method's integers are widths and counts (ljust, center, zfill, expandtabs).
        bounds.check_arguments(args, kwargs, counts=isinstance(getattr(__obj, "__self__", None), str))
        return bounds.check_size(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``'{:>8}'.format(x)``: the widths are checked before formatting."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        bounds.check_widths(str(value.__self__))
        return wrapped


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


def render(template: Template, variables: Mapping[str, Any], budget: bounds.Budget | None = None) -> str:
    """Render within ``budget`` (a fresh one by default): raises :class:`RenderLimitExceeded` past it."""
    values = {**variables, bounds.BUDGET_NAME: budget or bounds.Budget()}
    return finish_text(bounds.join_limited(template.generate(values)))
