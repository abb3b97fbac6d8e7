"""An ASGI wrapper that keeps oversized request bodies off the disk.

Django's ASGI handler reads a whole request body (spooling it to a temporary file) before any
middleware runs, so a limit checked in middleware comes too late to protect the disk. This wrapper
stands in front of it: a body whose Content-Length is over the limit is never read — Django gets an
empty body with the declared length, and `UploadSizeLimitMiddleware` answers 413 in the visitor's
language — and a body without a length is cut off (the client gets a 413) as soon as it passes the limit.
"""

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]  # Django's handler types its arguments more narrowly

TOO_LARGE_BODY = b'{"detail": "The request body is too large.", "code": "upload_too_large"}'


class RequestBodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self.app(scope, _empty_body(), send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        received = 0
        cut = started = False

        async def counted_receive() -> Message:
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    cut = True  # Django sees the client go away and answers nothing
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, tracked_send)
        if cut and not started:
            await send(
                {"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": TOO_LARGE_BODY})


def _empty_body() -> Receive:
    """An empty body, then nothing: the client's bytes are never read, and Django's wait for a
    disconnect ends when its response is sent."""
    given = False

    async def receive() -> Message:
        nonlocal given
        if given:
            await asyncio.Future()  # never resolves; cancelled with the request
        given = True
        return {"type": "http.request", "body": b"", "more_body": False}

    return receive


def _content_length(scope: MutableMapping[str, Any]) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
