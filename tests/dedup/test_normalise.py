"""Addresses as people write them compare equal after normalising; different places do not."""

from __future__ import annotations

import pytest

from guanxi.customers.dedup.normalise import address


@pytest.mark.parametrize(
    "written",
    ["北京市朝阳区建国路12号", "朝阳区建国路12号", "北京朝阳建国路12号", "北京市朝阳区建國路12號"],
)
def test_a_beijing_address_with_or_without_its_city_and_suffixes_is_one_place(
    written: str,
) -> None:
    # 朝阳 is also a city (朝阳市, 辽宁): once the whole name went, leaving a stray 区.
    assert address(written) == "朝阳建国路12"


def test_new_districts_and_streets_named_after_places() -> None:
    assert address("上海市浦东新区世纪大道8号") == address("上海浦东世纪大道8号") == "浦东世纪大道8"
    # 南山路 is a road in 杭州, not 深圳's 南山区 shortened.
    assert address("南山路12号") == "南山路12"
    assert address("杭州市西湖区南山路12号") == "西湖南山路12"
    # The same street and number in another district is another place.
    assert address("北京市海淀区建国路12号") != address("北京市朝阳区建国路12号")


def test_english_addresses_are_untouched_by_the_chinese_rules() -> None:
    assert address("12 Nanshan Rd.") == "12 nanshan road"
