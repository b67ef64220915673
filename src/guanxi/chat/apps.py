from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "guanxi.chat"
    verbose_name = _("在线客服")
