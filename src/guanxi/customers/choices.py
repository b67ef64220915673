from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    ORGANIZATION = "org", _("企业客户")
    INDIVIDUAL = "person", _("个人客户")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未知")


class ValueClass(models.TextChoices):
    HIGH = "high", _("高价值客户")
    POTENTIAL = "potential", _("潜力客户")
    GENERAL = "general", _("一般客户")
    CHURNED = "churned", _("流失客户")


class Stage(models.TextChoices):
    AWARENESS = "awareness", _("认识")
    CONTACT = "contact", _("联系")
    COOPERATION = "cooperation", _("合作")
    STABLE = "stable", _("稳定发展")


class SourceChannel(models.TextChoices):
    """信息收集途径 (SPEC §1)."""

    INTERNAL = "internal", _("内部部门")
    PUBLIC = "public", _("公开渠道")
    THIRD_PARTY = "third_party", _("第三方机构")
    SELF_SERVICE = "self_service", _("客户自助填写/问卷")
    SOCIAL_MEDIA = "social_media", _("社交媒体")


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("决策人")
    PURCHASING = "purchasing", _("采购")
    TECHNICAL = "technical", _("技术")
    FINANCE = "finance", _("财务")
    USER = "user", _("使用人")
    OTHER = "other", _("其他")


class AddressKind(models.TextChoices):
    REGISTERED = "registered", _("注册地址")
    OFFICE = "office", _("办公地址")
    DELIVERY = "delivery", _("收货地址")
    HOME = "home", _("家庭住址")
