"""Who may do what to which records: the one gate every read and write goes through.

`SCOPES[role][action]` says how far a role reaches for an action. Querysets apply
it with `.restrict(user, action)`; nothing builds an unscoped queryset for a user.
A record outside the scope is simply not found (404), so a probe cannot even
learn that it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .choices import Role, Scope

if TYPE_CHECKING:
    from .models import User

VIEW, ADD, CHANGE, ASSIGN = "view", "add", "change", "assign"
# Answering live chat (在线客服): a duty, not a reach over customers, so only the
# roles that staff the service desk have it; every other role's scope is NONE.
CHAT = "chat"
# Service-desk configuration (SLA policies, working calendar, bays, KPI targets):
# admins only. Crisis response (危机应对: record a crisis, link and contact the
# affected customers) reaches the customers the role manages or serves.
CONFIGURE, RESPOND = "configure", "respond"
ACTIONS = (VIEW, ADD, CHANGE, ASSIGN, CHAT, CONFIGURE, RESPOND)

SCOPES: dict[str, dict[str, str]] = {
    Role.ADMIN: {
        VIEW: Scope.ALL,
        ADD: Scope.ALL,
        CHANGE: Scope.ALL,
        ASSIGN: Scope.ALL,
        CHAT: Scope.ALL,
        CONFIGURE: Scope.ALL,
        RESPOND: Scope.ALL,
    },
    Role.REGIONAL_MANAGER: {
        VIEW: Scope.REGION,
        ADD: Scope.REGION,
        CHANGE: Scope.REGION,
        ASSIGN: Scope.REGION,
        RESPOND: Scope.REGION,
    },
    Role.MANAGER: {
        VIEW: Scope.TEAM,
        ADD: Scope.TEAM,
        CHANGE: Scope.TEAM,
        ASSIGN: Scope.TEAM,
        RESPOND: Scope.TEAM,
    },
    Role.REP: {VIEW: Scope.OWN, ADD: Scope.OWN, CHANGE: Scope.OWN, ASSIGN: Scope.NONE},
    # Service agents answer any customer who calls, so they read everything, and
    # may correct contact details; they do not own accounts.
    Role.AGENT: {
        VIEW: Scope.ALL,
        ADD: Scope.NONE,
        CHANGE: Scope.ALL,
        ASSIGN: Scope.NONE,
        CHAT: Scope.ALL,
        RESPOND: Scope.ALL,
    },
    # Marketing builds segments over the whole base but edits no account.
    Role.MARKETING: {VIEW: Scope.ALL, ADD: Scope.NONE, CHANGE: Scope.NONE, ASSIGN: Scope.NONE},
    # Analysts and auditors read everything, but personal data reaches them masked.
    Role.ANALYST: {VIEW: Scope.ALL, ADD: Scope.NONE, CHANGE: Scope.NONE, ASSIGN: Scope.NONE},
}

# The knowledge base (知识库) is shared content, not customer records, so its reach
# is all or nothing per role: every staff role reads published articles; admins
# and service agents write, publish and archive them. `ArticleQuerySet.restrict`
# reads this; the public (no user) reads public published articles only.
KNOWLEDGE_WRITE = {VIEW: Scope.ALL, ADD: Scope.ALL, CHANGE: Scope.ALL, ASSIGN: Scope.NONE}
KNOWLEDGE_READ = {VIEW: Scope.ALL, ADD: Scope.NONE, CHANGE: Scope.NONE, ASSIGN: Scope.NONE}
KNOWLEDGE_SCOPES: dict[str, dict[str, str]] = {
    role: KNOWLEDGE_WRITE if role in (Role.ADMIN, Role.AGENT) else KNOWLEDGE_READ
    for role in Role.values
}


def knowledge_scope(user: User | None, action: str) -> str:
    """How far `user` reaches in the knowledge base for `action` (ALL or NONE)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.NONE
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return KNOWLEDGE_SCOPES.get(user.role, {}).get(action, Scope.NONE)


def scope_for(user: User | None, action: str) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope.NONE
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return SCOPES.get(user.role, {}).get(action, Scope.NONE)


def can(user: User | None, action: str) -> bool:
    """True if the user may do `action` on at least some records."""
    return scope_for(user, action) != Scope.NONE


def sees_masked(user: User | None) -> bool:
    """Analysts see aggregates and masked personal data (SPEC §13)."""
    return user is None or user.role == Role.ANALYST
