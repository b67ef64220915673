"""Fill the review queue: score every blocked pair of customers, keep the likely ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from .linkage import Progress, link
from .population import default_m, default_model, load_customers, store_frequencies


@dataclass
class ScanResult:
    customers: int
    pairs_compared: int
    candidates: int
    seconds: float


def scan(*, progress: Progress | None = None, write: bool = True) -> ScanResult:
    """Train on the database itself, store the model, queue pairs above the review threshold."""
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
        weights = linkage.model.match_weights(linkage.gamma[keep])
        rows = []
        for k, w in zip(keep, weights, strict=True):
            a, b = int(ids[linkage.left[k]]), int(ids[linkage.right[k]])
            rows.append(
                DuplicateCandidate(
                    left_id=min(a, b),
                    right_id=max(a, b),
                    probability=float(linkage.probability[k]),
                    match_weight=float(w),
                    reasons=[list(r) for r in linkage.reasons(int(k))],
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
            # Decisions already taken (merged, dismissed) are kept; open pairs are refreshed.
            DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN).delete()
            DuplicateCandidate.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return ScanResult(len(ids), len(linkage.left), len(keep), time.perf_counter() - started)
