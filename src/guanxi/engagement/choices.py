from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    WIN_BACK = "win_back", _("客户挽回")
    CONTACT = "contact", _("联系客户")
    OTHER = "other", _("其他")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
