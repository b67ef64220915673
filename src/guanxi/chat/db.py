"""Database calls from the chat sockets: long-lived threads, each reusing its connection.

Channels runs every consumer's synchronous call on one thread of the process (no
per-request thread context, unlike Django's HTTP requests under ASGI). Its
`database_sync_to_async` closes the connection after each call when
CONN_MAX_AGE is 0 — the right default for HTTP, whose threads come and go — so
every chat line paid for a new connection: 45–50 ms on SQLite (pragmas and the
schema parsed again), a new backend on PostgreSQL. Here each thread's
connection is kept and reused, and closed only once it has broken.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from django.db import connections

T = TypeVar("T")


def _drop_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue  # never under a test's wrapping transaction or a caller's atomic
        if connection.connection is not None and connection.errors_occurred:
            if not connection.is_usable():
                connection.close()


class ChatDatabaseSyncToAsync(SyncToAsync):
    """`database_sync_to_async` that keeps a healthy connection between calls."""

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _drop_broken_connections()


def chat_db(function: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Wrap a database call for a socket.

    SQLite has one writer: calls stay on one thread, in order, instead of queueing
    on the file lock, whose busy handler sleeps in coarse steps. PostgreSQL waits
    on the network for each statement, so calls run on the loop's thread pool
    (min(32, CPUs + 4) threads), each thread keeping its own connection; a
    socket's frames are still handled one after another, and the row lock orders
    the two sides of one conversation.
    """
    serial = connections["default"].vendor == "sqlite"
    return ChatDatabaseSyncToAsync(function, thread_sensitive=serial)  # type: ignore[return-value]
