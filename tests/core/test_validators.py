"""Chinese phone numbers, ID numbers and administrative divisions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guanxi.core import divisions
from guanxi.core.validators import (
    display_phone,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("010-62345678", "+861062345678"),
        ("021 6321 1234", "+862163211234"),
    ],
)
def test_it_normalises_the_ways_people_write_chinese_numbers(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "1381234567", "abc", "99912345678"])
def test_it_rejects_invalid_phones(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert info.value.code == "invalid_phone"


def test_it_displays_and_masks_mobiles_the_chinese_way() -> None:
    assert display_phone("+8613812345678") == "138 1234 5678"
    assert mask_phone("+8613812345678") == "138****5678"


def test_it_accepts_a_valid_id_number_and_rejects_a_bad_check_digit() -> None:
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError) as info:
        normalize_id_number("110105194912310021")
    assert info.value.code == "invalid_id"
    with pytest.raises(ValidationError):
        normalize_id_number("1101051949123100")


def test_masks_keep_only_what_chinese_conventions_show() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_name("张三丰") == "张**"


def test_divisions_come_from_the_package_and_check_consistency() -> None:
    assert ("440000", "广东省") in divisions.provinces()
    assert ("440300", "深圳市") in divisions.cities("440000")
    assert divisions.check("440000", "440300", "440305") == {}
    assert divisions.check("110000", "110000", "110105") == {}  # municipality
    assert "province" in divisions.check("990000", "", "")
    assert "city" in divisions.check("440000", "310100", "")
    assert "district" in divisions.check("440000", "440300", "440106")  # 天河区 is in 广州
    assert divisions.full_name("110000", "110000", "110105") == "北京市朝阳区"


def test_it_accepts_a_district_that_python_stdnum_does_not_know() -> None:
    # 330113 临平区 (2021) makes python-stdnum raise KeyError; GB/T 2260 knows it.
    assert normalize_id_number("330113202201011232") == "330113202201011232"


@pytest.mark.parametrize("raw", ["990113202201011239", "11010520991231002X", "11010519491331002X"])
def test_it_rejects_an_unknown_place_or_impossible_birth_date(raw: str) -> None:
    from stdnum.cn import ric

    fixed = raw[:-1] + ric.calc_check_digit(raw)  # right check digit, wrong content
    with pytest.raises(ValidationError) as info:
        normalize_id_number(fixed)
    assert info.value.code == "invalid_id"
