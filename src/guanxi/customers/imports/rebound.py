"""One form instance re-bound to each imported row's data, for the verdicts of a fresh one.

Django deep-copies every field, and a ModelChoiceField's queryset, on each
form's __init__ — a third of a purchase row's cost, and half of a contact row's,
in the profiles (docs/benchmarks.md). Cleaning does not change the fields, so
clearing what a form caches about its data (errors, bound fields, changed_data,
cleaned_data) and binding the next row gives the verdicts and messages of a
fresh form. A ModelForm also writes the cleaned values into its instance
(`_post_clean`) and validates that instance, so it gets a new, empty instance of
its model with each row, as a fresh form would. tests/imports/test_import_purchases.py
and test_import_contacts.py compare rebound and fresh forms row after row.
"""

from __future__ import annotations

from typing import Any

from django import forms


class ReboundForm:
    """A form built once and bound again to each row's data."""

    def __init__(self, form_class: type[forms.BaseForm]) -> None:
        self.form = form_class(data={})
        self.model: type[Any] | None = None
        if issubclass(form_class, forms.BaseModelForm):
            self.model = form_class._meta.model  # type: ignore[attr-defined]

    def bind(self, data: dict[str, Any]) -> forms.BaseForm:
        form = self.form
        form.data = data
        form._errors = None  # type: ignore[assignment]
        form._bound_fields_cache = {}
        form.__dict__.pop("changed_data", None)
        form.__dict__.pop("cleaned_data", None)
        if self.model is not None:
            form.instance = self.model()  # type: ignore[attr-defined]
        return form
