"""Reading one's notifications marks only one's own as read."""

from __future__ import annotations

from typing import Any

from guanxi.service.choices import NotificationKind
from guanxi.service.models import Notification
from guanxi.service.notifications import notify


def test_marking_read_touches_only_the_readers_own_notifications(
    users: dict[str, Any], login: Any
) -> None:
    kind = NotificationKind.values[0]
    notify([users["carol"]], kind, "工单已分配给您", mail=False)
    notify([users["dave"]], kind, "工单即将超时", mail=False)
    client = login(users["carol"])
    assert client.post("/service/notifications/").status_code == 302
    assert Notification.objects.get(user=users["carol"]).read_at is not None
    assert Notification.objects.get(user=users["dave"]).read_at is None
