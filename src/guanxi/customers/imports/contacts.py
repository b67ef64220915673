"""Importing contacts onto existing customers, validated by ContactForm.

Each row names its customer by a unique key (see `references`); rows whose
customer is missing, ambiguous or outside what the importer may change are
refused into the report. A row duplicates an existing contact when the same
customer already has a contact with the same phone or, for a row without a
phone, the same name: `skip` reports it as skipped, `update` fills the existing
contact with the row's non-empty values (through `update_contact`).

Contacts are far fewer than customers, so every row goes through the form itself
(no fast path) and rows are written with `bulk_create` (ids come back on both
databases, which the primary-contact rule needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from guanxi.core.models import User
from guanxi.customers import actions as customer_actions
from guanxi.customers.choices import ContactRole
from guanxi.customers.forms import ContactForm
from guanxi.customers.models import Contact, Customer
from guanxi.customers.search import phone_indexes, pinyin_keys
from guanxi.imports.models import ImportBatch, ImportedRecord, ImportRejection, OnDuplicate

from . import references
from .rows import GENDER_WORDS, _choice, form_errors, normal_date
from .runner import Outcome

YES_WORDS = frozenset(("是", "主要", "y", "yes", "true", "1", "√", "✓"))
FIELDS = ("name", "role", "title", "gender", "birth_date", "phone", "email", "wechat_id", "notes")


def contact_input(raw: dict[str, str]) -> dict[str, Any]:
    """The ContactForm data a user would have typed for this row."""
    gender = raw.get("gender", "")
    data: dict[str, Any] = {
        "name": raw.get("name", ""),
        "role": _choice(raw.get("role", ""), ContactRole) or ContactRole.OTHER,
        "title": raw.get("title", ""),
        "gender": GENDER_WORDS.get(gender.lower(), gender),
        "birth_date": normal_date(raw.get("birth_date", "")),
        "phone": raw.get("phone", ""),
        "email": raw.get("email", ""),
        "wechat_id": raw.get("wechat_id", ""),
        "notes": raw.get("notes", ""),
    }
    if raw.get("is_primary", "").lower() in YES_WORDS:
        data["is_primary"] = "on"  # a checkbox: absent means False
    return data


def validate_contact(data: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    form = ContactForm(data=data)
    if not form.is_valid():
        return None, form_errors(form)
    return dict(form.cleaned_data), ""


def raw_cells(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    width = len(cells)
    return {f: (cells[i].strip() if i < width else "") for f, i in columns.items()}


@dataclass
class ContactImport:
    """Writes a contacts batch, one chunk at a time, inside the runner's transaction."""

    batch: ImportBatch
    user: User
    columns: dict[str, int]
    boundary: int | None = None

    def __post_init__(self) -> None:
        self.refs = references.RefCache()

    def write(self, first_row: int, rows: list[list[str]]) -> Outcome:
        out = Outcome()
        valid: list[tuple[int, list[str], references.Ref, dict[str, Any]]] = []
        for number, cells in enumerate(rows, first_row):
            raw = raw_cells(cells, self.columns)
            ref = self.refs.ref(raw)
            cleaned, error = validate_contact(contact_input(raw))
            reason = ref if isinstance(ref, str) else error
            if reason or cleaned is None or isinstance(ref, str):
                out.rejections.append(self._reject(number, cells, reason))
                out.rejected += 1
                continue
            valid.append((number, cells, ref, cleaned))
        customers = references.resolve({ref for _, _, ref, _ in valid}, self.user)
        existing = self._existing({c for c in customers.values() if isinstance(c, int)})
        seen: dict[tuple[int, str], int] = {}
        new: list[tuple[int, Contact]] = []
        for number, cells, ref, cleaned in valid:
            customer_id = customers[ref]
            if isinstance(customer_id, str):
                out.rejections.append(self._reject(number, cells, customer_id))
                out.rejected += 1
                continue
            phone_bidx, last4 = phone_indexes(cleaned["phone"])
            key = (customer_id, phone_bidx or "name:" + cleaned["name"])
            if key in seen:
                out.rejections.append(self._reject(number, cells, f"与文件第 {seen[key]} 行重复。"))
                out.skipped += 1
                continue
            seen[key] = number
            if key in existing:
                if self.batch.on_duplicate == OnDuplicate.UPDATE:
                    self._update(existing[key], cleaned)
                    out.updated += 1
                else:
                    reason = "该客户已有此联系人，已跳过。"
                    out.rejections.append(self._reject(number, cells, reason))
                    out.skipped += 1
                continue
            contact = Contact(
                customer_id=customer_id,
                **{f: cleaned[f] for f in FIELDS},
                is_primary=bool(cleaned.get("is_primary")),
                phone_bidx=phone_bidx,
                phone_last4_bidx=last4,
            )
            contact.pinyin, contact.initials = pinyin_keys(contact.name)
            new.append((number, contact))
        self._insert(new)
        out.created = len(new)
        return out

    def _existing(self, customer_ids: set[int]) -> dict[tuple[int, str], int]:
        """(customer id, phone index or name) → contact id, for the chunk's customers."""
        found: dict[tuple[int, str], int] = {}
        ordered = sorted(customer_ids)
        for start in range(0, len(ordered), references.IN_LIMIT):
            part = ordered[start : start + references.IN_LIMIT]
            rows = Contact.objects.filter(customer_id__in=part).values_list(
                "pk", "customer_id", "phone_bidx", "name"
            )
            for pk, customer_id, phone_bidx, name in rows:
                found.setdefault((customer_id, phone_bidx or "name:" + name), pk)
        return found

    def _insert(self, new: list[tuple[int, Contact]]) -> None:
        if not new:
            return
        contacts = Contact.objects.bulk_create([c for _, c in new], batch_size=500)
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(batch_id=self.batch.pk, row_number=n, object_id=c.pk)
                for (n, _), c in zip(new, contacts, strict=True)
            ],
            batch_size=500,
        )
        # One primary contact per customer, as add_contact keeps it: the last row wins.
        primary: dict[int, int] = {}
        for contact in contacts:
            if contact.is_primary:
                primary[contact.customer_id] = contact.pk
        if primary:
            Contact.objects.filter(customer_id__in=list(primary), is_primary=True).exclude(
                pk__in=list(primary.values())
            ).update(is_primary=False)
        touched = sorted({c.customer_id for c in contacts})
        for start in range(0, len(touched), references.IN_LIMIT):
            Customer.objects.filter(pk__in=touched[start : start + references.IN_LIMIT]).update(
                updated_at=timezone.now()
            )

    def _update(self, contact_id: int, cleaned: dict[str, Any]) -> None:
        contact = Contact.objects.select_related("customer").get(pk=contact_id)
        data = {k: v for k, v in cleaned.items() if v not in ("", None, False)}
        customer_actions.update_contact(contact, data, by=self.user)

    def _reject(self, number: int, cells: list[str], reason: str) -> ImportRejection:
        return ImportRejection(
            batch_id=self.batch.pk, row_number=number, values=cells, reason=reason
        )
