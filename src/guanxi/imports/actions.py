"""Every write of the import wizard: upload a file, map its columns, queue the run.

The rows themselves are written by `customers.imports.runner` (chunked, resumable);
these actions only move a batch through the wizard and record an event each.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.customers.choices import SourceChannel
from guanxi.customers.imports import mapping, reading
from guanxi.customers.imports.runner import _check_may_import, check_options

from .models import ImportBatch, ImportKind, ImportStatus, OnDuplicate, SavedMapping

SUFFIXES = (".csv", ".txt", ".xlsx")
# A million customer rows of CSV are ~150 MB; the bound keeps one upload from filling the disk.
DEFAULT_MAX_UPLOAD_BYTES = 300 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "GUANXI_IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def import_dir() -> Path:
    path = Path(settings.GUANXI_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_import(
    upload: UploadedFile, *, by: User, kind: str = ImportKind.CUSTOMERS
) -> ImportBatch:
    """Keep the uploaded file and open a batch for it, with the guessed column mapping.

    The same file uploaded again by the same user returns its earlier batch, so a
    half-done import resumes instead of starting twice.
    """
    if kind not in ImportKind.values:
        raise ActionError("不支持的导入类型。", code="unsupported_kind", field="kind")
    _check_may_import(by, None, kind)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ActionError("请上传 CSV 或 Excel（.xlsx）文件。", code="file_type", field="file")
    if upload.size is not None and upload.size > max_upload_bytes():
        limit = max_upload_bytes() // (1024 * 1024)
        raise ActionError(f"文件超过 {limit} MB 的上限。", code="file_too_large", field="file")
    folder = import_dir()
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, suffix=suffix, delete=False) as fh:
        for part in upload.chunks():
            digest.update(part)
            fh.write(part)
        staged = Path(fh.name)
    existing = ImportBatch.objects.filter(kind=kind, sha256=digest.hexdigest(), user=by).first()
    if existing is not None:
        staged.unlink()
        return existing
    target = folder / f"{digest.hexdigest()}{suffix}"
    shutil.move(staged, target)
    try:
        info = reading.inspect(target)
        header, data_rows = reading.read_rows(target, info)
        data_rows.close()  # type: ignore[attr-defined]
    except reading.FileError as exc:
        target.unlink()
        raise ActionError(str(exc), code="unreadable", field="file") from exc
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            sha256=info.sha256,
            file_name=Path(upload.name or target.name).name[:255],
            file_path=str(target),
            mapping=mapping.guess_mapping(kind, header),
            source_channel=SourceChannel.INTERNAL,
            owner=by,
            user=by,
        )
        events.record(by, "import.uploaded", batch, summary=batch.file_name)
    return batch


def _check_editable(batch: ImportBatch, by: User) -> None:
    if batch.user_id != by.pk:
        raise ActionError("只能操作自己的导入。", code="not_yours")
    if batch.status != ImportStatus.PENDING:
        raise ActionError("导入已开始，不能再修改列对应。", code="started")


def configure_import(
    batch: ImportBatch,
    columns: dict[str, str],
    *,
    source_channel: str,
    on_duplicate: str,
    by: User,
    save_as: str = "",
) -> ImportBatch:
    """Set which column holds which field (and optionally keep it as a named mapping)."""
    _check_editable(batch, by)
    columns = {f: c for f, c in columns.items() if c}
    check_options(batch.kind, columns, on_duplicate or OnDuplicate.SKIP)
    used: dict[str, str] = {}
    for field, column in columns.items():
        if column in used:
            raise ActionError(f"列“{column}”被选了两次。", code="column_twice", field=field)
        used[column] = field
    with transaction.atomic():
        batch.mapping = columns
        batch.source_channel = source_channel
        batch.on_duplicate = on_duplicate or OnDuplicate.SKIP
        batch.save(update_fields=["mapping", "source_channel", "on_duplicate"])
        if save_as:
            SavedMapping.objects.update_or_create(
                user=by, kind=batch.kind, name=save_as[:64], defaults={"columns": columns}
            )
        events.record(
            by,
            "import.configured",
            batch,
            summary=batch.file_name,
            changes={"mapping": columns, "saved_as": save_as},
        )
    return batch


def queue_import(batch: ImportBatch, *, by: User) -> ImportBatch:
    """Hand the batch to the background worker (also to resume a failed one)."""
    if batch.user_id != by.pk:
        raise ActionError("只能操作自己的导入。", code="not_yours")
    if batch.status not in (ImportStatus.PENDING, ImportStatus.FAILED):
        raise ActionError("导入已在进行或已完成。", code="started")
    check_options(batch.kind, batch.mapping, batch.on_duplicate)
    _check_may_import(by, batch.owner, batch.kind)
    with transaction.atomic():
        batch.status = ImportStatus.QUEUED
        batch.message = ""
        batch.save(update_fields=["status", "message"])
        events.record(by, "import.queued", batch, summary=batch.file_name)
        from .tasks import run_import

        # The worker must see the committed QUEUED batch, not race this transaction.
        transaction.on_commit(lambda: run_import(batch.pk))
    return batch


def record_row_count(batch: ImportBatch) -> ImportBatch:
    """Count a queued file's rows once, in the worker, so the upload answers at once."""
    from guanxi.customers.imports.runner import count_rows

    if batch.total_rows is None:
        batch.total_rows = count_rows(batch)
        batch.save(update_fields=["total_rows"])
    return batch
