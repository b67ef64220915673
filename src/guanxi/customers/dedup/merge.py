"""Merge two customers into one, and undo it.

Every model with a foreign key to Customer is found through
`Customer._meta.get_fields(include_hidden=True)` (a `related_name="+"` hides
only the accessor, not the rows), so tickets, points or any later app's rows
move without this module knowing them. Exceptions, on purpose:
- events (append-only history: the loser's timeline stays the loser's, and the
  merge itself is an event on both);
- dedup's own rows (the queue and merge records refer to both customers).
A one-to-one row (e.g. one loyalty member per customer) moves only when the
survivor has none. A loser row that would break a unique rule of its model on
the survivor (both affected by one crisis) is dropped instead: the survivor's
row stays, taking over a further-along status, and the dropped row is kept
whole in the Merge row. The Merge row records exactly which rows moved or were
dropped, which links were added and which blank survivor fields were filled,
so undo can put back precisely those and nothing else. Undo goes in reverse
order: a survivor since merged into another customer must be unmerged first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.fields import EncryptedTextField
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
# When a loser row is dropped for a survivor row of the same key, the survivor's row
# takes over the loser's value of this field if it got further: a customer already
# told of a recall (under the other record) must not go back to 待通知.
ADVANCING: dict[str, tuple[str, dict[str, int]]] = {
    "crisis.affectedcustomer": (
        "recovery",
        {"pending": 0, "notified": 1, "responded": 2, "recovered": 3, "lost": 3},
    ),
}


def _label(rel: models.ForeignObjectRel) -> str:
    return f"{rel.related_model._meta.label_lower}.{rel.field.name}"


def customer_relations() -> list[models.ForeignObjectRel]:
    """Every relation from another model to Customer that a merge moves, hidden ones included."""
    out = []
    for rel in Customer._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ForeignObjectRel) or rel.many_to_many:
            continue
        model = rel.related_model
        # Customer itself is `merged_into`; an auto-created model is the through table
        # of Customer's own many-to-many fields, which the merge links separately.
        if model is Customer or model._meta.auto_created:
            continue
        if model._meta.label_lower in NOT_MOVED or model._meta.app_label in NOT_MOVED_APPS:
            continue
        out.append(rel)
    return out


@dataclass(frozen=True)
class UniqueRule:
    """A unique constraint that includes the customer field, seen from one customer's rows."""

    others: tuple[str, ...]  # attnames of the rule's other fields
    condition: Q | None  # a partial constraint holds only among rows matching it
    nulls_equal: bool  # NULLS NOT DISTINCT: two NULLs collide too


def unique_rules(field: models.Field) -> list[UniqueRule]:
    """The model's unique constraints and unique_together that include `field`."""
    meta = field.model._meta
    sets: list[tuple[list[str], Q | None, bool]] = [
        (list(c.fields), c.condition, c.nulls_distinct is False)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and not c.expressions
    ]
    sets += [(list(names), None, False) for names in meta.unique_together]
    if field.unique:
        sets.append(([field.name], None, False))
    return [
        UniqueRule(
            tuple(meta.get_field(n).attname for n in names if n != field.name), cond, nulls_equal
        )
        for names, cond, nulls_equal in sets
        if field.name in names
    ]


def collisions(rel: models.ForeignObjectRel, survivor: Customer, loser: Customer) -> dict[int, int]:
    """Loser rows that, moved, would break a unique rule: {loser row pk: survivor row pk}."""
    manager, name = rel.related_model._base_manager, rel.field.name
    out: dict[int, int] = {}
    for rule in unique_rules(rel.field):

        def keyed(customer: Customer, rule: UniqueRule = rule) -> Any:
            rows = manager.filter(**{name: customer})
            if rule.condition is not None:
                rows = rows.filter(rule.condition)
            return rows.values_list("pk", *rule.others)

        kept = {tuple(key): pk for pk, *key in keyed(survivor)}
        for pk, *key in keyed(loser):
            if (rule.nulls_equal or None not in key) and tuple(key) in kept:
                out.setdefault(pk, kept[tuple(key)])
    return out


def snapshot(row: models.Model) -> dict[str, Any]:
    """Every column of a row as JSON, to re-create it exactly; encrypted ones stay ciphertext."""
    out: dict[str, Any] = {}
    for f in row._meta.concrete_fields:
        value = f.value_from_object(row)
        if value is None:
            out[f.attname] = None
        elif isinstance(f, EncryptedTextField):
            out[f.attname] = f.get_prep_value(value)
        else:
            out[f.attname] = f.value_to_string(row)
    return out


def from_snapshot(model: type[models.Model], data: dict[str, Any]) -> models.Model:
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.attname not in data:  # a column added since the merge: its default
            continue
        raw = data[f.attname]
        if raw is None:
            values[f.attname] = None
        elif isinstance(f, EncryptedTextField):
            values[f.attname] = f.from_db_value(raw, None, None)
        else:
            values[f.attname] = f.to_python(raw)
    return model(**values)


def _has_dependents(model: type[models.Model], pks: list[int]) -> bool:
    """Whether deleting these rows would take (or change) other rows with them."""
    for rel in model._meta.get_fields(include_hidden=True):
        if isinstance(rel, models.ForeignObjectRel):
            target = rel.field.target_field.attname
            linked = model._base_manager.filter(pk__in=pks).values(target)
            if rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": linked}).exists():
                return True
        elif isinstance(rel, models.ManyToManyField):
            if model._base_manager.filter(pk__in=pks, **{f"{rel.name}__isnull": False}).exists():
                return True
    return False


def _carry(model: type[models.Model], kept_pk: int, dropped: models.Model) -> dict[str, list[Any]]:
    """Give the survivor's row the dropped row's value if it got further; what changed."""
    rule = ADVANCING.get(model._meta.label_lower)
    if rule is None:
        return {}
    name, rank = rule
    before = model._base_manager.filter(pk=kept_pk).values_list(name, flat=True).get()
    better = getattr(dropped, name)
    if rank.get(better, -1) <= rank.get(before, -1):
        return {}
    model._base_manager.filter(pk=kept_pk).update(**{name: better})
    return {name: [before, better]}


def drop_colliding(
    rel: models.ForeignObjectRel, survivor: Customer, loser: Customer
) -> list[dict[str, Any]]:
    """Delete the loser rows that would collide on the survivor, returning them for undo."""
    kept = collisions(rel, survivor, loser)
    if not kept:
        return []
    model = rel.related_model
    if _has_dependents(model, list(kept)):
        raise ActionError(
            f"两个客户都有同一条“{model._meta.verbose_name}”记录，且它已被其他记录引用，"
            "无法自动合并，请先处理其中一条。",
            code="merge_conflict",
        )
    out = []
    for row in model._base_manager.filter(pk__in=kept).order_by("pk"):
        out.append(
            {
                "row": snapshot(row),
                "kept": kept[row.pk],
                "carried": _carry(model, kept[row.pk], row),
            }
        )
    model._base_manager.filter(pk__in=kept).delete()
    return out


def restore_dropped(rel: models.ForeignObjectRel, entries: list[dict[str, Any]]) -> None:
    """Re-create the dropped rows under their own ids and take back what was carried over."""
    model = rel.related_model
    manager = model._base_manager
    for entry in entries:
        for name, (before, after) in entry["carried"].items():
            # Only if nobody changed it since: undo must not erase a later edit.
            manager.filter(pk=entry["kept"], **{name: after}).update(**{name: before})
    rows = [from_snapshot(model, entry["row"]) for entry in entries]
    manager.bulk_create([r for r in rows if _restorable(r)])


def _restorable(row: models.Model) -> bool:
    """False when the row's id is taken or a row it points at is gone (e.g. the crisis)."""
    model = type(row)
    if model._base_manager.filter(pk=row.pk).exists():
        return False
    for f in model._meta.concrete_fields:
        value = getattr(row, f.attname)
        if f.is_relation and value is not None:
            target = f.remote_field.model._base_manager
            if not target.filter(**{f.target_field.attname: value}).exists():
                return False
    return True


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
    dropped: dict[str, list[dict[str, Any]]] = {}
    for rel in customer_relations():
        manager = rel.related_model._base_manager
        rows = manager.filter(**{rel.field.name: loser})
        if rel.one_to_one and manager.filter(**{rel.field.name: survivor}).exists():
            continue
        if gone := drop_colliding(rel, survivor, loser):
            dropped[_label(rel)] = gone
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
        survivor=survivor, loser=loser, by=by, moved=moved, dropped=dropped,
        linked=linked, filled=filled, survivor_totals=before_totals,
    )  # fmt: skip
    left, right = sorted([survivor.pk, loser.pk])
    DuplicateCandidate.objects.filter(left_id=left, right_id=right).update(
        status=CandidateStatus.MERGED, decided_by=by, decided_at=timezone.now()
    )
    counts = {label: len(pks) for label, pks in moved.items()}
    changes: dict[str, Any] = {"merged_into": [None, survivor.pk], "moved": [None, counts]}
    if dropped:
        changes["dropped"] = [None, {label: len(rows) for label, rows in dropped.items()}]
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
    if survivor.merged_into_id:
        # Undoing this one first would move back only rows still on the survivor, and the
        # later merge took them on: the loser would come back empty and nothing would say so.
        later = Customer._base_manager.get(pk=survivor.merged_into_id)
        raise ActionError(
            f"请先撤销后来的合并（{survivor.name} 已并入 {later.name}）。", code="undo_later_first"
        )

    relations = {_label(rel): rel for rel in customer_relations()}
    for label, pks in merge.moved.items():
        rel = relations.get(label)
        if rel is None:  # the app was removed since; nothing to move back
            continue
        rel.related_model._base_manager.filter(pk__in=pks, **{rel.field.name: survivor}).update(
            **{rel.field.name: loser}
        )
    for label, entries in merge.dropped.items():
        if (rel := relations.get(label)) is not None:
            restore_dropped(rel, entries)
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
