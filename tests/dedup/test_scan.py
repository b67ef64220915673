"""`guanxi dedup scan`: the whole table scored, likely pairs queued with their reasons."""

from __future__ import annotations

from typing import Any

from guanxi.customers.dedup.queue import scan
from guanxi.dedup.models import CandidateStatus, DedupSettings, DuplicateCandidate


def test_a_scan_queues_the_duplicate_and_not_the_strangers(make_customer: Any) -> None:
    zhang = make_customer(name="张伟", phone="13800138000", birth_date="1985-03-07")
    twin = make_customer(name="張瑋", phone="+86 138 0013 8000", birth_date="1985-03-07")
    for k, name in enumerate(["李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏"]):
        make_customer(name=name, phone=f"1390000{k:04d}", birth_date=f"19{70 + k}-01-0{k + 1}")
    result = scan()
    pairs = list(DuplicateCandidate.objects.all())
    assert [(p.left_id, p.right_id) for p in pairs] == [(zhang.pk, twin.pk)]
    assert pairs[0].probability > 0.9
    assert ["电话", "相同"] == pairs[0].reasons[[r[0] for r in pairs[0].reasons].index("电话")][:2]
    assert result.customers == 8
    assert DedupSettings.current().model["comparisons"]


def test_a_second_scan_keeps_decisions_already_taken(make_customer: Any) -> None:
    make_customer(name="张伟", phone="13800138000")
    make_customer(name="張偉", phone="13800138000")
    scan()
    DuplicateCandidate.objects.update(status=CandidateStatus.DISMISSED)
    scan()
    assert list(DuplicateCandidate.objects.values_list("status", flat=True)) == ["dismissed"]


def test_look_alike_companies_with_different_credit_codes_are_not_queued(
    make_customer: Any,
) -> None:
    import random

    from guanxi.demo.identity import credit_code

    rng = random.Random(5)
    org = {"kind": "org", "district_code": "110105"}
    # Same name and district, two different registered companies (two credit codes).
    make_customer(name="北京隆博石油有限公司", credit_code=credit_code(rng, "110105"), **org)
    make_customer(name="北京隆博石油有限公司", credit_code=credit_code(rng, "110105"), **org)
    # The same company typed twice, once without its code: still a likely duplicate.
    kept = make_customer(
        name="北京协元机械有限公司",
        phone="13700001111",
        credit_code=credit_code(rng, "110105"),
        **org,
    )
    twin = make_customer(name="协元机械（北京）有限公司", phone="13700001111", **org)
    for k in range(6):
        make_customer(name=f"北京{'甲乙丙丁戊己'[k]}能源有限公司", **org)
    scan()
    pairs = [(p.left_id, p.right_id) for p in DuplicateCandidate.objects.all()]
    assert pairs == [(kept.pk, twin.pk)]


def test_an_admin_starts_a_scan_from_the_queue_and_a_rep_cannot(
    make_customer: Any, users: dict[str, Any], client: Any
) -> None:
    from huey.contrib.djhuey import HUEY

    from guanxi.core.models import Event

    zhang = make_customer(name="张伟", phone="13800138000", birth_date="1985-03-07")
    make_customer(name="張瑋", phone="+86 138 0013 8000", birth_date="1985-03-07")
    client.force_login(users["bob"])
    assert "立即扫描" not in client.get("/dedup/").content.decode()
    assert client.post("/dedup/scan/").status_code == 404
    assert not DuplicateCandidate.objects.exists()

    client.force_login(users["alice"])
    assert "尚未扫描" in client.get("/dedup/").content.decode()
    before, HUEY.immediate = HUEY.immediate, True  # the job runs inside the request here
    try:
        response = client.post("/dedup/scan/", follow=True)
    finally:
        HUEY.immediate = before
    html = response.content.decode()
    assert "已开始扫描" in html and "上次扫描" in html and "张伟" in html
    assert DuplicateCandidate.objects.get().left_id == zhang.pk
    event = Event.objects.get(verb="dedup.scanned")
    assert event.actor == users["alice"] and "1 对进入审核队列" in event.summary


def test_the_nightly_scan_is_due_at_half_past_three_only() -> None:
    from datetime import datetime

    from huey.contrib.djhuey import HUEY

    import guanxi.dedup.tasks  # noqa: F401 — registers the job, as the consumer's autodiscovery does

    def due(hour: int, minute: int) -> set[str]:
        return {t.name for t in HUEY.read_periodic(datetime(2026, 12, 6, hour, minute))}

    assert "nightly_duplicate_scan" in due(3, 30)
    assert "nightly_duplicate_scan" not in due(3, 31) | due(2, 30)


def test_only_admins_and_the_system_may_scan_and_each_scan_is_audited(
    make_customer: Any, users: dict[str, Any]
) -> None:
    import pytest

    from guanxi.core.models import Event
    from guanxi.customers.actions import NotFound
    from guanxi.customers.dedup.queue import run_scan

    make_customer(name="张伟", phone="13800138000")
    make_customer(name="張偉", phone="13800138000")
    with pytest.raises(NotFound):
        run_scan(by=users["bob"])
    assert not DuplicateCandidate.objects.exists()
    assert not Event.objects.filter(verb="dedup.scanned").exists()
    result = run_scan(by=None)  # the nightly job, the server's CLI
    event = Event.objects.get(verb="dedup.scanned")
    assert event.actor is None and f"{result.candidates} 对进入审核队列" in event.summary
    assert result.candidates == DuplicateCandidate.objects.count() == 1
