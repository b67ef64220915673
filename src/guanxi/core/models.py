"""People and structure (users, teams, regions), API tokens and the event log."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .querysets import RestrictedQuerySet


class Region(models.Model):
    """A sales region (华北, 华东…): the reach of a regional manager."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    # Province codes (GB/T 2260, two leading digits) that belong to the region, so
    # a new customer's region follows from the province of its address.
    province_prefixes = models.JSONField(_("包含省份"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self) -> str:
        return str(self.name)


class Team(models.Model):
    """A sales or service team with one manager."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="teams"
    )
    manager = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("团队")
        verbose_name_plural = _("团队")

    def __str__(self) -> str:
        return str(self.name)


class User(AbstractUser):
    """A member of staff. `role` decides what they may do, team/region how far they reach."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.REP)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="users"
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return str(self.display_name or self.username)

    def scoped_team_ids(self) -> list[int]:
        """Teams a manager reaches: the ones they manage plus their own.

        Cached on the instance: a request's user object lives for one request, and
        every restrict() of a manager's page would otherwise repeat this query.
        """
        cached: list[int] | None = self.__dict__.get("_scoped_team_ids")
        if cached is None:
            ids = set(Team.objects.filter(manager=self).values_list("id", flat=True))
            if self.team_id:
                ids.add(self.team_id)
            cached = self.__dict__["_scoped_team_ids"] = sorted(ids)
        return cached


class ApiTokenQuerySet(RestrictedQuerySet["ApiToken"]):
    restrict_kind = "user"


class ApiToken(models.Model):
    """A per-user API token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        # Tokens carry 256 bits of randomness, so a plain hash is enough; a slow
        # password hash would only slow every API call.
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    @staticmethod
    def generate() -> tuple[str, str]:
        prefix = secrets.token_hex(4)
        return prefix, f"gx_{prefix}_{secrets.token_urlsafe(32)}"


class EventQuerySet(RestrictedQuerySet["Event"]):
    restrict_kind = "event"

    def timeline(self) -> EventQuerySet:
        """What the customer 360 shows: changes, not the audit of who looked."""
        return self.exclude(verb__in=AUDIT_ONLY_VERBS).order_by("-created_at", "-id")


AUDIT_ONLY_VERBS = ("customer.viewed", "export.downloaded", "auth.login")


class Event(models.Model):
    """One thing that happened: the customer timeline and the audit trail.

    Append-only: the model refuses updates and deletes, and database triggers
    (migration 0002) refuse them for anyone who goes around the ORM.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=64)
    object_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField(null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="events",
    )
    summary = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="event_customer_time"),
            models.Index(fields=["object_type", "object_id"], name="event_object"),
            models.Index(fields=["actor", "-created_at"], name="event_actor_time"),
        ]
        verbose_name = _("事件")
        verbose_name_plural = _("事件")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("events are append-only")
