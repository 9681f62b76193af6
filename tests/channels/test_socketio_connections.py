"""New socket.io connections per client address: limited in the application as at the edge.

A Rasa server of its own with ``PMO_RATE_LIMIT_PER_ADDRESS=4/60`` (the setting the front
door's per-address limit on new socket.io sessions reads too) and the front door as its
trusted proxy, so each client's address comes from ``X-Forwarded-For``: one address gets
four connections a minute, the fifth is refused with socket.io's ``connect_error`` and
the reason, while the sessions it already has and other addresses carry on.
"""

from __future__ import annotations

import asyncio
from typing import Any, Iterator, List, Optional

import pytest

from bot.channels.socketio import TOO_MANY_CONNECTIONS
from harness import servers

pytestmark = pytest.mark.slow

PER_ADDRESS = 4


@pytest.fixture(scope="module")
def limited_rasa(tmp_path_factory) -> Iterator[str]:
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("socketio-connections")
    rasa = servers.rasa_server(
        workdir,
        servers.write_endpoints(workdir, servers.free_port()),  # no action server: no turn is run here
        env={"PMO_RATE_LIMIT_PER_ADDRESS": f"{PER_ADDRESS}/60", "PMO_TRUSTED_PROXIES": "127.0.0.1"},
    )
    try:
        rasa.start()
        yield rasa.url
    finally:
        rasa.stop()


class Visitor:
    """A socket.io client coming from ``address`` (through the trusted front door)."""

    def __init__(self, url: str, address: str) -> None:
        import socketio

        self.url, self.address = url, address
        self.client = socketio.AsyncClient(reconnection=False)
        self.refusal: Optional[Any] = None
        self.confirmed = asyncio.Event()
        self.client.on("connect_error", self._refused)
        self.client.on("session_confirm", lambda _: self.confirmed.set())

    def _refused(self, data: Any) -> None:
        self.refusal = data

    async def connect(self) -> bool:
        import socketio

        try:
            await self.client.connect(
                self.url, transports=["websocket"], headers={"X-Forwarded-For": self.address}, wait_timeout=10
            )
        except socketio.exceptions.ConnectionError:
            return False
        return True

    async def session(self, session_id: str) -> None:
        self.confirmed.clear()
        await self.client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(self.confirmed.wait(), 10)


def test_new_connections_from_one_address_are_limited(limited_rasa: str):
    async def scenario() -> None:
        first = [Visitor(limited_rasa, "198.51.100.7") for _ in range(PER_ADDRESS)]
        try:
            assert [await v.connect() for v in first] == [True] * PER_ADDRESS
            one_too_many = Visitor(limited_rasa, "198.51.100.7")
            assert not await one_too_many.connect()
            assert one_too_many.refusal == {"message": TOO_MANY_CONNECTIONS}
            # the address's open sessions carry on, and other addresses connect as usual
            await first[0].session("kept-" + "a" * 8)
            others: List[Visitor] = [Visitor(limited_rasa, f"198.51.100.{i}") for i in (8, 9)]
            assert [await v.connect() for v in others] == [True, True]
            await others[0].session("other-" + "b" * 8)
            for visitor in others:
                await visitor.client.disconnect()
        finally:
            for visitor in first:
                await visitor.client.disconnect()

    asyncio.run(scenario())
