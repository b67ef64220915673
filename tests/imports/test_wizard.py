"""The import wizard in the browser: upload, map columns, preview, run in the background,
follow the progress, download the rejected rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanxi.core.models import Event
from guanxi.customers.models import Customer
from guanxi.imports.models import ImportBatch, SavedMapping

from .files import HEADER, customer_rows, write_csv


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, tmp_path: Path, rows: list[list[str]], name: str = "客户.csv") -> Any:
    path = write_csv(tmp_path / name, rows)
    return client.post("/imports/new/", {"file": SimpleUploadedFile(name, path.read_bytes())})


def _mapping_post(**overrides: str) -> dict[str, str]:
    data = {
        "col_name": "客户名称", "col_phone": "手机号", "col_province": "省份", "col_city": "城市",
        "col_district": "区县", "col_address": "详细地址", "col_email": "邮箱", "col_gender": "性别",
        "source_channel": "public", "on_duplicate": "skip", "save_as": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_bob_uploads_a_file_and_finds_the_guessed_columns_preselected(
    users: dict[str, Any], tmp_path: Path
) -> None:
    client = _client(users["bob"])
    response = _upload(client, tmp_path, customer_rows(3))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/mapping/"
    assert batch.user == users["bob"] and batch.status == "pending"
    assert Path(batch.file_path).exists()
    page = client.get(response["Location"]).content.decode()
    assert '<option value="手机号" selected>' in page
    assert Event.objects.filter(verb="import.uploaded", actor=users["bob"]).exists()


def test_a_file_that_is_not_a_table_or_too_big_is_refused_on_the_file_field(
    users: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    client = _client(users["bob"])
    response = client.post("/imports/new/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert response.status_code == 400 and "请上传 CSV 或 Excel" in response.content.decode()
    settings.GUANXI_IMPORT_MAX_UPLOAD_BYTES = 10
    response = _upload(client, tmp_path, customer_rows(3))
    assert response.status_code == 400 and "上限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_customer_name_column_must_be_mapped(users: dict[str, Any], tmp_path: Path) -> None:
    client = _client(users["bob"])
    _upload(client, tmp_path, customer_rows(3))
    batch = ImportBatch.objects.get()
    guessed = dict(batch.mapping)
    response = client.post(f"/imports/{batch.pk}/mapping/", _mapping_post(col_name=""))
    assert response.status_code == 200 and 'id="id_col_name_errors"' in response.content.decode()
    batch.refresh_from_db()
    assert batch.mapping == guessed


def test_bob_saves_a_mapping_and_picks_it_for_his_next_file(
    users: dict[str, Any], tmp_path: Path
) -> None:
    client = _client(users["bob"])
    _upload(client, tmp_path, customer_rows(3))
    first = ImportBatch.objects.get()
    response = client.post(
        f"/imports/{first.pk}/mapping/",
        _mapping_post(col_notes="性别", col_gender="", save_as="我的模板"),
    )
    assert response["Location"] == f"/imports/{first.pk}/preview/"
    saved = SavedMapping.objects.get(user=users["bob"], name="我的模板")
    assert saved.columns["notes"] == "性别"

    _upload(client, tmp_path, customer_rows(4, seed=2), name="第二批.csv")
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    page = client.get(f"/imports/{second.pk}/mapping/?saved={saved.pk}").content.decode()
    notes = page[page.index('name="col_notes"') :]
    assert notes[: notes.index("</select>")].count("selected") == 1
    assert '<option value="性别" selected>' in notes[: notes.index("</select>")]
    # mallory's saved mappings are not bob's to pick.
    theirs = SavedMapping.objects.create(name="别人的", kind="customers", user=users["mallory"])
    assert client.get(f"/imports/{second.pk}/mapping/?saved={theirs.pk}").status_code == 404


def test_the_preview_shows_each_rows_error_and_likely_duplicates(
    users: dict[str, Any], make_customer: Any, tmp_path: Path
) -> None:
    make_customer(owner="bob", name="王伟", phone="13900000001")
    rows = customer_rows(3)
    rows[1][0], rows[2][1] = "王伟", "12345"
    client = _client(users["bob"])
    _upload(client, tmp_path, rows)
    batch = ImportBatch.objects.get()
    page = client.get(f"/imports/{batch.pk}/preview/").content.decode()
    assert page.count('class="rejected"') == 1 and "手机" in page
    assert page.count('class="duplicate"') == 1 and "可能与已有客户重复" in page
    assert not Customer.objects.filter(name=rows[0][0]).exists()  # a preview writes nothing


def test_running_imports_in_the_background_and_the_result_offers_the_error_report(
    users: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    bob = users["bob"]
    client = _client(bob)
    _upload(client, tmp_path, customer_rows(12, bad_every=4))
    batch = ImportBatch.objects.get()
    client.post(f"/imports/{batch.pk}/mapping/", _mapping_post())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{batch.pk}/run/")

    assert response["Location"] == f"/imports/{batch.pk}/"
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.rows_done) == ("done", 12, 12)
    assert (batch.created_count, batch.rejected_count) == (9, 3)
    assert Customer.objects.filter(owner=bob, source_channel="public").count() == 9
    fragment = client.get(f"/imports/{batch.pk}/progress/").content.decode()
    assert 'value="12"' in fragment and 'max="12"' in fragment
    assert "hx-trigger" not in fragment, "a finished import stops polling"
    report = b"".join(client.get(f"/imports/{batch.pk}/errors.csv").streaming_content)
    lines = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert lines[0] == [*HEADER, "错误原因"] and len(lines) == 4
    assert client.get(f"/imports/{batch.pk}/errors.xlsx").status_code == 200


def test_a_queued_import_polls_its_progress(users: dict[str, Any], tmp_path: Path) -> None:
    client = _client(users["bob"])
    _upload(client, tmp_path, customer_rows(3))
    batch = ImportBatch.objects.get()
    batch.status, batch.total_rows, batch.rows_done = "running", 3, 1
    batch.save()
    fragment = client.get(f"/imports/{batch.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment and "33%" in fragment


def test_the_same_file_again_opens_its_earlier_batch(
    users: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(users["bob"])
    rows = customer_rows(3)
    _upload(client, tmp_path, rows)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{batch.pk}/run/")
    response = _upload(client, tmp_path, rows)
    assert response["Location"] == f"/imports/{batch.pk}/"
    assert ImportBatch.objects.count() == 1 and Customer.objects.count() == 3


def test_a_batch_is_seen_by_its_owner_and_admins_only_and_run_by_its_owner_only(
    users: dict[str, Any], tmp_path: Path
) -> None:
    _upload(_client(users["bob"]), tmp_path, customer_rows(3))
    batch = ImportBatch.objects.get()
    for name in ("mallory", "dave", "erin", "frank"):
        client = _client(users[name])
        assert client.get(f"/imports/{batch.pk}/").status_code == 404, name
        assert client.post(f"/imports/{batch.pk}/run/").status_code == 404, name
        assert batch.file_name not in client.get("/imports/").content.decode()
    alice = _client(users["alice"])
    assert alice.get(f"/imports/{batch.pk}/").status_code == 200
    assert batch.file_name in alice.get("/imports/").content.decode()
    assert alice.post(f"/imports/{batch.pk}/run/").status_code == 404
    batch.refresh_from_db()
    assert batch.status == "pending"


def test_roles_that_may_not_add_customers_cannot_upload(
    users: dict[str, Any], tmp_path: Path
) -> None:
    for name in ("frank", "mona", "carol"):
        response = _upload(_client(users[name]), tmp_path, customer_rows(2))
        assert response.status_code == 404, name
    assert not ImportBatch.objects.exists()
