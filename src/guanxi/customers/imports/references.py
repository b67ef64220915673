"""Which existing customer a contact or purchase row belongs to, within the importer's scope.

A row names its customer by one of three unique keys, tried in this order:
客户编号 (the customer's id, as in its page address), 统一社会信用代码 (credit
code, organisations) or 客户手机 (the customer's phone, matched by its blind
index — phones are encrypted). Names are not keys: two customers may share one.

Lookups go through `Customer.objects.restrict(user, "change")`: a customer the
importer may not change is reported exactly like one that does not exist, so the
report does not reveal customers outside the user's scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from guanxi.core import crypto
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE
from guanxi.core.validators import normalize_credit_code, normalize_phone
from guanxi.customers.models import Customer

REF_FIELDS = ("customer_id", "customer_credit_code", "customer_phone")
NOT_FOUND = "找不到该客户，或你无权修改该客户。"
AMBIGUOUS = "匹配到多个客户，请改用客户编号。"
MISSING = "没有填写客户编号、统一社会信用代码或客户手机。"
# Chunked IN lists stay under SQLite's host-parameter limit.
IN_LIMIT = 900


@dataclass(frozen=True)
class Ref:
    """A normalised customer key: ('id', '42'), ('credit_code', …) or ('phone_bidx', …)."""

    column: str
    value: str


class RefCache(dict[tuple[str, str, str], "Ref | str"]):
    """row_ref per distinct key text, for one import: a customer has many orders, and
    normalising a phone (phonenumbers) and its blind index cost more than the row."""

    def ref(self, raw: dict[str, str]) -> Ref | str:
        key = (
            raw.get("customer_id", ""),
            raw.get("customer_credit_code", ""),
            raw.get("customer_phone", ""),
        )
        found = self.get(key)
        if found is None:
            found = self[key] = row_ref(raw)
        return found


def row_ref(raw: dict[str, str]) -> Ref | str:
    """The row's customer key, or the reason the row names no usable customer."""
    if raw.get("customer_id"):
        text = raw["customer_id"].strip()
        if not text.isdigit():
            return f"客户编号“{text}”不是数字。"
        return Ref("id", str(int(text)))
    if raw.get("customer_credit_code"):
        try:
            return Ref("credit_code", normalize_credit_code(raw["customer_credit_code"]))
        except ValidationError as exc:
            return "统一社会信用代码：" + "".join(exc.messages)
    if raw.get("customer_phone"):
        try:
            phone = normalize_phone(raw["customer_phone"])
        except ValidationError as exc:
            return "客户手机：" + "".join(exc.messages)
        return Ref("phone_bidx", crypto.blind_index(phone, "phone"))
    return MISSING


def resolve(refs: Iterable[Ref], user: User) -> dict[Ref, int | str]:
    """Each key → the customer id, or the reason it names no single changeable customer."""
    wanted: dict[str, set[str]] = {}
    for ref in refs:
        wanted.setdefault(ref.column, set()).add(ref.value)
    scoped = Customer.objects.restrict(user, CHANGE).filter(merged_into__isnull=True)
    hits: dict[Ref, set[int]] = {}
    for column, values in wanted.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), IN_LIMIT):
            part = ordered[start : start + IN_LIMIT]
            if column == "id":
                rows = scoped.filter(pk__in=[int(v) for v in part]).values_list("pk", "pk")
            else:
                rows = scoped.filter(**{f"{column}__in": part}).values_list("pk", column)
            for pk, key in rows:
                hits.setdefault(Ref(column, str(key)), set()).add(pk)
    out: dict[Ref, int | str] = {}
    for column, values in wanted.items():
        for value in values:
            ref = Ref(column, value)
            found = hits.get(ref, set())
            out[ref] = next(iter(found)) if len(found) == 1 else (AMBIGUOUS if found else NOT_FOUND)
    return out
