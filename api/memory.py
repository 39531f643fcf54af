"""The serving process and glibc's allocator: freed memory handed back to the system, after start-up and now and then.

Start-up builds the grid index (about 76,000 temporary cell boxes in GEOS), the gazetteer and the NLU
arrays; their temporaries are freed but the pages stay in the heap (and in the RSS) until ``malloc_trim``
returns them: about 25 MB. A no-op where the C library is not glibc.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from contextlib import suppress
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """Hand free heap pages back to the system (after start-up). False where it does not apply."""
    libc = _libc()
    return libc is not None and bool(libc.malloc_trim(0))


async def release_now_and_then(stop: asyncio.Event, every: float = 60.0) -> None:
    """While serving, hand back what expired entries left behind (replies, claims, drafts), every ``every`` s.

    They die in the order they were made, leaving holes all over the heap that glibc keeps for reuse; under
    a steady load the heap would otherwise stay at its highest point.
    """
    while not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        release_free_memory()
