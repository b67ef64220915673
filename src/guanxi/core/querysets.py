"""RestrictedQuerySet: `.restrict(user, action)` is the only way views and API read data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

from .choices import Role, Scope
from .permissions import scope_for

if TYPE_CHECKING:
    from .models import User

M = TypeVar("M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[M], Generic[M]):
    """A queryset that knows how to narrow itself to what a user may see or change.

    `restrict_path` is the lookup path from the model to its customer ("" for the
    customer itself, "customer__" for a contact); customer records carry owner,
    team and region so each scope is one indexed equality.
    """

    restrict_path = ""
    restrict_kind = "customer"  # or "user" (own rows only), "event"

    def restrict(self, user: User | None, action: str = "view") -> RestrictedQuerySet[M]:
        scope = scope_for(user, action)
        if scope == Scope.NONE or user is None:
            return self.none()
        if self.restrict_kind == "user":
            return self if user.role == Role.ADMIN else self.filter(user=user)
        if self.restrict_kind == "event":
            return self._restrict_events(user, scope)
        return self.filter(**self._scope_filter(user, scope, self.restrict_path))

    @staticmethod
    def _scope_filter(user: User, scope: str, path: str) -> dict[str, Any]:
        if scope == Scope.ALL:
            return {}
        if scope == Scope.REGION:
            return {f"{path}region_id": user.region_id} if user.region_id else {"pk__in": []}
        if scope == Scope.TEAM:
            return {f"{path}team_id__in": user.scoped_team_ids()}
        return {f"{path}owner_id": user.pk}

    def _restrict_events(self, user: User, scope: str) -> RestrictedQuerySet[M]:
        # Events about a customer follow the customer's scope; the rest (logins,
        # user administration) is the audit trail, for admins and auditors only.
        if scope == Scope.ALL and user.role in (Role.ADMIN, Role.ANALYST):
            return self
        if scope == Scope.ALL:
            return self.filter(customer__isnull=False)
        return self.filter(customer__isnull=False, **self._scope_filter(user, scope, "customer__"))
