"""Every list a user can download: one `ExportList` per list page, keyed by its URL name.

Each list reuses its page's own query function (restricted and filtered there),
and masks for analysts what the customer export masks: names of individuals,
phones and e-mail addresses.
"""

from __future__ import annotations

from typing import Any

from guanxi.chat.choices import Status as ChatStatus
from guanxi.chat.queries import conversation_list
from guanxi.core.validators import mask_name, mask_phone
from guanxi.crisis.queries import LIST_FILTERS as CRISIS_FILTERS
from guanxi.crisis.queries import crisis_list
from guanxi.engagement.choices import TaskStatus
from guanxi.engagement.queries import task_list
from guanxi.sales.queries import catalogue
from guanxi.service.choices import Channel, Priority, Status, TicketType
from guanxi.service.queries import ticket_list

from .customers import CUSTOMERS, is_person, mask_email
from .lists import Column, ExportList, flag, one_of, when


def _customer_name(obj: Any) -> str:
    return obj.customer.name if obj.customer_id else ""


def _has_person(obj: Any) -> bool:
    return obj.customer_id is not None and is_person(obj.customer)


def _user(user: Any) -> str:
    return str(user) if user is not None else ""


TICKETS = ExportList(
    name="tickets",
    title="工单",
    columns=[
        Column("工单号", lambda t: t.pk),
        Column("事项", lambda t: t.subject),
        Column("类型", lambda t: t.get_ticket_type_display()),
        Column("状态", lambda t: t.get_status_display()),
        Column("优先级", lambda t: t.get_priority_display()),
        Column("渠道", lambda t: t.get_channel_display()),
        Column("客户", _customer_name, mask_name, personal=_has_person),
        Column("联系人", lambda t: t.contact_name, mask_name),
        Column("联系电话", lambda t: t.contact_phone, mask_phone),
        Column("联系邮箱", lambda t: t.contact_email, mask_email),
        Column("处理人", lambda t: _user(t.assignee)),
        Column("受理时间", lambda t: when(t.received_at)),
        Column("首次响应期限", lambda t: when(t.first_response_due)),
        Column("解决期限", lambda t: when(t.resolution_due)),
        Column("解决时间", lambda t: when(t.resolved_at)),
    ],
    queryset=ticket_list,
    filters={
        "status": one_of(Status.values),
        "ticket_type": one_of(TicketType.values),
        "priority": one_of(Priority.values),
        "channel": one_of(Channel.values),
        "open": flag,
        "mine": flag,
        "customer_id": str.isdigit,
    },
    order_by=("-created_at", "-id"),
    list_url="service:list",
)

TASKS = ExportList(
    name="tasks",
    title="任务",
    columns=[
        Column("客户", _customer_name, mask_name, personal=_has_person),
        Column("类型", lambda t: t.get_kind_display()),
        Column("标题", lambda t: t.title),
        Column("说明", lambda t: t.notes),
        Column("截止日期", lambda t: t.due_date.isoformat()),
        Column("状态", lambda t: t.get_status_display()),
        Column("结果", lambda t: t.outcome),
        Column("创建人", lambda t: _user(t.created_by)),
        Column("完成时间", lambda t: when(t.completed_at)),
    ],
    queryset=task_list,
    filters={"status": one_of(TaskStatus.values)},
    order_by=("due_date", "id"),
    list_url="engagement:tasks",
)

CONVERSATIONS = ExportList(
    name="conversations",
    title="在线客服会话",
    columns=[
        Column("会话号", lambda c: c.pk),
        Column("访客", lambda c: c.visitor_name, mask_name),
        Column("联系电话", lambda c: c.visitor_phone, mask_phone),
        Column("联系邮箱", lambda c: c.visitor_email, mask_email),
        Column("状态", lambda c: c.get_status_display()),
        Column("客服", lambda c: _user(c.agent)),
        Column("客户", _customer_name, mask_name, personal=_has_person),
        Column("开始时间", lambda c: when(c.started_at)),
        Column("结束时间", lambda c: when(c.closed_at)),
        Column("评分", lambda c: c.rating if c.rating is not None else ""),
    ],
    queryset=conversation_list,
    filters={"status": one_of(ChatStatus.values), "customer_id": str.isdigit},
    order_by=("-started_at", "-id"),
    list_url="chat:list",
)

CRISES = ExportList(
    name="crises",
    title="危机事件",
    columns=[
        Column("风险等级", lambda c: c.get_risk_level_display()),
        Column("标题", lambda c: c.title),
        Column("类型", lambda c: c.get_kind_display()),
        Column("状态", lambda c: c.get_status_display()),
        Column("负责人", lambda c: _user(c.owner)),
        Column("识别时间", lambda c: when(c.identified_at)),
        Column("关闭时间", lambda c: when(c.closed_at)),
    ],
    queryset=crisis_list,
    filters={**{k: one_of(v) for k, v in CRISIS_FILTERS.items()}, "open": flag},
    order_by=("-identified_at", "-id"),
    list_url="crisis:list",
)

PRODUCTS = ExportList(
    name="products",
    title="产品",
    columns=[
        Column("编码", lambda p: p.code),
        Column("名称", lambda p: p.name),
        Column("类别", lambda p: p.get_category_display()),
        Column("单位", lambda p: p.get_unit_display()),
        Column("标准单价", lambda p: p.list_price),
        Column("在售", lambda p: "是" if p.active else "否"),
    ],
    queryset=catalogue,
    order_by=("code",),
    list_url="sales:products",
)

LISTS: dict[str, ExportList] = {
    e.name: e for e in (CUSTOMERS, TICKETS, TASKS, CONVERSATIONS, CRISES, PRODUCTS)
}
