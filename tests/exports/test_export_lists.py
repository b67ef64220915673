"""Every registered list downloads like the customer list: restricted to what the user
sees, filtered as on its page, formula-safe, masked for analysts, capped and audited."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from typer.testing import CliRunner

from guanxi.cli import app
from guanxi.core.models import Event
from guanxi.exports.registry import LISTS


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(_body(response))).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def tickets(users: dict[str, Any], bob_customer: Any, mallory_customer: Any) -> dict[str, Any]:
    """Two of bob's customer's tickets (one with a formula subject) and one of mallory's."""
    from guanxi.service.actions import create_ticket

    def make(customer: Any, by: str, subject: str, **fields: Any) -> Any:
        data = {"ticket_type": "inquiry", "channel": "hotline", "priority": "normal",
                "subject": subject, "contact_name": "张先生", **fields}  # fmt: skip
        return create_ticket(data, by=users[by], customer=customer)

    return {
        "formula": make(bob_customer, "bob", '=HYPERLINK("http://evil","点我")'),
        "complaint": make(bob_customer, "bob", "加油站计量投诉", ticket_type="complaint"),
        "mallory": make(mallory_customer, "mallory", "马丽客户的工单"),
    }


def test_bob_the_rep_downloads_only_his_tickets_as_csv_with_formulas_neutralised(
    users: dict[str, Any], tickets: dict[str, Any]
) -> None:
    rows = _csv(_client(users["bob"]).get("/exports/tickets.csv"))

    assert rows[0] == LISTS["tickets"].header
    subjects = {r[1] for r in rows[1:]}
    assert subjects == {'\'=HYPERLINK("http://evil","点我")', "加油站计量投诉"}


def test_the_excel_download_holds_the_same_tickets_filtered_as_on_the_page(
    users: dict[str, Any], tickets: dict[str, Any]
) -> None:
    values = _xlsx(_client(users["bob"]).get("/exports/tickets.xlsx?ticket_type=complaint"))
    assert values[0][:2] == ["工单号", "事项"]
    assert [v[1] for v in values[1:]] == ["加油站计量投诉"]
    everything = _xlsx(_client(users["bob"]).get("/exports/tickets.xlsx"))
    assert "马丽客户的工单" not in {v[1] for v in everything[1:]}
    assert '\'=HYPERLINK("http://evil","点我")' in {v[1] for v in everything[1:]}


def test_the_row_cap_bounds_a_ticket_download_and_the_event_says_so(
    users: dict[str, Any], tickets: dict[str, Any], settings: Any
) -> None:
    settings.GUANXI_EXPORT_ROW_CAP = 2
    rows = _csv(_client(users["alice"]).get("/exports/tickets.csv?priority=normal&cursor=x"))
    assert len(rows) == 3  # the header and two of the three tickets

    event = Event.objects.get(verb="export.downloaded")
    assert event.actor == users["alice"] and event.summary == "工单列表（csv）"
    assert event.changes == {
        "list": "tickets", "filters": {"priority": "normal"},
        "rows": 2, "row_cap": 2, "truncated": True,
    }  # fmt: skip


def test_a_bad_ticket_filter_is_refused_with_its_field_and_nothing_is_audited(
    users: dict[str, Any],
) -> None:
    response = _client(users["bob"]).get("/exports/tickets.xlsx?status=nonsense")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="status"' in page and 'href="/service/tickets/"' in page
    assert not Event.objects.filter(verb="export.downloaded").exists()


def test_frank_the_analyst_gets_ticket_contacts_masked(
    users: dict[str, Any], tickets: dict[str, Any]
) -> None:
    rows = _csv(_client(users["frank"]).get("/exports/tickets.csv?ticket_type=complaint"))
    header = rows[0]
    assert rows[1][header.index("联系人")] == "张**"
    assert rows[1][header.index("客户")] == "张*"  # bob's customer 张伟 is an individual


def test_the_tasks_download_shows_open_tasks_unless_the_page_asks_otherwise(
    users: dict[str, Any], bob_customer: Any
) -> None:
    from guanxi.engagement.actions import complete_task, create_task

    def task(title: str) -> Any:
        data = {"kind": "call", "title": title, "due_date": date.today() + timedelta(days=3)}
        return create_task(bob_customer, data, by=users["bob"])

    task("回访")
    complete_task(task("已办"), by=users["bob"], outcome="好")
    client = _client(users["bob"])
    assert [r[2] for r in _csv(client.get("/exports/tasks.csv"))[1:]] == ["回访"]
    assert len(_csv(client.get("/exports/tasks.csv?status="))) == 3


@pytest.fixture
def one_of_each(users: dict[str, Any], bob_customer: Any, product: Any) -> None:
    """A record in every registered list, visible to alice the admin."""
    from guanxi.chat.actions import link_customer, start_conversation
    from guanxi.crisis.actions import create_crisis
    from guanxi.engagement.actions import create_win_back_task
    from guanxi.service.actions import create_ticket

    alice = users["alice"]
    create_ticket({"ticket_type": "inquiry", "channel": "hotline", "subject": "咨询"}, by=alice,
                  customer=bob_customer)  # fmt: skip
    create_win_back_task(bob_customer, by=alice, assignee=alice)
    link_customer(start_conversation({"visitor_name": "赵六", "body": "在吗"}, ip=None),
                  bob_customer, by=alice)  # fmt: skip
    create_crisis({"kind": "product_recall", "title": "召回", "risk_level": "3", "owner": alice},
                  by=alice)  # fmt: skip


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", sorted(LISTS))
def test_every_registered_list_downloads_for_an_admin(
    kind: str, file_format: str, users: dict[str, Any], one_of_each: None
) -> None:
    response = _client(users["alice"]).get(f"/exports/{kind}.{file_format}")
    rows = _csv(response) if file_format == "csv" else _xlsx(response)
    assert rows[0] == LISTS[kind].header
    assert len(rows) == 2, rows
    assert f'filename="{kind}-' in response["Content-Disposition"]
    assert Event.objects.get(verb="export.downloaded").changes["list"] == kind


@pytest.mark.parametrize(
    ("page", "kind"),
    [
        ("/service/tickets/?status=open&customer_id=7", "tickets"),
        ("/crisis/?open=1", "crises"),
        ("/chat/conversations/?status=closed", "conversations"),
        ("/engagement/?status=done", "tasks"),
    ],
)
def test_each_list_page_offers_both_downloads_inside_its_filter_form(
    page: str, kind: str, users: dict[str, Any]
) -> None:
    html = _client(users["alice"]).get(page).content.decode()
    start = html.index('<form method="get" class="')
    form = html[start : html.index("</form>", start)]
    assert f'formaction="/exports/{kind}.csv"' in form
    assert f'formaction="/exports/{kind}.xlsx"' in form
    if kind == "tickets":  # a filter set by a link, not a field, still goes with the download
        assert 'name="customer_id" value="7"' in form


def test_the_products_page_links_both_downloads(users: dict[str, Any]) -> None:
    html = _client(users["bob"]).get("/sales/products/").content.decode()
    assert 'href="/exports/products.csv"' in html and 'href="/exports/products.xlsx"' in html


# ---------------------------------------------------------------- CLI


def guanxi(*args: Any) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def said(result: Any) -> str:
    return " ".join(result.output.split())


def test_the_cli_exports_a_non_customer_list_filtered_and_restricted(
    users: dict[str, Any], tickets: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "工单.xlsx"
    done = guanxi("export", "tickets", target, "--as", "bob", "--filter", "ticket_type=complaint")
    assert done.exit_code == 0, done.output
    assert "exported 1 tickets" in said(done)
    sheet = load_workbook(target, read_only=True).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet.title == "工单" and [v[1] for v in values[1:]] == ["加油站计量投诉"]
    event = Event.objects.get(verb="export.downloaded")
    assert event.changes["list"] == "tickets"
    assert event.changes["filters"] == {"ticket_type": "complaint"}

    every = guanxi("export", "tickets", tmp_path / "all.csv", "--as", "bob")
    assert every.exit_code == 0 and "exported 2 tickets" in said(every)


def test_the_cli_refuses_an_unknown_list_a_foreign_filter_and_a_bad_value(
    users: dict[str, Any], tmp_path: Path
) -> None:
    unknown = guanxi("export", "invoices", tmp_path / "x.csv", "--as", "bob")
    assert unknown.exit_code == 1
    assert "customers, tickets, tasks, conversations, crises, products" in said(unknown)

    foreign = guanxi("export", "tickets", tmp_path / "x.csv", "--as", "bob", "--filter", "q=x")
    assert foreign.exit_code == 1 and "status, ticket_type" in said(foreign)

    bad = guanxi("export", "crises", tmp_path / "x.csv", "--as", "bob", "--filter", "kind=x")
    assert bad.exit_code == 1 and "kind" in said(bad)
    assert not (tmp_path / "x.csv").exists()
    assert not Event.objects.filter(verb="export.downloaded").exists()


# ---------------------------------------------------------------- the admin's row cap


def test_an_admin_sets_the_row_cap_in_the_app_and_a_cut_file_says_so(
    users: dict[str, Any], tickets: dict[str, Any], settings: Any
) -> None:
    settings.GUANXI_EXPORT_ROW_CAP = 100
    admin = _client(users["alice"])
    assert 'name="row_cap"' in admin.get("/exports/settings/").content.decode()

    saved = admin.post("/exports/settings/", {"row_cap": "1"})
    assert saved.status_code == 302
    changed = Event.objects.get(verb="export.settings_changed")
    assert changed.actor == users["alice"] and changed.changes["row_cap"] == [None, 1]

    response = _client(users["bob"]).get("/exports/tickets.xlsx")
    assert "-first-1-rows.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(_body(response)))
    assert len([r for r in book.worksheets[0].iter_rows()]) == 2  # header + the cap
    assert book.sheetnames[1] == "说明" and "1 行" in book.worksheets[1]["A1"].value
    csv_download = _client(users["bob"]).get("/exports/tickets.csv")
    assert "-first-1-rows.csv" in csv_download["Content-Disposition"]
    assert len(_csv(csv_download)) == 2

    assert admin.post("/exports/settings/", {"row_cap": ""}).status_code == 302
    uncut = _client(users["bob"]).get("/exports/tickets.csv")  # back to the environment's 100
    assert len(_csv(uncut)) == 3 and "first" not in uncut["Content-Disposition"]


def test_only_admins_reach_the_export_settings_and_a_bad_cap_is_refused(
    users: dict[str, Any],
) -> None:
    for name in ("bob", "dave", "frank", "carol"):
        assert _client(users[name]).get("/exports/settings/").status_code == 404
        assert _client(users[name]).post("/exports/settings/", {"row_cap": "5"}).status_code == 404
    refused = _client(users["alice"]).post("/exports/settings/", {"row_cap": "0"})
    assert refused.status_code == 400
    assert not Event.objects.filter(verb="export.settings_changed").exists()
