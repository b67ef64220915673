from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodPreset(models.TextChoices):
    THIS_MONTH = "this_month", _("本月")
    LAST_MONTH = "last_month", _("上月")
    THIS_QUARTER = "this_quarter", _("本季度")
    LAST_QUARTER = "last_quarter", _("上季度")
    H1 = "h1", _("上半年")
    H2 = "h2", _("下半年")
    YEAR = "year", _("全年")
    CUSTOM = "custom", _("自定义")


class ReportPeriod(models.TextChoices):
    """What an evaluation report covers (监督与评估: half-year or annual)."""

    H1 = "h1", _("上半年")
    H2 = "h2", _("下半年")
    YEAR = "year", _("全年")


class Direction(models.TextChoices):
    """Whether a KPI is good above or below its target."""

    AT_LEAST = "gte", _("不低于")
    AT_MOST = "lte", _("不高于")


class SizeBand(models.TextChoices):
    """规模 by headcount; individuals and organisations without a headcount are 未知."""

    MICRO = "micro", _("微型（<10 人）")
    SMALL = "small", _("小型（10–99 人）")
    MEDIUM = "medium", _("中型（100–999 人）")
    LARGE = "large", _("大型（≥1000 人）")
    UNKNOWN = "unknown", _("未知")


# Headcount bands: (band, lowest headcount included); each band runs to the next.
SIZE_BOUNDS = [
    (SizeBand.MICRO, 0),
    (SizeBand.SMALL, 10),
    (SizeBand.MEDIUM, 100),
    (SizeBand.LARGE, 1000),
]
