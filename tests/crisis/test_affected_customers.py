"""Affected customers are linked by a segment or a pasted list, only within the user's reach."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.crisis import actions
from guanxi.crisis.models import AffectedCustomer

pytestmark = pytest.mark.django_db


def linked(crisis: Any) -> set[int]:
    return set(AffectedCustomer.objects.filter(crisis=crisis).values_list("customer_id", flat=True))


def test_a_segment_links_the_matching_customers_the_user_sees(
    users: dict[str, Any], recall: Any, make_customer: Any
) -> None:
    high = make_customer("bob", value_class="high")
    make_customer("bob", value_class="general")
    other_team = make_customer("mallory", value_class="high")
    report = actions.link_customers(recall, by=users["dave"], segment={"value_class": "high"})
    assert linked(recall) == {high.pk}  # dave manages bob's team, not mallory's
    assert report.added == 1 and report.not_found == []
    actions.link_customers(recall, by=users["alice"], segment={"value_class": "high"})
    assert linked(recall) == {high.pk, other_team.pk}


def test_a_pasted_list_reports_each_code_it_could_not_link(
    users: dict[str, Any], recall: Any, bob_customer: Any, mallory_customer: Any, make_customer: Any
) -> None:
    org = make_customer("bob", kind="org", name="北京燃气", credit_code="91110000802012345G")
    text = f"{bob_customer.pk}, 91110000802012345g\n{mallory_customer.pk} 999999 ABC"
    form_codes = [c for c in text.replace(",", " ").split() if c]
    report = actions.link_customers(recall, by=users["dave"], codes=form_codes)
    assert linked(recall) == {bob_customer.pk, org.pk}
    # mallory's customer is outside dave's scope: the same answer as a missing one.
    assert [(r["row"], r["code"]) for r in report.not_found] == [
        (3, str(mallory_customer.pk)), (4, "999999"), (5, "ABC")
    ]  # fmt: skip


def test_linking_twice_counts_the_customer_once(
    users: dict[str, Any], recall: Any, bob_customer: Any
) -> None:
    actions.link_customers(recall, by=users["carol"], codes=[str(bob_customer.pk)])
    report = actions.link_customers(recall, by=users["carol"], codes=[str(bob_customer.pk)])
    assert (report.added, report.already) == (0, 1)
    assert AffectedCustomer.objects.filter(crisis=recall).count() == 1


def test_an_empty_request_and_a_bad_filter_are_refused_with_the_field(
    users: dict[str, Any], recall: Any, login: Any
) -> None:
    client = login(users["alice"])
    response = client.post(f"/crisis/{recall.pk}/customers/add/", {"codes": " "})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(f"/crisis/{recall.pk}/customers/add/", {"value_class": "vip"})
    assert "value_class" in response.context["form"].errors
    assert not AffectedCustomer.objects.exists()


def test_the_link_page_shows_the_not_found_rows(
    users: dict[str, Any], recall: Any, bob_customer: Any, login: Any
) -> None:
    response = login(users["alice"]).post(
        f"/crisis/{recall.pk}/customers/add/", {"codes": f"{bob_customer.pk}\n424242"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "link-report" in page and "424242" in page
    assert linked(recall) == {bob_customer.pk}


def test_a_rep_may_not_link_customers_even_their_own(
    users: dict[str, Any], recall: Any, bob_customer: Any
) -> None:
    with pytest.raises(ActionError):
        actions.link_customers(recall, by=users["bob"], codes=[str(bob_customer.pk)])
    assert not AffectedCustomer.objects.exists()
