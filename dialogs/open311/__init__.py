"""Other systems' reports through Open311 GeoReport v2: a request's form to a filed case (:mod:`.intake`),
our taxonomy and cases in Open311's vocabulary (:mod:`.views`) and its two formats, JSON and XML
(:mod:`.encoding`). The HTTP routes live in ``api/routes/open311.py``.
"""

FORMATS: tuple[str, ...] = ("json", "xml")


class Open311Error(Exception):
    """An answer in the spec's error shape, with its HTTP status."""

    def __init__(self, status: int, description: str, fmt: str = "json") -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.fmt = fmt if fmt in FORMATS else "json"
