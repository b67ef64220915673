"""The customer list as rows for a file: the same filters as the list page, restricted.

Headers are the ones the importer guesses, so an exported file imports back.
Analysts get personal data masked, as on screen. The row cap
(GUANXI_EXPORT_ROW_CAP) bounds what one download may take out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.conf import settings

from guanxi.core import events
from guanxi.core.models import User
from guanxi.core.permissions import sees_masked
from guanxi.core.validators import mask_id_number, mask_name, mask_phone, phone_digits
from guanxi.customers.models import Customer
from guanxi.customers.queries import filtered_customers

from .cells import safe_cell


def _mask_email(value: str) -> str:
    name, _, domain = value.partition("@")
    return f"{name[:1]}***@{domain}" if value else ""


Column = tuple[str, Callable[[Customer], Any], Callable[[Any], str] | None]
COLUMNS: list[Column] = [
    ("客户名称", lambda c: c.name, None),  # masked below for individuals only
    ("客户类型", lambda c: c.get_kind_display(), None),
    ("手机号", lambda c: phone_digits(c.phone) if c.phone else "", mask_phone),
    ("身份证号", lambda c: c.id_number, mask_id_number),
    ("统一社会信用代码", lambda c: c.credit_code, None),
    ("邮箱", lambda c: c.email, _mask_email),
    ("微信", lambda c: c.wechat_id, lambda v: "***" if v else ""),
    ("性别", lambda c: c.get_gender_display() if c.gender else "", None),
    ("出生日期", lambda c: c.birth_date.isoformat() if c.birth_date else "", lambda v: ""),
    ("行业", lambda c: c.industry.name if c.industry_id else "", None),
    ("省份", lambda c: c.province_code, None),
    ("城市", lambda c: c.city_code, None),
    ("区县", lambda c: c.district_code, None),
    ("价值分类", lambda c: c.get_value_class_display(), None),
    ("关系阶段", lambda c: c.get_stage_display(), None),
    ("信息来源", lambda c: c.get_source_channel_display(), None),
    ("客户经理", lambda c: str(c.owner) if c.owner_id else "", None),
    ("购买次数", lambda c: c.purchase_count, None),
    ("累计金额", lambda c: c.total_amount, None),
    ("最近购买", lambda c: c.last_purchase_at.isoformat() if c.last_purchase_at else "", None),
    ("创建时间", lambda c: c.created_at.isoformat(), None),
]
HEADER = [title for title, _get, _mask in COLUMNS]


def export_queryset(user: User, params: Mapping[str, Any]) -> Any:
    """The filtered, restricted list in id order, capped; raises InvalidQuery on a bad filter."""
    qs = filtered_customers(user, params).select_related("industry", "owner").order_by("id")
    return qs[: settings.GUANXI_EXPORT_ROW_CAP]


def customer_rows(user: User, params: Mapping[str, Any]) -> Iterator[list[str]]:
    """The header, then one list of safe text cells per customer, streamed from the database."""
    masked = sees_masked(user)
    yield HEADER
    for customer in export_queryset(user, params).iterator(chunk_size=2000):
        row = []
        for title, get, mask in COLUMNS:
            value = get(customer)
            if masked and mask is not None:
                value = mask(str(value or ""))
            elif masked and title == "客户名称" and not customer.is_organization:
                value = mask_name(value)
            row.append(safe_cell(value))
        yield row


def record_export(user: User, params: Mapping[str, Any], file_format: str) -> None:
    """Audit the download (who took which list out, with which filters)."""
    filters = {k: v for k, v in params.items() if k not in ("format", "cursor") and v}
    events.record(
        user,
        "export.downloaded",
        summary=f"客户列表（{file_format}）",
        changes={"filters": filters, "row_cap": settings.GUANXI_EXPORT_ROW_CAP},
    )
