"""Import batches, their rejected rows and the records they created.

A batch is one file (identified by its sha256) imported as one kind of record.
Rows are written in chunks; `rows_done` moves forward in the same transaction as
a chunk's rows, so after a crash the batch resumes exactly after the last
committed chunk — nothing twice, nothing lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.querysets import RestrictedQuerySet


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("客户")
    CONTACTS = "contacts", _("联系人")
    PURCHASES = "purchases", _("购买记录")


class OnDuplicate(models.TextChoices):
    SKIP = "skip", _("跳过")
    UPDATE = "update", _("更新已有客户")
    MERGE_REVIEW = "merge-review", _("导入并标记待合并")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("等待中")  # uploaded, columns being mapped (or a CLI batch starting)
    QUEUED = "queued", _("排队中")  # confirmed in the wizard, waiting for the background worker
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportBatchQuerySet(RestrictedQuerySet["ImportBatch"]):
    """Batches are private to who ran them; admins see all."""

    restrict_kind = "user"


class ImportBatch(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=ImportKind.choices)
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_path = models.CharField(max_length=1024, blank=True)
    mapping = models.JSONField(default=dict)
    source_channel = models.CharField(_("信息来源"), max_length=16)
    on_duplicate = models.CharField(
        _("重复处理"), max_length=16, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches"
    )
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default="pending")
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        constraints = [
            models.UniqueConstraint(fields=["kind", "sha256", "user"], name="import_file_once")
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind})"

    @property
    def progress(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, self.rows_done * 100 // self.total_rows)


class ImportRejection(models.Model):
    """A row that was not imported, with its original cells and the reason."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField()
    values = models.JSONField(default=list)
    reason = models.TextField()

    class Meta:
        ordering = ["row_number"]
        indexes = [models.Index(fields=["batch", "row_number"], name="import_rejection_row")]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.reason}"


class ImportedRecord(models.Model):
    """Which record a file row became: the import batch is the record's source."""

    # import_record_row (batch, row_number) serves the batch lookups: no index of its own.
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    row_number = models.PositiveIntegerField()
    object_id = models.BigIntegerField()
    # merge-review: the existing customer this row likely duplicates.
    duplicate_of_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["batch", "row_number"], name="import_record_row"),
            models.Index(fields=["object_id"], name="import_record_object"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} → {self.object_id}"


class SavedMappingQuerySet(RestrictedQuerySet["SavedMapping"]):
    restrict_kind = "user"


class SavedMapping(models.Model):
    """A reusable column mapping: field name → header text of the file."""

    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=ImportKind.choices)
    columns = models.JSONField(default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SavedMappingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "name"], name="mapping_name")
        ]

    def __str__(self) -> str:
        return str(self.name)
