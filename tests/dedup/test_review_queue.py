"""The review queue in the browser: compare a pair, merge it, undo, dismiss; the create warning."""

from __future__ import annotations

from typing import Any

from guanxi.customers.models import Customer
from guanxi.dedup.models import CandidateStatus, DuplicateCandidate, Merge


def queued(left: Any, right: Any) -> DuplicateCandidate:
    a, b = sorted([left, right], key=lambda c: c.pk)
    return DuplicateCandidate.objects.create(
        left=a, right=b, probability=0.97, match_weight=9.1,
        reasons=[["电话", "相同", 12.3], ["姓名", "同音", 9.8]],
    )  # fmt: skip


def test_bob_sees_the_pair_with_the_reason_for_its_score(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    pair = queued(make_customer(name="张伟"), make_customer(name="張偉"))
    client.force_login(users["bob"])
    page = client.get("/dedup/").content.decode()
    assert "张伟" in page and "0.970" in page
    detail = client.get(f"/dedup/pairs/{pair.pk}/").content.decode()
    assert "同音" in detail and "12.30" in detail


def test_bob_merges_from_the_queue_and_undoes_it(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    a, b = make_customer(name="张伟"), make_customer(name="張偉")
    pair = queued(a, b)
    client.force_login(users["bob"])
    client.post(f"/dedup/pairs/{pair.pk}/merge/", {"survivor": "left"})
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.MERGED
    assert Customer.objects.get(pk=pair.right_id).merged_into_id == pair.left_id
    client.post(f"/dedup/pairs/{pair.pk}/undo/")
    assert Customer.objects.get(pk=pair.right_id).merged_into_id is None
    assert Merge.objects.get().undone_at is not None
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.OPEN


def test_dismissing_a_pair_takes_it_off_the_queue(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    pair = queued(make_customer(name="张伟"), make_customer(name="李娜"))
    client.force_login(users["bob"])
    client.post(f"/dedup/pairs/{pair.pk}/dismiss/")
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.DISMISSED
    assert "李娜" not in client.get("/dedup/").content.decode()


def test_mallory_neither_sees_nor_merges_bobs_pair(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    pair = queued(make_customer(name="张伟"), make_customer(name="張偉"))
    client.force_login(users["mallory"])
    assert "张伟" not in client.get("/dedup/").content.decode()
    assert client.get(f"/dedup/pairs/{pair.pk}/").status_code == 404
    assert client.post(f"/dedup/pairs/{pair.pk}/merge/", {"survivor": "left"}).status_code == 404
    assert not Customer.objects.filter(merged_into__isnull=False).exists()


def test_the_create_form_warns_of_a_likely_duplicate_and_saves_only_when_confirmed(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    existing = make_customer(name="张伟", phone="13800138000")
    client.force_login(users["bob"])
    form = {
        "kind": "person", "name": "張偉", "phone": "+86 138 0013 8000", "source_channel": "internal",
        "collected_at": "2026-01-05 10:00", "value_class": "general", "stage": "awareness",
    }  # fmt: skip
    before = Customer.objects.count()
    warned = client.post("/customers/new/?kind=person", form)
    assert (
        existing.name in warned.content.decode() and 'name="save_anyway"' in warned.content.decode()
    )
    assert Customer.objects.count() == before
    saved = client.post("/customers/new/?kind=person", {**form, "save_anyway": "1"})
    assert saved.status_code == 302 and Customer.objects.count() == before + 1


def test_the_api_check_returns_the_likely_match_and_saves_nothing(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    existing = make_customer(name="张伟", phone="13800138000")
    client.force_login(users["bob"])
    before = Customer.objects.count()
    response = client.post(
        "/api/v1/dedup/check",
        {"kind": "person", "name": "章伟", "phone": "13800138000"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()[0]["customer_id"] == existing.pk
    assert Customer.objects.count() == before
