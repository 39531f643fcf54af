"""The errors of the reply-template package; every one derives from :class:`ReplyTemplateError`."""

from dataclasses import dataclass


class ReplyTemplateError(Exception):
    """Base class of everything this package raises."""


class UnknownTemplateError(ReplyTemplateError, KeyError):
    """No template is declared under this key (a typo in a dialog, or a key staff cannot create)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"unknown reply template {self.key!r}"


class CatalogError(ReplyTemplateError):
    """A defaults file is malformed (raised at start-up, never while talking to a resident)."""


class TemplateRenderError(ReplyTemplateError):
    """Rendering failed; only raised by a renderer built with ``strict=True`` (tests)."""


class VersionNotFoundError(ReplyTemplateError):
    """A rollback names a version that does not exist for this key."""


@dataclass(frozen=True)
class Problem:
    """One reason a template was refused; ``message_zh`` is shown to staff as is."""

    line: int | None
    code: str
    message_zh: str


class TemplateLintError(ReplyTemplateError):
    """A template breaks the centre's reply standards; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message_zh for p in problems))
        self.problems = problems
