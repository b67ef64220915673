"""Downloads of the customer list the user is looking at, as CSV or Excel.

The filters come in the query string exactly as the list page sends them, so the
file holds what the screen shows (all pages, up to the admin's row cap). The
download is a read, but it takes personal data out of the system, so it is
audited as an event before the first byte leaves.
"""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from guanxi.customers.queries import InvalidQuery, filtered_customers

from . import customers, files

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def customer_export(request: HttpRequest, file_format: str) -> HttpResponse:
    user = request.user
    params = request.GET
    try:
        # Check the filters before streaming: an error after the first byte is a broken file.
        filtered_customers(user, params)
    except InvalidQuery as exc:
        return render(
            request, "exports/refused.html", {"field": exc.field, "error": exc.message}, status=400
        )
    customers.record_export(user, params, file_format)
    name = f"customers-{timezone.localdate():%Y%m%d}.{file_format}"
    rows = customers.customer_rows(user, params)
    if file_format == "csv":
        response: HttpResponse = StreamingHttpResponse(
            files.csv_chunks(rows), content_type=FORMATS["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # openpyxl's write-only book streams rows to a temporary file, not to memory;
    # the zip it becomes can only be sent once it is complete.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — closed by FileResponse
    files.write_xlsx(rows, spool, "客户")
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=FORMATS["xlsx"])
