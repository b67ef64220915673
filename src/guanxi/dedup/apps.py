from django.apps import AppConfig


class DedupConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guanxi.dedup"
    label = "dedup"
    verbose_name = "数据清洗"
