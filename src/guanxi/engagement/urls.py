from django.urls import path

from . import views

app_name = "engagement"
urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("customers/<int:pk>/tasks/", views.customer_tasks_section, name="customer_tasks"),
    path("customers/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
]
