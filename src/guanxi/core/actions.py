"""Core actions: users, teams, API tokens. Every write records an event."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import events
from .choices import Role
from .models import ApiToken, Region, Team, User


class ActionError(Exception):
    """A refused action; `field` names the input at fault when there is one."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


@transaction.atomic
def add_user(
    username: str,
    password: str,
    *,
    role: str,
    by: User | None,
    display_name: str = "",
    team: Team | None = None,
    region: Region | None = None,
    email: str = "",
) -> User:
    if role not in Role.values:
        raise ActionError(f"未知角色：{role}", code="invalid_role", field="role")
    if User.objects.filter(username=username).exists():
        raise ActionError(f"用户名已存在：{username}", code="duplicate", field="username")
    if region is None and team is not None:
        region = team.region
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        role=role,
        display_name=display_name,
        team=team,
        region=region,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    events.record(
        by, "user.added", user, summary=f"{username} ({role})", changes={"role": [None, role]}
    )
    return user


@transaction.atomic
def set_team_manager(team: Team, manager: User, *, by: User | None) -> Team:
    before = team.manager_id
    team.manager = manager
    team.save(update_fields=["manager"])
    events.record(
        by, "team.manager_set", team, summary=str(team), changes={"manager": [before, manager.pk]}
    )
    return team


@transaction.atomic
def create_api_token(user: User, name: str, *, by: User | None) -> tuple[ApiToken, str]:
    """Create a token and return it with its plaintext, which is never stored or shown again."""
    prefix, token = ApiToken.generate()
    record = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=ApiToken.digest_of(token)
    )
    events.record(by, "token.created", record, summary=f"{user.username}: {name}")
    return record, token


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User | None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    events.record(by, "token.revoked", token, summary=f"{token.user.username}: {token.name}")
