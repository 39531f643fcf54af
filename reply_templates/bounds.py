"""Limits on one render: a step budget, a deadline and a size bound on every string or list it makes.

Staff write templates and any agent may save one, so a template is untrusted code. Jinja's sandbox stops
attribute tricks but not a loop that runs for minutes or a filter that returns 100 MB. Every render gets a
:class:`Budget` (carried in the render context under a name no template can spell): each loop iteration,
call, filter and operator spends one step and checks the deadline now and then; anything that would
produce a string, list or number larger than :data:`MAX_VALUE_CHARS` is refused *before* it is built
where the size can be known in advance (repetition, padding widths, ``%`` and ``format`` widths), and
right after otherwise. The output of a render is cut off at :data:`MAX_OUTPUT_CHARS`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from jinja2.runtime import Context
from jinja2.sandbox import SecurityError
from jinja2.utils import Namespace, pass_context

BUDGET_NAME = "\x00budget"  # not an identifier: a template cannot read or replace it
MAX_STEPS = 20_000  # loop iterations, calls, filters and operators in one render
RENDER_SECONDS = 0.5  # wall-clock bound of one render (a reply normally takes microseconds)
MAX_VALUE_CHARS = 20_000  # any string, list or repetition built while rendering
MAX_OUTPUT_CHARS = 20_000  # the whole rendered text (a reply is cut to 2,048 bytes afterwards anyway)
MAX_INT_BITS = 256  # integers a template computes (enough for any real number, far from a bignum bomb)
_CHECK_CLOCK_EVERY = 64

# A printf conversion (``%08d``) and a str.format field (``{:>8}``): their widths and precisions.
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
_FORMAT_SPEC = re.compile(r"\{[^{}]*?:([^{}]*)\}")
_SPEC_NUMBERS = re.compile(r"\*|\d+")


class RenderLimitExceeded(SecurityError):
    """A render ran too long or tried to build something too large; the template is at fault."""


class Budget:
    """The steps and time one render may still spend."""

    __slots__ = ("_unchecked", "deadline", "steps")

    def __init__(self, *, seconds: float = RENDER_SECONDS, steps: int = MAX_STEPS) -> None:
        self.deadline = time.monotonic() + seconds
        self.steps = steps
        self._unchecked = 0

    def spend(self, steps: int = 1) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise RenderLimitExceeded("the template does too much work (a loop that never ends?)")
        self._unchecked += steps
        if self._unchecked >= _CHECK_CLOCK_EVERY:
            self._unchecked = 0
            if time.monotonic() > self.deadline:
                raise RenderLimitExceeded("the template took too long to render")


def budget_of(context: Context | None) -> Budget:
    found = context.get(BUDGET_NAME) if context is not None else None
    if isinstance(found, Budget):
        return found
    # Rendered without a budget (someone called Template.render directly): bounded all the same.
    return Budget()


def check_size(value: Any) -> Any:
    """Refuse a value too large to be a reply's part; returns it unchanged otherwise."""
    if isinstance(value, str | bytes | list | tuple | dict | set) and len(value) > MAX_VALUE_CHARS:
        raise RenderLimitExceeded(f"a value of {len(value)} items is larger than a reply may be")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise RenderLimitExceeded("a number far larger than a reply needs")
    return value


def check_widths(fmt: str) -> None:
    """Refuse ``%0100000000d`` and ``{:>100000000}``: a width or precision wider than a reply."""
    for found in _PRINTF.finditer(fmt):
        for number in found.groups():
            if number == "*" or (number and int(number) > MAX_VALUE_CHARS):
                raise RenderLimitExceeded("a format width larger than a reply may be")
    for spec in _FORMAT_SPEC.findall(fmt):
        for number in _SPEC_NUMBERS.findall(spec):
            if number == "*" or int(number) > MAX_VALUE_CHARS:
                raise RenderLimitExceeded("a format width larger than a reply may be")


def check_arguments(args: Iterable[Any], kwargs: Mapping[str, Any], *, counts: bool = True) -> None:
    """Arguments of a call or filter: sizes and, when ``counts``, no integer that could be a huge width."""
    for value in (*args, *kwargs.values()):
        check_size(value)
        if counts and isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE_CHARS:
            raise RenderLimitExceeded(f"the number {value} is too large for a width or a count")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operator whose result would be too large, before computing it."""
    if operator == "*":
        for a, b in ((left, right), (right, left)):
            if isinstance(a, str | list | tuple) and isinstance(b, int) and len(a) * b > MAX_VALUE_CHARS:
                raise RenderLimitExceeded("repetition too large")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise RenderLimitExceeded("a number far larger than a reply needs")
    elif operator == "**":
        if isinstance(right, int | float) and abs(right) > 64:
            raise RenderLimitExceeded("exponent too large")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() * max(right, 0) > MAX_INT_BITS:
            raise RenderLimitExceeded("a number far larger than a reply needs")
    elif operator == "%" and isinstance(left, str):
        check_widths(left)
    elif operator == "+" and _sized(left) and _sized(right) and len(left) + len(right) > MAX_VALUE_CHARS:
        raise RenderLimitExceeded("a value larger than a reply may be")


def _sized(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


def guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter so it spends a step, checks its arguments (and ``format``'s widths) and its result."""

    @pass_context
    def guarded(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget_of(context).spend()
        # format's arguments are the values (an amount of 50,000 yuan is fine); its widths are checked.
        check_arguments(args, kwargs, counts=name != "format")
        if name == "format" and isinstance(value, str):
            check_widths(value)
        if name == "replace" and isinstance(value, str) and len(args) >= 2:
            old, new = str(args[0]), str(args[1])
            if len(value) + value.count(old or " ") * max(len(new) - len(old), 0) > MAX_VALUE_CHARS:
                raise RenderLimitExceeded("a replacement larger than a reply may be")
        pass_arg = getattr(function, "jinja_pass_arg", None)
        if pass_arg is None:
            return check_size(function(value, *args, **kwargs))
        first = {"context": context, "eval_context": context.eval_ctx,
                 "environment": context.environment}[pass_arg.name]
        return check_size(function(first, value, *args, **kwargs))

    return guarded


@pass_context
def loop_guard(context: Context, iterable: Any) -> Iterator[Any]:
    """What every ``{% for %}`` iterates through: one step per item."""
    budget = budget_of(context)
    for item in iterable:
        budget.spend()
        yield item


@pass_context
def bounded_range(context: Context, *args: int) -> range:
    """``range`` with the step budget's length at most (Jinja's own sandbox allows 100,000)."""
    check_arguments(args, {})
    numbers = range(*args)
    budget_of(context).spend(1 + len(numbers) // 16)
    return numbers


class BoundedNamespace(Namespace):
    """``namespace()`` whose attributes cannot grow past the size bound (``ns.s = ns.s ~ ns.s``)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, check_size(value))


def bounded_namespace(*args: Any, **kwargs: Any) -> Namespace:
    return BoundedNamespace(*args, **kwargs)


def join_limited(chunks: Iterable[str]) -> str:
    """The rendered text, refused once it passes :data:`MAX_OUTPUT_CHARS`."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise RenderLimitExceeded("the rendered text is far longer than a reply may be")
        parts.append(chunk)
    return "".join(parts)
