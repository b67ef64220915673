from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "guanxi.imports"
    label = "imports"
    verbose_name = "导入"
    default_auto_field = "django.db.models.BigAutoField"
