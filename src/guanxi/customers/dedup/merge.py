"""Merge two customers into one, and undo it.

Every model with a foreign key to Customer is found through
`Customer._meta.related_objects`, so tickets, points or any later app's rows
move without this module knowing them. Exceptions, on purpose:
- events (append-only history: the loser's timeline stays the loser's, and the
  merge itself is an event on both);
- dedup's own rows (the queue and merge records refer to both customers).
A one-to-one row (e.g. one loyalty member per customer) moves only when the
survivor has none. The Merge row records exactly which rows moved, which links
were added and which blank survivor fields were filled, so undo can put back
precisely those and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE
from guanxi.customers.actions import check_scope
from guanxi.customers.models import Customer

NOT_MOVED = {"core.event"}
NOT_MOVED_APPS = {"dedup"}
# Survivor fields filled from the loser when the survivor has none.
FILLABLE = [
    "gender", "birth_date", "occupation", "id_number", "id_number_bidx", "credit_code", "phone",
    "phone_bidx", "phone_last4_bidx", "email", "wechat_id", "industry_id", "province_code",
    "city_code", "district_code",
]  # fmt: skip
TOTALS = ["purchase_count", "total_amount", "first_purchase_at", "last_purchase_at"]


def _label(rel: models.ForeignObjectRel) -> str:
    return f"{rel.related_model._meta.label_lower}.{rel.field.name}"


def customer_relations() -> list[models.ForeignObjectRel]:
    """Every relation from another model to Customer that a merge moves."""
    out = []
    for rel in Customer._meta.related_objects:
        model = rel.related_model
        if model is Customer or model._meta.label_lower in NOT_MOVED:
            continue
        if model._meta.app_label in NOT_MOVED_APPS or rel.many_to_many:
            continue
        out.append(rel)
    return out


def _blank(value: Any) -> bool:
    return value in (None, "")


def _totals(customer: Customer) -> dict[str, Any]:
    return {f: (str(v) if v is not None else None) for f in TOTALS for v in [getattr(customer, f)]}


def recompute_totals(customer: Customer) -> None:
    """Purchase totals from the orders themselves (after rows moved in or out)."""
    from guanxi.sales.models import Order

    agg = Order.objects.filter(customer=customer).aggregate(
        n=Count("id"), total=Sum("total_amount"), first=Min("ordered_at"), last=Max("ordered_at")
    )
    customer.purchase_count = agg["n"] or 0
    customer.total_amount = agg["total"] or 0
    customer.first_purchase_at = agg["first"]
    customer.last_purchase_at = agg["last"]


@transaction.atomic
def merge_customers(
    survivor: Customer, loser: Customer, *, by: User, auto_probability: float | None = None
) -> Any:
    """Fold `loser` into `survivor`; only for users who may change both.

    `auto_probability` marks a merge the scan made on its own (auto-merge
    threshold): the events say so, with the score, and it is undone like any other.
    """
    from guanxi.dedup.models import CandidateStatus, DuplicateCandidate, Merge

    check_scope(by, CHANGE, survivor)
    check_scope(by, CHANGE, loser)
    if survivor.pk == loser.pk:
        raise ActionError("不能把客户与自身合并。", code="same_customer")
    # Lock both rows in primary-key order so two concurrent merges cannot deadlock.
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[survivor.pk, loser.pk])
        .order_by("pk")
    }
    survivor, loser = locked[survivor.pk], locked[loser.pk]
    if survivor.merged_into_id or loser.merged_into_id:
        raise ActionError("该客户已被合并。", code="already_merged")

    moved: dict[str, list[int]] = {}
    for rel in customer_relations():
        manager = rel.related_model._base_manager
        rows = manager.filter(**{rel.field.name: loser})
        if rel.one_to_one and manager.filter(**{rel.field.name: survivor}).exists():
            continue
        pks = list(rows.values_list("pk", flat=True))
        if pks:
            manager.filter(pk__in=pks).update(**{rel.field.name: survivor})
            moved[_label(rel)] = pks

    linked: dict[str, list[int]] = {}
    for m2m in Customer._meta.many_to_many:
        have = set(getattr(survivor, m2m.name).values_list("pk", flat=True))
        new = [pk for pk in getattr(loser, m2m.name).values_list("pk", flat=True) if pk not in have]
        if new:
            getattr(survivor, m2m.name).add(*new)
            linked[m2m.name] = new

    # Only the names are kept: the values are still on the loser, and a copy of an
    # ID number in a JSON column would escape the encryption at rest.
    filled: list[str] = []
    for name in FILLABLE:
        if _blank(getattr(survivor, name)) and not _blank(getattr(loser, name)):
            setattr(survivor, name, getattr(loser, name))
            filled.append(name)

    before_totals = _totals(survivor)
    recompute_totals(survivor)
    survivor.updated_at = timezone.now()
    survivor.save()
    loser.merged_into = survivor
    loser.updated_at = timezone.now()
    loser.save(update_fields=["merged_into", "updated_at"])

    merge = Merge.objects.create(
        survivor=survivor, loser=loser, by=by, moved=moved, linked=linked,
        filled=filled, survivor_totals=before_totals,
    )  # fmt: skip
    left, right = sorted([survivor.pk, loser.pk])
    DuplicateCandidate.objects.filter(left_id=left, right_id=right).update(
        status=CandidateStatus.MERGED, decided_by=by, decided_at=timezone.now()
    )
    counts = {label: len(pks) for label, pks in moved.items()}
    changes: dict[str, Any] = {"merged_into": [None, survivor.pk], "moved": [None, counts]}
    if auto_probability is not None:
        changes["auto_merge_probability"] = [None, round(auto_probability, 4)]
    changes.update(
        {
            f: [None, events.masked(f, getattr(survivor, f))]
            for f in filled
            if not f.endswith("bidx")
        }
    )
    for customer in (survivor, loser):
        events.record(
            by, "customer.merged", merge, customer_id=customer.pk,
            summary=f"{loser.name} → {survivor.name}", changes=changes,
        )  # fmt: skip
    return merge


@transaction.atomic
def undo_merge(merge: Any, *, by: User) -> Any:
    """Move back exactly the rows the merge moved, unfill what it filled, revive the loser."""
    from guanxi.dedup.models import CandidateStatus, DuplicateCandidate, Merge

    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    survivor = merge.survivor
    loser = merge.loser
    check_scope(by, CHANGE, survivor)
    check_scope(by, CHANGE, loser)
    if merge.undone_at:
        raise ActionError("该合并已撤销。", code="already_undone")
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[survivor.pk, loser.pk])
        .order_by("pk")
    }
    survivor, loser = locked[survivor.pk], locked[loser.pk]

    relations = {_label(rel): rel for rel in customer_relations()}
    for label, pks in merge.moved.items():
        rel = relations.get(label)
        if rel is None:  # the app was removed since; nothing to move back
            continue
        rel.related_model._base_manager.filter(pk__in=pks, **{rel.field.name: survivor}).update(
            **{rel.field.name: loser}
        )
    for name, pks in merge.linked.items():
        getattr(survivor, name).remove(*pks)
    for name in merge.filled:
        # Only if nobody changed it since: undo must not erase a later edit.
        if getattr(survivor, name) == getattr(loser, name):
            field = Customer._meta.get_field(
                name.removesuffix("_id") if name == "industry_id" else name
            )
            setattr(survivor, name, None if field.null else "")
    recompute_totals(survivor)
    survivor.updated_at = timezone.now()
    survivor.save()
    recompute_totals(loser)
    loser.merged_into = None
    loser.updated_at = timezone.now()
    loser.save()

    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    left, right = sorted([survivor.pk, loser.pk])
    DuplicateCandidate.objects.filter(left_id=left, right_id=right).update(
        status=CandidateStatus.OPEN, decided_by=None, decided_at=None
    )
    for customer in (survivor, loser):
        events.record(
            by, "customer.unmerged", merge, customer_id=customer.pk,
            summary=f"{loser.name} ← {survivor.name}", changes={"merged_into": [survivor.pk, None]},
        )  # fmt: skip
    return merge


@transaction.atomic
def dismiss_candidate(candidate: Any, *, by: User) -> Any:
    """Mark a queued pair as two different customers; later scans keep the decision."""
    from guanxi.dedup.models import CandidateStatus

    check_scope(by, CHANGE, candidate.left)
    check_scope(by, CHANGE, candidate.right)
    if candidate.status != CandidateStatus.OPEN:
        return candidate
    candidate.status = CandidateStatus.DISMISSED
    candidate.decided_by = by
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    events.record(
        by, "duplicate.dismissed", candidate, customer_id=candidate.left_id,
        summary=f"{candidate.left.name} ≠ {candidate.right.name}",
    )  # fmt: skip
    return candidate
