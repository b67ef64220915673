from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    LITRE = "L", _("升")
    TONNE = "t", _("吨")
    CUBIC_METRE = "m3", _("立方米")
    KWH = "kWh", _("千瓦时")
    VEHICLE = "vehicle", _("辆")
    PIECE = "piece", _("件")
    SERVICE = "service", _("次")
    HOUR = "hour", _("工时")


class ProductCategory(models.TextChoices):
    FUEL = "fuel", _("成品油")
    CRUDE = "crude", _("原油")
    GAS = "gas", _("天然气")
    LUBRICANT = "lubricant", _("润滑油")
    CHEMICAL = "chemical", _("化工产品")
    VEHICLE = "vehicle", _("整车")
    PARTS = "parts", _("配件")
    SERVICE = "service", _("服务")
    OTHER = "other", _("其他")


class OrderChannel(models.TextChoices):
    DIRECT = "direct", _("直销")
    CONTRACT = "contract", _("合同供应")
    STORE = "store", _("门店")
    ONLINE = "online", _("线上")
    PHONE = "phone", _("电话")
    DISTRIBUTOR = "distributor", _("经销商")
