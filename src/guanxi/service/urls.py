from django.urls import path

from . import views

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
