"""Sensitive personal data is encrypted at rest and found through blind indexes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from guanxi.core import crypto


def test_it_round_trips_and_names_the_key() -> None:
    token = crypto.encrypt("13812345678")
    prefix, key_id, _ = token.split(":", 2)
    assert prefix == "gx1" and key_id == crypto.key_ring().active
    assert "13812345678" not in token
    assert crypto.decrypt(token) == "13812345678"


def test_it_uses_a_fresh_nonce_each_time() -> None:
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_it_refuses_a_tampered_ciphertext() -> None:
    token = crypto.encrypt("11010519491231002X")
    body = token.rsplit(":", 1)[1]
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        crypto.decrypt(token.rsplit(":", 1)[0] + ":" + flipped)


def test_raw_sql_shows_no_plaintext(bob_customer: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM customers_customer WHERE id = %s", [bob_customer.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
        cursor.execute("SELECT changes, summary FROM core_event")
        events = " ".join(str(v) for r in cursor.fetchall() for v in r)
    for secret in ("13812345678", "1381234", "11010519491231002X"):
        assert secret not in row
        assert secret not in events
    assert "138****5678" in events  # the event shows the masked value


def test_blind_index_is_keyed_and_stable() -> None:
    assert crypto.blind_index("+8613812345678", "phone") == crypto.blind_index(
        "+8613812345678", "phone"
    )
    assert crypto.blind_index("+8613812345678", "phone") != crypto.blind_index(
        "+8613812345678", "phone4"
    )
