"""Signing in and out, the home redirect, and the division pickers behind address forms."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import divisions


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5), so a link on another site cannot sign a user out."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("customers:list")


def _options(request: HttpRequest, choices: list[tuple[str, str]]) -> HttpResponse:
    # htmx swaps the <option>s into the next select; anything else gets JSON.
    if request.headers.get("HX-Request"):
        return render(request, "core/_division_options.html", {"choices": choices})
    return JsonResponse({"results": [{"code": c, "name": n} for c, n in choices]})


@require_GET
@login_required
def cities(request: HttpRequest) -> HttpResponse:
    province = request.GET.get("province_code") or request.GET.get("province") or ""
    found = divisions.cities(province) if divisions.level_of(province) == "province" else []
    return _options(request, found)


@require_GET
@login_required
def districts(request: HttpRequest) -> HttpResponse:
    city = request.GET.get("city_code") or request.GET.get("city") or ""
    level = divisions.level_of(city)
    found = divisions.districts(city) if level in ("city", "province") else []
    return _options(request, found)
