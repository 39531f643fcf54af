"""Photos are decoded a few at a time: nine large photos at once cannot take every core and all memory."""

from __future__ import annotations

import asyncio
import io
import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cases import photos
from cases.rules import CaseRules
from dialogs import CaseDesk

pytestmark = pytest.mark.anyio


def jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (shade * 25, 90, 20)).save(out, format="JPEG")
    return out.getvalue()


async def test_no_more_photos_are_decoded_at_once_than_configured(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    active, peak, lock = 0, 0, threading.Lock()
    real = photos.store_photo

    def counting(*args: Any) -> Any:  # the real decoder, counted
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            threading.Event().wait(0.02)
            return real(*args)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(photos, "store_photo", counting)
    desk = CaseDesk(engine=None, rules=CaseRules(), media_dir=tmp_path, max_photo_bytes=1 << 20,  # type: ignore[arg-type]
                    photo_decoders=2)
    stored = await asyncio.gather(*(desk.store_photo(jpeg(shade)) for shade in range(9)))
    assert len({s.sha256 for s in stored}) == 9
    assert peak == 2
