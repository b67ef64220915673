from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does; record-level scope follows from it (see permissions.SCOPES)."""

    ADMIN = "admin", _("管理员")
    REGIONAL_MANAGER = "regional_manager", _("区域经理")
    MANAGER = "manager", _("团队经理")
    REP = "rep", _("客户经理")
    AGENT = "agent", _("客服专员")
    MARKETING = "marketing", _("市场专员")
    ANALYST = "analyst", _("分析/审计")


class Scope(models.TextChoices):
    ALL = "all", _("全部")
    REGION = "region", _("本区域")
    TEAM = "team", _("本团队")
    OWN = "own", _("本人")
    NONE = "none", _("无")
