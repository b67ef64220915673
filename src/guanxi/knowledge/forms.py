"""Validation of knowledge-base input, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Article, Category


class ArticleForm(forms.ModelForm):
    """An article's content; `note` says what changed (kept with the version)."""

    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)
    publish = forms.BooleanField(label=_("保存后发布"), required=False)
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Article
        fields = ["title", "category", "visibility", "keywords", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("parent")

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 2:
            raise forms.ValidationError(_("标题至少 2 个字。"), code="min_length")
        return title

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if len(body) < 5:
            raise forms.ValidationError(_("正文至少 5 个字。"), code="min_length")
        return body

    def clean_keywords(self) -> str:
        raw = self.cleaned_data.get("keywords") or ""
        words = [w for w in raw.replace("，", ",").replace("、", ",").replace(",", " ").split()]
        return ", ".join(dict.fromkeys(words))


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "parent", "position", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Two levels: only top-level categories can be parents.
        self.fields["parent"].queryset = Category.objects.filter(parent__isnull=True)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写名称。"), code="required")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name, parent = data.get("name"), data.get("parent")
        if name:
            clash = Category.objects.filter(name=name, parent=parent)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "name", forms.ValidationError(_("同级已有同名分类。"), code="unique")
                )
        return data


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("1", _("有帮助")), ("0", _("没帮助"))], coerce=lambda v: v == "1"
    )
    comment = forms.CharField(required=False, max_length=500, widget=forms.Textarea)
