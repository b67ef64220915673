from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassRule(models.TextChoices):
    """Which rule placed a customer in a value class (the "why" of a class change)."""

    NO_PURCHASE = "no_purchase", _("尚无购买")
    INACTIVE = "inactive", _("长期未购买")
    NOT_ALIVE = "not_alive", _("存活概率低")
    TOP_MONETARY = "top_monetary", _("消费额居前且近期有购买")
    NEW_BUYER = "new_buyer", _("近期首次购买")
    HIGH_CLV = "high_clv", _("预测价值高")
    RISING = "rising", _("购买频率上升")
    REST = "rest", _("其余客户")


class RunTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("每晚自动")
    MANUAL = "manual", _("管理员手动")
    CLI = "cli", _("命令行")


class RiskLevel(models.TextChoices):
    """流失风险等级, cut from the 0–100 score by AssessmentConfig.churn_*_from."""

    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class ChurnReason(models.TextChoices):
    """A warning signal that raised a customer's churn risk."""

    NOT_ALIVE = "not_alive", _("存活概率低")
    FREQUENCY = "frequency", _("购买频率下降")
    AMOUNT = "amount", _("购买金额下降")
    COMPLAINTS = "complaints", _("近期投诉")
    SATISFACTION = "satisfaction", _("满意度低")
    CONTACT = "contact", _("逾期未联系")
    MODEL = "model", _("流失模型预测")
