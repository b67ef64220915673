"""Choices of the live chat: where a conversation stands and who wrote a line."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    WAITING = "waiting", _("排队中")
    ACTIVE = "active", _("接待中")
    CLOSED = "closed", _("已结束")


class Sender(models.TextChoices):
    VISITOR = "visitor", _("访客")
    AGENT = "agent", _("客服")
    SYSTEM = "system", _("系统")
