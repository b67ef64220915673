"""The customer pages: who sees what, field errors that write nothing, pinned query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from guanxi.core.models import Event
from guanxi.customers.models import Customer, Tag


def edit_data(customer: Any, **changes: Any) -> dict[str, Any]:
    from guanxi.customers.forms import CustomerForm, form_data_from_instance

    data = form_data_from_instance(CustomerForm, customer)
    data["collected_at"] = customer.collected_at.strftime("%Y-%m-%dT%H:%M")
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_it_sends_a_signed_out_visitor_to_the_login_page(client: Any, db: None) -> None:
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))


def test_it_signs_in_with_a_password_and_lands_on_the_customer_list(
    client: Any, users: dict[str, Any]
) -> None:
    from tests.conftest import PASSWORD

    response = client.post(reverse("core:login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("customers:list")
    assert client.get(reverse("core:home")).url == reverse("customers:list")


def test_it_lists_only_the_reps_own_customers(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any, mallory_customer: Any
) -> None:
    page = login(users["bob"]).get(reverse("customers:list")).content.decode()
    assert "张伟" in page
    assert "申能" not in page


def test_it_answers_404_for_another_reps_customer_and_changes_nothing(
    login: Callable[..., Any], users: dict[str, Any], mallory_customer: Any
) -> None:
    client = login(users["bob"])
    pk = mallory_customer.pk
    events = Event.objects.count()
    assert client.get(reverse("customers:detail", args=[pk])).status_code == 404
    assert client.get(reverse("customers:edit", args=[pk])).status_code == 404
    response = client.post(
        reverse("customers:edit", args=[pk]), edit_data(mallory_customer, name="被改了")
    )
    assert response.status_code == 404
    for name in ("contact_add", "address_add", "purchase_add"):
        assert client.post(reverse(f"customers:{name}", args=[pk]), {}).status_code == 404
    assert Customer.objects.get(pk=pk).name == "上海申能燃气有限公司"
    assert Event.objects.count() == events


def test_it_lets_the_manager_see_and_the_rep_not_assign(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any
) -> None:
    assert (
        login(users["bob"]).get(reverse("customers:assign", args=[bob_customer.pk])).status_code
        == 404
    )
    client = login(users["dave"])
    assert client.get(reverse("customers:detail", args=[bob_customer.pk])).status_code == 200
    response = client.post(
        reverse("customers:assign", args=[bob_customer.pk]), {"owner": users["dave"].pk}
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=bob_customer.pk).owner == users["dave"]


def test_it_shows_an_analyst_masked_names_and_phones(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any
) -> None:
    client = login(users["frank"])
    for url in (reverse("customers:list"), reverse("customers:detail", args=[bob_customer.pk])):
        page = client.get(url).content.decode()
        assert "138****5678" in page
        assert "138 1234 5678" not in page
        assert "张*" in page and "张伟" not in page
    assert client.get(reverse("customers:edit", args=[bob_customer.pk])).status_code == 404


def test_it_shows_the_full_phone_to_the_owner_and_masks_the_id_number(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any
) -> None:
    page = (
        login(users["bob"])
        .get(reverse("customers:detail", args=[bob_customer.pk]))
        .content.decode()
    )
    assert "138 1234 5678" in page
    assert "11010519491231002X" not in page
    assert "110***********002X" in page


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"phone": "12345"}, "phone", "无效的电话号码"),
        ({"id_number": "110105194912310021"}, "id_number", "身份证号码无效"),
        (
            {"province_code": "110000", "city_code": "310100", "district_code": ""},
            "city_code",
            "不属于",
        ),
        (
            {"province_code": "990000", "city_code": "", "district_code": ""},
            "province_code",
            "未知的省份",
        ),
    ],
)
def test_it_rejects_bad_customer_input_next_to_the_field_and_writes_nothing(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any,
    changes: dict[str, str], field: str, message: str,
) -> None:  # fmt: skip
    client = login(users["bob"])
    events = Event.objects.count()
    response = client.post(
        reverse("customers:edit", args=[bob_customer.pk]), edit_data(bob_customer, **changes)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_errors"' in page
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert Event.objects.count() == events
    assert Customer.objects.get(pk=bob_customer.pk).phone == "+8613812345678"


def test_it_creates_a_person_and_an_organisation_through_the_forms(
    login: Callable[..., Any], users: dict[str, Any]
) -> None:
    client = login(users["bob"])
    common = {"source_channel": "internal", "collected_at": "2026-11-01T09:00",
              "value_class": "general", "stage": "awareness", "province_code": "110000",
              "city_code": "110000", "district_code": "110105"}  # fmt: skip
    person = client.post(
        reverse("customers:create") + "?kind=person",
        {**common, "kind": "person", "name": "李娜", "phone": "139 0000 1111",
         "id_number": "11010519491231002X"},
    )  # fmt: skip
    assert person.status_code == 302, person.context and person.context["form"].errors
    org = client.post(
        reverse("customers:create") + "?kind=org",
        {**common, "kind": "org", "name": "北京燃气集团", "annual_revenue": "-1"},
    )
    assert org.status_code == 400
    assert "金额不能为负数" in " ".join(org.context["form"].errors["annual_revenue"])
    created = Customer.objects.get(name="李娜")
    assert created.owner == users["bob"] and created.gender == "F"
    assert not Customer.objects.filter(name="北京燃气集团").exists()


def test_it_refuses_the_create_page_to_roles_that_add_nothing(
    login: Callable[..., Any], users: dict[str, Any]
) -> None:
    for name in ("carol", "mona", "frank"):
        assert login(users[name]).get(reverse("customers:create")).status_code == 404


def test_it_records_a_phone_change_on_the_timeline(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any
) -> None:
    client = login(users["bob"])
    response = client.post(
        reverse("customers:edit", args=[bob_customer.pk]),
        edit_data(bob_customer, phone="13987654321"),
    )
    assert response.status_code == 302
    page = client.get(reverse("customers:detail", args=[bob_customer.pk])).content.decode()
    assert "修改了客户资料" in page
    assert "138****5678" in page and "139****4321" in page


def test_it_adds_a_contact_and_an_address_with_cascading_divisions(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any
) -> None:
    client = login(users["bob"])
    pk = bob_customer.pk
    bad = client.post(
        reverse("customers:contact_add", args=[pk]),
        {"name": "王芳", "role": "other", "phone": "0000"},
    )
    assert bad.status_code == 400 and "phone" in bad.context["form"].errors
    ok = client.post(
        reverse("customers:contact_add", args=[pk]),
        {"name": "王芳", "role": "purchasing", "phone": "13700001111"},
    )
    assert ok.status_code == 302
    cities = client.get(reverse("core:cities"), {"province_code": "440000"}, HTTP_HX_REQUEST="true")
    assert "广州市" in cities.content.decode()
    districts = client.get(reverse("core:districts"), {"city_code": "440100"})
    assert {"code": "440106", "name": "天河区"} in districts.json()["results"]
    mismatch = client.post(
        reverse("customers:address_add", args=[pk]),
        {
            "kind": "office",
            "province_code": "440000",
            "city_code": "440100",
            "district_code": "110105",
        },
    )
    assert mismatch.status_code == 400 and "district_code" in mismatch.context["form"].errors
    ok = client.post(
        reverse("customers:address_add", args=[pk]),
        {"kind": "office", "province_code": "440000", "city_code": "440100", "district_code": "440106", "detail": "天河路1号"},
    )  # fmt: skip
    assert ok.status_code == 302
    page = client.get(reverse("customers:detail", args=[pk])).content.decode()
    assert "王芳" in page and "广东省广州市天河区天河路1号" in page


def test_it_records_a_purchase_and_refuses_a_negative_price(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any, product: Any
) -> None:
    client = login(users["bob"])
    url = reverse("customers:purchase_add", args=[bob_customer.pk])
    form = {"ordered_at": "2026-11-20T10:00", "channel": "direct", "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product": product.pk, "lines-0-quantity": "2"}  # fmt: skip
    bad = client.post(url, {**form, "lines-0-unit_price": "-5"})
    assert bad.status_code == 400
    assert "金额不能为负数" in bad.content.decode()
    assert bob_customer.orders.count() == 0
    assert client.post(url, {**form, "lines-0-unit_price": "7800"}).status_code == 302
    page = client.get(reverse("customers:detail", args=[bob_customer.pk])).content.decode()
    assert "¥15,600.00" in page and "0号柴油" in page


def test_it_lets_only_admins_edit_the_catalogue(
    login: Callable[..., Any], users: dict[str, Any], product: Any
) -> None:
    assert login(users["bob"]).get(reverse("sales:product_add")).status_code == 404
    assert login(users["bob"]).get(reverse("sales:products")).status_code == 200
    client = login(users["alice"])
    response = client.post(
        reverse("sales:product_edit", args=[product.pk]),
        {"code": "DSL-0", "name": "0号柴油", "category": "fuel", "unit": "t", "list_price": "-1", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 400 and "list_price" in response.context["form"].errors


@pytest.mark.parametrize("term", ["zhangwei", "zw", "张伟", "13812345678", "138 1234 5678", "5678"])
def test_it_finds_a_customer_by_pinyin_initials_name_phone_and_last_four(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any, term: str
) -> None:
    response = login(users["bob"]).get(
        reverse("customers:list"), {"q": term}, HTTP_HX_REQUEST="true"
    )
    assert response.templates[0].name == "customers/_table.html"
    assert [c.pk for c in response.context["rows"]] == [bob_customer.pk]


def tagged_customers(make_customer: Callable[..., Any], n: int) -> None:
    tags = [Tag.objects.get_or_create(name=f"标签{i}")[0] for i in range(3)]
    for _ in range(n):
        make_customer("bob").tags.set(tags)


def list_queries(client: Any, django_assert_max_num_queries: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("customers:list")).status_code == 200
    return len(captured)


def test_it_lists_30_tagged_customers_in_as_many_queries_as_3(
    login: Callable[..., Any], users: dict[str, Any], make_customer: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    client = login(users["bob"])
    tagged_customers(make_customer, 3)
    few = list_queries(client, django_assert_max_num_queries)
    tagged_customers(make_customer, 27)
    many = list_queries(client, django_assert_max_num_queries)
    assert few == many
    # session, user, page rows, tags, capped count, industries, regions, owners, tags filter
    assert many == 9


def test_it_builds_the_360_page_in_a_fixed_number_of_queries(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any, product: Any,
    django_assert_num_queries: Any,
) -> None:  # fmt: skip
    from guanxi.sales.actions import record_purchase

    bob = users["bob"]
    for day in range(1, 6):
        when = datetime(2026, 10, day, 10, tzinfo=UTC)
        record_purchase(bob_customer, {"ordered_at": when},
                        [{"product": product, "quantity": 1, "unit_price": 100}], by=bob)  # fmt: skip
    client = login(bob)
    # session, user, customer, tags, view event, contacts, addresses, stages, orders,
    # lines, products, timeline, can_change, value score with class history (analytics),
    # service tickets with their CSAT answers (one query), crises affecting the customer
    # (one query), the import batch it came from (one query, with the right to open it);
    # follow-up tasks and chat transcripts load by htmx after the page
    with django_assert_num_queries(17):
        response = client.get(reverse("customers:detail", args=[bob_customer.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.count == 5 and summary.interval_days == 1.0
