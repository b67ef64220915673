"""Exporting the customer list: what the user may see, formula-safe, masked for analysts,
audited, capped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from guanxi.core.models import Event
from guanxi.exports import customers, files
from guanxi.exports.cells import safe_cell


def test_cells_that_a_spreadsheet_would_run_get_a_quote() -> None:
    for text in ("=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("张伟") == "张伟" and safe_cell(None) == ""


def test_bob_exports_only_his_own_customers(users: dict[str, Any], make_customer: Any) -> None:
    make_customer(owner="bob", name='=HYPERLINK("x")')
    make_customer(owner="mallory", name="别人的客户")
    rows = list(customers.customer_rows(users["bob"], {}))
    assert rows[0][0] == "客户名称" and len(rows) == 2
    assert rows[1][0] == '\'=HYPERLINK("x")'


def test_frank_the_analyst_gets_personal_data_masked(
    users: dict[str, Any], make_customer: Any
) -> None:
    make_customer(owner="bob", name="张三丰", kind="person", phone="+8613800138000")
    row = list(customers.customer_rows(users["frank"], {}))[1]
    header = customers.HEADER
    assert row[header.index("客户名称")] == "张**"
    assert row[header.index("手机号")] == "138****8000"


def test_the_row_cap_bounds_an_export_and_the_download_is_audited(
    users: dict[str, Any], make_customer: Any, settings: Any, tmp_path: Path
) -> None:
    settings.GUANXI_EXPORT_ROW_CAP = 2
    for n in range(3):
        make_customer(owner="bob", name=f"客户{n}")
    alice = users["alice"]
    customers.record_export(alice, {"q": "客户"}, "xlsx")
    count = files.write_xlsx(
        customers.customer_rows(alice, {"q": "客户"}), tmp_path / "x.xlsx", "客户"
    )
    assert count == 2
    sheet = load_workbook(tmp_path / "x.xlsx", read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows())) == 3
    event = Event.objects.get(verb="export.downloaded")
    assert event.actor == alice and event.changes["filters"] == {"q": "客户"}
    assert files.write_csv(customers.customer_rows(alice, {}), tmp_path / "x.csv") == 2


def test_a_search_by_phone_or_id_number_enters_the_audit_log_masked(
    users: dict[str, Any], bob_customer: Any
) -> None:
    bob = users["bob"]
    for q in ("13812345678", "11010519491231002X"):
        customers.record_export(bob, {"q": q}, "csv")
    logged = [e.changes["filters"]["q"] for e in Event.objects.filter(verb="export.downloaded")]
    assert sorted(logged) == ["110***********002X", "138****5678"]
    # Only the log is masked: the search itself still finds the customer.
    assert len(list(customers.customer_rows(bob, {"q": "13812345678"}))) == 2  # header + 1
