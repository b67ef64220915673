from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "guanxi.evaluation"
    verbose_name = _("监督与评估")
