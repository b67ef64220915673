"""Reusable reads of customers: filtered, sorted, keyset-paginated lists and the 360 view.

The web UI and the API both list customers through `customer_list`, so a filter
or sort means the same thing everywhere. Pages are cut with keyset (cursor)
pagination: "rows after (sort value, id)" is an index range scan at any depth,
where OFFSET would read and discard every earlier row — at a million customers
the last page would cost a full scan. For the same reason nothing here counts
the whole result; `capped_count` stops at a cap.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from guanxi.core.choices import Role, Scope
from guanxi.core.models import Event, User
from guanxi.core.permissions import scope_for

from .choices import Stage, ValueClass
from .models import Contact, Customer, Tag
from .search import search_q


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool
    kind: str  # how the cursor value is (de)serialised: "datetime", "decimal", "text"


# The whitelist: every key is backed by an index that ends in id (see Customer.Meta).
SORTS: dict[str, Sort] = {
    "-updated_at": Sort("updated_at", True, "datetime"),
    "updated_at": Sort("updated_at", False, "datetime"),
    "-total_amount": Sort("total_amount", True, "decimal"),
    "total_amount": Sort("total_amount", False, "decimal"),
    "pinyin": Sort("pinyin", False, "text"),
    "name": Sort("name", False, "text"),
    "-created_at": Sort("created_at", True, "datetime"),
}
DEFAULT_SORT = "-updated_at"

# Filters taking a foreign key id; the others take a choice value.
ID_FILTERS = {
    "industry": "industry_id",
    "region": "region_id",
    "owner": "owner_id",
    "tag": "tags",
    "team": "team_id",  # the KPI dashboard's drill-down keeps its team filter
}
CHOICE_FILTERS = {
    "value_class": ValueClass.values,
    "stage": Stage.values,
    "kind": ["org", "person"],
}

COUNT_CAP = 10_000
OWNER_ROLES = (Role.REP, Role.MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)


class InvalidQuery(ValueError):
    """A list parameter that cannot be honoured; `field` names it for a field-level error."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class CustomerPage(NamedTuple):
    rows: list[Customer]
    next_cursor: str | None
    prev_cursor: str | None


def _text(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value).strip() if value is not None else ""


def filtered_customers(user: User | None, params: Mapping[str, Any]) -> QuerySet[Customer]:
    """Customers the user may see, narrowed by `q` and the filters; unordered.

    Raises InvalidQuery for a malformed filter value (an unknown choice or a non-numeric
    id), so the API can answer with a field-level error instead of an empty list.
    """
    qs = Customer.objects.restrict(user, "view").active()
    for key, column in ID_FILTERS.items():
        raw = _text(params, key)
        if not raw:
            continue
        if not raw.isdigit():
            raise InvalidQuery(key, f"无效的筛选值：{raw}。")
        qs = qs.filter(**{column: int(raw)})
    for key, allowed in CHOICE_FILTERS.items():
        raw = _text(params, key)
        if not raw:
            continue
        if raw not in allowed:
            raise InvalidQuery(key, f"无效的筛选值：{raw}。")
        qs = qs.filter(**{key: raw})
    term = _text(params, "q")
    if term:
        contacts = Contact.objects.restrict(user, "view")
        condition = search_q(term, contacts=contacts)
        if condition is not None:
            qs = qs.filter(condition)
    return qs


def encode_cursor(sort: str, value: Any, pk: int, direction: str) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps({"s": sort, "v": value, "id": pk, "d": direction}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int, str]:
    """(sort value, id, "next"|"prev"); a cursor from another sort order is refused."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if data["s"] != sort or data["d"] not in ("next", "prev"):
            raise ValueError
        pk = int(data["id"])
        kind = SORTS[sort].kind
        if kind == "datetime":
            value: Any = datetime.fromisoformat(data["v"])
        elif kind == "decimal":
            value = Decimal(data["v"])
        else:
            value = str(data["v"])
    except (ValueError, KeyError, TypeError, InvalidOperation, binascii.Error):
        raise InvalidQuery("cursor", "无效的分页游标。") from None
    return value, pk, data["d"]


def _after(sort: Sort, value: Any, pk: int, forward: bool) -> Q:
    """Rows strictly beyond (value, pk) in the walking direction; id breaks ties."""
    op = "lt" if sort.descending == forward else "gt"
    return Q(**{f"{sort.field}__{op}": value}) | Q(**{sort.field: value, f"pk__{op}": pk})


def customer_list(
    user: User | None, params: Mapping[str, Any], *, page_size: int | None = None
) -> CustomerPage:
    """One page of the customer list: rows, and cursors for the next and previous pages.

    `params` takes q, the filters (value_class, stage, kind, industry, region, owner,
    tag), sort (a key of SORTS) and cursor. Rows come with owner, industry and region
    joined and tags prefetched: two queries whatever the page size.
    """
    size = page_size or settings.GUANXI_PAGE_SIZE
    sort_key = _text(params, "sort") or DEFAULT_SORT
    if sort_key not in SORTS:
        raise InvalidQuery("sort", f"不支持的排序：{sort_key}。")
    sort = SORTS[sort_key]
    qs = filtered_customers(user, params)
    cursor = _text(params, "cursor")
    forward = True
    if cursor:
        value, pk, direction = decode_cursor(cursor, sort_key)
        forward = direction == "next"
        qs = qs.filter(_after(sort, value, pk, forward))
    # Walking backwards reads the index in reverse and flips the page afterwards.
    descending = sort.descending == forward
    order = [f"-{sort.field}", "-id"] if descending else [sort.field, "id"]
    page = list(
        qs.select_related("owner", "industry", "region")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by(*order)[: size + 1]
    )
    more = len(page) > size
    page = page[:size]
    if not forward:
        page.reverse()
    if not page:
        return CustomerPage([], None, None)
    first, last = page[0], page[-1]
    has_next = more if forward else True
    has_prev = bool(cursor) if forward else more
    return CustomerPage(
        page,
        encode_cursor(sort_key, getattr(last, sort.field), last.pk, "next") if has_next else None,
        encode_cursor(sort_key, getattr(first, sort.field), first.pk, "prev") if has_prev else None,
    )


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, capped): counts at most cap + 1 rows, so it costs the same at 1M rows."""
    n = qs[: cap + 1].count()
    return min(n, cap), n > cap


# --- the customer 360 -------------------------------------------------------------


def recent_orders(user: User | None, customer: Customer, limit: int = 20) -> list[Any]:
    """The latest orders the user may see, with their lines and products: three queries."""
    return list(
        customer.orders.restrict(user, "view")
        .prefetch_related("lines__product")
        .order_by("-ordered_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class PurchaseSummary:
    count: int
    total_amount: Decimal
    first_at: datetime | None
    last_at: datetime | None
    average_amount: Decimal | None
    interval_days: float | None  # mean days between purchases: the buying frequency


def purchase_summary(customer: Customer) -> PurchaseSummary:
    """Totals from the customer row, which the purchase actions keep current: no query."""
    n = customer.purchase_count or 0
    total = customer.total_amount or Decimal("0")
    first, last = customer.first_purchase_at, customer.last_purchase_at
    interval = None
    if n > 1 and first and last:
        interval = round((last - first).total_seconds() / 86400 / (n - 1), 1)
    return PurchaseSummary(
        count=n,
        total_amount=total,
        first_at=first,
        last_at=last,
        average_amount=(total / n).quantize(Decimal("0.01")) if n else None,
        interval_days=interval,
    )


def owner_choices(user: User | None) -> QuerySet[User]:
    """Account managers whose customers the user can see: the owner filter's options."""
    scope = scope_for(user, "view")
    qs = User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by("username")
    if user is None or scope == Scope.NONE:
        return qs.none()
    if scope == Scope.OWN:
        return qs.filter(pk=user.pk)
    if scope == Scope.TEAM:
        return qs.filter(team_id__in=user.scoped_team_ids())
    if scope == Scope.REGION:
        return qs.filter(region_id=user.region_id)
    return qs


def customer_timeline(user: User | None, customer: Customer, limit: int = 100) -> list[Event]:
    """What happened to the customer, newest first, as far as the user may see events."""
    return list(
        Event.objects.restrict(user, "view")
        .filter(customer=customer)
        .timeline()
        .select_related("actor")[:limit]
    )
