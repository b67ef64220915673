"""Guess what each column of an arbitrary file of people holds, from its header."""

from __future__ import annotations

import re
from collections.abc import Iterable

# role → header words (English, pinyin-free Chinese); the first role whose word
# appears in a header wins, so more specific roles come first.
ROLE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("credit_code", ("credit_code", "信用代码", "uscc")),
    ("id_number", ("soc_sec", "ssn", "id_number", "idno", "身份证", "证件号")),
    ("birth_date", ("date_of_birth", "dob", "birth", "出生", "生日")),
    ("given_name", ("given_name", "first_name", "firstname", "forename", "名字")),
    ("family_name", ("surname", "last_name", "lastname", "family_name", "姓氏")),
    ("org_name", ("company", "organisation", "organization", "企业", "公司", "单位")),
    ("full_name", ("full_name", "name", "姓名", "客户名称", "名称", "客户")),
    ("phone", ("phone", "mobile", "tel", "手机", "电话")),
    ("email", ("email", "e-mail", "mail", "邮箱")),
    ("street_number", ("street_number", "house_number", "门牌")),
    ("address2", ("address_2", "address2", "address_line_2")),
    ("address", ("address_1", "address", "street", "地址")),
    ("postcode", ("postcode", "postal", "zip", "邮编")),
    ("locality", ("suburb", "city", "town", "locality", "城市", "区县")),
    ("state", ("state", "province", "省")),
    ("division", ("district_code", "division", "区划")),
    ("gender", ("gender", "sex", "性别")),
]


def _plain(header: str) -> str:
    return re.sub(r"\s+", "_", header.strip().lower())


def guess_roles(headers: Iterable[str], *, skip: Iterable[str] = ()) -> dict[str, str]:
    """{role: header} for the headers we recognise; each role and header used once."""
    skipped = set(skip)
    roles: dict[str, str] = {}
    for header in headers:
        if header in skipped:
            continue
        plain = _plain(header)
        for role, words in ROLE_WORDS:
            if role not in roles and any(word in plain for word in words):
                roles[role] = header
                break
    return roles
