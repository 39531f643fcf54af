"""The resident simulator at ``/sandbox`` (only while sandboxed): a phone-sized page that plays a resident.

It goes through the real path: the page calls the stand-in's residents' side
(``POST /sandbox/api/residents/{openid}/send``), which builds WeChat's XML, signs and AES-encrypts it,
POSTs it to ``/wechat`` and decrypts the passive reply; pushes are read from the stand-in's messages log
(``GET /sandbox/api/messages?openid=``). The page itself holds no logic of the bot.
"""

from __future__ import annotations

from pathlib import Path

from api.simulator.pages import simulator_router

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["STATIC_DIR", "simulator_router"]
