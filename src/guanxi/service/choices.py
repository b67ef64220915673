from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketType(models.TextChoices):
    INQUIRY = "inquiry", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    AFTER_SALES = "after_sales", _("售后")
    REPAIR = "repair", _("维修工单")
    MAINTENANCE = "maintenance", _("预约保养")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("热线电话")
    EMAIL = "email", _("电子邮件")
    WEB_FORM = "web_form", _("网页表单")
    LIVE_CHAT = "live_chat", _("在线客服")
    WALK_IN = "walk_in", _("到店")
    STAFF = "staff", _("员工录入")


class Priority(models.TextChoices):
    URGENT = "urgent", _("紧急")
    HIGH = "high", _("高")
    NORMAL = "normal", _("普通")
    LOW = "low", _("低")


class Status(models.TextChoices):
    """One field for every flow; `workflow.py` says which moves each type may make."""

    OPEN = "open", _("处理中")
    RESOLVED = "resolved", _("已解决")
    # The complaint flow (SPEC §5): 受理 → 调查 → 方案 → 实施 → 反馈 → 跟踪 → 关闭.
    INTAKE = "intake", _("受理")
    INVESTIGATION = "investigation", _("调查")
    SOLUTION = "solution", _("方案")
    IMPLEMENTATION = "implementation", _("实施")
    FEEDBACK = "feedback", _("反馈")
    FOLLOW_UP = "follow_up", _("跟踪")
    CLOSED = "closed", _("已关闭")


class DisputeStage(models.TextChoices):
    NEGOTIATION = "negotiation", _("协商")
    MEDIATION = "mediation", _("第三方调解")
    LITIGATION = "litigation", _("法律诉讼")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("回复客户")
    NOTE = "note", _("内部备注")
    CUSTOMER = "customer", _("客户来信")


class LineKind(models.TextChoices):
    PART = "part", _("配件")
    LABOUR = "labour", _("工时")


class ClockKind(models.TextChoices):
    CALENDAR = "calendar", _("自然时间")
    WORKING = "working", _("工作时间")


class AssignStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("轮流分配")
    LEAST_LOAD = "least_load", _("最少负载")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班")


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("分配给您")
    SLA_WARNING = "sla_warning", _("即将超时")
    SLA_BREACH = "sla_breach", _("已超时升级")
    REVISIT = "revisit", _("回访任务")
