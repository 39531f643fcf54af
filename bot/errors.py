"""Errors raised by the runtime."""


class BotError(Exception):
    """Base class of the runtime's errors."""


class HandlerSignatureError(BotError):
    """A handler asks for a parameter nobody provides; raised at start-up, never at call time."""


class SkipHandler(BotError):
    """Raised by a handler that, after a closer look, does not want this update: routing goes on."""


class ChannelError(BotError):
    """A channel could not read what it was sent."""


class BadSignature(ChannelError):
    """The request's signature does not match: not from WeChat, or tampered with."""


class StaleRequest(ChannelError):
    """The request's timestamp is too far from now: a replay."""


class MalformedMessage(ChannelError):
    """The body is not a message we can read (bad XML, forbidden constructs, too large)."""


class MediaUnavailable(ChannelError):
    """A resident's photo could not be fetched from the channel (expired media id, network)."""


class UnreadableChat(MalformedMessage):
    """A mini-program chat message lacks what its kind needs; ``reason`` names what (see the adapter)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
