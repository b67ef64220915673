"""Live chat conversations and their messages.

The database is the record: every line is a `Message` row written by an action
before anything is pushed over the channel layer, so a lost push costs a refresh,
never a message. Conversations follow the scope of their customer for reading
(`restrict(user, "view")`, like tickets: a conversation without a customer is
seen only by the all-seeing roles) and the `chat` duty for answering
(`restrict(user, "chat")`: admins and service agents).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.fields import EncryptedTextField
from guanxi.core.querysets import RestrictedQuerySet

from .choices import Sender, Status

USER = settings.AUTH_USER_MODEL


class ConversationQuerySet(RestrictedQuerySet["Conversation"]):
    restrict_path = "customer__"

    def waiting(self) -> ConversationQuerySet:
        return self.filter(status=Status.WAITING).order_by("started_at", "id")

    def active_for(self, agent: models.Model) -> ConversationQuerySet:
        return self.filter(status=Status.ACTIVE, agent=agent).order_by("started_at", "id")


class Conversation(models.Model):
    """One chat between a visitor of the public page and (once accepted) one agent.

    `visitor_read_id` and `agent_read_id` are the last message id each side has
    seen, so an unread count is one indexed range count and survives reconnects.
    """

    visitor_name = models.CharField(_("访客称呼"), max_length=64)
    visitor_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    visitor_email = models.EmailField(_("联系邮箱"), blank=True)
    visitor_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chat_conversations",
        verbose_name=_("客户"),
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.WAITING
    )
    agent = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chat_conversations",
        verbose_name=_("客服"),
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("接入时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    visitor_read_id = models.BigIntegerField(default=0)
    agent_read_id = models.BigIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    ticket = models.ForeignKey(
        "service.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_conversations",
        verbose_name=_("工单"),
    )

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("在线客服会话")
        verbose_name_plural = _("在线客服会话")
        indexes = [
            models.Index(fields=["status", "started_at"], name="chat_conv_status"),
            models.Index(fields=["agent", "status"], name="chat_conv_agent"),
            models.Index(fields=["customer", "started_at"], name="chat_conv_customer"),
            models.Index(fields=["visitor_ip", "started_at"], name="chat_conv_ip"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.visitor_name}"

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class MessageQuerySet(RestrictedQuerySet["Message"]):
    restrict_path = "conversation__customer__"


class Message(models.Model):
    """One line of a conversation, from the visitor, the agent or the system."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(_("发送方"), max_length=8, choices=Sender.choices)
    author = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [models.Index(fields=["conversation", "sender", "id"], name="chat_msg_conv")]

    def __str__(self) -> str:
        return f"{self.conversation_id}/{self.pk} {self.sender}"
