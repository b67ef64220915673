"""The import wizard: upload → map columns → preview → run in the background → result.

A batch is private to the user who uploaded it (admins see all); anyone else gets
404 on every page of it. Only its owner may change or run it. Pages that take a
POST look the batch up first, so a stranger's POST is a 404 as well.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render

from guanxi.core.actions import ActionError
from guanxi.core.choices import Scope
from guanxi.core.models import User
from guanxi.core.permissions import ADD, scope_for
from guanxi.customers.imports import preview, reading, report
from guanxi.customers.imports.runner import header_of

from . import actions, live
from .forms import MappingForm, UploadForm
from .models import ImportBatch, ImportStatus, OnDuplicate, SavedMapping

ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.restrict(request.user, "view").select_related("user"), pk=pk
    )


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    """Admins may look at anyone's batch, but only its owner changes or runs it."""
    batch = _batch(request, pk)
    if request.method == "POST" and batch.user_id != request.user.pk:
        raise Http404
    return batch


def _may_import(user: User) -> bool:
    return scope_for(user, ADD) != Scope.NONE


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = (
        ImportBatch.objects.restrict(request.user, "view")
        .select_related("user")
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "imports/list.html",
        {"batches": batches, "form": UploadForm(), "may_import": _may_import(request.user)},
    )


@login_required
def batch_upload(request: HttpRequest) -> HttpResponse:
    if not _may_import(request.user):
        raise Http404
    if request.method != "POST":
        return redirect("imports:list")
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            batch = actions.upload_import(
                form.cleaned_data["file"],
                by=request.user,
                kind=form.cleaned_data["kind"] or "customers",
            )
        except ActionError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
        else:
            if batch.status == ImportStatus.PENDING:
                return redirect("imports:mapping", pk=batch.pk)
            return redirect("imports:detail", pk=batch.pk)
    batches = ImportBatch.objects.restrict(request.user, "view").select_related("user")
    context = {"batches": batches.order_by("-created_at", "-id")[:50], "form": form}
    return render(request, "imports/list.html", context | {"may_import": True}, status=400)


def _header(batch: ImportBatch) -> list[str]:
    try:
        return header_of(batch)
    except (OSError, reading.FileError):
        return []


@login_required
def batch_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    if batch.status != ImportStatus.PENDING:
        return redirect("imports:detail", pk=batch.pk)
    header = _header(batch)
    saved = SavedMapping.objects.restrict(request.user, "view").filter(kind=batch.kind)
    if request.method == "POST":
        form = MappingForm(request.POST, kind=batch.kind, header=header)
        if form.is_valid():
            try:
                actions.configure_import(
                    batch,
                    form.columns(),
                    source_channel=form.cleaned_data["source_channel"] or batch.source_channel,
                    on_duplicate=form.cleaned_data["on_duplicate"],
                    save_as=form.cleaned_data["save_as"],
                    by=request.user,
                )
            except ActionError as exc:
                target = f"col_{exc.field}" if f"col_{exc.field}" in form.fields else None
                form.add_error(target, exc.message)
            else:
                return redirect("imports:preview", pk=batch.pk)
    else:
        columns = dict(batch.mapping)
        chosen = request.GET.get("saved", "")
        if chosen.isdigit():
            # A saved mapping fits by header text; columns this file lacks are left unset.
            picked = get_object_or_404(saved, pk=int(chosen))
            columns = {f: c for f, c in picked.columns.items() if c in header}
        initial = {f"col_{f}": c for f, c in columns.items()}
        initial |= {"source_channel": batch.source_channel, "on_duplicate": batch.on_duplicate}
        form = MappingForm(initial=initial, kind=batch.kind, header=header)
    context = {"batch": batch, "form": form, "saved": saved, "header": header}
    return render(request, "imports/mapping.html", context)


@login_required
def batch_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    if batch.status != ImportStatus.PENDING:
        return redirect("imports:detail", pk=batch.pk)
    header = _header(batch)
    try:
        rows = preview.first_rows(
            Path(batch.file_path), batch.mapping, user=request.user, kind=batch.kind,
            on_duplicate=batch.on_duplicate,
        )  # fmt: skip
    except (OSError, KeyError, reading.FileError, ActionError) as exc:
        rows, error = [], str(exc)
    else:
        error = ""
    context = {"batch": batch, "header": header, "rows": rows, "error": error}
    return render(request, "imports/preview.html", context)


@login_required
def batch_run(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        actions.queue_import(batch, by=request.user)
    except ActionError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    return redirect("imports:detail", pk=batch.pk)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = live.overlay(_batch(request, pk))
    return render(request, "imports/detail.html", _progress_context(batch))


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls while the worker runs."""
    batch = live.overlay(_batch(request, pk))
    return render(request, "imports/_progress.html", _progress_context(batch))


def _progress_context(batch: ImportBatch) -> dict[str, object]:
    """The batch, and for a finished merge-review import the pairs it put in the review queue.

    Each row flagged as a duplicate went into the queue with its chunk
    (runner.Runner._write), so the flagged rows are the queued pairs. Counted
    once the import stops, not on every poll of a running one.
    """
    queued = 0
    if batch.on_duplicate == OnDuplicate.MERGE_REVIEW and batch.status not in ACTIVE:
        queued = batch.records.filter(duplicate_of_id__isnull=False).count()
    return {"batch": batch, "active": ACTIVE, "queued": queued}


@login_required
def batch_report(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    """The rejected rows with their reasons, in the file's own columns, to fix and re-import."""
    batch = _batch(request, pk)
    stem = Path(batch.file_name).stem or "import"
    if file_format == "csv":
        response: HttpResponse = StreamingHttpResponse(
            report.report_csv_lines(batch), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}-errors.csv"'
        return response
    import tempfile

    spool = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 — closed by FileResponse
    report.write_report(batch, Path(spool.name))
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{stem}-errors.xlsx")
