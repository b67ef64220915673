"""Importing contacts: onto customers the importer may change, every bad row reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.customers.imports import mapping, preview, report, runner
from guanxi.customers.models import Contact
from guanxi.customers.search import phone_indexes
from guanxi.imports.models import ImportedRecord

from .files import write_table

HEADER = ["客户编号", "联系人", "职务", "角色", "手机", "邮箱", "主要联系人"]


def test_the_headers_of_a_contacts_file_are_guessed() -> None:
    guessed = mapping.guess_mapping("contacts", [*HEADER, "客户手机", "统一社会信用代码"])
    assert guessed == {
        "customer_id": "客户编号", "customer_credit_code": "统一社会信用代码",
        "customer_phone": "客户手机", "name": "联系人", "role": "角色", "title": "职务",
        "phone": "手机", "email": "邮箱", "is_primary": "主要联系人",
    }  # fmt: skip


def test_bob_imports_a_gbk_file_of_contacts_onto_his_customers_only(
    users: dict[str, Any], bob_customer: Any, mallory_customer: Any, tmp_path: Path
) -> None:
    bob = users["bob"]
    rows = [
        [str(bob_customer.pk), "李采购", "采购经理", "采购", "13900001111", "li@qq.com", "是"],
        [str(bob_customer.pk), "王财务", "财务", "财务", "12345", "", ""],  # bad phone
        [str(mallory_customer.pk), "赵某", "总经理", "决策人", "13900002222", "", ""],  # not his
        ["99999", "钱某", "", "", "13900003333", "", ""],  # no such customer
        [str(bob_customer.pk), "孙技术", "工程师", "技术", "", "sun@qq.com", ""],
    ]
    file = write_table(tmp_path / "contacts.csv", HEADER, rows, encoding="gb18030")
    batch = runner.start_batch(file, user=bob, kind="contacts")
    batch = runner.run_batch(batch, user=bob, chunk_rows=2)

    assert (batch.created_count, batch.rejected_count, batch.status) == (2, 3, "done")
    li = Contact.objects.get(name="李采购")
    assert (li.customer_id, li.role, li.title, li.is_primary) == (
        bob_customer.pk,
        "purchasing",
        "采购经理",
        True,
    )
    assert li.phone == "+8613900001111" and li.pinyin.startswith("li") and li.phone_bidx
    # Written as plain rows: the indexes are search's own, so the contact is found by phone.
    assert (li.phone_bidx, li.phone_last4_bidx) == phone_indexes(li.phone)
    assert li.created_at is not None and li.birth_date is None
    assert Contact.objects.filter(phone_bidx=phone_indexes("+8613900001111")[0]).get() == li
    assert not Contact.objects.filter(customer=mallory_customer).exists()
    assert ImportedRecord.objects.filter(batch=batch).count() == 2
    reasons = {n: r for n, r in batch.rejections.values_list("row_number", "reason")}
    assert "电话" in reasons[2]
    assert reasons[3] == reasons[4] == "找不到该客户，或你无权修改该客户。"
    lines = list(report.report_rows(batch))
    assert lines[0] == [*HEADER, "错误原因"] and lines[2][1] == "赵某"


def test_contacts_by_phone_or_credit_code_from_xlsx(
    users: dict[str, Any], bob_customer: Any, make_customer: Any, tmp_path: Path
) -> None:
    bob = users["bob"]
    org = make_customer("bob", kind="org", name="北京燃气集团有限公司", phone="",
                        credit_code="91110000802012345G")  # fmt: skip
    header = ["客户手机", "统一社会信用代码", "姓名", "电话"]
    rows = [
        ["13812345678", "", "张秘书", "13911112222"],
        ["", "91110000802012345G", "刘总", "13933334444"],
    ]
    file = write_table(tmp_path / "contacts.xlsx", header, rows)
    batch = runner.run_batch(runner.start_batch(file, user=bob, kind="contacts"), user=bob)
    assert (batch.created_count, batch.rejected_count) == (2, 0)
    assert Contact.objects.get(name="张秘书").customer_id == bob_customer.pk
    assert Contact.objects.get(name="刘总").customer_id == org.pk


def test_existing_contacts_are_skipped_or_updated(
    users: dict[str, Any], bob_customer: Any, tmp_path: Path
) -> None:
    bob = users["bob"]
    rows = [[str(bob_customer.pk), "李采购", "", "", "13900001111", "", ""]]
    first = write_table(tmp_path / "a.csv", HEADER, rows)
    runner.run_batch(runner.start_batch(first, user=bob, kind="contacts"), user=bob)
    # The same contact (same customer and phone) in another file, with a title now
    rows[0][2] = "采购总监"
    again = write_table(tmp_path / "b.csv", HEADER, rows + rows)
    skipped = runner.run_batch(runner.start_batch(again, user=bob, kind="contacts"), user=bob)
    assert (skipped.created_count, skipped.skipped_count) == (0, 2)
    assert Contact.objects.get().title == ""
    third = write_table(tmp_path / "c.csv", HEADER, rows)
    updated = runner.run_batch(
        runner.start_batch(third, user=bob, kind="contacts", on_duplicate="update"), user=bob
    )
    assert updated.updated_count == 1 and Contact.objects.get().title == "采购总监"


def test_merge_review_is_refused_for_contacts(users: dict[str, Any], tmp_path: Path) -> None:
    file = write_table(tmp_path / "a.csv", HEADER, [["1", "李", "", "", "", "", ""]])
    with pytest.raises(ActionError, match="重复时只能选择"):
        runner.start_batch(file, user=users["bob"], kind="contacts", on_duplicate="merge-review")


def test_a_dry_run_reports_and_writes_nothing(
    users: dict[str, Any], bob_customer: Any, mallory_customer: Any, tmp_path: Path
) -> None:
    rows = [
        [str(bob_customer.pk), "李采购", "", "", "13900001111", "", ""],
        [str(mallory_customer.pk), "赵某", "", "", "", "", ""],
    ]
    file = write_table(tmp_path / "a.csv", HEADER, rows)
    result = preview.dry_run(file, user=users["bob"], kind="contacts")
    assert (result.total, result.valid) == (2, 1)
    assert result.rejected == [(2, "找不到该客户，或你无权修改该客户。")]
    assert not Contact.objects.exists()


def test_a_rebound_contact_form_answers_like_a_fresh_one_row_after_row() -> None:
    """The import re-binds one ContactForm (a ModelForm, so with a new instance each
    time); interleaved good and bad rows must get exactly a fresh form's verdicts."""
    from guanxi.customers.forms import ContactForm
    from guanxi.customers.imports.contacts import contact_input, validate_contact
    from guanxi.customers.imports.rebound import ReboundForm

    raws = [
        {"name": "李采购", "role": "采购", "phone": "13900001111", "is_primary": "是",
         "birth_date": "1980/2/3", "email": "li@qq.com", "gender": "男"},
        {"name": "", "phone": "12345", "email": "not-an-e-mail"},
        {"name": "王 财务", "title": "财" * 80, "birth_date": "1990-02-30"},
        {"name": "孙技术", "gender": "x", "role": "nobody", "wechat_id": "w" * 70},
        {"name": "赵某", "phone": "+86 139 0000 2222", "notes": "夜间勿扰"},
    ]  # fmt: skip
    rebound = ReboundForm(ContactForm)
    verdicts = set()
    for raw in raws * 2:
        data = contact_input(raw)
        got = validate_contact(data, rebound)
        assert got == validate_contact(data), raw  # a new ContactForm
        verdicts.add(got[0] is None)
    assert verdicts == {True, False}  # both kinds of row were seen


def test_an_imported_contact_never_gets_the_id_of_a_deleted_one(
    users: dict[str, Any], bob_customer: Any, tmp_path: Path
) -> None:
    """Ids are reserved as the database would give them: a deleted last contact's id
    (still named by old events and import records) is not handed out again."""
    from guanxi.customers.actions import add_contact

    gone = add_contact(bob_customer, {"name": "临时联系人", "role": "other"}, by=users["bob"])
    gone_id = gone.pk
    Contact.objects.filter(pk=gone_id).delete()
    file = write_table(
        tmp_path / "c.csv", ["客户编号", "联系人"], [[str(bob_customer.pk), "李采购"]]
    )
    runner.run_batch(
        runner.start_batch(file, user=users["bob"], kind="contacts"), user=users["bob"]
    )
    assert Contact.objects.get(name="李采购").pk > gone_id
