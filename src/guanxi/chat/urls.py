from django.urls import path

from . import views

app_name = "chat"
urlpatterns = [
    # Public, no login: the visitor's widget (the signed cookie names their conversation).
    path("", views.visitor_page, name="visitor"),
    path("leave/", views.visitor_leave, name="visitor_leave"),
    # Staff.
    path("console/", views.console, name="console"),
    path("conversations/", views.conversation_list_view, name="list"),
    path("conversations/<int:pk>/", views.conversation_detail, name="detail"),
    path("conversations/<int:pk>/customer/", views.conversation_customer, name="link_customer"),
    path("conversations/<int:pk>/ticket/", views.conversation_ticket, name="ticket"),
    # The customer 360's section, loaded by htmx.
    path("customers/<int:pk>/conversations/", views.customer_chats, name="customer_chats"),
]
