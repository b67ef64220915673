"""Importing purchases (orders with lines) onto existing customers and products.

One file row is one order line. Rows with the same order number (订单号) form one
order and must be adjacent; the runner never splits them across chunks. The
order number is the idempotency key: an order whose number exists already is
skipped (reported), whatever file it came from, so re-running an import — after
a crash or by mistake — never records a purchase twice nor moves a customer's
totals twice. `--on-duplicate` is therefore always `skip` for purchases.

Each order is validated by PurchaseForm (time, channel, notes, from its first
row) and each line by PurchaseLineForm (product, quantity, unit price — the
product's list price when the row gives none), the forms the purchase page uses.
An order commits whole or not at all: when one of its lines is refused, every
line of it is reported, so the fixed report re-imports as the complete order.
The product is named by its code or its name; a unit, when given, must be the
product's; an amount, when given, must equal quantity × unit price (or gives the
unit price when the row has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from guanxi.core.models import User
from guanxi.customers.imports import references
from guanxi.customers.imports.contacts import raw_cells
from guanxi.customers.imports.rebound import ReboundForm
from guanxi.customers.imports.rows import _choice, form_errors, normal_date
from guanxi.customers.imports.runner import (
    RECORD_COLUMNS,
    Outcome,
    insert_rows,
    reserve_ids,
    stamp,
)
from guanxi.customers.models import Customer
from guanxi.demo.batches import LINE_COLUMNS, ORDER_COLUMNS
from guanxi.imports.models import ImportBatch, ImportedRecord, ImportRejection

from .choices import OrderChannel, Unit
from .forms import PurchaseForm, PurchaseLineForm
from .models import Order, OrderLine, Product

CENT = Decimal("0.01")
NUMBER_MAX = Order._meta.get_field("number").max_length


@dataclass
class Line:
    number: int  # the file row
    cells: list[str]
    raw: dict[str, str]
    error: str = ""
    ref: references.Ref | None = None
    cleaned: dict[str, Any] = field(default_factory=dict)


@dataclass
class Group:
    """One order: its adjacent rows, the validated header and the lines."""

    number: str
    lines: list[Line]
    header: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def ref(self) -> references.Ref | None:
        return self.lines[0].ref


def normal_datetime(text: str) -> str:
    """'2024/3/1 10:00' → '2024-03-01 10:00'; the form parses the result."""
    day, _, time = text.strip().partition(" ")
    return f"{normal_date(day)} {time.strip()}".strip()


@dataclass
class Products:
    """Product code or name → id, and the choosable products; loaded once per import."""

    by_text: dict[str, int | None]
    units: dict[int, str]
    # The products PurchaseLineForm's own field offers (its queryset: active ones), by pk.
    choosable: dict[str, Product] = field(default_factory=dict)
    # Built on first use, in the process that validates (a preparing worker gets the
    # products pickled without them: forms hold querysets and lazy translations).
    line_form: ReboundForm | None = None
    header_form: ReboundForm | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"by_text": self.by_text, "units": self.units, "choosable": self.choosable}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, line_form=None, header_form=None)

    def bind_header(self, data: dict[str, Any]) -> forms.BaseForm:
        if self.header_form is None:
            self.header_form = ReboundForm(PurchaseForm)
        return self.header_form.bind(data)

    def bind_line(self, data: dict[str, Any]) -> forms.BaseForm:
        """The line form for `data`, its product field answering from the loaded products."""
        if self.line_form is None:
            self.line_form = ReboundForm(PurchaseLineForm)
            product_field = self.line_form.form.fields["product"]  # this form's own copy
            product_field.to_python = partial(self.product_to_python, product_field)  # type: ignore[method-assign]
        return self.line_form.bind(data)

    def product_to_python(self, form_field: forms.ModelChoiceField, value: Any) -> Any:
        """ModelChoiceField.to_python without a query per line: same checks, same errors."""
        if value in form_field.empty_values:
            return None
        form_field.validate_no_null_characters(value)
        found = self.choosable.get(str(value))
        if found is None:
            raise ValidationError(
                form_field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found

    @classmethod
    def load(cls) -> Products:
        rows = list(Product.objects.values_list("pk", "code", "name", "unit"))
        units = {pk: unit for pk, _code, _name, unit in rows}
        by_name: dict[str, set[int]] = {}
        for pk, _code, name, _unit in rows:
            by_name.setdefault(name, set()).add(pk)
        # A name shared by two products names neither: such rows must use the code.
        by_text: dict[str, int | None] = {
            name: next(iter(pks)) if len(pks) == 1 else None for name, pks in by_name.items()
        }
        by_text.update({code: pk for pk, code, _name, _unit in rows})  # codes win
        field_queryset = PurchaseLineForm.base_fields["product"].queryset  # type: ignore[attr-defined]
        choosable = {str(p.pk): p for p in field_queryset.all()}  # .all(): never its cache
        return cls(by_text, units, choosable)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")) if text else None
    except InvalidOperation:
        return None


def validate_line(raw: dict[str, str], products: Products) -> tuple[dict[str, Any] | None, str]:
    """A line's cleaned values by PurchaseLineForm, plus the import's unit and amount checks."""
    product = raw.get("product", "")
    product_id = products.by_text.get(product)
    quantity = raw.get("quantity", "").replace(",", "")
    price = raw.get("unit_price", "").replace(",", "")
    amount_text = raw.get("amount", "")
    amount = _decimal(amount_text)
    if amount_text and (amount is None or amount < 0 or amount.as_tuple().exponent < -2):  # type: ignore[operator]
        return None, f"金额：“{amount_text}”不是有效的金额。"
    qty = _decimal(quantity)
    if not price and amount is not None and qty:
        price = str((amount / qty).quantize(CENT, ROUND_HALF_UP))
    data = {"product": str(product_id) if product_id else product, "quantity": quantity}
    data["unit_price"] = price
    form = products.bind_line(data)
    if not form.is_valid():
        return None, form_errors(form)
    cleaned = dict(form.cleaned_data)
    unit = raw.get("unit", "")
    if unit and _choice(unit, Unit) != cleaned["product"].unit:
        return None, f"单位：“{unit}”与产品的单位（{cleaned['product'].get_unit_display()}）不符。"
    line_amount = (cleaned["quantity"] * cleaned["unit_price"]).quantize(CENT, ROUND_HALF_UP)
    if amount is not None and abs(amount - line_amount) > CENT:
        return None, f"金额：{amount} 与数量 × 单价（{line_amount}）不符。"
    cleaned["amount"] = amount if amount is not None else line_amount
    return cleaned, ""


def validate_header(
    raw: dict[str, str], products: Products | None = None
) -> tuple[dict[str, Any] | None, str]:
    data = {
        "ordered_at": normal_datetime(raw.get("ordered_at", "")),
        "channel": _choice(raw.get("channel", ""), OrderChannel) or OrderChannel.DIRECT,
        "notes": raw.get("notes", ""),
    }
    form = products.bind_header(data) if products else PurchaseForm(data=data)
    if not form.is_valid():
        return None, form_errors(form)
    return dict(form.cleaned_data), ""


def group_rows(first_row: int, rows: list[list[str]], columns: dict[str, int]) -> list[Group]:
    """Adjacent rows with the same order number → one group each."""
    groups: list[Group] = []
    for number, cells in enumerate(rows, first_row):
        raw = raw_cells(cells, columns)
        line = Line(number, cells, raw)
        key = raw.get("number", "")
        if groups and groups[-1].number == key and key:
            groups[-1].lines.append(line)
        else:
            groups.append(Group(key, [line]))
    return groups


# A preparing process keeps its customer keys for the import it serves (`prepare_groups`).
_process_refs: tuple[int, references.RefCache] | None = None


def _refs_for(batch_id: int) -> references.RefCache:
    """One RefCache per import in this process: a customer's many orders across chunks
    parse their 客户手机 once (phonenumbers and the blind index cost more than a row)."""
    global _process_refs
    if _process_refs is None or _process_refs[0] != batch_id:
        _process_refs = (batch_id, references.RefCache())
    return _process_refs[1]


def prepare_groups(
    first_row: int,
    rows: list[list[str]],
    *,
    columns: dict[str, int],
    products: Products,
    batch_id: int,
) -> list[Group]:
    """A chunk's orders, each validated (forms, customer key; no database): what a
    preparing process hands the writer, or the writer does itself for a small file."""
    refs = _refs_for(batch_id)
    groups = group_rows(first_row, rows, columns)
    for group in groups:
        validate_group(group, products, refs)
    return groups


def validate_group(group: Group, products: Products, refs: references.RefCache) -> None:
    """Fill each line's cleaned values and the group's header, or the group's error."""
    if not group.number:
        group.error = "订单号不能为空。"
    elif len(group.number) > NUMBER_MAX:
        group.error = f"订单号不能超过 {NUMBER_MAX} 个字符。"
    bad: Line | None = None
    for line in group.lines:
        ref = refs.ref(line.raw)
        cleaned, error = validate_line(line.raw, products)
        line.error = ref if isinstance(ref, str) else error
        line.ref = None if isinstance(ref, str) else ref
        line.cleaned = cleaned or {}
        if line.error and bad is None:
            bad = line
    header, error = validate_header(group.lines[0].raw, products)
    if error and not group.error:
        group.error = error
    if bad is not None and not group.error:
        group.error = bad.error
    if not group.error and len({line.ref for line in group.lines}) > 1:
        group.error = "同一订单的各行指向不同的客户。"
    group.header = header or {}


@dataclass
class PurchaseImport:
    """Writes a purchases batch, one chunk at a time, inside the runner's transaction."""

    batch: ImportBatch
    user: User
    columns: dict[str, int]
    boundary: int | None = None
    products: Products = field(init=False)

    def __post_init__(self) -> None:
        self.boundary = self.columns.get("number")
        self.products = Products.load()

    def preparer(self) -> Callable[[int, list[list[str]]], list[Group]]:
        """`prepare_groups` for this import: picklable, so a worker process can run it."""
        return partial(
            prepare_groups, columns=self.columns, products=self.products, batch_id=self.batch.pk
        )

    def write(self, first_row: int, rows: list[list[str]]) -> Outcome:
        return self.commit(self.preparer()(first_row, rows))

    def commit(self, groups: list[Group]) -> Outcome:
        """Write a chunk's validated orders: customers resolved in the user's scope, order
        numbers already imported skipped, the rest inserted (in the chunk's transaction)."""
        out = Outcome()
        refs = {g.ref for g in groups if not g.error and g.ref is not None}
        customers = references.resolve(refs, self.user)
        numbers = [g.number for g in groups if not g.error]
        existing = self._existing_numbers(numbers)
        seen: dict[str, int] = {}
        keep: list[tuple[Group, int]] = []
        for group in groups:
            if group.error:
                self._reject_group(out, group, group.error)
                continue
            customer = customers[group.ref]  # type: ignore[index]
            if isinstance(customer, str):
                self._reject_group(out, group, customer)
                continue
            first = group.lines[0].number
            if group.number in seen or group.number in existing:
                reason = (
                    f"订单号与文件第 {seen[group.number]} 行重复，已跳过。"
                    if group.number in seen
                    else "订单号已存在，已跳过。"
                )
                for line in group.lines:
                    out.rejections.append(self._reject(line, reason))
                    out.skipped += 1
                continue
            seen[group.number] = first
            keep.append((group, customer))
        self._insert(keep)
        out.created = len(keep)
        return out

    def _reject_group(self, out: Outcome, group: Group, reason: str) -> None:
        """Every line of a refused order is reported: the fixed report re-imports it whole."""
        culprit = next((line for line in group.lines if line.error), None)
        for line in group.lines:
            if line is culprit or culprit is None:
                text = line.error or reason
            else:
                text = f"同一订单的第 {culprit.number} 行有错误，整单未导入。"
            out.rejections.append(self._reject(line, text))
            out.rejected += 1

    def _existing_numbers(self, numbers: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(numbers), references.IN_LIMIT):
            part = numbers[start : start + references.IN_LIMIT]
            found.update(Order.objects.filter(number__in=part).values_list("number", flat=True))
        return found

    def _insert(self, keep: list[tuple[Group, int]]) -> None:
        """Orders, lines and import records as plain rows (executemany / COPY).

        `bulk_create` prepared every field of ~130,000 model instances per 50,000
        lines in Python: 8 of the import's 19 s (bench/import_purchases.py).
        The order ids are reserved first, so the lines need no read-back.
        """
        if not keep:
            return
        now = timezone.now()
        suffix = "+00" if connection.vendor == "postgresql" else ""
        created = stamp(now, suffix)
        order_ids = reserve_ids(len(keep), Order._meta.db_table)
        orders, lines, records = [], [], []
        totals: dict[int, tuple[int, Decimal, datetime, datetime]] = {}
        for (group, customer_id), order_id in zip(keep, order_ids, strict=True):
            total = sum((line.cleaned["amount"] for line in group.lines), Decimal("0"))
            ordered_at = group.header["ordered_at"]
            orders.append(
                (
                    order_id,
                    group.number,
                    customer_id,
                    stamp(ordered_at, suffix),
                    str(group.header["channel"]),
                    total,
                    group.header["notes"],
                    self.user.pk,
                    created,
                )
            )
            for line in group.lines:
                c = line.cleaned
                lines.append(
                    (order_id, c["product"].pk, c["quantity"], c["unit_price"], c["amount"])
                )
                records.append((self.batch.pk, line.number, order_id, None))
            count, amount, first, last = totals.get(
                customer_id, (0, Decimal("0"), ordered_at, ordered_at)
            )
            totals[customer_id] = (
                count + 1, amount + total, min(first, ordered_at), max(last, ordered_at)
            )  # fmt: skip
        insert_rows(Order._meta.db_table, ORDER_COLUMNS, orders)
        insert_rows(OrderLine._meta.db_table, LINE_COLUMNS, lines)
        insert_rows(ImportedRecord._meta.db_table, RECORD_COLUMNS, records)
        self._roll_up(totals, now)

    def _roll_up(
        self, totals: dict[int, tuple[int, Decimal, datetime, datetime]], now: datetime
    ) -> None:
        """The customers' purchase totals move as record_purchase moves them: relative
        updates in the database (count + n, amount + sum, earliest first, latest last),
        one prepared statement run for every customer of the chunk."""
        ops = connection.ops
        table = Customer._meta.db_table
        sql = (
            f'UPDATE "{table}" SET purchase_count = purchase_count + %s, '
            "total_amount = total_amount + %s, "
            "first_purchase_at = CASE WHEN first_purchase_at IS NULL OR first_purchase_at > %s "
            "THEN %s ELSE first_purchase_at END, "
            "last_purchase_at = CASE WHEN last_purchase_at IS NULL OR last_purchase_at < %s "
            "THEN %s ELSE last_purchase_at END, updated_at = %s WHERE id = %s"
        )
        stamp = ops.adapt_datetimefield_value
        params = [
            (
                count,
                ops.adapt_decimalfield_value(amount, 18, 2),
                stamp(first),
                stamp(first),
                stamp(last),
                stamp(last),
                stamp(now),
                customer_id,
            )  # fmt: skip
            for customer_id, (count, amount, first, last) in totals.items()
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)

    def _reject(self, line: Line, reason: str) -> ImportRejection:
        return ImportRejection(
            batch_id=self.batch.pk, row_number=line.number, values=line.cells, reason=reason
        )
