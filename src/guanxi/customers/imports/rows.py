"""One file row → validated customer values, by the same rules as CustomerForm.

Two steps: `customer_input` turns the cells into exactly what a user would have
typed into the form (Chinese spellings of choices, place names → codes, dates
→ ISO), then `validate_customer` checks it. Running a Django form costs ~0.3 ms
a row, too slow for a million rows, so `fast_customer` checks the common, clean
row with the forms' own normalisers (the same functions the forms call) and
answers None whenever it is not certain; the form then decides and its error
messages are the ones the user sees. tests/imports/test_rows_equivalence.py
feeds the same rows to both and proves the fast path never accepts a row the
form refuses, and cleans accepted rows to the same values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_email
from django.forms import Form
from django.utils import timezone
from stdnum.cn import ric

from guanxi.core import divisions
from guanxi.core.validators import normalize_credit_code, normalize_id_number, normalize_phone
from guanxi.customers.choices import CustomerKind, Gender, SourceChannel, Stage, ValueClass
from guanxi.customers.forms import AddressForm, CustomerForm

from . import mapping

KIND_WORDS = {
    "企业": "org", "企业客户": "org", "公司": "org", "单位": "org", "org": "org",
    "organization": "org", "organisation": "org", "company": "org", "b": "org",
    "个人": "person", "个人客户": "person", "person": "person", "individual": "person",
    "c": "person",
}  # fmt: skip
GENDER_WORDS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F", "未知": ""}
ORG_NAME = re.compile(
    r"(公司|集团|厂|中心|研究院|学院|学校|医院|银行|协会|合作社|事务所|商行|门店|店)$"
)
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOBILE = re.compile(r"^1\d{10}$")
_UINT = re.compile(r"^\d{1,10}$")
_MONEY = re.compile(r"^\d{1,14}(\.\d{1,2})?$")
INT_MAX = 2_147_483_647  # the smaller of the two databases' PositiveIntegerField limits

TEXT_LIMITS = {"occupation": 64, "wechat_id": 64, "energy_unit": 16, "email": 254}
ADDRESS_INPUTS = ("address", "postal_code")


@dataclass
class Context:
    """What every row needs, loaded once per import (no queries per row)."""

    source_channel: str
    collected_at: datetime
    industries: dict[str, int]  # code, name or id text → id
    today: date = field(default_factory=date.today)
    # Read once: a lazy `settings` attribute costs a few µs, on every row's phone.
    phone_region: str = field(default_factory=lambda: settings.PHONENUMBER_DEFAULT_REGION)

    @property
    def industry_ids(self) -> set[int]:
        return set(self.industries.values())

    @classmethod
    def load(cls, source_channel: str, collected_at: datetime) -> Context:
        from guanxi.customers.models import Industry

        industries: dict[str, int] = {}
        for pk, code, name in Industry.objects.values_list("id", "code", "name"):
            industries[str(pk)] = industries[code] = industries[name] = pk
        return cls(source_channel, collected_at, industries)


def normal_date(text: str) -> str:
    """2020/1/2, 2020年1月2日, 20200102 → 2020-01-02; anything else unchanged."""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        y, m, d = match.groups()
        return f"{y}-{int(m):02d}-{int(d):02d}"
    return text


# Choice values, looked up per row: TextChoices.values rebuilds its list on every access.
KIND_VALUES = frozenset(("org", "person"))
SOURCE_VALUES = frozenset(SourceChannel.values)
VALUE_CLASS_VALUES = frozenset(ValueClass.values)
# Plain str values, not the enum members: sqlite3 binds an exact str directly but
# runs a str subclass through its adapter lookup, on every row of a bulk insert.
ORGANIZATION, INDIVIDUAL = CustomerKind.ORGANIZATION.value, CustomerKind.INDIVIDUAL.value
GENERAL, AWARENESS = ValueClass.GENERAL.value, Stage.AWARENESS.value
STAGE_VALUES = frozenset(Stage.values)
_choice_words: dict[tuple[type, str], dict[str, str]] = {}


def _choice(text: str, choices: Any) -> str:
    """A choice's value or its label (in the active language) → the value."""
    if not text:
        return text
    from django.utils.translation import get_language

    key = (choices, get_language() or "")
    words = _choice_words.get(key)
    if words is None:
        words = {str(label): str(value) for value, label in choices.choices}
        words.update({str(value): str(value) for value in choices.values})
        _choice_words[key] = words
    return words.get(text, text)


# Place names and division checks are pure functions of GB/T 2260; a million rows
# name a few thousand distinct places, so both are cached per distinct triple.
PLACE_CACHE_LIMIT = 200_000
_places: dict[tuple[str, str, str], tuple[str, str, str]] = {}
_valid_places: dict[tuple[str, str, str], bool] = {}


def place_codes(province: str, city: str, district: str) -> tuple[str, str, str]:
    """('广东', '深圳', '南山区') → ('440000', '440300', '440305'), as mapping.py maps them."""
    key = (province, city, district)
    found = _places.get(key)
    if found is None:
        p = mapping.province_code(province)
        c = mapping.city_code(p, city)
        found = (p, c, mapping.district_code(p, c, district))
        if len(_places) < PLACE_CACHE_LIMIT:
            _places[key] = found
    return found


def divisions_valid(province: str, city: str, district: str) -> bool:
    """`not divisions.check(…)`, cached: the form's division rule, once per distinct triple."""
    key = (province, city, district)
    known = _valid_places.get(key)
    if known is None:
        known = not divisions.check(province, city, district)
        if len(_valid_places) < PLACE_CACHE_LIMIT:
            _valid_places[key] = known
    return known


def customer_input(cells: list[str], columns: dict[str, int], ctx: Context) -> dict[str, Any]:
    """The CustomerForm data a user would have typed for this row (plus address inputs)."""
    width = len(cells)
    raw = {f: (cells[i].strip() if i < width else "") for f, i in columns.items()}
    get = raw.get
    name = get("name", "")
    kind = get("kind", "")
    if kind:
        kind = KIND_WORDS.get(kind.lower(), kind)
    elif get("credit_code"):
        kind = ORGANIZATION
    elif get("id_number"):
        kind = INDIVIDUAL
    else:
        kind = ORGANIZATION if ORG_NAME.search(name) else INDIVIDUAL
    gender = get("gender", "")
    province, city, district = place_codes(
        get("province", ""), get("city", ""), get("district", "")
    )
    industry = get("industry", "")
    data: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "gender": GENDER_WORDS.get(gender.lower(), gender),
        "birth_date": normal_date(get("birth_date", "")),
        "occupation": get("occupation", ""),
        "id_number": get("id_number", ""),
        "credit_code": get("credit_code", ""),
        "phone": get("phone", ""),
        "email": get("email", ""),
        "wechat_id": get("wechat_id", ""),
        "industry": str(ctx.industries.get(industry, industry)),
        "employees": get("employees", "").replace(",", ""),
        "annual_revenue": get("annual_revenue", "").replace(",", ""),
        "energy_consumption": get("energy_consumption", "").replace(",", ""),
        "energy_unit": get("energy_unit", ""),
        "province_code": province,
        "city_code": city,
        "district_code": district,
        "source_channel": ctx.source_channel,
        "collected_at": get("collected_at") or ctx.collected_at,
        "verified_at": "",
        "value_class": _choice(get("value_class", ""), ValueClass) or GENERAL,
        "stage": _choice(get("stage", ""), Stage) or AWARENESS,
        "preferences": get("preferences", ""),
        "notes": get("notes", ""),
        "address": get("address", ""),
        "postal_code": get("postal_code", ""),
    }
    return data


# ---- the fast path --------------------------------------------------------------

_mobile_prefix_valid: dict[str, bool] = {}


def _mobile_valid(digits: str) -> bool:
    """phonenumbers' validity of an 11-digit CN mobile, cached by its first 7 digits.

    CN mobile patterns fix at most the first seven digits; a prefix is cached only
    after the number itself and the prefix's lowest and highest numbers agree, so
    a pattern that looked further would never be cached wrongly.
    """
    prefix = digits[:7]
    known = _mobile_prefix_valid.get(prefix)
    if known is not None:
        return known
    region = settings.PHONENUMBER_DEFAULT_REGION

    def valid(text: str) -> bool:
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(text, region))
        except phonenumbers.NumberParseException:
            return False

    verdict = valid(digits)
    if valid(prefix + "0000") == verdict == valid(prefix + "9999"):
        _mobile_prefix_valid[prefix] = verdict
    return verdict


def _fast_phone(text: str, region: str) -> str:
    if region == "CN" and _MOBILE.match(text):
        if _mobile_valid(text):
            return "+86" + text
        raise ValidationError("invalid")
    return normalize_phone(text)


class _EagerEmailValidator(EmailValidator):
    """Django's EmailValidator with its patterns compiled up front.

    The class attributes are lazy regexes (`_lazy_re_compile`): every `.match`
    goes through a SimpleLazyObject, ~15 % of a row's validation in the profile.
    Same patterns, same flags, same allowlist; and a domain's verdict is cached,
    because a million addresses have few distinct domains (qq.com, 163.com…).
    """

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(
        EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags
    )
    literal_regex = re.compile(
        EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags
    )
    domain_allowlist = validate_email.domain_allowlist
    _domains: dict[str, bool] = {}

    def validate_domain_part(self, domain_part: str) -> bool:
        known = self._domains.get(domain_part)
        if known is None:
            known = super().validate_domain_part(domain_part)
            if len(self._domains) < 100_000:
                self._domains[domain_part] = known
        return known


_validate_email = _EagerEmailValidator()


def fast_customer(data: dict[str, Any], ctx: Context) -> dict[str, Any] | None:
    """Cleaned values if the row certainly passes CustomerForm, else None (ask the form)."""
    try:
        return _fast_customer(data, ctx)
    except (ValidationError, ValueError, ArithmeticError):
        return None


def _fast_customer(data: dict[str, Any], ctx: Context) -> dict[str, Any] | None:
    for value in data.values():
        if isinstance(value, str) and "\x00" in value:
            return None
    kind = data["kind"]
    if kind not in ("org", "person"):
        return None
    raw_name = data["name"]
    name = " ".join(raw_name.split())
    if not name or len(raw_name) > 128:
        return None
    for key, limit in TEXT_LIMITS.items():
        if len(data[key]) > limit:
            return None
    gender = data["gender"]
    if gender not in ("", "M", "F"):
        return None
    birth: date | None = None
    if data["birth_date"]:
        if not _ISO_DATE.match(data["birth_date"]):
            return None
        birth = date.fromisoformat(data["birth_date"])
        if birth > timezone.localdate():
            return None
    id_number = normalize_id_number(data["id_number"]) if data["id_number"] else ""
    credit_code = normalize_credit_code(data["credit_code"]) if data["credit_code"] else ""
    if kind == "org" and id_number:
        return None
    if kind == "person" and credit_code:
        return None
    if kind == "person" and id_number:
        born = ric.get_birth_date(id_number)
        sex = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
        if (birth and birth != born) or (gender and gender != sex):
            return None
        birth, gender = born, sex
    phone = _fast_phone(data["phone"], ctx.phone_region) if data["phone"] else ""
    if data["email"]:
        _validate_email(data["email"])
    industry: int | None = None
    if data["industry"]:
        if not data["industry"].isdigit() or int(data["industry"]) not in ctx.industry_ids:
            return None
        industry = int(data["industry"])
    employees: int | None = None
    if data["employees"]:
        if not _UINT.match(data["employees"]) or int(data["employees"]) > INT_MAX:
            return None
        employees = int(data["employees"])
    amounts: dict[str, Decimal | None] = {}
    for key in ("annual_revenue", "energy_consumption"):
        text = data[key]
        if text and not _MONEY.match(text):
            return None
        amounts[key] = Decimal(text) if text else None
    if not divisions_valid(data["province_code"], data["city_code"], data["district_code"]):
        return None
    if data["source_channel"] not in SOURCE_VALUES or data["verified_at"]:
        return None
    if not isinstance(data["collected_at"], datetime):
        return None
    if data["value_class"] not in VALUE_CLASS_VALUES or data["stage"] not in STAGE_VALUES:
        return None
    return {
        "kind": kind, "name": name, "gender": gender, "birth_date": birth,
        "occupation": data["occupation"], "id_number": id_number, "credit_code": credit_code,
        "phone": phone, "email": data["email"], "wechat_id": data["wechat_id"],
        "industry": industry, "employees": employees, **amounts,
        "energy_unit": data["energy_unit"], "province_code": data["province_code"],
        "city_code": data["city_code"], "district_code": data["district_code"],
        "source_channel": data["source_channel"], "collected_at": data["collected_at"],
        "verified_at": None, "value_class": data["value_class"], "stage": data["stage"],
        "preferences": data["preferences"], "notes": data["notes"],
    }  # fmt: skip


# ---- the form path (the authority) -------------------------------------------------


def form_errors(form: Form) -> str:
    """'电话：无效的电话号码：123。；性别：…' — field label and message, as the UI shows them."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = "".join(str(e) for e in errors)
        parts.append(f"{label}：{text}" if label else text)
    return "；".join(parts)


def form_customer(data: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    form = CustomerForm(data=data)
    if not form.is_valid():
        return None, form_errors(form)
    cleaned = dict(form.cleaned_data)
    cleaned["industry"] = cleaned["industry"].pk if cleaned.get("industry") else None
    cleaned.pop("tags", None)
    return cleaned, ""


def address_input(data: dict[str, Any]) -> dict[str, Any] | None:
    """The AddressForm data for the row's primary address, or None when it has none."""
    if not (data["province_code"] or data["address"] or data["postal_code"]):
        return None
    kind = "office" if data["kind"] == CustomerKind.ORGANIZATION else "home"
    return {
        "kind": kind,
        "province_code": data["province_code"],
        "city_code": data["city_code"],
        "district_code": data["district_code"],
        "detail": data["address"],
        "postal_code": data["postal_code"],
        "is_primary": "on",
    }


def validate_address(data: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str]:
    if data is None:
        return None, ""
    detail, postal = data["detail"].strip(), data["postal_code"].strip()
    if (
        data["province_code"]
        and len(detail) <= 255
        and "\x00" not in detail
        and (not postal or (len(postal) == 6 and postal.isdigit()))
    ):
        # The divisions were checked with the customer; the rest is AddressForm's rules.
        return {**data, "detail": detail, "postal_code": postal, "is_primary": True}, ""
    form = AddressForm(data=data)
    if not form.is_valid():
        return None, form_errors(form)
    return dict(form.cleaned_data), ""


def validate_customer(data: dict[str, Any], ctx: Context) -> tuple[dict[str, Any] | None, str]:
    """(cleaned values, "") or (None, the reason the row is refused)."""
    cleaned = fast_customer(data, ctx)
    if cleaned is None:
        cleaned, error = form_customer(data)
        if cleaned is None:
            return None, error
    address, error = validate_address(address_input(data))
    if error:
        return None, error
    cleaned["address"] = address
    return cleaned, ""
