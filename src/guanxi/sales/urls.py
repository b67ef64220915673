from django.urls import path

from . import views

app_name = "sales"
urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_form, name="product_add"),
    path("products/<int:pk>/edit/", views.product_form, name="product_edit"),
]
