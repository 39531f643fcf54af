"""Versioned models learned from the centre's history, and the one in use.

    models/
      v0001.npz  v0001.json      # weights and what they were trained on (rows, figures, taxonomy hash)
      v0002.npz  v0002.json
      CURRENT                    # the version in use ("v0002"); replaced atomically on a switch
      HISTORY                    # every switch, one version a line: rollback returns to the one before

A switch rewrites CURRENT through a temporary file and os.replace, so a reader sees the old version or
the new one, never half of either. Processes notice a switch by CURRENT's modification time (see
`NLU.refresh`). A version trained for another taxonomy is never loaded (its hash is in the json).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.errors import ModelCacheError
from nlu.model import LinearModel

_VERSION = re.compile(r"^v(\d{4,})$")


@dataclass(frozen=True)
class Version:
    name: str
    meta: dict[str, Any]

    @property
    def taxonomy(self) -> str:
        return str(self.meta.get("taxonomy", ""))


class ModelStore:
    """The folder of learned model versions; safe to share between processes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # reading
    def versions(self) -> list[str]:
        if not self.root.is_dir():
            return []
        names = [p.stem for p in self.root.glob("v*.npz") if _VERSION.match(p.stem)]
        return sorted(names, key=lambda n: int(n[1:]))

    def current(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if name and (self.root / f"{name}.npz").is_file() else None

    def stamp(self) -> int:
        """Changes whenever the version in use changes (CURRENT's modification time, 0 when none)."""
        try:
            return (self.root / "CURRENT").stat().st_mtime_ns
        except OSError:
            return 0

    def history(self) -> list[str]:
        try:
            lines = (self.root / "HISTORY").read_text(encoding="utf-8").split()
        except OSError:
            return []
        return [line for line in lines if _VERSION.match(line)]

    def info(self, name: str) -> Version:
        try:
            meta = json.loads((self.root / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        return Version(name, meta if isinstance(meta, dict) else {})

    def load(self, name: str) -> LinearModel:
        return LinearModel.load(self.root / f"{name}.npz")

    # writing
    def save(self, model: LinearModel, meta: dict[str, Any]) -> str:
        """Store a new version (not yet in use) and return its name."""
        existing = self.versions()
        name = f"v{(int(existing[-1][1:]) + 1) if existing else 1:04d}"
        model.save(self.root / f"{name}.npz")
        self._write(f"{name}.json", json.dumps(meta, ensure_ascii=False, indent=1))
        return name

    def switch(self, name: str) -> None:
        """Put `name` in use for every process (atomic), and remember the switch."""
        if name not in self.versions():
            raise ModelCacheError(f"no model version {name!r} in {self.root}")
        self._write("HISTORY", "\n".join([*self.history(), name]) + "\n")
        self._write("CURRENT", name + "\n")

    def rollback(self) -> str | None:
        """Return to the version in use before the current one; None means the shipped model."""
        history = self.history()
        current = self.current()
        while history and history[-1] == current:
            history.pop()
        previous = history[-1] if history else None
        self._write("HISTORY", "\n".join(history) + ("\n" if history else ""))
        self._write("CURRENT", (previous or "") + "\n")
        return previous

    def _write(self, name: str, text: str) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{name}-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, self.root / name)
        except OSError as exc:
            raise ModelCacheError(f"cannot write {self.root / name}: {exc}") from exc
