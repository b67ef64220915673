"""Every page renders for a user who may see it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_it_renders_the_main_pages_for_bob(
    login: Any, users: dict[str, Any], bob_customer: Any, product: Any
) -> None:
    client = login(users["bob"])
    pk = bob_customer.pk
    for url in [
        reverse("customers:list"),
        reverse("customers:detail", args=[pk]),
        reverse("customers:edit", args=[pk]),
        reverse("customers:create") + "?kind=org",
        reverse("customers:create") + "?kind=person",
        reverse("customers:contact_add", args=[pk]),
        reverse("customers:address_add", args=[pk]),
        reverse("customers:purchase_add", args=[pk]),
        reverse("sales:products"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
