"""Crisis kinds, the national four-level risk scale, the response stages and recovery states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CrisisKind(models.TextChoices):
    PRODUCT_RECALL = "product_recall", _("产品召回")
    SUPPLY_INTERRUPTION = "supply_interruption", _("供应中断")
    SAFETY_INCIDENT = "safety_incident", _("安全事故")
    QUALITY = "quality", _("质量问题")
    PUBLIC_OPINION = "public_opinion", _("舆情事件")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    """突发事件分级 as used in Chinese emergency plans: I is the most severe."""

    I = "1", _("特别重大（I 级）")  # noqa: E741 - the scale's own name
    II = "2", _("重大（II 级）")
    III = "3", _("较大（III 级）")
    IV = "4", _("一般（IV 级）")


class CrisisStatus(models.TextChoices):
    IDENTIFIED = "identified", _("已识别")
    RESPONDING = "responding", _("应对中")
    RECOVERING = "recovering", _("恢复中")
    CLOSED = "closed", _("已关闭")


# The moves a crisis may make. Recovering may fall back to responding (a second
# wave); a closed crisis stays closed (a new one is recorded instead).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CrisisStatus.IDENTIFIED: (CrisisStatus.RESPONDING, CrisisStatus.CLOSED),
    CrisisStatus.RESPONDING: (CrisisStatus.RECOVERING,),
    CrisisStatus.RECOVERING: (CrisisStatus.CLOSED, CrisisStatus.RESPONDING),
    CrisisStatus.CLOSED: (),
}


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")


class Recovery(models.TextChoices):
    """Where each affected customer stands; `pending` until a communication reaches them."""

    PENDING = "pending", _("待通知")
    NOTIFIED = "notified", _("已通知")
    RESPONDED = "responded", _("已回应")
    RECOVERED = "recovered", _("已恢复")
    LOST = "lost", _("已流失")
