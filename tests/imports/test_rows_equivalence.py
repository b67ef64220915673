"""The fast row check and CustomerForm agree: the fast path never accepts a row the form
refuses, and cleans every row it accepts to the form's values."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from guanxi.customers.imports import rows
from guanxi.customers.imports.rows import Context, customer_input, fast_customer, form_customer

HEADER = ["名称", "类型", "手机", "身份证号", "统一社会信用代码", "邮箱", "性别", "出生日期",
          "省份", "城市", "区县", "员工人数", "年营业额", "微信", "行业"]  # fmt: skip
GOOD = [
    ["张伟", "", "13800138000", "", "", "zw@qq.com", "男", "", "广东", "深圳", "南山区", "", "", "", ""],
    ["李娜", "个人", "138 0013 8001", "11010519491231002X", "", "", "", "", "北京", "", "", "", "", "", ""],
    ["华能石化有限公司", "", "010-12345678", "", "91350100M000100Y43", "", "", "", "", "", "", "120", "1,234.50", "hn", ""],
    ["王芳", "", "+8613900000000", "", "", "", "女", "1990/3/4", "浙江", "杭州", "西湖", "", "", "", ""],
    ["陈杰", "c", "", "", "", "", "", "19800101", "", "", "", "", "", "", ""],
]  # fmt: skip
BAD = [
    ["", "", "13800138000", "", "", "", "", "", "", "", "", "", "", "", ""],  # no name
    ["张伟", "", "12345", "", "", "", "", "", "", "", "", "", "", "", ""],  # bad phone
    ["张伟", "", "10000000000", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["张伟", "", "", "110105194912310021", "", "", "", "", "", "", "", "", "", "", ""],  # checksum
    ["张伟", "", "", "11010519491231002X", "", "", "女", "1950-01-01", "", "", "", "", "", "", ""],
    ["张伟", "", "", "11010519491231002X", "", "", "男", "", "", "", "", "", "", "", ""],  # sex
    ["张伟", "org", "", "11010519491231002X", "", "", "", "", "", "", "", "", "", "", ""],
    ["张伟", "person", "", "", "91350100M000100Y43", "", "", "", "", "", "", "", "", "", ""],
    ["公司", "org", "", "", "91350100M000100Y44", "", "", "", "", "", "", "", "", "", ""],
    ["张伟", "", "", "", "", "not-an-email", "", "", "", "", "", "", "", "", ""],
    ["张伟", "", "", "", "", "", "X", "", "", "", "", "", "", "", ""],  # gender
    ["张伟", "", "", "", "", "", "", "2999-01-01", "", "", "", "", "", "", ""],  # future
    ["张伟", "", "", "", "", "", "", "2020-02-30", "", "", "", "", "", "", ""],
    ["张伟", "", "", "", "", "", "", "yesterday", "", "", "", "", "", "", ""],
    ["张伟", "", "", "", "", "", "", "", "火星", "", "", "", "", "", ""],  # province
    ["张伟", "", "", "", "", "", "", "", "广东", "杭州", "", "", "", "", ""],  # city elsewhere
    ["张伟", "", "", "", "", "", "", "", "", "深圳", "", "", "", "", ""],  # city, no province
    ["张伟", "", "", "", "", "", "", "", "", "", "", "-3", "", "", ""],  # employees
    ["张伟", "", "", "", "", "", "", "", "", "", "", "1.5", "", "", ""],
    ["张伟", "", "", "", "", "", "", "", "", "", "", "", "-1", "", ""],  # revenue
    ["张伟", "", "", "", "", "", "", "", "", "", "", "", "1.234", "", ""],
    ["张伟", "", "", "", "", "", "", "", "", "", "", "", "123456789012345", "", ""],
    ["张伟", "", "", "", "", "", "", "", "", "", "", "", "", "w" * 65, ""],  # wechat length
    ["张" * 129, "", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # name length
    ["张\x00伟", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["张伟", "", "", "", "", "", "", "", "", "", "", "", "", "", "没有这个行业"],
    ["张伟", "团体", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # kind
]  # fmt: skip


@pytest.fixture
def ctx(db: None) -> Context:
    return Context.load("public", timezone.now())


def _data(cells: list[str], ctx: Context) -> dict[str, Any]:
    return customer_input(cells, {f: i for i, f in enumerate(FIELDS)}, ctx)


FIELDS = ["name", "kind", "phone", "id_number", "credit_code", "email", "gender", "birth_date",
          "province", "city", "district", "employees", "annual_revenue", "wechat_id", "industry"]  # fmt: skip


@pytest.mark.parametrize("cells", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_the_fast_path_refuses_every_row_the_form_refuses(cells: list[str], ctx: Context) -> None:
    data = _data(cells, ctx)
    cleaned, error = form_customer(data)
    assert cleaned is None and error
    assert fast_customer(data, ctx) is None
    # and the import reports the form's own message
    assert rows.validate_customer(data, ctx) == (None, error)


@pytest.mark.parametrize("cells", GOOD, ids=[f"good{i}" for i in range(len(GOOD))])
def test_rows_the_form_accepts_clean_to_the_same_values_on_both_paths(
    cells: list[str], ctx: Context
) -> None:
    data = _data(cells, ctx)
    by_form, error = form_customer(data)
    assert by_form is not None, error
    fast = fast_customer(data, ctx)
    if fast is not None:  # the fast path may defer, never disagree
        assert fast == {k: by_form[k] for k in fast}
        assert set(fast) == set(by_form)


def test_the_mobile_cache_agrees_with_phonenumbers_on_random_numbers(ctx: Context) -> None:
    import random

    from django.core.exceptions import ValidationError

    from guanxi.core.validators import normalize_phone

    rng = random.Random(5)
    for _ in range(3000):
        number = "1" + "".join(rng.choice("0123456789") for _ in range(10))
        try:
            expected: str | None = normalize_phone(number)
        except ValidationError:
            expected = None
        try:
            got: str | None = rows._fast_phone(number, ctx.phone_region)
        except ValidationError:
            got = None
        assert got == expected, number


def test_dates_people_write_become_iso() -> None:
    assert rows.normal_date("2020/1/2") == "2020-01-02"
    assert rows.normal_date("2020年1月2日") == "2020-01-02"
    assert rows.normal_date("20200102") == "2020-01-02"
    assert date.fromisoformat(rows.normal_date("1990.12.31")) == date(1990, 12, 31)


def test_a_clean_row_takes_the_fast_path(ctx: Context) -> None:
    for cells in (GOOD[0], GOOD[3]):
        assert fast_customer(_data(cells, ctx), ctx) is not None


EMAILS = [
    "zw@qq.com", "a.b+c@163.com", "ZW@QQ.COM", "x@localhost", "x@[127.0.0.1]", "x@[::1]",
    "x@[999.1.1.1]", "not-an-email", "@qq.com", "x@", "x@qq", "x@-qq.com", "x@qq..com",
    '"quoted name"@qq.com', "a b@qq.com", "x@qq.com.", "x@xn--fiqs8s.cn", "x@例子.中国",
    "a" * 65 + "@qq.com", "x@" + "a" * 64 + ".com", "x@@qq.com", "x@qq.c0m", "x@qq.com\n",
]  # fmt: skip


def test_the_eager_email_check_agrees_with_djangos_validator() -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    def verdict(check: Any, value: str) -> bool:
        try:
            check(value)
        except ValidationError:
            return False
        return True

    for _round in range(2):  # the second round answers from the domain cache
        for value in EMAILS:
            assert verdict(rows._validate_email, value) == verdict(validate_email, value), value
