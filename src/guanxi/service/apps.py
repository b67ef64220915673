from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "guanxi.service"
    label = "service"
    verbose_name = "Service"
