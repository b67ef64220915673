"""Thresholds as data: admins edit them through an action with an event; scan and check obey."""

from __future__ import annotations

from typing import Any

from guanxi.core.models import Event
from guanxi.customers.dedup import likely_duplicates
from guanxi.customers.dedup.merge import undo_merge
from guanxi.customers.dedup.queue import scan
from guanxi.customers.models import Customer
from guanxi.dedup.models import CandidateStatus, DedupSettings, DuplicateCandidate, Merge

from .test_duplicate_check import cleaned

VALID = {"warn_threshold": "0.6", "review_threshold": "0.7", "max_block": "250"}


def _set(**values: Any) -> None:
    config = DedupSettings.current()
    for name, value in values.items():
        setattr(config, name, value)
    config.save()


def test_the_migration_seeds_the_defaults_with_auto_merge_off(db: None) -> None:
    config = DedupSettings.current()
    assert (config.warn_threshold, config.review_threshold, config.max_block) == (0.5, 0.5, 300)
    assert config.auto_merge_threshold is None
    assert DedupSettings.objects.count() == 1


def test_alice_changes_the_thresholds_and_an_event_says_what_changed(
    client: Any, users: dict[str, Any]
) -> None:
    client.force_login(users["alice"])
    assert client.get("/dedup/settings/").status_code == 200
    response = client.post("/dedup/settings/", {**VALID, "auto_merge_threshold": "0.98"})
    assert response.status_code == 302
    config = DedupSettings.current()
    assert (config.warn_threshold, config.review_threshold) == (0.6, 0.7)
    assert (config.auto_merge_threshold, config.max_block) == (0.98, 250)
    event = Event.objects.get(verb="dedup.settings_changed")
    assert event.actor == users["alice"]
    assert event.changes["review_threshold"] == [0.5, 0.7]
    assert event.changes["auto_merge_threshold"] == [None, 0.98]
    # Blank auto-merge switches it off again.
    client.post("/dedup/settings/", VALID)
    assert DedupSettings.current().auto_merge_threshold is None


def test_bad_values_are_form_errors_and_nothing_is_saved(
    client: Any, users: dict[str, Any]
) -> None:
    client.force_login(users["alice"])
    below_review = client.post("/dedup/settings/", {**VALID, "auto_merge_threshold": "0.65"})
    assert below_review.status_code == 400
    assert "自动合并的匹配概率不能低于进入审核队列的匹配概率" in below_review.content.decode()
    out_of_range = client.post("/dedup/settings/", {**VALID, "warn_threshold": "1.5"})
    assert out_of_range.status_code == 400
    assert "匹配概率须在 0.01 到 1 之间" in out_of_range.content.decode()
    assert client.post("/dedup/settings/", {**VALID, "max_block": "1"}).status_code == 400
    assert DedupSettings.current().review_threshold == 0.5
    assert not Event.objects.filter(verb="dedup.settings_changed").exists()


def test_only_admins_reach_the_settings(client: Any, users: dict[str, Any]) -> None:
    for name in ("bob", "dave", "erin", "carol", "frank"):
        client.force_login(users[name])
        assert client.get("/dedup/settings/").status_code == 404
        assert client.post("/dedup/settings/", VALID).status_code == 404
    assert DedupSettings.current().warn_threshold == 0.5


def test_the_create_check_warns_only_at_or_above_the_warn_threshold(
    make_customer: Any, users: dict[str, Any]
) -> None:
    make_customer(name="张伟", phone="13800138000", birth_date="1985-03-07")
    new = cleaned(name="张伟", phone="13911112222", birth_date="1985-03-07")
    _set(warn_threshold=0.01)
    [match] = likely_duplicates(new, user=users["bob"])
    _set(warn_threshold=(1 + match.probability) / 2)  # just above this pair's score
    assert likely_duplicates(new, user=users["bob"]) == []
    _set(warn_threshold=match.probability)  # "at or above"
    assert len(likely_duplicates(new, user=users["bob"])) == 1


def test_the_scan_queues_only_pairs_at_or_above_the_review_threshold(make_customer: Any) -> None:
    make_customer(name="张伟", phone="13800138000", birth_date="1985-03-07")
    make_customer(name="張偉", phone="13911112222", birth_date="1985-03-07")
    _set(review_threshold=0.01)
    scan()
    probability = DuplicateCandidate.objects.get().probability
    _set(review_threshold=(1 + probability) / 2)  # just above this pair's score
    assert scan().candidates == 0
    assert not DuplicateCandidate.objects.exists()


def test_auto_merge_is_off_by_default(make_customer: Any, users: dict[str, Any]) -> None:
    make_customer(name="张伟", phone="13800138000", birth_date="1985-03-07")
    make_customer(name="張瑋", phone="+86 138 0013 8000", birth_date="1985-03-07")
    result = scan(merge_as=users["alice"])
    assert result.auto_merged == 0
    assert not Merge.objects.exists()
    assert DuplicateCandidate.objects.get().status == CandidateStatus.OPEN


def test_auto_merge_goes_through_the_merge_action_and_can_be_undone(
    make_customer: Any, users: dict[str, Any]
) -> None:
    older = make_customer(name="张伟", phone="13800138000", birth_date="1985-03-07")
    newer = make_customer(name="張瑋", phone="+86 138 0013 8000", birth_date="1985-03-07")
    make_customer(name="李娜", phone="13900139000", birth_date="1990-01-01")
    _set(auto_merge_threshold=0.9)
    result = scan(merge_as=users["alice"])
    assert (result.auto_merged, result.auto_skipped) == (1, 0)
    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.loser_id, merge.by) == (older.pk, newer.pk, users["alice"])
    assert Customer.objects.get(pk=newer.pk).merged_into_id == older.pk
    assert DuplicateCandidate.objects.get().status == CandidateStatus.MERGED
    events = Event.objects.filter(verb="customer.merged")
    assert {e.customer_id for e in events} == {older.pk, newer.pk}
    assert all(e.changes["auto_merge_probability"][1] >= 0.9 for e in events)
    undo_merge(merge, by=users["alice"])
    assert Customer.objects.get(pk=newer.pk).merged_into_id is None
    assert DuplicateCandidate.objects.get().status == CandidateStatus.OPEN


def test_auto_merge_leaves_pairs_the_actor_may_not_change_in_the_queue(
    make_customer: Any, users: dict[str, Any]
) -> None:
    make_customer(owner="mallory", name="张伟", phone="13800138000", birth_date="1985-03-07")
    make_customer(owner="mallory", name="張瑋", phone="13800138000", birth_date="1985-03-07")
    _set(auto_merge_threshold=0.9)
    result = scan(merge_as=users["bob"])
    assert (result.auto_merged, result.auto_skipped) == (0, 1)
    assert DuplicateCandidate.objects.get().status == CandidateStatus.OPEN
