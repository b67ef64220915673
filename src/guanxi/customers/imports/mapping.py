"""Which column holds which field: guesses from Chinese and English headers.

A mapping is {field: header text}; it is saved by header text (not position) so
a saved mapping still fits a file whose columns were reordered.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from guanxi.core import divisions

# field → header spellings, most specific first. Matching ignores case, spaces,
# punctuation and a trailing "*" (required-field marks in templates).
CUSTOMER_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("客户名称", "公司名称", "企业名称", "单位名称", "姓名", "名称", "客户",
             "customername", "companyname", "fullname", "name", "customer", "company"),
    "kind": ("客户类型", "类型", "kind", "type", "customertype"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "移动电话",
              "mobilephone", "phonenumber", "cellphone", "phone", "mobile", "tel", "telephone"),
    "id_number": ("身份证", "身份证号", "身份证号码", "证件号码", "idnumber", "idcard", "id_no"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "creditcode", "uscc"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"),
    "wechat_id": ("微信", "微信号", "wechat", "wechatid", "weixin"),
    "industry": ("行业", "所属行业", "industry"),
    "gender": ("性别", "gender", "sex"),
    "birth_date": ("出生日期", "生日", "birthdate", "birthday", "dateofbirth", "dob"),
    "occupation": ("职业", "occupation", "job"),
    "employees": ("员工人数", "人数", "employees", "staff"),
    "annual_revenue": ("年营业额", "年营业额（万元）", "营业额", "revenue", "annualrevenue"),
    "energy_consumption": ("年能源消耗量", "能耗", "energy", "energyconsumption"),
    "energy_unit": ("能耗单位", "energyunit"),
    "province": ("省", "省份", "省市", "province"),
    "city": ("市", "城市", "地级市", "city"),
    "district": ("区", "区县", "县", "县区", "district", "county"),
    "address": ("地址", "详细地址", "通讯地址", "联系地址", "address", "street"),
    "postal_code": ("邮编", "邮政编码", "postalcode", "postcode", "zip", "zipcode"),
    "value_class": ("价值分类", "客户价值", "valueclass"),
    "stage": ("关系阶段", "阶段", "stage"),
    "preferences": ("消费偏好", "偏好", "preferences"),
    "notes": ("备注", "说明", "notes", "note", "remark", "remarks", "comment"),
    "collected_at": ("采集时间", "采集日期", "collectedat"),
}  # fmt: skip

# Contacts and purchases name their customer by one unique key (references.py):
# its id (客户编号, as in the customer page's address), credit code or phone.
CUSTOMER_REF_HEADERS: dict[str, tuple[str, ...]] = {
    "customer_id": ("客户编号", "客户编码", "客户代码", "客户id", "customerid", "customercode",
                    "customerno"),
    "customer_credit_code": ("统一社会信用代码", "客户信用代码", "信用代码", "creditcode", "uscc"),
    "customer_phone": ("客户手机", "客户电话", "客户手机号", "customerphone"),
}  # fmt: skip
CONTACT_HEADERS: dict[str, tuple[str, ...]] = {
    **CUSTOMER_REF_HEADERS,
    "name": ("联系人", "联系人姓名", "姓名", "name", "contact", "contactname"),
    "role": ("角色", "联系人角色", "role"),
    "title": ("职务", "职位", "title", "position", "jobtitle"),
    "gender": CUSTOMER_HEADERS["gender"],
    "birth_date": CUSTOMER_HEADERS["birth_date"],
    "phone": ("手机", "手机号", "电话", "联系电话", "联系人电话", "联系人手机", "phone", "mobile",
              "tel"),
    "email": CUSTOMER_HEADERS["email"],
    "wechat_id": CUSTOMER_HEADERS["wechat_id"],
    "is_primary": ("主要联系人", "是否主要联系人", "primary", "isprimary"),
    "notes": CUSTOMER_HEADERS["notes"],
}  # fmt: skip
PURCHASE_HEADERS: dict[str, tuple[str, ...]] = {
    **CUSTOMER_REF_HEADERS,
    "number": ("订单号", "订单编号", "单号", "ordernumber", "orderno", "orderid", "number"),
    "ordered_at": ("下单时间", "下单日期", "购买日期", "购买时间", "订单日期", "日期", "orderedat",
                   "orderdate", "date"),
    "product": ("产品编码", "产品编号", "商品编码", "商品编号", "产品", "商品", "产品名称",
                "商品名称", "sku", "productcode", "product"),
    "quantity": ("数量", "购买数量", "quantity", "qty"),
    "unit": ("单位", "计量单位", "unit"),
    "unit_price": ("单价", "价格", "unitprice", "price"),
    "amount": ("金额", "总价", "小计", "amount", "total", "lineamount"),
    "channel": ("渠道", "购买渠道", "销售渠道", "channel"),
    "notes": CUSTOMER_HEADERS["notes"],
}  # fmt: skip
HEADERS = {
    "customers": CUSTOMER_HEADERS,
    "contacts": CONTACT_HEADERS,
    "purchases": PURCHASE_HEADERS,
}

_PUNCT = re.compile(r"[\s_\-*.:：()（）/\\]+")


def header_key(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def guess_mapping(kind: str, header: list[str]) -> dict[str, str]:
    """{field: header text} for every field a header names; each column used once."""
    keys = [header_key(h) for h in header]
    mapping: dict[str, str] = {}
    used: set[int] = set()
    # Exact spellings first across all fields, so 姓名 is not taken by 名称's looser match.
    for field, spellings in HEADERS[kind].items():
        for spelling in spellings:
            key = header_key(spelling)
            if key in keys and keys.index(key) not in used:
                mapping[field] = header[keys.index(key)]
                used.add(keys.index(key))
                break
    return mapping


def column_indexes(mapping: dict[str, str], header: list[str]) -> dict[str, int]:
    """Field → column position; raises KeyError naming a mapped header the file lacks."""
    positions = {h: i for i, h in enumerate(header)}
    found: dict[str, int] = {}
    for field, column in mapping.items():
        if not column:
            continue
        if column not in positions:
            raise KeyError(column)
        found[field] = positions[column]
    return found


# ---- place names → GB/T 2260 codes -------------------------------------------------

_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
             "省", "市", "地区", "盟", "区", "县")  # fmt: skip


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@cache
def _province_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, name in divisions.provinces():
        index[name] = index[_short(name)] = index[code] = code
    return index


@cache
def _child_index(parent: str, level: str) -> dict[str, str]:
    children = divisions.cities(parent) if level == "city" else divisions.districts(parent)
    index: dict[str, str] = {}
    for code, name in children:
        index[code] = code
        index.setdefault(name, code)
        index.setdefault(_short(name), code)
    return index


def province_code(text: str) -> str:
    """'广东', '广东省' or '440000' → '440000'; unknown text is returned unchanged,
    so the division check reports it in the user's own words."""
    text = text.strip()
    return _province_index().get(text, text) if text else ""


def city_code(province: str, text: str) -> str:
    text = text.strip()
    if not text or not province.isdigit():
        return text
    if province in divisions.MUNICIPALITIES and text in (
        divisions.name_of(province),
        _short(divisions.name_of(province)),
        province,
    ):
        return province
    return _child_index(province, "city").get(text, text)


def district_code(province: str, city: str, text: str) -> str:
    text = text.strip()
    if not text or not province.isdigit():
        return text
    parent = city if city.isdigit() else province
    found = _child_index(parent, "district").get(text)
    if found is None and parent != province:
        found = _child_index(province, "district").get(text)
    return found or text
