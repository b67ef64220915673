"""Tables of duplicate detection: its settings, the review queue and merges (for undo).

The logic lives in `guanxi.customers.dedup`; this app only holds its rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.querysets import RestrictedQuerySet


class DedupSettings(models.Model):
    """Thresholds an admin edits (one row, seeded), and the last trained model."""

    warn_threshold = models.FloatField(
        _("新建时提示的匹配概率"),
        default=0.5,
        help_text=_("新建客户时，匹配概率达到该值即提示可能重复。"),
    )
    review_threshold = models.FloatField(
        _("进入审核队列的匹配概率"),
        default=0.5,
        help_text=_("扫描时，匹配概率达到该值的客户对进入审核队列。"),
    )
    # Off (null) by default: merging without a person looking is a choice an admin makes.
    auto_merge_threshold = models.FloatField(
        _("自动合并的匹配概率"),
        null=True,
        blank=True,
        help_text=_("扫描时，匹配概率达到该值的客户对自动合并（可撤销）；留空则不自动合并。"),
    )
    max_block = models.PositiveIntegerField(
        _("最大分块"), default=300, help_text=_("共享同一分块键的客户多于该数时不两两比较。")
    )
    model = models.JSONField(default=dict, blank=True, editable=False)
    trained_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("数据清洗设置")
        verbose_name_plural = _("数据清洗设置")

    def __str__(self) -> str:
        return f"warn ≥ {self.warn_threshold}, review ≥ {self.review_threshold}"

    @classmethod
    def current(cls) -> DedupSettings:
        return cls.objects.order_by("id").first() or cls.objects.create()


class NameFrequency(models.Model):
    """How many active customers bear a name or a pinyin bag, as the last scan counted.

    The single-record check (create form, API, import) weighs a shared name by
    how common it is in the whole table (customers.dedup.frequency), which a
    handful of candidates cannot tell. Only values held by two or more customers
    are stored; an absent value counts as one. Counts, not customers: never shown.
    """

    NAME, PINYIN = "name", "pinyin"
    kind = models.CharField(max_length=8, choices=[(NAME, NAME), (PINYIN, PINYIN)])
    value = models.CharField(max_length=255)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="dedup_name_frequency_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value} × {self.count}"


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("待审核")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("不是重复")


class CandidateQuerySet(RestrictedQuerySet["DuplicateCandidate"]):
    restrict_path = "left__"

    def restrict(self, user, action="view"):  # type: ignore[no-untyped-def]
        """A pair is visible only to users who may see (or change) both customers."""
        from guanxi.customers.models import Customer

        allowed = Customer.objects.restrict(user, action).values("pk")
        return self.filter(left__in=allowed, right__in=allowed)


class DuplicateCandidate(models.Model):
    """A pair of customers that are probably one: score and the reason for it."""

    left = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("匹配概率"))
    match_weight = models.FloatField(_("匹配权重"))
    # [[field, level label, weight], …]: which fields agreed or not and how much each counted.
    reasons = models.JSONField(default=list)
    # ",电话,姓名,": the fields that counted *for* the match (weight > 0), for the queue's
    # reason filter as a plain LIKE on both databases (JSON lookups differ between them).
    agreed = models.CharField(_("支持匹配的字段"), max_length=255, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=16, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="dedup_pair_once"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="dedup_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-probability", "id"], name="dedup_queue")]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id} ({self.probability:.3f})"

    @staticmethod
    def agreed_from(reasons: list[list[object]]) -> str:
        """The `agreed` value for these reasons: fields with a positive weight, comma-framed."""
        fields = [str(r[0]) for r in reasons if float(r[2]) > 0]  # type: ignore[arg-type]
        return f",{','.join(fields)}," if fields else ""


class Merge(models.Model):
    """One merge, with exactly what it changed so that it can be undone."""

    survivor = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    loser = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    # {"app_label.model.field": [pk, …]} rows that pointed at the loser and now at the survivor.
    moved = models.JSONField(default=dict)
    # {"app_label.model.field": [{"row": {column: value}, "kept": pk, "carried": {field:
    # [before, after]}}, …]} loser rows that would have broken a unique rule on the survivor
    # (same crisis twice…): deleted, kept whole here for undo; "kept" is the survivor's row,
    # "carried" what it took over from the dropped one (a recovery that got further).
    dropped = models.JSONField(default=dict)
    # {"m2m field": [pk, …]} links added to the survivor (e.g. tags).
    linked = models.JSONField(default=dict)
    # Names of survivor fields that were blank and were filled from the loser.
    filled = models.JSONField(default=list)
    survivor_totals = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("客户合并")
        verbose_name_plural = _("客户合并")

    def __str__(self) -> str:
        return f"{self.loser_id} → {self.survivor_id}"
