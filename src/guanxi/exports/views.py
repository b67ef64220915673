"""Downloads of the list the user is looking at, as CSV or Excel, for every registered list.

The filters come in the query string exactly as the list page sends them, so the
file holds what the screen shows (all pages, up to the admin's row cap). The
download is a read, but it takes data out of the system, so it is audited as an
event before the first byte leaves.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from guanxi.core.choices import Role
from guanxi.core.models import User
from guanxi.customers.queries import InvalidQuery

from . import files, lists
from .configure import update_settings
from .forms import ExportSettingsForm
from .models import ExportSettings
from .registry import LISTS

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def list_export(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    export_list = LISTS[kind]
    user: User = request.user  # type: ignore[assignment]
    params = request.GET
    try:
        # Check the filters before streaming: an error after the first byte is a broken file.
        export_list.rows_queryset(user, params)
    except InvalidQuery as exc:
        context = {"field": exc.field, "error": exc.message, "list_url": export_list.list_url}
        return render(request, "exports/refused.html", context, status=400)
    download = lists.record_export(export_list, user, params, file_format)
    name = lists.file_name(export_list, file_format, download)
    rows = lists.rows(export_list, user, params, download.cap)
    if file_format == "csv":
        response: HttpResponse = StreamingHttpResponse(
            files.csv_chunks(rows), content_type=FORMATS["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # openpyxl's write-only book streams rows to a temporary file, not to memory;
    # the zip it becomes can only be sent once it is complete.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — closed by FileResponse
    note = (gettext("说明"), lists.truncation_note(download)) if download.truncated else None
    files.write_xlsx(rows, spool, export_list.title, note)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=FORMATS["xlsx"])


@login_required
@require_http_methods(["GET", "POST"])
def settings_form(request: HttpRequest) -> HttpResponse:
    """Admins set the export row cap (404 for everyone else)."""
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.ADMIN:
        raise Http404
    form = ExportSettingsForm(request.POST or None, instance=ExportSettings.current())
    if request.method == "POST" and form.is_valid():
        update_settings(form.cleaned_data, by=user)
        messages.success(request, gettext("已保存导出设置。"))
        return redirect("exports:settings")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "default_cap": settings.GUANXI_EXPORT_ROW_CAP, "cap": lists.row_cap()}
    return render(request, "exports/settings.html", context, status=status)
