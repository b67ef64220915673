from django.urls import path

from guanxi.sales.views import purchase_create

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list_view, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/assign/", views.customer_assign, name="assign"),
    path("<int:pk>/contacts/new/", views.contact_form, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_form, name="contact_edit"),
    path("<int:pk>/addresses/new/", views.address_form, name="address_add"),
    path("<int:pk>/addresses/<int:address_pk>/edit/", views.address_form, name="address_edit"),
    # A purchase belongs to sales but is recorded from the customer's page, so the URL
    # nests under the customer while the view lives with the other sales views.
    path("<int:pk>/purchases/new/", purchase_create, name="purchase_add"),
]
