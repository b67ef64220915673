"""Size and rate limits of the public chat; settings may override each (GUANXI_CHAT_*).

Visitors need no account, so these are what stands between the service desk and
a script: a cap on each line, on conversations started per address per hour
(counted in the database, like the public web form), and a token bucket per
visitor socket for lines per minute.
"""

from __future__ import annotations

import time

from django.conf import settings

MAX_BODY = 2000  # characters in one line
# Bytes of one WebSocket frame, checked before JSON parsing; room for MAX_BODY
# characters even when a client escapes each as \uXXXX (6 bytes).
MAX_FRAME = 16 * 1024


def starts_per_hour() -> int:
    return int(getattr(settings, "GUANXI_CHAT_STARTS_PER_HOUR", 10))


def visitor_burst() -> int:
    return int(getattr(settings, "GUANXI_CHAT_VISITOR_BURST", 10))


def visitor_per_minute() -> int:
    return int(getattr(settings, "GUANXI_CHAT_VISITOR_PER_MINUTE", 60))


def token_max_age() -> int:
    """Seconds a visitor token stays good: a day, then the visitor starts again."""
    return int(getattr(settings, "GUANXI_CHAT_TOKEN_MAX_AGE", 86_400))


class TokenBucket:
    """`burst` lines at once, then `per_minute` a minute; one per socket, in memory."""

    def __init__(self, burst: int, per_minute: int) -> None:
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.rate = per_minute / 60.0
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
