"""The wizard imports contacts and purchases too: the kind is picked at upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanxi.customers.models import Contact
from guanxi.imports.models import ImportBatch
from guanxi.sales.models import Order

from .files import write_table


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bob_imports_purchases_through_the_wizard(
    users: dict[str, Any],
    bob_customer: Any,
    mallory_customer: Any,
    product: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = _client(users["bob"])
    header = ["客户编号", "订单号", "下单日期", "产品编码", "数量"]
    rows = [
        [str(bob_customer.pk), "SO1", "2026-03-01", "DSL-0", "2"],
        [str(mallory_customer.pk), "SO2", "2026-03-01", "DSL-0", "1"],
    ]
    path = write_table(tmp_path / "orders.csv", header, rows)
    upload = SimpleUploadedFile("orders.csv", path.read_bytes())
    response = client.post("/imports/new/", {"kind": "purchases", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.kind == "purchases" and response["Location"] == f"/imports/{batch.pk}/mapping/"

    # The mapping page offers the purchase fields, guessed, and only "skip" for duplicates
    page = client.get(response["Location"]).content.decode()
    assert 'name="col_number"' in page and '<option value="订单号" selected>' in page
    assert 'value="merge-review"' not in page and 'value="update"' not in page
    mapped = {f"col_{f}": c for f, c in batch.mapping.items()} | {"on_duplicate": "skip"}
    assert client.post(f"/imports/{batch.pk}/mapping/", mapped).status_code == 302

    # The preview runs the real checks (and writes nothing)
    preview = client.get(f"/imports/{batch.pk}/preview/").content.decode()
    assert "找不到该客户，或你无权修改该客户。" in preview
    assert not Order.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{batch.pk}/run/")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.rejected_count) == ("done", 1, 1)
    assert list(Order.objects.values_list("number", "customer_id")) == [("SO1", bob_customer.pk)]
    report = client.get(f"/imports/{batch.pk}/errors.csv")
    assert "SO2" in b"".join(report.streaming_content).decode("utf-8-sig")


def test_a_contacts_file_needs_a_customer_column(
    users: dict[str, Any],
    bob_customer: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = _client(users["bob"])
    path = write_table(tmp_path / "c.csv", ["客户编号", "联系人"], [[str(bob_customer.pk), "李"]])
    upload = SimpleUploadedFile("c.csv", path.read_bytes())
    client.post("/imports/new/", {"kind": "contacts", "file": upload})
    batch = ImportBatch.objects.get()
    response = client.post(
        f"/imports/{batch.pk}/mapping/", {"col_name": "联系人", "on_duplicate": "skip"}
    )
    assert response.status_code == 200
    assert "请指定哪一列是客户编号、统一社会信用代码或客户手机" in response.content.decode()
    assert not Contact.objects.exists()
    client.post(
        f"/imports/{batch.pk}/mapping/",
        {"col_name": "联系人", "col_customer_id": "客户编号", "on_duplicate": "skip"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{batch.pk}/run/")
    assert list(Contact.objects.values_list("name", "customer_id")) == [("李", bob_customer.pk)]
