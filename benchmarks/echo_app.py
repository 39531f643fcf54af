"""The callback benchmark's baseline: a safe-mode echo that does only what any WeChat callback must.

wechatpy checks ``msg_signature`` and decrypts, parses the message, builds a text reply and encrypts it;
no dialog, no state, no retry claim. Served by uvicorn with the same settings as ``intake serve``.
"""

from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto

from api.settings import SANDBOX_AES_KEY, SANDBOX_APPID, SANDBOX_TOKEN

app = FastAPI()
crypto = WeChatCrypto(SANDBOX_TOKEN, SANDBOX_AES_KEY, SANDBOX_APPID)


@app.post("/wechat")
async def echo(request: Request, timestamp: Annotated[str, Query()], nonce: Annotated[str, Query()],
               msg_signature: Annotated[str, Query()]) -> Response:
    plain = crypto.decrypt_message(await request.body(), msg_signature, timestamp, nonce)
    message = parse_message(plain)
    reply = create_reply(f"收到：{getattr(message, 'content', '')}", message).render()
    return Response(crypto.encrypt_message(reply, nonce, timestamp), media_type="application/xml")
