"""Errors of the case domain; each carries what an API needs to answer precisely."""

from cases.vocabulary import CaseStatus


class CaseError(Exception):
    """Base class of every error raised by :mod:`cases`."""


class InvalidDraft(CaseError):
    """A draft misses something a case needs (description, located grid, category)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class CaseNotFound(CaseError):
    def __init__(self, number: str) -> None:
        super().__init__(f"no case {number}")
        self.number = number


class TransitionNotAllowed(CaseError):
    def __init__(self, current: str, requested: str, allowed: list[str]) -> None:
        super().__init__(f"cannot go from {current} to {requested}; allowed: {', '.join(allowed) or 'none'}")
        self.current = current
        self.requested = requested
        self.allowed = allowed

    @property
    def explanation(self) -> str:
        """Why, in the words staff read: the current status, the one asked for and the ones possible."""
        allowed = "、".join(CaseStatus.label_of(a) for a in self.allowed) or "无（已是最终状态）"
        return (f"当前状态“{CaseStatus.label_of(self.current)}”不能转为“{CaseStatus.label_of(self.requested)}”，"
                f"可转为：{allowed}")


class MissingField(CaseError):
    """A transition (or rating) needs a field that was not given: ``note`` or ``department``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is required")
        self.name = name


class RatingRejected(CaseError):
    """A rating cannot be accepted: ``not_closed``, ``expired``, ``already_rated`` or ``invalid``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PhotoRejected(CaseError):
    """A photo is refused: ``too_big``, ``not_an_image`` or ``unsupported_type``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StaffError(CaseError):
    """A staff account cannot be created or used (duplicate name, bad role, weak password)."""


class InvalidWeek(CaseError):
    """A report's week is not ``2026-W48`` or does not exist; the message says so in Chinese."""
