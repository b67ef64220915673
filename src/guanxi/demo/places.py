"""Where demo customers are: real province/city/district codes from GB/T 2260.

Every address is drawn from `guanxi.core.divisions`, so it passes the same
`divisions.check` the forms use, and an individual's ID number starts with the
code of the district they live in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from stdnum import numdb

from guanxi.core import divisions

# Rough population in millions (2020 census), so Guangdong and Shandong get
# many customers and Tibet few. Taiwan, Hong Kong and Macau are left out: no
# sales region covers them and their residents do not hold these ID numbers.
PROVINCE_WEIGHTS = {
    "110000": 22, "120000": 14, "130000": 75, "140000": 35, "150000": 24,
    "210000": 43, "220000": 24, "230000": 32, "310000": 25, "320000": 85,
    "330000": 65, "340000": 61, "350000": 42, "360000": 45, "370000": 102,
    "410000": 99, "420000": 58, "430000": 66, "440000": 127, "450000": 50,
    "460000": 10, "500000": 32, "510000": 84, "520000": 39, "530000": 47,
    "540000": 4, "610000": 40, "620000": 25, "630000": 6, "640000": 7, "650000": 26,
}  # fmt: skip

# Area codes of the cities whose organisations get a landline rather than a mobile.
AREA_CODES = {
    "110000": "10", "120000": "22", "310000": "21", "500000": "23", "440100": "20",
    "440300": "755", "320100": "25", "320500": "512", "330100": "571", "370100": "531",
    "370200": "532", "420100": "27", "510100": "28", "610100": "29", "210100": "24",
    "210200": "411", "230100": "451", "220100": "431", "410100": "371", "430100": "731",
    "350100": "591", "340100": "551", "360100": "791", "130100": "311",
    "530100": "871", "520100": "851",
}  # fmt: skip

ROADS = (
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "胜利路", "长江路", "黄河路",
    "文化路", "光明路", "工业大道", "开发区大道", "滨河路", "东风路", "朝阳路", "迎宾大道",
    "科技路", "高新大道", "幸福路", "青年路", "南京路", "北京路", "环城路",
)  # fmt: skip
BUILDINGS = ("大厦", "中心", "广场", "产业园", "工业园", "物流园", "商务楼")
PROVINCE_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市",
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    district: str
    short_name: str  # 苏州 / 山东, what goes in front of a company name


def _short_name(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@cache
def _cities_by_province() -> dict[str, list[tuple[str, list[str]]]]:
    """Province → [(city, [district, …])], keeping only cities that have districts."""
    result: dict[str, list[tuple[str, list[str]]]] = {}
    for province in PROVINCE_WEIGHTS:
        entries = []
        for city, _name in divisions.cities(province):
            codes = [code for code, _ in divisions.districts(city)]
            if codes:
                entries.append((city, codes))
        result[province] = entries
    return result


@cache
def birth_years(district: str) -> tuple[tuple[int, int], ...]:
    """Year ranges in which an ID number could be issued with this district code.

    The ID validator (python-stdnum) checks the code against the years the county
    existed under it (some codes were retired and reused), so an individual's
    birth year has to fall in one of these ranges.
    """
    info = {
        key: value
        for _part, props in numdb.get("cn/loc").info(district)
        for key, value in props.items()
    }
    ranges = []
    for county in info.get("county", "").split(",") if "county" in info else ():
        if not county.startswith("["):
            return ((1900, 2100),)
        start, end = county[1:].split("]")[0].split("-")
        ranges.append((int(start or 1900), int(end or 2100)))
    return tuple(ranges)


_PROVINCES = tuple(PROVINCE_WEIGHTS)
_CUM_WEIGHTS: tuple[float, ...] = tuple(
    sum(list(PROVINCE_WEIGHTS.values())[: i + 1]) for i in range(len(PROVINCE_WEIGHTS))
)


def random_place(rng: random.Random) -> Place:
    province = rng.choices(_PROVINCES, cum_weights=_CUM_WEIGHTS)[0]
    city, districts = rng.choice(_cities_by_province()[province])
    district = rng.choice(districts)
    return Place(province, city, district, place_short_name(rng, province, city))


def place_short_name(rng: random.Random, province: str, city: str) -> str:
    """Mostly the city (苏州), sometimes the province (山东), as company names do."""
    city_name = divisions.name_of(city)
    if city != province and city_name.endswith("市") and rng.random() < 0.75:
        return city_name[:-1]
    return _short_name(divisions.name_of(province), PROVINCE_SUFFIXES)


def street_address(rng: random.Random, organization: bool) -> str:
    road = rng.choice(ROADS)
    number = rng.randint(1, 999)
    if organization:
        return f"{road}{number}号{rng.choice(BUILDINGS)}{rng.randint(1, 28)}层"
    return (
        f"{road}{number}号{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(101, 2806)}室"
    )
