"""`guanxi demo-data` writes realistic, self-consistent data through the fast loader.

Each test generates a small data set (200 customers) on the real test database,
SQLite or PostgreSQL, and checks it the way the application will read it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import phonenumbers
import pytest
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone
from stdnum.cn import ric

from guanxi.core import divisions
from guanxi.core.models import Event, User
from guanxi.customers.models import Address, Contact, Customer
from guanxi.customers.search import phone_indexes, search_q
from guanxi.demo import DEMO_PASSWORD, generate
from guanxi.demo.batches import CHURN_DAYS
from guanxi.demo.templates import TEMPLATES
from guanxi.sales.models import Order, OrderLine

INDUSTRIES = ["energy", "auto", "general"]
CENT = Decimal("0.01")
pytestmark = pytest.mark.django_db(transaction=False)


def run(industry: str, customers: int = 200, seed: int = 7) -> str:
    return generate(industry=industry, customers=customers, seed=seed, workers=0, progress=False)


@pytest.fixture(params=INDUSTRIES)
def industry(request: pytest.FixtureRequest, db: None) -> str:
    run(request.param)
    return str(request.param)


def test_it_writes_what_it_reports_and_records_one_event(industry: str) -> None:
    event = Event.objects.get(verb="demo.generated")
    assert Customer.objects.count() == 200
    assert event.changes["customers"] == [None, 200]
    assert event.changes["orders"] == [None, Order.objects.count()]
    assert event.changes["lines"] == [None, OrderLine.objects.count()]
    assert event.changes["contacts"] == [None, Contact.objects.count()]
    assert Order.objects.count() > 200  # purchase histories, not one order each
    assert Address.objects.filter(is_primary=True).count() == 200


def test_order_totals_equal_the_sum_of_their_lines(industry: str) -> None:
    # Summed in Python: SQLite keeps decimals as REAL, so SUM() in SQL is float.
    totals: dict[int, Decimal] = {}
    for line in OrderLine.objects.all():
        expected = (line.quantity * line.unit_price).quantize(CENT, rounding=ROUND_HALF_EVEN)
        assert line.amount == expected
        totals[line.order_id] = totals.get(line.order_id, Decimal(0)) + line.amount
    orders = dict(Order.objects.values_list("id", "total_amount"))
    assert orders == totals


def test_customer_totals_match_their_orders(industry: str) -> None:
    facts: dict[int, list[Any]] = {}
    for customer_id, total, ordered_at in Order.objects.values_list(
        "customer_id", "total_amount", "ordered_at"
    ):
        fact = facts.setdefault(customer_id, [0, Decimal(0), ordered_at, ordered_at])
        fact[0] += 1
        fact[1] += total
        fact[2], fact[3] = min(fact[2], ordered_at), max(fact[3], ordered_at)
    for customer in Customer.objects.all():
        row = facts.get(customer.pk)
        if row is None:
            assert customer.purchase_count == 0
            assert customer.total_amount == 0
            assert customer.first_purchase_at is None and customer.last_purchase_at is None
            continue
        assert customer.purchase_count == row[0]
        assert customer.total_amount == row[1]
        assert customer.first_purchase_at == row[2]
        assert customer.last_purchase_at == row[3]


def test_value_classes_and_stages_follow_the_purchase_history(industry: str) -> None:
    cutoff = timezone.now() - timedelta(days=CHURN_DAYS + 1)
    recent = timezone.now() - timedelta(days=CHURN_DAYS - 21)
    for customer in Customer.objects.all():
        if customer.purchase_count == 0:
            assert customer.value_class == "general"
            assert customer.stage in ("awareness", "contact")
        elif customer.value_class == "churned":
            assert customer.last_purchase_at < recent
        else:
            assert customer.last_purchase_at > cutoff
            assert customer.stage in ("cooperation", "stable")
    counts = dict(Customer.objects.values_list("value_class").annotate(n=Count("id")))
    assert counts.get("churned", 0) > 0
    assert counts.get("high", 0) > 0
    assert counts.get("high", 0) < 100  # high value is the few, not the many


def test_high_value_customers_are_the_big_spenders(industry: str) -> None:
    high = Customer.objects.filter(value_class="high")
    others = Customer.objects.filter(value_class__in=["general", "potential"], kind="person")
    if high.filter(kind="person").exists() and others.exists():
        high_min = high.filter(kind="person").aggregate(m=Min("total_amount"))["m"]
        others_max = others.aggregate(m=Max("total_amount"))["m"]
        assert high_min >= others_max


def test_id_numbers_are_valid_and_agree_with_address_birth_date_and_gender(industry: str) -> None:
    people = Customer.objects.filter(kind="person")
    assert people.exists()
    for person in people:
        assert ric.is_valid(person.id_number), person.id_number
        assert person.id_number[:6] == person.district_code
        assert person.id_number[6:14] == f"{person.birth_date:%Y%m%d}"
        assert int(person.id_number[16]) % 2 == (1 if person.gender == "M" else 0)
        age = (date.today() - person.birth_date).days // 365
        assert 18 <= age <= 71


def test_addresses_are_real_divisions(industry: str) -> None:
    for customer in Customer.objects.all():
        assert customer.district_code
        assert (
            divisions.check(customer.province_code, customer.city_code, customer.district_code)
            == {}
        )
        assert customer.region.province_prefixes.count(customer.province_code[:2]) == 1
    for address in Address.objects.all():
        assert (
            divisions.check(address.province_code, address.city_code, address.district_code) == {}
        )


def test_phones_decrypt_to_valid_numbers_with_matching_indexes(industry: str) -> None:
    for person in [*Customer.objects.all(), *Contact.objects.all()]:
        number = phonenumbers.parse(person.phone, None)
        assert phonenumbers.is_valid_number(number), person.phone
        assert (person.phone_bidx, person.phone_last4_bidx) == phone_indexes(person.phone)


def test_raw_sql_shows_no_plaintext_phone_or_id_number(industry: str) -> None:
    customer = Customer.objects.filter(kind="person").first()
    assert customer is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number FROM customers_customer WHERE id = %s", [customer.pk]
        )
        phone, id_number = cursor.fetchone()
    assert phone.startswith("gx1:") and id_number.startswith("gx1:")
    assert customer.phone[-8:] not in phone
    assert customer.id_number[6:14] not in id_number


def test_search_finds_a_generated_customer_by_pinyin_initials_and_phone(industry: str) -> None:
    customer = Customer.objects.filter(kind="person").order_by("id").first()
    assert customer is not None
    by_pinyin = Customer.objects.filter(search_q(customer.pinyin[:5]))
    assert customer in by_pinyin
    assert customer in Customer.objects.filter(search_q(customer.initials))
    assert customer in Customer.objects.filter(search_q(customer.phone[-4:]))
    assert customer in Customer.objects.filter(search_q(customer.phone))


def test_organisations_have_company_names_contacts_and_credit_codes(db: None) -> None:
    run("energy")
    orgs = Customer.objects.filter(kind="org")
    assert orgs.exists()
    for org in orgs:
        assert org.name.endswith("公司")
        assert org.contacts.filter(is_primary=True).count() == 1
        assert len(org.credit_code) == 18
    assert Contact.objects.exclude(role="").count() == Contact.objects.count()


def test_energy_buyers_buy_by_the_tonne_and_cubic_metre_with_winter_gas_peaks(db: None) -> None:
    run("energy", customers=400)
    units = set(OrderLine.objects.values_list("product__unit", flat=True))
    assert {"t", "m3", "L"} <= units
    gas = OrderLine.objects.filter(product__code="NG-PIPE")
    winter = gas.filter(order__ordered_at__month__in=[12, 1]).aggregate(n=Count("id"))["n"]
    summer = gas.filter(order__ordered_at__month__in=[6, 7]).aggregate(n=Count("id"))["n"]
    assert winter > summer


def test_car_owners_come_back_for_service_every_five_to_eight_months(db: None) -> None:
    run("auto")
    owner = Customer.objects.filter(kind="person", purchase_count__gte=3).order_by("id").first()
    assert owner is not None
    orders = list(owner.orders.order_by("ordered_at"))
    assert orders[0].lines.filter(product__category="vehicle").exists()
    assert orders[1].lines.filter(product__category="service").exists()
    gap = (orders[2].ordered_at - orders[1].ordered_at).days
    assert 140 <= gap <= 250


def test_the_same_seed_gives_the_same_customers_and_a_second_run_appends(db: None) -> None:
    run("general", customers=50, seed=3)
    first = list(Customer.objects.order_by("id").values_list("name", "pinyin", "total_amount"))
    orders = Order.objects.count()
    run("general", customers=50, seed=3)
    second = list(Customer.objects.order_by("id").values_list("name", "pinyin", "total_amount"))
    assert second[:50] == first
    assert second[50:] == first  # appended with new ids, same content
    assert Order.objects.count() == 2 * orders
    assert Order.objects.values("number").distinct().count() == 2 * orders
    run("general", customers=50, seed=4)
    third = list(Customer.objects.order_by("id").values_list("name", flat=True))
    assert third[100:] != [name for name, _, _ in first]


def test_it_creates_the_demo_staff_and_prints_the_login(db: None) -> None:
    summary = run("general", customers=20)
    assert "http://127.0.0.1:8000/" in summary
    assert f"admin / {DEMO_PASSWORD}" in summary
    admin = User.objects.get(username="admin")
    assert admin.role == "admin" and admin.check_password(DEMO_PASSWORD)
    rep = User.objects.get(username="rep_east_1")
    assert rep.role == "rep" and rep.team is not None and rep.check_password(DEMO_PASSWORD)
    assert set(Customer.objects.values_list("owner__role", flat=True)) == {"rep"}
    for customer in Customer.objects.select_related("owner", "region"):
        assert customer.owner.region_id == customer.region_id
        assert customer.team_id == customer.owner.team_id


def test_every_template_segment_adds_up_to_the_whole() -> None:
    for template in TEMPLATES.values():
        assert abs(sum(s.share for s in template.segments) - 1.0) < 1e-9
        for segment in template.segments:
            assert set(segment.products) <= set(template.product_index)
            assert set(segment.tags) <= set(template.tags)
