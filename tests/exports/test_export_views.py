"""Downloading the customer list from the list page: the filters on screen, CSV or Excel."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from guanxi.core.models import Event


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel on Chinese Windows needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_list_page_offers_both_downloads_inside_the_filter_form(users: dict[str, Any]) -> None:
    page = _client(users["bob"]).get("/customers/?stage=awareness").content.decode()
    form = page[
        page.index('<form class="filters"') : page.index("</form>", page.index('class="filters"'))
    ]
    assert 'formaction="/exports/customers.csv"' in form
    assert 'formaction="/exports/customers.xlsx"' in form


def test_bob_downloads_his_filtered_customers_as_csv_with_formulas_neutralised(
    users: dict[str, Any], make_customer: Any
) -> None:
    make_customer(owner="bob", name='=HYPERLINK("http://evil","点我")', stage="awareness")
    make_customer(owner="bob", name="@SUM(A1)", stage="contact")
    make_customer(owner="mallory", name="马丽的客户", stage="awareness")

    response = _client(users["bob"]).get("/exports/customers.csv?stage=awareness")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][0] == "客户名称"
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://evil","点我")']


def test_the_excel_download_holds_the_same_rows(users: dict[str, Any], make_customer: Any) -> None:
    make_customer(owner="bob", name="+86 打头的名字")
    make_customer(owner="bob", name="北京燕山石化")

    response = _client(users["bob"]).get("/exports/customers.xlsx?q=北京")

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "客户名称" and [v[0] for v in values[1:]] == ["北京燕山石化"]


def test_frank_the_analyst_downloads_masked_personal_data(
    users: dict[str, Any], make_customer: Any
) -> None:
    make_customer(owner="bob", name="张三丰", phone="+8613800138000")
    rows = _csv(_client(users["frank"]).get("/exports/customers.csv"))
    assert rows[1][0] == "张**" and rows[1][2] == "138****8000"


def test_each_download_is_audited_with_its_filters(
    users: dict[str, Any], make_customer: Any
) -> None:
    make_customer(owner="bob")
    _client(users["dave"]).get("/exports/customers.xlsx?stage=awareness&cursor=abc")
    event = Event.objects.get(verb="export.downloaded")
    assert event.actor == users["dave"]
    assert event.changes["filters"] == {"stage": "awareness"}


def test_the_admins_row_cap_bounds_a_download(
    users: dict[str, Any], make_customer: Any, settings: Any
) -> None:
    settings.GUANXI_EXPORT_ROW_CAP = 2
    for _ in range(3):
        make_customer(owner="bob")
    rows = _csv(_client(users["alice"]).get("/exports/customers.csv"))
    assert len(rows) == 3  # the header and two customers


def test_a_bad_filter_is_refused_with_its_field_and_nothing_is_audited(
    users: dict[str, Any],
) -> None:
    response = _client(users["bob"]).get("/exports/customers.csv?stage=nonsense")
    assert response.status_code == 400
    assert 'data-field="stage"' in response.content.decode()
    assert not Event.objects.filter(verb="export.downloaded").exists()


def test_anonymous_visitors_get_the_login_page_not_a_file() -> None:
    response = Client().get("/exports/customers.csv")
    assert response.status_code == 302 and "login" in response["Location"]
