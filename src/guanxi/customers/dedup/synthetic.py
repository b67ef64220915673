"""A labelled Chinese test set: customers and their messy duplicates.

Each entity gets one clean record and 0–3 duplicates, each corrupted the way
Chinese CRM data goes wrong: a typo or a homophone (同音字) in the name,
traditional characters (繁体), the romanised name with the given name first (Wei
Zhang) or the family name first (Zhang Wei), company suffix and bracket variants,
phones written five ways, dates written four ways, addresses abbreviated (without
the city, without 号, or without the administrative suffixes: 北京朝阳建国路12号),
fields left blank. Names come from a small pool so
that many different people share a name (张伟 is common for real). Used by
bench/dedup_chinese.py and the accuracy test.
"""

from __future__ import annotations

import random
from collections import defaultdict
from functools import cache

import zhconv
from pypinyin import Style, lazy_pinyin

from guanxi.demo.names import BRAND_CHARS, FEMALE_GIVEN, MALE_GIVEN, SURNAMES

COLUMNS = ["rec_id", "entity", "name", "company", "gender", "birth_date", "phone", "id_number",
           "email", "division", "address"]  # fmt: skip
ROADS = ["建国路", "人民路", "解放路", "中山路", "长安街", "淮海路", "南京路", "和平路"]
DISTRICTS = [("北京市", "朝阳区"), ("北京市", "海淀区"), ("上海市", "浦东新区"), ("广州市", "天河区"),
             ("深圳市", "南山区"), ("杭州市", "西湖区"), ("成都市", "武侯区"), ("武汉市", "洪山区")]  # fmt: skip
DISTRICT_CODES = {"朝阳区": "110105", "海淀区": "110108", "浦东新区": "310115", "天河区": "440106",
                  "南山区": "440305", "西湖区": "330106", "武侯区": "510107", "洪山区": "420111"}  # fmt: skip
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]
TRADES = ["科技", "贸易", "能源", "机械", "物流", "建材"]


@cache
def _homophones() -> dict[str, list[str]]:
    pool = SURNAMES + "".join(MALE_GIVEN) + FEMALE_GIVEN + BRAND_CHARS + "伟玮韦卫维薇微娜纳静晶敬"
    by_sound: dict[str, list[str]] = defaultdict(list)
    for ch in dict.fromkeys(pool):
        by_sound[lazy_pinyin(ch, style=Style.NORMAL)[0]].append(ch)
    return {ch: [o for o in group if o != ch] for group in by_sound.values() for ch in group}


def _typo(rng: random.Random, text: str, pool: str) -> str:
    if len(text) < 2:
        return text
    k = rng.randrange(1, len(text))
    return text[:k] + rng.choice(pool) + text[k + 1 :]


def _homophone(rng: random.Random, text: str) -> str:
    table = _homophones()
    spots = [k for k, ch in enumerate(text) if table.get(ch)]
    if not spots:
        return text
    k = rng.choice(spots)
    return text[:k] + rng.choice(table[text[k]]) + text[k + 1 :]


def _romanised(name: str, western: bool = True) -> str:
    """张伟 → "Wei Zhang" (given name first, as on a foreign form) or "Zhang Wei"."""
    family, given = name[0], name[1:]
    family_py, given_py = ("".join(lazy_pinyin(part)).title() for part in (family, given))
    return f"{given_py} {family_py}" if western else f"{family_py} {given_py}"


# Administrative suffixes people leave out: 北京市朝阳区 → 北京朝阳, 浦东新区 → 浦东.
_PLACE_SUFFIXES = ("新区", "市", "区", "县")


def _abbreviated_address(rng: random.Random, address: str) -> str:
    """The address as people shorten it: without the city, without 号, or without the
    administrative suffixes of its city and district."""
    city_end = address.index("市") + 1
    city, rest = address[:city_end], address[city_end:]
    district_end = next(rest.index(s) + len(s) for s in ("新区", "区", "县") if s in rest)
    district, street = rest[:district_end], rest[district_end:]

    def bare(place: str) -> str:
        return next((place.removesuffix(s) for s in _PLACE_SUFFIXES if place.endswith(s)), place)

    return rng.choice([rest, address.replace("号", ""), f"{bare(city)}{bare(district)}{street}"])


def _phone_format(rng: random.Random, phone: str) -> str:
    return rng.choice([
        phone, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        f"0086{phone}", f"86-{phone}",
    ])  # fmt: skip


def _date_format(rng: random.Random, d: str) -> str:
    y, m, dd = d[:4], d[4:6], d[6:]
    return rng.choice(
        [f"{y}-{m}-{dd}", f"{y}/{int(m)}/{int(dd)}", d, f"{y}年{int(m)}月{int(dd)}日"]
    )


def _entity(rng: random.Random, k: int) -> dict[str, str]:
    is_company = rng.random() < 0.3
    given_pool = rng.choice([MALE_GIVEN, FEMALE_GIVEN])
    given = "".join(rng.choice(given_pool) for _ in range(rng.choice([1, 1, 2])))
    city, district = rng.choice(DISTRICTS)
    year = rng.randint(1950, 2004)
    birth = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    phone = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
    company = ""
    if is_company:
        brand = "".join(rng.choice(BRAND_CHARS) for _ in range(2))
        company = f"{city[:-1]}{brand}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
    gender = "" if is_company else ("M" if given_pool is MALE_GIVEN else "F")
    mail = (
        f"{''.join(lazy_pinyin(given))}{rng.randint(1, 999)}@example.com"
        if rng.random() < 0.3
        else ""
    )
    return {
        "entity": f"e{k}",
        "gender": gender,
        "email": mail,
        "division": DISTRICT_CODES[district],
        "name": rng.choice(SURNAMES[:20]) + given if not is_company else "",
        "company": company,
        "birth_date": birth if not is_company else "",
        "phone": phone,
        "id_number": f"{rng.randint(110000, 659999)}{birth}{rng.randint(0, 9999):04d}"
        if not is_company and rng.random() < 0.5
        else "",
        "address": f"{city}{district}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
    }


def _duplicate(rng: random.Random, rec: dict[str, str]) -> dict[str, str]:
    dup = dict(rec)
    if dup["name"]:
        change = rng.choice(
            ["typo", "homophone", "traditional", "romanised", "romanised_swapped", "none"]
        )
        if change == "typo":
            dup["name"] = _typo(rng, dup["name"], FEMALE_GIVEN + "".join(MALE_GIVEN))
        elif change == "homophone":
            dup["name"] = _homophone(rng, dup["name"])
        elif change == "traditional":
            dup["name"] = zhconv.convert(dup["name"], "zh-hant")
        elif change == "romanised":
            dup["name"] = _romanised(dup["name"])
        elif change == "romanised_swapped":  # family name first, as in Chinese order
            dup["name"] = _romanised(dup["name"], western=False)
    if dup["company"]:
        core = dup["company"]
        for suffix in SUFFIXES:
            core = core.removesuffix(suffix)
        city = core[:2]
        dup["company"] = rng.choice([
            f"{core}{rng.choice(SUFFIXES)}", f"{core[2:]}（{city}）{rng.choice(SUFFIXES)}",
            f"{core[2:]}{rng.choice(['集团', '公司', '有限公司'])}", zhconv.convert(dup["company"], "zh-hant"),
        ])  # fmt: skip
    if dup["birth_date"]:
        dup["birth_date"] = _date_format(rng, dup["birth_date"]) if rng.random() < 0.9 else ""
    if rng.random() < 0.1:
        dup["phone"] = _typo(rng, dup["phone"], "0123456789")
    elif rng.random() < 0.15:
        dup["phone"] = ""
    else:
        dup["phone"] = _phone_format(rng, dup["phone"])
    if dup["id_number"] and rng.random() < 0.4:
        dup["id_number"] = ""
    if dup["email"]:
        dup["email"] = rng.choice([dup["email"], dup["email"].upper(), ""])
    if rng.random() < 0.2:
        dup["division"] = rng.choice(["", dup["division"][:4] + "00"])
    if rng.random() < 0.1:
        dup["gender"] = ""
    if rng.random() < 0.5:
        dup["address"] = _abbreviated_address(rng, dup["address"])
    return dup


def generate(entities: int, *, seed: int = 1) -> list[dict[str, str]]:
    """Records with `entity` labels: about 40% of entities have duplicates."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for k in range(entities):
        rec = _entity(rng, k)
        rows.append(rec)
        copies = rng.choices([0, 1, 2, 3], weights=[60, 28, 9, 3])[0]
        rows.extend(_duplicate(rng, rec) for _ in range(copies))
    rng.shuffle(rows)
    for k, row in enumerate(rows):
        row["rec_id"] = f"r{k}"
    return rows
