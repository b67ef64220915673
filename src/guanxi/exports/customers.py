"""The customer list as rows for a file: the same filters as the list page, restricted.

Headers are the ones the importer guesses, so an exported file imports back.
Analysts get personal data masked, as on screen. The row cap
(GUANXI_EXPORT_ROW_CAP) bounds what one download may take out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from guanxi.core.models import User
from guanxi.core.validators import mask_id_number, mask_name, mask_phone, phone_digits
from guanxi.customers.queries import filtered_customers

from . import lists
from .lists import Column, ExportList, any_value


def mask_email(value: str) -> str:
    name, _, domain = value.partition("@")
    return f"{name[:1]}***@{domain}" if value else ""


def mask_wechat(value: str) -> str:
    return "***" if value else ""


def mask_all(_value: str) -> str:
    return ""


def is_person(customer: Any) -> bool:
    return customer is not None and not customer.is_organization


COLUMNS: list[Column] = [
    Column("客户名称", lambda c: c.name, mask_name, personal=is_person),
    Column("客户类型", lambda c: c.get_kind_display()),
    Column("手机号", lambda c: phone_digits(c.phone) if c.phone else "", mask_phone),
    Column("身份证号", lambda c: c.id_number, mask_id_number),
    Column("统一社会信用代码", lambda c: c.credit_code),
    Column("邮箱", lambda c: c.email, mask_email),
    Column("微信", lambda c: c.wechat_id, mask_wechat),
    Column("性别", lambda c: c.get_gender_display() if c.gender else ""),
    Column("出生日期", lambda c: c.birth_date.isoformat() if c.birth_date else "", mask_all),
    Column("行业", lambda c: c.industry.name if c.industry_id else ""),
    Column("省份", lambda c: c.province_code),
    Column("城市", lambda c: c.city_code),
    Column("区县", lambda c: c.district_code),
    Column("价值分类", lambda c: c.get_value_class_display()),
    Column("关系阶段", lambda c: c.get_stage_display()),
    Column("信息来源", lambda c: c.get_source_channel_display()),
    Column("客户经理", lambda c: str(c.owner) if c.owner_id else ""),
    Column("购买次数", lambda c: c.purchase_count),
    Column("累计金额", lambda c: c.total_amount),
    Column("最近购买", lambda c: c.last_purchase_at.isoformat() if c.last_purchase_at else ""),
    Column("创建时间", lambda c: c.created_at.isoformat()),
]
HEADER = [c.title for c in COLUMNS]


def _customers(user: User, filters: dict[str, str]) -> Any:
    # filtered_customers checks every value itself (InvalidQuery), as the list page's does.
    return filtered_customers(user, filters).select_related("industry", "owner")


CUSTOMERS = ExportList(
    name="customers",
    title="客户",
    columns=COLUMNS,
    queryset=_customers,
    filters=dict.fromkeys(
        ("q", "value_class", "stage", "kind", "industry", "region", "owner", "tag", "team"),
        any_value,
    ),
    list_url="customers:list",
)


def export_queryset(user: User, params: Mapping[str, Any]) -> Any:
    """The filtered, restricted list in id order, capped; raises InvalidQuery on a bad filter."""
    return CUSTOMERS.rows_queryset(user, params)[: lists.row_cap()]


def customer_rows(user: User, params: Mapping[str, Any]) -> Iterator[list[str]]:
    """The header, then one list of safe text cells per customer, streamed from the database."""
    return lists.rows(CUSTOMERS, user, params)


def record_export(user: User, params: Mapping[str, Any], file_format: str) -> None:
    """Audit the download (who took which list out, with which filters)."""
    lists.record_export(CUSTOMERS, user, params, file_format)
