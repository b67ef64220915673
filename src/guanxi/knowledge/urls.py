from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list_view, name="list"),
    path("articles/new/", views.article_create, name="create"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
    path("articles/<int:pk>/edit/", views.article_edit, name="edit"),
    path("articles/<int:pk>/publish/", views.article_publish, name="publish"),
    path("articles/<int:pk>/archive/", views.article_archive, name="archive"),
    path("articles/<int:pk>/versions/", views.article_versions, name="versions"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/restore/", views.version_restore, name="restore"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    # The htmx fragment the ticket form and the chat console ask while the agent types.
    path("suggest/", views.suggest, name="suggest"),
    # Public help centre, no login: public published articles only.
    path("help/", views.help_home, name="help"),
    path("help/categories/<int:pk>/", views.help_category, name="help_category"),
    path("help/articles/<int:pk>/", views.help_article, name="help_article"),
    path("help/articles/<int:pk>/vote/", views.help_vote, name="help_vote"),
]
