"""Importing contacts onto existing customers, validated by ContactForm.

Each row names its customer by a unique key (see `references`); rows whose
customer is missing, ambiguous or outside what the importer may change are
refused into the report. A row duplicates an existing contact when the same
customer already has a contact with the same phone or, for a row without a
phone, the same name: `skip` reports it as skipped, `update` fills the existing
contact with the row's non-empty values (through `update_contact`).

Contacts are far fewer than customers, so every row goes through ContactForm
itself (no fast path) — one form re-bound to each row (`rebound.ReboundForm`), as
building a ModelForm per row was half of a contact's cost. Rows are written as
plain tuples (`runner.insert_rows`) with ids reserved first (`runner.reserve_ids`),
which the import records and the primary-contact rule need; the phone is sealed
as the customer import seals it (the bytes of core.crypto, see sealing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from guanxi.core.models import User
from guanxi.customers import actions as customer_actions
from guanxi.customers.choices import ContactRole
from guanxi.customers.forms import ContactForm
from guanxi.customers.models import Contact, Customer
from guanxi.customers.search import phone_indexes
from guanxi.demo.batches import CONTACT_COLUMNS
from guanxi.imports.models import ImportBatch, ImportedRecord, ImportRejection, OnDuplicate

from . import references
from .rebound import ReboundForm
from .rows import GENDER_WORDS, _choice, form_errors, normal_date
from .runner import RECORD_COLUMNS, Outcome, insert_rows, reserve_ids, stamp
from .sealing import cached_pinyin, sealer

YES_WORDS = frozenset(("是", "主要", "y", "yes", "true", "1", "√", "✓"))
# A contact to write: file row, customer id, the form's cleaned values, phone indexes.
New = tuple[int, int, dict[str, Any], tuple[str, str]]


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


def validate_contact(
    data: dict[str, Any], rebound: ReboundForm | None = None
) -> tuple[dict[str, Any] | None, str]:
    """ContactForm's verdict: `rebound`'s form when given, else a new form."""
    form = rebound.bind(data) if rebound is not None else ContactForm(data=data)
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
        self.form = ReboundForm(ContactForm)

    def write(self, first_row: int, rows: list[list[str]]) -> Outcome:
        out = Outcome()
        valid: list[tuple[int, list[str], references.Ref, dict[str, Any]]] = []
        for number, cells in enumerate(rows, first_row):
            raw = raw_cells(cells, self.columns)
            ref = self.refs.ref(raw)
            cleaned, error = validate_contact(contact_input(raw), self.form)
            reason = ref if isinstance(ref, str) else error
            if reason or cleaned is None or isinstance(ref, str):
                out.rejections.append(self._reject(number, cells, reason))
                out.rejected += 1
                continue
            valid.append((number, cells, ref, cleaned))
        customers = references.resolve({ref for _, _, ref, _ in valid}, self.user)
        existing = self._existing({c for c in customers.values() if isinstance(c, int)})
        seen: dict[tuple[int, str], int] = {}
        new: list[New] = []
        for number, cells, ref, cleaned in valid:
            customer_id = customers[ref]
            if isinstance(customer_id, str):
                out.rejections.append(self._reject(number, cells, customer_id))
                out.rejected += 1
                continue
            indexes = phone_indexes(cleaned["phone"])
            key = (customer_id, indexes[0] or "name:" + cleaned["name"])
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
            new.append((number, customer_id, cleaned, indexes))
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

    def _insert(self, new: list[New]) -> None:
        if not new:
            return
        seal = sealer()
        created = stamp(timezone.now(), "+00" if connection.vendor == "postgresql" else "")
        ids = reserve_ids(len(new), Contact._meta.db_table)
        rows, records = [], []
        primary: dict[int, int] = {}  # one primary contact per customer: the last row wins
        for pk, (number, customer_id, c, (phone_bidx, last4)) in zip(ids, new, strict=True):
            pinyin, initials = cached_pinyin(c["name"])
            birth = c["birth_date"]
            is_primary = bool(c.get("is_primary"))
            rows.append(
                (
                    pk,
                    customer_id,
                    c["name"],
                    pinyin,
                    initials,
                    str(c["role"]),
                    c["title"],
                    str(c["gender"]),
                    birth.isoformat() if birth else None,
                    seal.encrypt(c["phone"]) if c["phone"] else "",
                    phone_bidx,
                    last4,
                    c["email"],
                    c["wechat_id"],
                    is_primary,
                    c["notes"],
                    created,
                )
            )
            records.append((self.batch.pk, number, pk, None))
            if is_primary:
                primary[customer_id] = pk
        insert_rows(Contact._meta.db_table, ("id", *CONTACT_COLUMNS), rows)
        insert_rows(ImportedRecord._meta.db_table, RECORD_COLUMNS, records)
        if primary:
            Contact.objects.filter(customer_id__in=list(primary), is_primary=True).exclude(
                pk__in=list(primary.values())
            ).update(is_primary=False)
        touched = sorted({customer_id for _, customer_id, _, _ in new})
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
