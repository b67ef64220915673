"""Demo staff, products and tags: the few rows the bulk load refers to.

These go through the actions (add_user, set_team_manager, create_product) like
any other write, so they carry events; there are only a few dozen of them.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from guanxi.core.actions import add_user, set_team_manager
from guanxi.core.models import Region, Team, User
from guanxi.customers.models import Tag
from guanxi.sales.actions import create_product
from guanxi.sales.models import Product

from . import names
from .templates import Template

# A fixed password for a demo on a local machine, printed in the summary. Real
# installations create their users with `guanxi user add`.
DEMO_PASSWORD = "guanxi-demo"
REPS_PER_TEAM = 3


def _add(
    username: str,
    role: str,
    rng: random.Random,
    password_hash: str,
    *,
    by: User | None,
    team: Team | None = None,
    region: Region | None = None,
) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    gender = "M" if rng.random() < 0.5 else "F"
    # add_user hashes the password it is given; PBKDF2 at Django's cost takes a
    # good part of a second, so staff get an unusable password from the action
    # and then share the admin's hash instead of paying that 30 times.
    user = add_user(
        username,
        None,  # type: ignore[arg-type]
        role=role,
        by=by,
        display_name=names.person_name(rng, gender),
        team=team,
        region=region,
    )
    user.password = password_hash
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def ensure_staff() -> dict[int, list[tuple[int, int | None]]]:
    """Create admin and, per region, a regional manager and a team with a manager and reps.

    Returns region id → [(rep id, team id)], the owners customers are spread over.
    """
    rng = random.Random("guanxi-demo-staff")
    password_hash = make_password(DEMO_PASSWORD)
    admin = _add("admin", "admin", rng, password_hash, by=None)
    for username, role in (
        ("agent1", "agent"),
        ("marketing1", "marketing"),
        ("analyst1", "analyst"),
    ):
        _add(username, role, rng, password_hash, by=admin)
    owners: dict[int, list[tuple[int, int | None]]] = {}
    for region in Region.objects.order_by("id"):
        _add(f"rm_{region.code}", "regional_manager", rng, password_hash, by=admin, region=region)
        team, _ = Team.objects.get_or_create(name=f"{region.name}一组", defaults={"region": region})
        manager = _add(f"mgr_{region.code}", "manager", rng, password_hash, by=admin, team=team)
        if team.manager_id is None:
            set_team_manager(team, manager, by=admin)
        reps = [
            _add(f"rep_{region.code}_{n}", "rep", rng, password_hash, by=admin, team=team)
            for n in range(1, REPS_PER_TEAM + 1)
        ]
        owners[region.pk] = [(rep.pk, rep.team_id) for rep in reps]
    return owners


def ensure_products(template: Template, *, by: User) -> dict[str, int]:
    """The template's catalogue, through the product action; existing codes are kept."""
    codes = [p.code for p in template.products]
    ids = dict(Product.objects.filter(code__in=codes).values_list("code", "id"))
    for spec in template.products:
        if spec.code not in ids:
            product = create_product(
                {
                    "code": spec.code,
                    "name": spec.name,
                    "category": spec.category,
                    "unit": spec.unit,
                    "list_price": Decimal(spec.price) / 100,
                    "active": True,
                },
                by=by,
            )
            ids[spec.code] = product.pk
    return ids


def ensure_tags(template: Template) -> dict[str, int]:
    for name in template.tags:
        Tag.objects.get_or_create(name=name)
    return dict(Tag.objects.filter(name__in=template.tags).values_list("name", "id"))
