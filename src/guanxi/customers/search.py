"""Customer search: name, pinyin or initials of a Chinese name, phone or its last four digits.

Everything is an index lookup so it stays fast at millions of rows:
- names, pinyin and initials are matched by prefix, as a range scan on SQLite
  (binary collation, so code-point order) and as LIKE on PostgreSQL backed by
  varchar_pattern_ops indexes (migration 0002);
- phones are encrypted, so they are matched through HMAC blind indexes of the
  full E.164 number and of its last four digits.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from pypinyin import Style, lazy_pinyin

from guanxi.core import crypto
from guanxi.core.validators import normalize_phone, phone_digits

_NON_KEY = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


@lru_cache(maxsize=65536)
def _char_pinyin(char: str) -> tuple[str, str]:
    syllable = lazy_pinyin(char, style=Style.NORMAL, errors="default")[0].lower()
    return syllable, syllable[:1]


def pinyin_keys(name: str) -> tuple[str, str]:
    """('zhangsanfeng', 'zsf') for 张三丰; latin letters and digits pass through.

    Conversion is per character with a cache, which is what makes bulk loads of
    millions of names affordable; it loses pypinyin's phrase-level polyphone
    choice, which matters little for personal and company names.
    """
    text = unicodedata.normalize("NFKC", name).lower()
    full: list[str] = []
    initials: list[str] = []
    word = ""
    for char in text:
        if "\u3400" <= char <= "\u9fff":
            if word:
                full.append(word)
                initials.append(word[0])
                word = ""
            syllable, initial = _char_pinyin(char)
            full.append(syllable)
            initials.append(initial)
        elif char.isascii() and char.isalnum():
            word += char
        elif word:
            full.append(word)
            initials.append(word[0])
            word = ""
    if word:
        full.append(word)
        initials.append(word[0])
    return "".join(full)[:255], "".join(initials)[:64]


def phone_indexes(e164: str) -> tuple[str, str]:
    """Blind indexes for exact and last-four lookup of a normalised phone."""
    if not e164:
        return "", ""
    return crypto.blind_index(e164, "phone"), crypto.blind_index(phone_digits(e164)[-4:], "phone4")


def prefix_q(field: str, prefix: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


# Customers found through a contact are looked up first and passed as a list:
# `pk IN (subquery)` inside an OR cannot use an index, so both planners fell back
# to walking the sort index and filtering row by row (3.5 s for a phone on
# PostgreSQL at 1M rows); `pk IN (ids)` joins the other branches in one bitmap /
# multi-index OR. A prefix shared by more contacts than this is cut off there.
CONTACT_MATCH_CAP = 1000


def _via_contacts(contacts: QuerySet) -> Q:
    ids = list(
        contacts.order_by().values_list("customer_id", flat=True).distinct()[:CONTACT_MATCH_CAP]
    )
    return Q(pk__in=ids)


def search_q(term: str, contacts: QuerySet | None = None) -> Q | None:
    """A filter for customers matching `term`, or None when the term is empty.

    `contacts` (a Contact queryset) lets a search for a contact's name or phone
    find the organisation they work for.
    """
    term = unicodedata.normalize("NFKC", term or "").strip()
    if not term:
        return None
    digits = re.sub(r"[\s\-()+]", "", term)
    if digits.isdigit():
        if len(digits) == 4:
            key = crypto.blind_index(digits, "phone4")
            q = Q(phone_last4_bidx=key)
            if contacts is not None:
                q |= _via_contacts(contacts.filter(phone_last4_bidx=key))
            return q
        try:
            e164 = normalize_phone(term)
        except ValidationError:
            return Q(pk__in=[])
        key = crypto.blind_index(e164, "phone")
        q = Q(phone_bidx=key)
        if contacts is not None:
            q |= _via_contacts(contacts.filter(phone_bidx=key))
        return q
    lowered = term.lower()
    if lowered.isascii():
        key = _NON_KEY.sub("", lowered)
        if not key:
            return Q(pk__in=[])
        q = prefix_q("pinyin", key) | prefix_q("initials", key) | prefix_q("name", term)
        if contacts is not None:
            q |= _via_contacts(contacts.filter(prefix_q("pinyin", key)))
        return q
    q = prefix_q("name", term)
    if contacts is not None:
        q |= _via_contacts(contacts.filter(prefix_q("name", term)))
    return q
