"""The one set of validation rules for follow-up tasks (pages and API use these forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import User

from .choices import TaskKind
from .models import FollowUpTask


class TaskForm(forms.ModelForm):
    """A new task: what, for whom, by when. The assignee defaults to the customer's owner."""

    class Meta:
        model = FollowUpTask
        fields = ["kind", "title", "notes", "assignee", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].required = False
        self.fields["assignee"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["kind"].initial = TaskKind.CONTACT

    def clean_due_date(self) -> Any:
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("截止日期不能早于今天"), code="past_due_date")
        return due


class OutcomeForm(forms.Form):
    """Closing a task: what came of it (required to complete, optional to cancel)."""

    outcome = forms.CharField(
        label=_("结果"), max_length=2000, required=False, widget=forms.Textarea
    )
