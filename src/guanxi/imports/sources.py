"""Which import batch a record came from: the record's source, shown on its page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from guanxi.core.models import User

from .models import ImportBatch, ImportedRecord, ImportKind


@dataclass(frozen=True)
class ImportSource:
    batch_id: int
    row_number: int
    # The batch itself only for who may open it (its owner, an admin): the file name
    # of someone else's upload is theirs to show.
    batch: ImportBatch | None


def import_source(user: User, kind: ImportKind, object_id: int) -> ImportSource | None:
    """The batch and file row that created record `object_id` of `kind`, if it was imported.

    One query, imported or not (the 360 page counts its queries): the user's right
    to open the batch is a subquery, not a second lookup.
    """
    visible = ImportBatch.objects.restrict(user, "view").filter(pk=OuterRef("batch_id"))
    record = (
        ImportedRecord.objects.filter(object_id=object_id, batch__kind=kind)
        .select_related("batch")
        .annotate(visible=Exists(visible))
        .order_by("batch_id")
        .first()
    )
    if record is None:
        return None
    return ImportSource(
        record.batch_id, record.row_number, record.batch if record.visible else None
    )
