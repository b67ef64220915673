from django.urls import path

from . import config_views, views

app_name = "service"
urlpatterns = [
    path("tickets/", views.ticket_list_view, name="list"),
    path("tickets/new/", views.ticket_create, name="create"),
    path("tickets/<int:pk>/", views.ticket_detail, name="detail"),
    path("tickets/<int:pk>/messages/", views.ticket_message, name="message"),
    path("tickets/<int:pk>/status/", views.ticket_status, name="status"),
    path("tickets/<int:pk>/handover/", views.ticket_handover, name="handover"),
    path("tickets/<int:pk>/waiting/", views.ticket_waiting, name="waiting"),
    path("tickets/<int:pk>/resume/", views.ticket_resume, name="resume"),
    path("tickets/<int:pk>/dispute/", views.ticket_dispute, name="dispute"),
    path("tickets/<int:pk>/repair-lines/", views.ticket_repair_line, name="repair_line"),
    path("tickets/<int:pk>/attachments/", views.ticket_attachment, name="attachment"),
    path("tickets/<int:pk>/revisit/", views.ticket_revisit, name="revisit"),
    path("kpis/", views.kpis, name="kpis"),
    path("notifications/", views.notifications, name="notifications"),
    # Public, no login: the customer web form and the CSAT link.
    path("help/", views.public_ticket, name="public_ticket"),
    path("survey/<str:token>/", views.survey, name="survey"),
]

# Configuration (admins): SLA policies, the working calendar, bays, KPI targets.
urlpatterns += [
    path("config/", config_views.config_index, name="config"),
    path("config/sla-policies/", config_views.sla_policies, name="sla_policies"),
    path("config/sla-policies/add/", config_views.sla_policy_add, name="sla_policy_add"),
    path(
        "config/sla-policies/<int:pk>/edit/", config_views.sla_policy_edit, name="sla_policy_edit"
    ),
    path(
        "config/sla-policies/<int:pk>/deactivate/",
        config_views.sla_policy_deactivate,
        name="sla_policy_deactivate",
    ),
    path("config/calendar/", config_views.calendar, name="calendar"),
    path("config/calendar/add/", config_views.calendar_add, name="calendar_add"),
    path("config/calendar/<int:pk>/edit/", config_views.calendar_edit, name="calendar_edit"),
    path("config/calendar/<int:pk>/delete/", config_views.calendar_delete, name="calendar_delete"),
    path("config/calendar/reseed/", config_views.calendar_reseed, name="calendar_reseed"),
    path("config/bays/", config_views.bays, name="bays"),
    path("config/bays/add/", config_views.bay_add, name="bay_add"),
    path("config/bays/<int:pk>/edit/", config_views.bay_edit, name="bay_edit"),
    path("config/targets/", config_views.targets, name="targets"),
    path("config/targets/<int:pk>/edit/", config_views.target_edit, name="target_edit"),
]
