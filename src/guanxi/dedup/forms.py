"""Validation of the duplicate-detection settings an admin edits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import DedupSettings

PROBABILITY = [
    MinValueValidator(0.01, message=_("匹配概率须在 0.01 到 1 之间。")),
    MaxValueValidator(1.0, message=_("匹配概率须在 0.01 到 1 之间。")),
]
# Below 2 nothing is compared; far above a few thousand one block's pairs fill the memory.
BLOCK = [
    MinValueValidator(2, message=_("最大分块须在 2 到 5000 之间。")),
    MaxValueValidator(5000, message=_("最大分块须在 2 到 5000 之间。")),
]


class DedupSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Thresholds of the create/import warning, the review queue and the optional auto-merge.

    Only auto-merge is ordered against the others: it must be at least the review
    threshold, or pairs would be merged that were not even worth a reviewer's look.
    Warning and review are independent on purpose: the warning interrupts someone
    typing a record, the queue is read at leisure, and an admin may want either
    stricter than the other.
    """

    warn_threshold = forms.FloatField(label=_("新建时提示的匹配概率"), validators=PROBABILITY)
    review_threshold = forms.FloatField(label=_("进入审核队列的匹配概率"), validators=PROBABILITY)
    auto_merge_threshold = forms.FloatField(
        label=_("自动合并的匹配概率"),
        required=False,
        validators=PROBABILITY,
        help_text=_("留空则不自动合并。自动合并记录事件，可在审核队列中撤销。"),
    )
    max_block = forms.IntegerField(label=_("最大分块"), validators=BLOCK)

    class Meta:
        model = DedupSettings
        fields = ["warn_threshold", "review_threshold", "auto_merge_threshold", "max_block"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        review, auto = cleaned.get("review_threshold"), cleaned.get("auto_merge_threshold")
        if review is not None and auto is not None and auto < review:
            self.add_error(
                "auto_merge_threshold", _("自动合并的匹配概率不能低于进入审核队列的匹配概率。")
            )
        return cleaned
