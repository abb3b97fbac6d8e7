from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/ping/`: proves the socket path end to end (origin check, session auth) for monitors and tests."""

    async def connect(self) -> None:
        await self.accept()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "code": "invalid_message", "detail": 'Send {"type": "ping"}.'})
            return
        user = self.scope.get("user")
        await self.send_json({"type": "pong", "authenticated": bool(user and user.is_authenticated)})

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None
