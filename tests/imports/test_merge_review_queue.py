"""--on-duplicate merge-review: each imported duplicate waits in the review queue with reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from guanxi.customers.dedup.queue import queue_pairs
from guanxi.customers.dedup.scoring import score_candidates
from guanxi.customers.imports import runner
from guanxi.customers.models import Customer
from guanxi.dedup.models import CandidateStatus, DuplicateCandidate
from guanxi.imports.models import ImportedRecord

from .files import customer_rows, write_csv


def _import(path: Path, user: Any, **options: Any) -> Any:
    batch = runner.start_batch(path, user=user, on_duplicate="merge-review")
    return runner.run_batch(batch, user=user, **options)


def _create_form_score(new_id: int, existing: Any) -> float:
    """What the create form's duplicate check says of the imported customer and `existing`."""
    new = Customer.objects.get(pk=new_id)
    fields = (
        "kind", "name", "phone", "id_number", "birth_date", "gender", "email", "credit_code",
        "province_code", "city_code", "district_code",
    )  # fmt: skip
    data = {f: getattr(new, f) for f in fields}
    (match,) = score_candidates(data, [existing], threshold=0.0)
    return match.probability


def _file(tmp_path: Path) -> Path:
    """Five rows; row 2 is 張偉 in 朝阳区 with the phone of the existing 张伟 (139000000nn)."""
    rows = customer_rows(5)
    rows[1][:5] = ["張偉", "13900000001", "北京", "北京", "朝阳区"]
    return write_csv(tmp_path / "c.csv", rows)


@pytest.mark.parametrize("bulk_rows", [0, 1], ids=["chunks", "bulk"])
def test_an_imported_duplicate_waits_in_the_review_queue_with_its_reasons_once(
    users: dict[str, Any], tmp_path: Path, make_customer: Any, settings: Any, bulk_rows: int
) -> None:
    settings.GUANXI_IMPORT_BULK_ROWS = bulk_rows  # 1: bulk mode on SQLite, ignored on PostgreSQL
    alice = users["alice"]
    existing = make_customer(name="张伟", phone="13900000001")
    file = _file(tmp_path)

    batch = _import(file, alice, chunk_rows=2)

    new = ImportedRecord.objects.get(batch=batch, row_number=2)
    assert (batch.created_count, new.duplicate_of_id) == (5, existing.pk)
    pair = DuplicateCandidate.objects.get()
    assert (pair.left_id, pair.right_id) == (existing.pk, new.object_id)  # lower id left
    assert pair.status == CandidateStatus.OPEN and pair.probability > 0.9
    verdicts = {field: (label, weight) for field, label, weight in pair.reasons}
    assert verdicts["电话"][1] > 0 and verdicts["姓名"][1] > 0, pair.reasons
    assert ",电话," in pair.agreed and pair.match_weight > 0
    assert pair.probability == pytest.approx(_create_form_score(new.object_id, existing))

    client = Client()
    client.force_login(alice)
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert '1 对疑似重复已加入<a href="/dedup/">审核队列</a>' in page

    again = _import(file, alice, chunk_rows=2)  # the same file again: recognised as done
    assert again.pk == batch.pk and DuplicateCandidate.objects.count() == 1
    assert Customer.objects.count() == 6


def test_a_crash_after_a_chunk_queued_its_pairs_takes_them_back_and_the_resume_queues_once(
    users: dict[str, Any], tmp_path: Path, make_customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = users["alice"]
    existing = make_customer(name="张伟", phone="13900000001")
    batch = runner.start_batch(_file(tmp_path), user=alice, on_duplicate="merge-review")
    real = runner.queue_pairs

    def queue_then_crash(pairs: Any) -> int:
        if real(pairs):
            raise RuntimeError("killed")  # after the pair was written, before the commit
        return 0

    monkeypatch.setattr(runner, "queue_pairs", queue_then_crash)
    with pytest.raises(RuntimeError):
        runner.run_batch(batch, user=alice, chunk_rows=2)
    batch.refresh_from_db()
    assert (batch.rows_done, DuplicateCandidate.objects.count()) == (0, 0)

    monkeypatch.setattr(runner, "queue_pairs", real)
    runner.run_batch(batch, user=alice, chunk_rows=2)
    new = ImportedRecord.objects.get(batch=batch, row_number=2).object_id
    pairs = DuplicateCandidate.objects.values_list("left_id", "right_id")
    assert list(pairs) == [(existing.pk, new)] and Customer.objects.count() == 6


def test_a_pair_already_in_the_queue_keeps_its_row_and_decision(make_customer: Any) -> None:
    a = make_customer(name="张伟", phone="13800000001")
    b = make_customer(name="张伟", phone="13800000001")
    assert queue_pairs([(b.pk, a.pk)]) == 1
    DuplicateCandidate.objects.update(status=CandidateStatus.DISMISSED)
    queue_pairs([(a.pk, b.pk)])
    assert list(DuplicateCandidate.objects.values_list("left_id", "status")) == [
        (a.pk, CandidateStatus.DISMISSED)
    ]


def test_a_scan_keeps_the_pairs_an_import_queued_even_below_its_threshold(
    users: dict[str, Any], tmp_path: Path, make_customer: Any
) -> None:
    from guanxi.customers.dedup.queue import scan
    from guanxi.dedup.models import DedupSettings

    existing = make_customer(name="张伟", phone="13900000001")
    batch = _import(_file(tmp_path), users["alice"])
    flagged = ImportedRecord.objects.get(batch=batch, duplicate_of_id=existing.pk)
    stranger = DuplicateCandidate.objects.create(  # an open pair of an earlier scan
        left_id=flagged.object_id - 1, right_id=flagged.object_id + 1, probability=0.6,
        match_weight=1.0, reasons=[], agreed=",",
    )  # fmt: skip

    # A threshold above any score: the scan itself queues nothing (the import's pair may
    # score anything — a company and a person sharing a switchboard number score low).
    DedupSettings.objects.update(review_threshold=1.5)
    scan()

    kept = DuplicateCandidate.objects.get(left_id=existing.pk, right_id=flagged.object_id)
    assert kept.status == CandidateStatus.OPEN
    assert not DuplicateCandidate.objects.filter(pk=stranger.pk).exists()  # scan's own: refreshed
