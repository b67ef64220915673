"""The half-year/annual evaluation report: figures, breakdowns, Excel read back, PDF with a CJK font.

Data: 2025 H1 (the previous period of 2025 H2) and H2 purchases of bob's and mallory's
customers. bob: H1 ¥100 (b1), H2 ¥300 (b1) + ¥200 (b2) → revenue ¥500, was ¥100
→ change +400, +400 %. mallory: H2 ¥1,000 (m1), nothing in H1.
"""

from __future__ import annotations

import io
import re
import zlib
from typing import Any

import pytest
from openpyxl import load_workbook

from guanxi.evaluation import periods
from guanxi.evaluation.queries import evaluation_report

from .conftest import bj

H2 = periods.half_year(2025, 2)


@pytest.fixture
def sales(make_customer: Any, buy: Any, backdate: Any) -> dict[str, Any]:
    made = {
        "b1": make_customer("bob", name="北方甲"),
        "b2": make_customer("bob", name="北方乙"),
        "m1": make_customer("mallory", name="上海丙", province_code="310000",
                            city_code="310000", district_code="310115"),
    }  # fmt: skip
    for customer in made.values():
        backdate(customer, bj(2024, 1, 1))
    buy(made["b1"], bj(2025, 3, 1), 100)
    buy(made["b1"], bj(2025, 8, 1), 300)
    buy(made["b2"], bj(2025, 9, 1), 200)
    buy(made["m1"], bj(2025, 10, 1), 1000)
    return made


def line(lines: list[Any], key: str) -> Any:
    return next(item for item in lines if item.kpi.key == key)


def test_the_report_compares_each_kpi_with_the_previous_half_year(
    users: dict[str, Any], sales: Any
) -> None:
    report = evaluation_report(users["bob"], H2)
    revenue = line(report.overall, "revenue")
    assert (revenue.value, revenue.previous_value) == (500.0, 100.0)
    assert (revenue.change, revenue.change_pct) == (400.0, 400.0)
    retention = line(report.overall, "retention_rate")
    assert retention.value == 100.0  # b1 bought in H1 and again in H2
    assert report.previous.label == "2025年上半年"


def test_the_report_breaks_down_by_team_and_by_account_owner(
    users: dict[str, Any], sales: Any
) -> None:
    report = evaluation_report(users["alice"], H2)
    teams = {g.name: line(g.lines, "revenue").value for g in report.by_team}
    assert teams == {"北京一组": 500.0, "上海一组": 1000.0}
    people = {g.name: line(g.lines, "revenue").value for g in report.by_person}
    assert people == {"李博": 500.0, "马丽": 1000.0}


def test_a_managers_report_covers_only_the_team(users: dict[str, Any], sales: Any) -> None:
    report = evaluation_report(users["dave"], H2)
    assert [g.name for g in report.by_team] == ["北京一组"]
    assert line(report.overall, "revenue").value == 500.0


def test_the_excel_workbook_has_a_formatted_sheet_per_breakdown(
    login: Any, users: dict[str, Any], sales: Any
) -> None:
    response = login(users["alice"]).get("/evaluation/report.xlsx", {"period": "h2", "year": 2025})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["总览", "按团队", "按客户经理"]
    overview = wb["总览"]
    assert "2025年下半年" in overview["A1"].value
    assert [c.value for c in overview[2]] == [
        "指标", "单位", "本期", "上期", "变化", "变化率（%）", "目标", "达标",
    ]  # fmt: skip
    rows = {r[0].value: [c.value for c in r] for r in overview.iter_rows(min_row=3) if r[0].value}
    assert rows["销售额"][2:6] == [1500.0, 100.0, 1400.0, 1400.0]
    assert overview.cell(row=3, column=3).number_format == "#,##0.00"
    assert rows["净推荐值（NPS）"][2] is None
    teams = wb["按团队"]
    team_revenue = {
        r[0].value: r[3].value for r in teams.iter_rows(min_row=3) if r[1].value == "销售额"
    }
    assert team_revenue == {"北京一组": 500.0, "上海一组": 1000.0}
    people = wb["按客户经理"]
    assert [c.value for c in people[2]][0] == "客户经理"


def _pdf_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = match.group(1)
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    return streams


def test_the_pdf_embeds_a_chinese_font_subset_whose_text_can_be_extracted(
    login: Any, users: dict[str, Any], sales: Any
) -> None:
    response = login(users["alice"]).get("/evaluation/report.pdf", {"period": "h2", "year": 2025})
    assert response.status_code == 200
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    # A subset (six-letter tag + name) of the CJK face is embedded, not just referenced.
    assert re.search(rb"/BaseFont /[A-Z]{6}\+\S*CJK", pdf) or re.search(
        rb"/BaseFont /[A-Z]{6}\+", pdf
    )
    assert b"/FontFile3" in pdf or b"/FontFile2" in pdf
    # The ToUnicode map takes glyphs back to 客 (U+5BA2) and 户 (U+6237): copyable text.
    cmaps = [s for s in _pdf_streams(pdf) if b"beginbfchar" in s or b"beginbfrange" in s]
    assert cmaps
    text = b"".join(cmaps).upper()
    assert b"<5BA2>" in text and b"<6237>" in text


def test_a_report_needs_a_valid_period_and_year(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users["alice"])
    bad = client.get("/api/v1/evaluation/report", {"period": "q3", "year": 2025})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"period"}
    missing = client.get("/api/v1/evaluation/report", {"period": "h1"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "year"


def test_the_report_api_matches_the_page_and_downloads_are_audited(
    client: Any, users: dict[str, Any], sales: Any
) -> None:
    from guanxi.core.models import Event

    client.force_login(users["bob"])
    body = client.get("/api/v1/evaluation/report", {"period": "h2", "year": 2025}).json()
    revenue = next(k for k in body["overall"] if k["key"] == "revenue")
    assert revenue["value"] == 500.0 and revenue["previous"] == 100.0
    client.get("/api/v1/evaluation/report.xlsx", {"period": "h2", "year": 2025})
    assert Event.objects.filter(verb="export.downloaded", actor=users["bob"]).count() == 1


def test_the_report_page_shows_the_three_tables(
    login: Any, users: dict[str, Any], sales: Any
) -> None:
    html = login(users["dave"]).get("/evaluation/report/", {"period": "h2", "year": 2025})
    text = html.content.decode()
    for table in ("report-overall", "report-teams", "report-people"):
        assert table in text
    assert "¥500.00" in text
    assert "上海一组" not in text


def test_without_a_chinese_font_the_pdf_is_refused_with_what_to_install(
    client: Any, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUANXI_PDF_FONT", "/nonexistent/font.ttc")
    client.force_login(users["alice"])
    api = client.get("/api/v1/evaluation/report.pdf", {"period": "h1", "year": 2025})
    assert api.status_code == 503
    assert api.json()["code"] == "font_missing"
    page = client.get("/evaluation/report.pdf", {"period": "h1", "year": 2025}, follow=True)
    assert "GUANXI_PDF_FONT" in page.content.decode()


def test_the_cli_writes_a_managers_report_to_excel(
    users: dict[str, Any], sales: Any, tmp_path: Any
) -> None:
    from typer.testing import CliRunner

    from guanxi.cli import app

    out = tmp_path / "评估.xlsx"
    result = CliRunner().invoke(
        app, ["evaluation", "report", str(out), "--as", "dave", "--period", "h2", "--year", "2025"]
    )
    assert result.exit_code == 0, result.output
    teams = load_workbook(out)["按团队"]
    assert {r[0].value for r in teams.iter_rows(min_row=3)} == {"北京一组"}
    refused = CliRunner().invoke(
        app, ["evaluation", "report", str(tmp_path / "x.doc"), "--as", "dave", "--year", "2025"]
    )
    assert refused.exit_code == 1
