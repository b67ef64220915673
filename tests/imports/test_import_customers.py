"""Importing customers: scoped to the importer, every bad row reported, duplicates handled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from guanxi.core.models import Event
from guanxi.customers.imports import report, runner
from guanxi.customers.models import Customer
from guanxi.imports.models import ImportedRecord

from .files import customer_rows, write_csv


def test_bob_imports_a_gbk_file_as_his_own_customers_from_the_chosen_channel(
    users: dict[str, Any], tmp_path: Path
) -> None:
    bob = users["bob"]
    file = write_csv(tmp_path / "c.csv", customer_rows(30, bad_every=10), encoding="gb18030")
    batch = runner.start_batch(file, user=bob, source_channel="public")
    batch = runner.run_batch(batch, user=bob, chunk_rows=7)
    assert (batch.created_count, batch.rejected_count, batch.status) == (27, 3, "done")
    imported = Customer.objects.filter(pk__in=ImportedRecord.objects.values("object_id"))
    assert imported.count() == 27
    assert set(imported.values_list("owner_id", "source_channel")) == {(bob.pk, "public")}
    assert Customer.objects.restrict(bob, "view").count() == 27
    first = imported.order_by("id").first()
    assert first.phone == "+8613900000000" and first.province_code and first.addresses.count() == 1
    assert Event.objects.filter(verb="import.chunk_committed").count() == 5


def test_the_report_has_the_original_columns_and_the_reason(
    users: dict[str, Any], tmp_path: Path
) -> None:
    alice = users["alice"]
    rows = customer_rows(3)
    rows[1][1] = "12345"
    rows[2][0] = "=HYPERLINK(1)"
    rows[2][1] = "555"
    file = write_csv(tmp_path / "c.csv", rows)
    batch = runner.run_batch(runner.start_batch(file, user=alice), user=alice)
    lines = list(report.report_rows(batch))
    assert lines[0][-1] == "错误原因" and lines[0][:-1] == ["客户名称", "手机号", "省份", "城市",
                                                          "区县", "详细地址", "邮箱", "性别"]  # fmt: skip
    assert lines[1][:2] == rows[1][:2] and "无效的电话号码" in lines[1][-1]
    assert lines[2][0] == "'=HYPERLINK(1)"


def test_the_same_file_again_changes_nothing(users: dict[str, Any], tmp_path: Path) -> None:
    alice = users["alice"]
    file = write_csv(tmp_path / "c.csv", customer_rows(12))
    runner.run_batch(runner.start_batch(file, user=alice), user=alice)
    again = runner.run_batch(runner.start_batch(file, user=alice), user=alice)
    assert again.created_count == 12 and Customer.objects.count() == 12


def test_duplicates_of_existing_customers_are_skipped_updated_or_flagged(
    users: dict[str, Any], tmp_path: Path, make_customer: Any
) -> None:
    alice = users["alice"]
    existing = make_customer(owner="bob", name="旧名字", phone="+8613900000001")
    rows = customer_rows(3)
    skip = runner.run_batch(
        runner.start_batch(write_csv(tmp_path / "a.csv", rows), user=alice), user=alice
    )
    assert (skip.created_count, skip.skipped_count) == (2, 1)
    rows[0][0] += "x"  # a different file
    update = runner.run_batch(
        runner.start_batch(write_csv(tmp_path / "b.csv", rows), user=alice, on_duplicate="update"),
        user=alice,
    )
    existing.refresh_from_db()
    assert update.updated_count == 3 and existing.name == rows[1][0]  # all three exist now
    rows[0][0] += "y"
    review = runner.run_batch(
        runner.start_batch(
            write_csv(tmp_path / "c.csv", rows), user=alice, on_duplicate="merge-review"
        ),
        user=alice,
    )
    flagged = ImportedRecord.objects.filter(batch=review, duplicate_of_id__isnull=False)
    assert review.created_count == 3 and flagged.count() == 3


def test_roles_that_may_not_add_customers_cannot_import(
    users: dict[str, Any], tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "c.csv", customer_rows(2))
    for name in ("frank", "mona", "carol"):
        with pytest.raises(runner.ImportRefused):
            runner.start_batch(file, user=users[name])
    with pytest.raises(Exception, match="不能将客户分配给该用户"):
        runner.start_batch(file, user=users["bob"], owner=users["mallory"])
    assert Customer.objects.count() == 0


def test_a_chunk_that_fails_writes_nothing_of_itself(
    users: dict[str, Any], tmp_path: Path, records_fail_after: Callable[[int], None]
) -> None:
    alice = users["alice"]
    batch = runner.start_batch(write_csv(tmp_path / "c.csv", customer_rows(10)), user=alice)
    records_fail_after(5)
    with pytest.raises(RuntimeError):
        runner.run_batch(batch, user=alice, chunk_rows=5)
    batch.refresh_from_db()
    assert (batch.rows_done, batch.status, Customer.objects.count()) == (5, "failed", 5)


def test_the_customer_page_names_the_import_batch_and_row_it_came_from(
    users: dict[str, Any], client: Any, tmp_path: Path, make_customer: Callable[..., Any]
) -> None:
    file = write_csv(tmp_path / "展会名单.csv", customer_rows(3))
    batch = runner.run_batch(runner.start_batch(file, user=users["bob"]), user=users["bob"])
    customer = Customer.objects.order_by("id")[1]  # the file's second row
    page = f"/customers/{customer.pk}/"

    client.force_login(users["bob"])  # who ran the import: the file, linked
    html = client.get(page).content.decode()
    assert f'href="/imports/{batch.pk}/"' in html and "展会名单.csv" in html
    assert "，第 2 行" in html
    client.force_login(users["dave"])  # his manager sees the customer, not bob's upload
    html = client.get(page).content.decode()
    assert f"#{batch.pk}，第 2 行" in html and "展会名单.csv" not in html
    by_hand = make_customer("bob", name="手工录入", phone="13700000001")
    html = client.get(f"/customers/{by_hand.pk}/").content.decode()
    assert "import-source" not in html


def test_english_headers_are_guessed_the_specific_spelling_first() -> None:
    from guanxi.customers.imports import mapping

    header = ["Company", "Customer Name", "Mobile Phone", "E-mail", "Province", "Date of Birth"]
    assert mapping.guess_mapping("customers", header) == {
        "name": "Customer Name", "phone": "Mobile Phone", "email": "E-mail",
        "province": "Province", "birth_date": "Date of Birth",
    }  # fmt: skip
    chinese = ["客户名称", "姓名", "手机号码", "电话", "省份", "详细地址"]
    assert mapping.guess_mapping("customers", chinese) == {
        "name": "客户名称", "phone": "手机号码", "province": "省份", "address": "详细地址",
    }  # fmt: skip


@pytest.mark.parametrize("mode", ["skip", "update", "merge-review"])
def test_a_dry_run_says_what_the_run_then_does_with_each_duplicate(
    users: dict[str, Any], bob_customer: Any, tmp_path: Path, settings: Any, mode: str
) -> None:
    from guanxi.customers.imports import preview

    settings.GUANXI_IMPORT_CHUNK_ROWS = 2  # chunks: rows 1–2, 3–4, 5–6
    rows = [["李娜", "13900000001", "", "", "", "", "", ""],
            ["张伟", "13812345678", "", "", "", "", "", ""],  # bob's customer's phone
            ["王芳", "12345", "", "", "", "", "", ""],  # refused
            ["李娜", "+86 139 0000 0001", "", "", "", "", "", ""],  # row 1, an earlier chunk
            ["赵敏", "13900000005", "", "", "", "", "", ""],
            ["赵敏", "13900000005", "", "", "", "", "", ""]]  # row 5, the same chunk  # fmt: skip
    file = write_csv(tmp_path / "c.csv", rows)
    dry = preview.dry_run(file, user=users["bob"], on_duplicate=mode)
    assert Customer.objects.count() == 1  # the dry run wrote nothing
    # every row is created, skipped, updates a customer or is refused: exactly one
    assert dry.valid + len(dry.skipped) + dry.updates + len(dry.rejected) == dry.total == 6
    assert (6, "与文件第 5 行重复。") in dry.skipped and [n for n, _r in dry.rejected] == [3]

    batch = runner.start_batch(file, user=users["bob"], on_duplicate=mode)
    batch = runner.run_batch(batch, user=users["bob"], chunk_rows=2)
    flagged = ImportedRecord.objects.filter(batch=batch, duplicate_of_id__isnull=False).count()
    reasons = sorted(batch.rejections.exclude(row_number=3).values_list("row_number", "reason"))
    assert (batch.created_count, batch.updated_count, flagged) == (
        dry.valid,
        dry.updates,
        dry.flagged,
    )
    assert reasons == dry.skipped
