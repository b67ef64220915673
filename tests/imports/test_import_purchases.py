"""Importing purchases: orders of adjacent lines, whole or not at all, order number = key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from guanxi.core.actions import ActionError
from guanxi.customers.imports import mapping, preview, runner
from guanxi.customers.models import Customer
from guanxi.imports.models import ImportedRecord
from guanxi.sales.models import Order, OrderLine

from .files import write_table

HEADER = ["客户编号", "订单号", "下单日期", "产品编码", "数量", "单位", "单价", "金额", "渠道"]


def test_the_headers_of_a_purchases_file_are_guessed() -> None:
    assert mapping.guess_mapping("purchases", HEADER) == {
        "customer_id": "客户编号", "number": "订单号", "ordered_at": "下单日期",
        "product": "产品编码", "quantity": "数量", "unit": "单位", "unit_price": "单价",
        "amount": "金额", "channel": "渠道",
    }  # fmt: skip


@pytest.fixture
def lubricant(users: dict[str, Any]) -> Any:
    from guanxi.sales.actions import create_product

    data = {"code": "LUB-1", "name": "长城润滑油", "category": "lubricant", "unit": "L",
            "list_price": "30.00", "active": True}  # fmt: skip
    return create_product(data, by=users["alice"])


@pytest.mark.parametrize("workers", [0, 1], ids=["writer-alone", "preparing-process"])
def test_bob_imports_orders_from_xlsx_onto_his_customer_and_totals_move(
    users: dict[str, Any],
    bob_customer: Any,
    mallory_customer: Any,
    product: Any,
    lubricant: Any,
    tmp_path: Path,
    workers: int,
) -> None:
    bob = users["bob"]
    c = str(bob_customer.pk)
    rows = [
        # SO1: two lines, one by product name, unit price from the list price
        [c, "SO1", "2026/3/1", "DSL-0", "2", "吨", "7800", "15600", "直销"],
        [c, "SO1", "2026/3/1", "长城润滑油", "10", "", "", "", "直销"],
        # SO2: the second line's unit is wrong → the whole order is refused
        [c, "SO2", "2026-03-05", "DSL-0", "1", "", "", "", ""],
        [c, "SO2", "2026-03-05", "LUB-1", "1", "吨", "", "", ""],
        # SO3: mallory's customer — out of bob's scope
        [str(mallory_customer.pk), "SO3", "2026-03-06", "DSL-0", "1", "", "", "", ""],
        # SO4: an amount that does not match quantity × price
        [c, "SO4", "2026-03-07", "DSL-0", "1", "", "7000", "9999", ""],
        # SO5: a later order, priced from the amount
        [c, "SO5", "2026-04-01 09:30", "LUB-1", "4", "升", "", "100", "线上"],
    ]
    file = write_table(tmp_path / "orders.xlsx", HEADER, rows)
    batch = runner.start_batch(file, user=bob, kind="purchases")
    # chunks grow to whole orders; with a worker, it validates them in another process
    batch = runner.run_batch(batch, user=bob, chunk_rows=1, workers=workers)

    assert (batch.created_count, batch.rejected_count, batch.status) == (2, 4, "done")
    so1 = Order.objects.get(number="SO1")
    assert so1.total_amount == Decimal("15900.00") and so1.lines.count() == 2
    assert so1.customer_id == bob_customer.pk and so1.channel == "direct"
    assert so1.created_by == bob
    so5 = Order.objects.get(number="SO5")
    assert (so5.channel, so5.total_amount) == ("online", Decimal("100.00"))
    assert so5.lines.get().unit_price == Decimal("25.00")
    # Written as plain rows: the file's local time (Asia/Shanghai) is stored as that instant.
    local = timezone.localtime(so5.ordered_at)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-04-01", 9, 30)
    assert so5.created_at is not None and so5.lines.get().quantity == Decimal("4")
    assert not Order.objects.filter(number__in=["SO2", "SO3", "SO4"]).exists()
    customer = Customer.objects.get(pk=bob_customer.pk)
    assert (customer.purchase_count, customer.total_amount) == (2, Decimal("16000.00"))
    assert customer.first_purchase_at == so1.ordered_at
    assert customer.last_purchase_at == so5.ordered_at
    reasons = {n: r for n, r in batch.rejections.values_list("row_number", "reason")}
    assert reasons[3] == "同一订单的第 4 行有错误，整单未导入。" and "单位" in reasons[4]
    assert reasons[5] == "找不到该客户，或你无权修改该客户。"
    assert "不符" in reasons[6]
    assert ImportedRecord.objects.filter(batch=batch).count() == 3  # one per imported line


def test_orders_already_imported_are_skipped_and_totals_do_not_move_twice(
    users: dict[str, Any], bob_customer: Any, product: Any, tmp_path: Path
) -> None:
    bob = users["bob"]
    c = str(bob_customer.pk)
    rows = [[c, f"SO{n}", "2026-03-01", "DSL-0", "1", "", "", "", ""] for n in range(5)]
    file = write_table(tmp_path / "a.csv", HEADER, rows, encoding="gb18030")
    runner.run_batch(runner.start_batch(file, user=bob, kind="purchases"), user=bob)
    # The same orders saved as another file (another sha256), plus one new order
    rows.append([c, "SO9", "2026-03-02", "DSL-0", "1", "", "", "", ""])
    again = write_table(tmp_path / "b.csv", HEADER, rows)
    batch = runner.run_batch(runner.start_batch(again, user=bob, kind="purchases"), user=bob)
    assert (batch.created_count, batch.skipped_count) == (1, 5)
    assert Order.objects.count() == 6 and OrderLine.objects.count() == 6
    customer = Customer.objects.get(pk=bob_customer.pk)
    assert (customer.purchase_count, customer.total_amount) == (6, Decimal("46800.00"))


def test_update_is_refused_for_purchases(users: dict[str, Any], tmp_path: Path) -> None:
    file = write_table(tmp_path / "a.csv", HEADER, [["1", "SO1", "2026-03-01", "X", "1"]])
    with pytest.raises(ActionError, match="重复时只能选择"):
        runner.start_batch(file, user=users["bob"], kind="purchases", on_duplicate="update")


def test_a_purchases_file_without_order_numbers_is_refused(
    users: dict[str, Any], tmp_path: Path
) -> None:
    file = write_table(
        tmp_path / "a.csv", ["客户编号", "产品", "数量", "日期"], [["1", "X", "1", ""]]
    )
    with pytest.raises(ActionError, match="订单号"):
        runner.start_batch(file, user=users["bob"], kind="purchases")


def test_a_dry_run_of_purchases_writes_nothing(
    users: dict[str, Any], bob_customer: Any, product: Any, tmp_path: Path
) -> None:
    c = str(bob_customer.pk)
    rows = [[c, "SO1", "2026-03-01", "DSL-0", "1"], [c, "SO2", "2026-03-01", "NOPE", "1"]]
    file = write_table(tmp_path / "a.csv", HEADER[:5], rows)
    result = preview.dry_run(file, user=users["bob"], kind="purchases")
    assert (result.total, result.valid) == (2, 1) and result.rejected[0][0] == 2
    assert not Order.objects.exists()
    assert Customer.objects.get(pk=bob_customer.pk).purchase_count == 0


def test_the_preloaded_product_check_refuses_like_the_form(
    users: dict[str, Any], product: Any, lubricant: Any
) -> None:
    from guanxi.customers.imports.rows import form_errors
    from guanxi.sales.forms import PurchaseLineForm
    from guanxi.sales.imports import Products, validate_line

    lubricant.active = False
    lubricant.save()
    products = Products.load()
    for text in ("LUB-1", "长城润滑油", "NOPE", str(product.pk + 999), "", "DSL\x00"):
        raw = {"product": text, "quantity": "1"}
        cleaned, error = validate_line(raw, products)
        wanted = {"product": str(products.by_text.get(text) or text), "quantity": "1"}
        form = PurchaseLineForm(data=wanted | {"unit_price": ""})
        assert cleaned is None and not form.is_valid()
        assert error == form_errors(form), text
    cleaned, error = validate_line({"product": "DSL-0", "quantity": "1"}, products)
    assert cleaned is not None and cleaned["product"] == product and not error


def test_rebound_forms_answer_like_fresh_forms_row_after_row(product: Any) -> None:
    """The import re-binds one form per kind; interleaved good and bad rows must get
    exactly a fresh form's verdict and messages (no state carried over)."""
    from guanxi.customers.imports.rows import form_errors
    from guanxi.sales.forms import PurchaseLineForm
    from guanxi.sales.imports import Products, validate_header, validate_line

    products = Products.load()
    lines = [("DSL-0", q, pr) for q in ("1", "0", "-1", "abc", "1.2345", "", "2.5")
             for pr in ("", "10", "-5", "1.234", "x")]  # fmt: skip
    for text, quantity, price in lines * 2:
        got, error = validate_line(
            {"product": text, "quantity": quantity, "unit_price": price}, products
        )
        form = PurchaseLineForm(
            data={"product": str(product.pk), "quantity": quantity, "unit_price": price}
        )
        if form.is_valid():
            assert got is not None and not error
            assert {k: got[k] for k in form.cleaned_data} == form.cleaned_data
        else:
            assert got is None and error == form_errors(form)
    for when in ("2026-03-01", "2026/3/1 10:00", "", "tomorrow", "2026-02-30", "2026-03-01"):
        for channel in ("", "线上", "nowhere"):
            raw = {"ordered_at": when, "channel": channel, "notes": "n" * 300 if when else ""}
            got, error = validate_header(raw, products)
            fresh, fresh_error = validate_header(raw)  # a new PurchaseForm each time
            assert (got, error) == (fresh, fresh_error)


def test_preparing_a_chunk_of_orders_needs_no_database(
    product: Any, django_assert_num_queries: Any
) -> None:
    """What a worker process runs: pickled products in, validated orders out, no query
    (a forked worker sharing the writer's connection must never use it)."""
    import pickle

    from guanxi.sales.imports import Products, prepare_groups

    products = pickle.loads(pickle.dumps(Products.load()))  # as a worker receives them
    columns = {"customer_phone": 0, "number": 1, "ordered_at": 2, "product": 3, "quantity": 4}
    rows = [["13812345678", "SO1", "2026-03-01", "DSL-0", "2"],
            ["13812345678", "SO1", "2026-03-01", "DSL-0", "0"],
            ["13812345679", "SO2", "2026-03-02", "DSL-0", "1"]]  # fmt: skip
    with django_assert_num_queries(0):
        groups = prepare_groups(1, rows, columns=columns, products=products, batch_id=1)
    assert [(g.number, bool(g.error)) for g in groups] == [("SO1", True), ("SO2", False)]
    assert groups[1].lines[0].cleaned["product"] == product
    assert pickle.loads(pickle.dumps(groups))[1].header == groups[1].header  # sent back
