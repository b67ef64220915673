"""Database calls from the chat sockets: one long-lived thread, one reused connection.

Channels runs every consumer's synchronous call on one thread of the process (no
per-request thread context, unlike Django's HTTP requests under ASGI). Its
`database_sync_to_async` closes the connection after each call when
CONN_MAX_AGE is 0 — the right default for HTTP, whose threads come and go — so
every chat line paid for a new connection: 45–50 ms on SQLite (pragmas and the
schema parsed again), a new backend on PostgreSQL. On that one thread the
connection is kept and reused, and closed only once it has broken.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections


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


chat_db = ChatDatabaseSyncToAsync
