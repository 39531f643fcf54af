"""The baseline for the callback benchmark: a bare FastAPI endpoint answering a short text."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.post("/plain", response_class=PlainTextResponse)
async def plain() -> str:
    return "success"
