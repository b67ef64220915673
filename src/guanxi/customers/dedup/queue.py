"""Fill the review queue: score every blocked pair of customers, keep the likely ones;
or score given pairs (an import's merge-review rows) and queue them all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from guanxi.core import events
from guanxi.core.choices import Role
from guanxi.core.models import User
from guanxi.customers.actions import NotFound
from guanxi.customers.models import Customer

from .linkage import Progress, link
from .merge import merge_customers
from .population import FIELDS, default_m, default_model, load_customers, store_frequencies
from .scoring import PairScore, score_pairs


@dataclass
class ScanResult:
    customers: int
    pairs_compared: int
    candidates: int
    seconds: float
    auto_merged: int = 0
    auto_skipped: int = 0


def scan(
    *, progress: Progress | None = None, write: bool = True, merge_as: User | None = None
) -> ScanResult:
    """Train on the database itself, store the model, queue pairs above the review threshold.

    With an auto-merge threshold set and `merge_as` given (the user accountable
    for the merges; the CLI's --merge-as), pairs at or above it are then merged
    through the same action as a reviewer's merge (see auto_merge).
    """
    import time

    from guanxi.dedup.models import CandidateStatus, DedupSettings, DuplicateCandidate

    started = time.perf_counter()
    config = DedupSettings.current()
    ids, cols = load_customers()
    if progress:
        progress("load", len(ids), len(ids))
    linkage = link(
        cols,
        max_block=config.max_block,
        m_prior=list(default_m()),
        u_prior=list(default_model().u),
        progress=progress,
    )
    keep = np.flatnonzero(linkage.probability >= config.review_threshold)
    if write:
        kept_frequencies = {c: f[keep] for c, f in linkage.frequencies.items()}
        weights = linkage.model.match_weights(linkage.gamma[keep], kept_frequencies)
        rows = []
        for k, w in zip(keep, weights, strict=True):
            a, b = int(ids[linkage.left[k]]), int(ids[linkage.right[k]])
            why = [list(r) for r in linkage.reasons(int(k))]
            rows.append(
                DuplicateCandidate(
                    left_id=min(a, b),
                    right_id=max(a, b),
                    probability=float(linkage.probability[k]),
                    match_weight=float(w),
                    reasons=why,
                    agreed=DuplicateCandidate.agreed_from(why),
                )  # fmt: skip
            )
        with transaction.atomic():
            config.model = {
                "comparisons": [c.name for c in linkage.comparisons],
                **linkage.model.to_json(),
                # Denominators of the stored name counts the create/import check uses.
                "tf_population": store_frequencies(cols),
            }
            config.trained_at = timezone.now()
            config.save(update_fields=["model", "trained_at"])
            # Decisions already taken (merged, dismissed) are kept; open pairs are refreshed,
            # except those an import's merge-review queued (whatever their score, see
            # queue_pairs): the scan may not compare them at all, and the batch page
            # promised the reviewer those pairs.
            DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN).exclude(
                Exists(_imported_pair(OuterRef("left_id"), OuterRef("right_id")))
                | Exists(_imported_pair(OuterRef("right_id"), OuterRef("left_id")))
            ).delete()
            DuplicateCandidate.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    merged = skipped = 0
    if write and merge_as is not None and config.auto_merge_threshold is not None:
        merged, skipped = auto_merge(config.auto_merge_threshold, by=merge_as)
    return ScanResult(
        len(ids), len(linkage.left), len(keep), time.perf_counter() - started, merged, skipped
    )


def run_scan(
    *, by: User | None, progress: Progress | None = None, merge_as: User | None = None
) -> ScanResult:
    """A scan someone asked for — an admin's button, or the system (the nightly job, the
    server's CLI: `by` None) — and its one `dedup.scanned` event; admins only."""
    if by is not None and by.role != Role.ADMIN:
        raise NotFound()
    result = scan(progress=progress, merge_as=merge_as)
    events.record(
        by,
        "dedup.scanned",
        summary=f"扫描 {result.customers} 个客户，比较 {result.pairs_compared} 对，"
        f"{result.candidates} 对进入审核队列（{result.seconds:.0f} 秒）",
    )
    return result


def _imported_pair(new: OuterRef, existing: OuterRef) -> Any:
    """Merge-review records of an import that flagged customer `new` as `existing`'s double."""
    from guanxi.imports.models import ImportedRecord

    return ImportedRecord.objects.filter(object_id=new, duplicate_of_id=existing)


def queue_pairs(pairs: Iterable[tuple[int, int]]) -> int:
    """Score these pairs of customer ids and put every one in the review queue.

    For pairs someone has already called duplicates (an import's merge-review
    rows share a phone, ID number or credit code): queued whatever their score,
    which with its reasons tells the reviewer how alike they are. Scored and
    ordered as the scan's (left the lower id). A pair already queued, open or
    decided, is left as it is. Writes in the caller's transaction; returns the
    pairs offered.
    """
    ordered = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    if not ordered:
        return 0  # every chunk of every import passes here: no query when nothing is flagged
    ids = sorted({pk for pair in ordered for pk in pair})
    rows: dict[int, tuple[object, ...]] = {}
    for start in range(0, len(ids), 900):  # under SQLite's host-parameter limit
        found = Customer.objects.filter(pk__in=ids[start : start + 900]).values_list(*FIELDS)
        rows.update((row[0], row) for row in found)
    ordered = [(a, b) for a, b in ordered if a in rows and b in rows]
    position = {pk: k for k, pk in enumerate(rows)}
    left = np.array([position[a] for a, _b in ordered], dtype=np.int64)
    right = np.array([position[b] for _a, b in ordered], dtype=np.int64)
    scores = score_pairs(list(rows.values()), left, right)
    _insert_open([(a, b, score) for (a, b), score in zip(ordered, scores, strict=True)])
    return len(ordered)


QUEUE_COLUMNS = (
    "left_id", "right_id", "probability", "match_weight", "reasons", "agreed", "status", "found_at",
)  # fmt: skip


def _insert_open(scored: list[tuple[int, int, PairScore]]) -> None:
    """Open pairs as plain rows, a queued pair (open or decided) left as it is.

    Not bulk_create: preparing its ten fields per row through the model was a
    third of queueing an import's pairs (0.9 of 2.7 s for 10,000). ON CONFLICT
    DO NOTHING is the same statement on SQLite and PostgreSQL.
    """
    from guanxi.dedup.models import CandidateStatus, DuplicateCandidate

    meta = DuplicateCandidate._meta
    reasons = meta.get_field("reasons")
    found_at = meta.get_field("found_at").get_db_prep_save(timezone.now(), connection)
    data = []
    for a, b, score in scored:
        why = [list(r) for r in score.reasons]
        data.append(
            (
                a,
                b,
                score.probability,
                score.match_weight,
                reasons.get_db_prep_save(why, connection),
                DuplicateCandidate.agreed_from(why),
                CandidateStatus.OPEN.value,
                found_at,
            )
        )
    marks = ", ".join(["%s"] * len(QUEUE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{meta.db_table}" ({", ".join(QUEUE_COLUMNS)}) VALUES ({marks}) '
            "ON CONFLICT DO NOTHING",
            data,
        )


def auto_merge(threshold: float, *, by: User) -> tuple[int, int]:
    """Merge the open queued pairs at or above `threshold`; returns (merged, skipped).

    The older customer (lower id) survives: it usually carries the history.
    Each merge is its own transaction through `merge_customers` (events, Merge
    row, undo from the pair page). Pairs `by` may not change, or whose customer
    was already merged into a third one earlier in this loop, are left in the
    queue for a person.
    """
    from guanxi.core.actions import ActionError
    from guanxi.dedup.models import CandidateStatus, DuplicateCandidate

    merged = skipped = 0
    pairs = (
        DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN, probability__gte=threshold)
        .select_related("left", "right")
        .order_by("-probability", "id")
    )
    for pair in pairs:
        try:
            merge_customers(pair.left, pair.right, by=by, auto_probability=pair.probability)
        except ActionError:
            skipped += 1
        else:
            merged += 1
    return merged, skipped
