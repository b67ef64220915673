"""`guanxi import …` as the issue writes it: the acting user from $GUANXI_USER, a saved
mapping by name, --dry-run, --on-duplicate and the rejected-rows report, in process."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from guanxi.cli import app
from guanxi.customers.models import Contact, Customer
from guanxi.imports.models import ImportBatch, SavedMapping

from .files import customer_rows, write_csv, write_table


def guanxi(*args: Any) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def said(result: Any) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_the_acting_user_comes_from_guanxi_user_when_as_is_not_given(
    users: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write_csv(tmp_path / "客户.csv", customer_rows(3), encoding="utf-8")  # no BOM
    monkeypatch.delenv("GUANXI_USER", raising=False)
    missing = guanxi("import", "customers", file)
    assert missing.exit_code == 2 and "--as" in said(missing)
    assert not Customer.objects.exists()

    monkeypatch.setenv("GUANXI_USER", "bob")
    done = guanxi("import", "customers", file)
    assert done.exit_code == 0, done.output
    assert "created 3" in said(done)
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"bob"}


def test_a_saved_mapping_is_used_by_name_and_a_bad_one_is_refused(
    users: dict[str, Any], tmp_path: Path
) -> None:
    # Headers no guess would map: only the saved mapping knows them.
    file = write_table(tmp_path / "c.csv", ["甲", "乙"], [["王伟", "13900000001"]])
    SavedMapping.objects.create(
        name="财务部格式", kind="customers", columns={"name": "甲", "phone": "乙"},
        user=users["bob"],
    )  # fmt: skip
    used = guanxi("import", "customers", file, "--as", "bob", "--mapping", "财务部格式")
    assert used.exit_code == 0, used.output
    assert Customer.objects.get().name == "王伟"

    unknown = guanxi("import", "customers", file, "--as", "carol", "--mapping", "财务部格式")
    assert unknown.exit_code == 1 and "no such file, nor a saved customers mapping" in said(unknown)
    broken = tmp_path / "m.json"
    broken.write_text('{"name": ', encoding="utf-8")
    refused = guanxi("import", "customers", file, "--as", "bob", "--mapping", broken)
    assert refused.exit_code == 1 and "not a JSON file" in said(refused)
    assert ImportBatch.objects.count() == 1  # the refused runs started no batch


def test_dry_run_writes_nothing_and_update_fills_the_existing_customer(
    users: dict[str, Any], bob_customer: Any, tmp_path: Path
) -> None:
    rows = [["张伟", "13812345678", "北京", "北京", "朝阳区", "1号", "zw@qq.com", "男"],
            ["李娜", "12345", "", "", "", "", "", ""]]  # fmt: skip
    file = write_csv(tmp_path / "c.csv", rows)
    dry = guanxi("import", "customers", file, "--as", "bob", "--dry-run")
    assert dry.exit_code == 0 and "0 valid, 1 rejected of 2" in said(dry)
    assert "第 1 行: 与已有客户重复，已跳过。" in said(dry) and "第 2 行: 电话" in said(dry)
    assert "1 would be skipped, 0 would update" in said(dry)
    dry = guanxi(
        "import", "customers", file, "--as", "bob", "--dry-run", "--on-duplicate", "update"
    )
    assert "0 would be skipped, 1 would update a customer" in said(dry)
    # mallory may not change bob's customer: her update would be a skip
    dry = guanxi("import", "customers", file, "--as", "mallory", "--dry-run",
                 "--on-duplicate", "update")  # fmt: skip
    assert "1 would be skipped, 0 would update" in said(dry)
    assert (Customer.objects.count(), ImportBatch.objects.count()) == (1, 0)

    report = tmp_path / "errors.csv"
    run = guanxi("import", "customers", file, "--as", "bob", "--on-duplicate", "update",
                 "--report", report)  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "updated 1" in said(run) and "rejected 1" in said(run)
    assert Customer.objects.get(pk=bob_customer.pk).email == "zw@qq.com"
    with open(report, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[1][:2] == ["李娜", "12345"] and "电话" in lines[1][-1]


def test_contacts_import_on_the_command_line(
    users: dict[str, Any], bob_customer: Any, tmp_path: Path
) -> None:
    header = ["客户手机", "联系人", "手机"]
    file = write_table(tmp_path / "联系人.xlsx", header, [["13812345678", "李采购", "13900001111"]])
    run = guanxi("import", "contacts", file, "--as", "bob")
    assert run.exit_code == 0, run.output
    assert Contact.objects.get(customer=bob_customer).name == "李采购"
    wrong = guanxi("import", "contacts", file, "--as", "bob", "--on-duplicate", "sideways")
    assert wrong.exit_code == 1 and "--on-duplicate" in said(wrong)
