"""Validation of customer data: the one set of rules for the UI, the API and imports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from guanxi.core import divisions
from guanxi.core.validators import normalize_credit_code, normalize_id_number, normalize_phone

from .choices import CustomerKind, Gender
from .models import Address, Contact, Customer


class DivisionFieldsMixin:
    """Checks province/city/district codes against GB/T 2260 and each other."""

    def clean_divisions(self, cleaned: dict[str, Any]) -> None:
        for field, message in divisions.check(
            cleaned.get("province_code"), cleaned.get("city_code"), cleaned.get("district_code")
        ).items():
            self.add_error(f"{field}_code", message)  # type: ignore[attr-defined]


class PhoneFieldMixin:
    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")  # type: ignore[attr-defined]
        return normalize_phone(raw) if raw else ""


class CustomerForm(DivisionFieldsMixin, PhoneFieldMixin, forms.ModelForm):
    annual_revenue = forms.DecimalField(
        label=_("年营业额（万元）"),
        required=False,
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0, message=_("金额不能为负数。"))],
    )
    energy_consumption = forms.DecimalField(
        label=_("年能源消耗量"),
        required=False,
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0, message=_("能耗不能为负数。"))],
    )

    class Meta:
        model = Customer
        fields = [
            "kind", "name", "gender", "birth_date", "occupation", "id_number", "credit_code",
            "phone", "email", "wechat_id", "industry", "employees", "annual_revenue",
            "energy_consumption", "energy_unit", "province_code", "city_code", "district_code",
            "source_channel", "collected_at", "verified_at", "value_class", "stage",
            "preferences", "notes", "tags",
        ]  # fmt: skip
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "preferences": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise ValidationError(_("请输入名称。"), code="required")
        return name

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number", "")
        return normalize_id_number(raw) if raw else ""

    def clean_credit_code(self) -> str:
        raw = self.cleaned_data.get("credit_code", "")
        return normalize_credit_code(raw) if raw else ""

    def clean_birth_date(self) -> date | None:
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("出生日期不能晚于今天。"), code="future_date")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_divisions(cleaned)
        kind = cleaned.get("kind")
        id_number = cleaned.get("id_number")
        if kind == CustomerKind.ORGANIZATION and id_number:
            self.add_error("id_number", _("企业客户不填写身份证号，请填写统一社会信用代码。"))
        if kind == CustomerKind.INDIVIDUAL and cleaned.get("credit_code"):
            self.add_error("credit_code", _("个人客户不填写统一社会信用代码。"))
        if kind == CustomerKind.INDIVIDUAL and id_number and "id_number" not in self.errors:
            # The ID number carries birth date and sex; fill them in, or refuse a contradiction.
            born = ric.get_birth_date(id_number)
            sex = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
            if cleaned.get("birth_date") and cleaned["birth_date"] != born:
                self.add_error("birth_date", _("出生日期与身份证号不一致。"))
            else:
                cleaned["birth_date"] = born
            if cleaned.get("gender") and cleaned["gender"] != sex:
                self.add_error("gender", _("性别与身份证号不一致。"))
            else:
                cleaned["gender"] = sex
        return cleaned


class ContactForm(PhoneFieldMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "role",
            "title",
            "gender",
            "birth_date",
            "phone",
            "email",
            "wechat_id",
            "is_primary",
            "notes",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise ValidationError(_("请输入姓名。"), code="required")
        return name


class AddressForm(DivisionFieldsMixin, forms.ModelForm):
    class Meta:
        model = Address
        fields = [
            "kind",
            "province_code",
            "city_code",
            "district_code",
            "detail",
            "postal_code",
            "is_primary",
        ]

    def clean_postal_code(self) -> str:
        value = (self.cleaned_data.get("postal_code") or "").strip()
        if value and (len(value) != 6 or not value.isdigit()):
            raise ValidationError(_("邮编必须是6位数字。"), code="invalid_postal_code")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_divisions(cleaned)
        return cleaned


def form_data_from_instance(form_class: type[forms.ModelForm], instance: Any) -> dict[str, Any]:
    """The instance's current values in the form's input shape, for partial updates."""
    data = forms.model_to_dict(instance, fields=form_class._meta.fields)
    for key, value in list(data.items()):
        if isinstance(value, list):
            data[key] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[key] = ""
    return data
