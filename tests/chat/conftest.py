"""Live-chat fixtures: conversations started through the real action, sockets through
the real ASGI stack (origin check, cookies, session auth), a fresh channel layer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture(autouse=True)
def fresh_channel_layer(settings: Any) -> Iterator[None]:
    """Each test gets its own in-memory layer: queues belong to one event loop."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def reference_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests (sockets run in other threads, so data must be committed)
    start after an earlier test's flush emptied the seeded regions; put them back."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        from tests.conftest import reseed_reference_data

        request.getfixturevalue("transactional_db")
        reseed_reference_data()


@pytest.fixture
def start_chat(users: dict[str, Any]) -> Callable[..., Any]:
    """A visitor's conversation, started as the public page would start it."""
    from guanxi.chat.actions import start_conversation

    def start(name: str = "王先生", body: str = "请问0号柴油今天什么价？", **extra: Any) -> Any:
        return start_conversation({"visitor_name": name, "body": body, **extra}, ip="127.0.0.1")

    return start


def visitor_socket(
    conversation_id: int, token: str | None, origin: bytes = ORIGIN[1]
) -> WebsocketCommunicator:
    from guanxi.asgi import application
    from guanxi.chat.visitors import COOKIE

    headers = [(b"origin", origin)]
    if token is not None:
        headers.append((b"cookie", f"{COOKIE}={token}".encode()))
    return WebsocketCommunicator(
        application, f"/ws/chat/visitor/{conversation_id}/", headers=headers
    )


@pytest.fixture
def session_cookie() -> Callable[[Any], str]:
    """A signed-in browser's session cookie for a user (a real session row)."""
    from django.conf import settings
    from django.test import Client

    def cookie(user: Any) -> str:
        client = Client()
        client.force_login(user)
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    return cookie


def console_socket(cookie: str | None) -> WebsocketCommunicator:
    from guanxi.asgi import application

    headers = [ORIGIN]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/chat/console/", headers=headers)


async def receive_type(
    socket: WebsocketCommunicator, kind: str, timeout: float = 3
) -> dict[str, Any]:
    """The next frame of `kind`, skipping others (status pushes, system lines)."""
    for _ in range(50):
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind!r} frame")


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """guanxi.asgi:application under a real uvicorn in a thread: "127.0.0.1:<port>".

    Same process, so the server's threads open their own connections to the test
    database (committed data: the tests using it are transactional).
    """
    import socket
    import threading
    import time

    import uvicorn

    from guanxi.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
