"""The review queue in the browser: compare a pair, merge it, undo, dismiss; the create warning."""

from __future__ import annotations

from typing import Any

from guanxi.customers.models import Customer
from guanxi.dedup.models import CandidateStatus, DuplicateCandidate, Merge


def queued(
    left: Any, right: Any, probability: float = 0.97, reasons: list[Any] | None = None
) -> DuplicateCandidate:
    a, b = sorted([left, right], key=lambda c: c.pk)
    reasons = reasons or [["电话", "相同", 12.3], ["姓名", "同音", 9.8]]
    return DuplicateCandidate.objects.create(
        left=a, right=b, probability=probability, match_weight=9.1, reasons=reasons,
        agreed=DuplicateCandidate.agreed_from(reasons),
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


def test_bob_filters_the_queue_by_score_range_and_by_the_field_that_argues_for_the_match(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    by_phone = queued(make_customer(name="张伟"), make_customer(name="张玮"), 0.97)
    by_name = queued(
        make_customer(name="王芳"), make_customer(name="王芳"), 0.62,
        [["姓名", "相同（按名称常见程度调整 -4.0）", 6.1], ["电话", "不同", -9.7]],
    )  # fmt: skip
    middling = queued(
        make_customer(name="刘洋"), make_customer(name="劉洋"), 0.8,
        [["姓名", "同音", 8.0], ["出生日期", "相同", 7.5], ["电话", "不同", -9.7]],
    )  # fmt: skip
    client.force_login(users["bob"])

    def listed(query: str) -> set[int]:
        response = client.get("/dedup/?" + query)
        assert response.status_code == 200
        return {p.pk for p in response.context["pairs"]}

    everything = {by_phone.pk, by_name.pk, middling.pk}
    assert listed("") == everything
    assert listed("min=0.7") == {by_phone.pk, middling.pk}
    assert listed("max=0.7") == {by_name.pk}
    assert listed("min=0.7&max=0.9") == {middling.pk}
    assert listed("field=电话") == {by_phone.pk}
    assert listed("field=出生日期&min=0.5") == {middling.pk}
    # A field that argued *against* a pair does not select it; junk values are ignored.
    assert by_name.pk not in listed("field=电话")
    assert listed("min=abc&field=nonsense") == everything
    # Each pair shows every compared field with its weight, for and against.
    page = client.get("/dedup/").content.decode()
    assert "电话：不同 -9.7" in page and "按名称常见程度调整" in page


def test_bob_dismisses_ticked_pairs_at_once_and_never_mallorys(
    client: Any, make_customer: Any, users: dict[str, Any]
) -> None:
    from guanxi.core.models import Event

    first = queued(make_customer(name="张伟"), make_customer(name="李娜"))
    second = queued(make_customer(name="王芳"), make_customer(name="赵敏"))
    kept = queued(make_customer(name="刘洋"), make_customer(name="陈静"))
    mallorys = queued(
        make_customer(owner="mallory", name="杨磊"), make_customer(owner="mallory", name="杨蕾")
    )
    client.force_login(users["bob"])
    response = client.post(
        "/dedup/dismiss/", {"pair": [first.pk, second.pk, mallorys.pk], "next": "min=0.5"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/dedup/?min=0.5")
    status = dict(DuplicateCandidate.objects.values_list("pk", "status"))
    assert status[first.pk] == status[second.pk] == CandidateStatus.DISMISSED
    assert status[kept.pk] == status[mallorys.pk] == CandidateStatus.OPEN
    dismissed = Event.objects.filter(verb="duplicate.dismissed")
    assert {e.object_id for e in dismissed} == {first.pk, second.pk}
    assert all(e.actor == users["bob"] for e in dismissed)
    # A GET changes nothing.
    client.get("/dedup/dismiss/")
    assert DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN).count() == 2
