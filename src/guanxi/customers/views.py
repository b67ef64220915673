"""Customer pages: the list, the 360 view, and the forms that change a customer.

Views stay thin: they read through `restrict` (404 outside the user's scope),
validate with the forms in `forms.py`, and hand cleaned data to `actions.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from guanxi.core import divisions
from guanxi.core.actions import ActionError
from guanxi.core.models import Event, Region, User
from guanxi.core.permissions import can, sees_masked
from guanxi.core.validators import mask_name
from guanxi.imports.models import ImportKind
from guanxi.imports.sources import import_source

from . import actions
from .choices import CustomerKind, Stage, ValueClass
from .forms import AddressForm, ContactForm, CustomerForm, form_data_from_instance
from .models import Address, Contact, Customer, Industry, StageChange, Tag
from .queries import (
    SORTS,
    CustomerPage,
    InvalidQuery,
    capped_count,
    customer_list,
    customer_timeline,
    filtered_customers,
    owner_choices,
    purchase_summary,
    recent_orders,
)

SORT_LABELS = {
    "-updated_at": _("最近更新"),
    "updated_at": _("最早更新"),
    "-total_amount": _("累计金额从高到低"),
    "total_amount": _("累计金额从低到高"),
    "pinyin": _("拼音 A→Z"),
    "name": _("名称"),
    "-created_at": _("最新创建"),
}

ORG_FIELDS = [
    "name", "credit_code", "phone", "email", "wechat_id", "industry", "employees",
    "annual_revenue", "energy_consumption", "energy_unit", "province_code", "city_code",
    "district_code", "source_channel", "collected_at", "verified_at", "value_class", "stage",
    "preferences", "notes", "tags",
]  # fmt: skip
PERSON_FIELDS = [
    "name", "gender", "birth_date", "id_number", "occupation", "phone", "email", "wechat_id",
    "industry", "province_code", "city_code", "district_code", "source_channel", "collected_at",
    "verified_at", "value_class", "stage", "preferences", "notes", "tags",
]  # fmt: skip


# --- form presentation ----------------------------------------------------------------


def present_form(form: forms.BaseForm) -> forms.BaseForm:
    """Browser-native inputs for dates and one-line inputs for encrypted text fields.

    The forms module owns validation; this only decides how fields are drawn.
    """
    for name, bound in form.fields.items():
        widget = bound.widget
        if isinstance(widget, forms.DateTimeInput):
            bound.widget = forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        elif isinstance(widget, forms.DateInput):
            bound.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif isinstance(widget, forms.Textarea) and name in ("phone", "id_number"):
            bound.widget = forms.TextInput()
        if name == "phone":
            bound.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
    if "tags" in form.fields:
        form.fields["tags"].widget = forms.CheckboxSelectMultiple(
            choices=form.fields["tags"].choices
        )
    return form


def division_widgets(form: forms.BaseForm) -> forms.BaseForm:
    """Province → city → district selects; htmx refills the next one on change."""
    province = form["province_code"].value() or ""
    city = form["city_code"].value() or ""
    blank = [("", "—")]
    cities = divisions.cities(province) if divisions.level_of(province) == "province" else []
    districts = (
        divisions.districts(city) if divisions.level_of(city) in ("city", "province") else []
    )
    form.fields["province_code"].widget = forms.Select(
        choices=blank + divisions.provinces(),
        attrs={
            "hx-get": reverse("core:cities"),
            "hx-target": "#id_city_code",
            "hx-trigger": "change",
            "data-clears": "id_district_code",
        },
    )
    form.fields["city_code"].widget = forms.Select(
        choices=blank + cities,
        attrs={
            "hx-get": reverse("core:districts"),
            "hx-target": "#id_district_code",
            "hx-trigger": "change",
        },
    )
    form.fields["district_code"].widget = forms.Select(choices=blank + districts)
    return form


def apply_action_error(form: forms.BaseForm, error: ActionError) -> None:
    target = error.field if error.field in form.fields else None
    form.add_error(target, error.message)


# --- list --------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def customer_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    error = ""
    try:
        page = customer_list(user, request.GET)
        count, capped = capped_count(filtered_customers(user, request.GET))
    except InvalidQuery as exc:
        page, count, capped, error = CustomerPage([], None, None), 0, False, exc.message
    context = {
        "rows": page.rows,
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "count": count,
        "capped": capped,
        "error": error,
        "masked": sees_masked(user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "customers/_table.html", context)
    context.update(
        {
            "params": request.GET,
            "sorts": [(key, SORT_LABELS[key]) for key in SORTS],
            "value_classes": ValueClass.choices,
            "stages": Stage.choices,
            "industries": Industry.objects.all(),
            "regions": Region.objects.all(),
            "owners": owner_choices(user),
            "tags": Tag.objects.all(),
            "can_add": can(user, "add"),
        }
    )
    return render(request, "customers/list.html", context)


# --- 360 ---------------------------------------------------------------------------------

VERB_LABELS = {
    "customer.created": _("创建了客户"),
    "customer.updated": _("修改了客户资料"),
    "customer.assigned": _("更换了客户经理"),
    "contact.added": _("添加了联系人"),
    "contact.updated": _("修改了联系人"),
    "address.added": _("添加了地址"),
    "address.updated": _("修改了地址"),
    "purchase.recorded": _("记录了购买"),
    "customer.merged": _("合并了重复客户"),
    "customer.unmerged": _("撤销了客户合并"),
    "duplicate.dismissed": _("排除了疑似重复"),
    "ticket.created": _("受理了工单"),
    "ticket.status_changed": _("推进了工单"),
    "ticket.reassigned": _("转交了工单"),
    "ticket.waiting": _("工单等待客户"),
    "ticket.resumed": _("工单恢复计时"),
    "ticket.escalated": _("工单超时升级"),
    "ticket.dispute_escalated": _("争议升级"),
    "ticket.dispute_outcome": _("记录了争议结果"),
    "ticket.repair_line_added": _("添加了配件或工时"),
    "ticket.attachment_added": _("上传了附件"),
    "ticket.csat": _("客户评价了服务"),
    "ticket.revisited": _("完成了回访"),
    "task.created": _("创建了跟进任务"),
    "task.completed": _("完成了跟进任务"),
    "task.cancelled": _("取消了跟进任务"),
    "chat.started": _("发起了在线咨询"),
    "chat.accepted": _("接入了在线咨询"),
    "chat.closed": _("结束了在线咨询"),
    "chat.customer_linked": _("关联了在线咨询"),
    "chat.ticket_created": _("在线咨询转为工单"),
    "chat.rated": _("评价了在线咨询"),
    "crisis.customers_linked": _("列为危机事件受影响客户"),
    "crisis.communicated": _("发送了危机沟通"),
    "crisis.recovery_updated": _("更新了危机恢复状态"),
}
CHANGE_MODELS: dict[str, Any] = {"customer": Customer, "contact": Contact, "address": Address}
DIVISION_FIELDS = {"province_code", "city_code", "district_code"}


@dataclass
class TimelineEntry:
    event: Event
    verb: str
    summary: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _field_label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 — a field removed since the event was written
        return {
            "owner": gettext("客户经理"),
            "tags": gettext("标签"),
            "lines": gettext("明细数"),
        }.get(name, name)


def _value_label(model: Any, name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if name in DIVISION_FIELDS:
        return divisions.name_of(str(value)) or str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    try:
        choices = dict(model._meta.get_field(name).flatchoices)
    except Exception:  # noqa: BLE001
        choices = {}
    return str(choices.get(value, value))


def timeline_entries(events: list[Event], masked: bool, person: bool) -> list[TimelineEntry]:
    entries = []
    for event in events:
        model = CHANGE_MODELS.get(event.object_type, Customer)
        rows = []
        for name, pair in (event.changes or {}).items():
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            if masked and name == "name" and (person or event.object_type == "contact"):
                old, new = mask_name(str(old or "")), mask_name(str(new or ""))
            before, after = _value_label(model, name, old), _value_label(model, name, new)
            if before != after:  # a created record lists its blank fields too; skip those
                rows.append((_field_label(model, name), before, after))
        summary = event.summary
        if masked and (person or event.object_type == "contact") and summary:
            summary = mask_name(summary)
        entries.append(
            TimelineEntry(event, str(VERB_LABELS.get(event.verb, event.verb)), summary, rows)
        )
    return entries


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = get_object_or_404(
        Customer.objects.restrict(user, "view")
        .select_related("owner", "team", "industry", "region")
        .prefetch_related("tags"),
        pk=pk,
    )
    actions.record_customer_viewed(customer, by=user)
    masked = sees_masked(user)
    context = {
        "customer": customer,
        "masked": masked,
        "contacts": list(Contact.objects.restrict(user, "view").filter(customer=customer)),
        "addresses": list(Address.objects.restrict(user, "view").filter(customer=customer)),
        "stage_changes": list(
            StageChange.objects.restrict(user, "view")
            .filter(customer=customer)
            .select_related("changed_by")[:20]
        ),
        "orders": recent_orders(user, customer),
        "summary": purchase_summary(customer),
        "timeline": timeline_entries(
            customer_timeline(user, customer), masked, not customer.is_organization
        ),
        "import_source": import_source(user, ImportKind.CUSTOMERS, customer.pk),
        "can_change": Customer.objects.restrict(user, "change").filter(pk=pk).exists(),
        "can_assign": can(user, "assign")
        and Customer.objects.restrict(user, "assign").filter(pk=pk).exists(),
    }
    return render(request, "customers/detail.html", context)


# --- create / edit ---------------------------------------------------------------------


def _customer_form(data: Any, kind: str, initial: dict[str, Any] | None = None) -> CustomerForm:
    form = CustomerForm(data=data, initial=initial or {})
    present_form(form)
    division_widgets(form)
    visible = ORG_FIELDS if kind == CustomerKind.ORGANIZATION else PERSON_FIELDS
    form.visible_names = visible  # type: ignore[attr-defined]
    return form


def _posted(request: HttpRequest, kind: str, base: dict[str, Any]) -> dict[str, Any]:
    """The instance's values, overwritten by what the form on screen posted.

    Fields the page does not show for this kind keep their stored values instead of
    being blanked by their absence from the POST.
    """
    data = dict(base)
    visible = ORG_FIELDS if kind == CustomerKind.ORGANIZATION else PERSON_FIELDS
    for name in visible:
        data[name] = request.POST.getlist(name) if name == "tags" else request.POST.get(name, "")
    data["kind"] = kind
    return data


def _form_page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "add"):
        raise Http404
    kind = request.GET.get("kind") or request.POST.get("kind") or CustomerKind.ORGANIZATION
    if kind not in CustomerKind.values:
        raise Http404
    if request.method == "POST":
        form = _customer_form(_posted(request, kind, {}), kind)
        duplicates = []
        if form.is_valid() and not request.POST.get("save_anyway"):
            # Warn with the likely existing record before saving; "save anyway" confirms.
            from guanxi.customers.dedup import likely_duplicates

            duplicates = likely_duplicates(form.cleaned_data, user=user, limit=3)
        if duplicates:
            title = gettext("可能重复的客户")
            return _form_page(
                request, "customers/customer_form.html", form=form, title=title, kind=kind,
                duplicates=duplicates,
            )  # fmt: skip
        if form.is_valid():
            try:
                customer = actions.create_customer(form.cleaned_data, by=user)
            except ActionError as exc:
                apply_action_error(form, exc)
            else:
                messages.success(request, gettext("已创建客户。"))
                return redirect("customers:detail", pk=customer.pk)
    else:
        form = _customer_form(None, kind, {"kind": kind, "collected_at": timezone.now()})
    title = (
        gettext("新建企业客户") if kind == CustomerKind.ORGANIZATION else gettext("新建个人客户")
    )
    return _form_page(request, "customers/customer_form.html", form=form, title=title, kind=kind)


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = get_object_or_404(Customer.objects.restrict(user, "change"), pk=pk)
    base = form_data_from_instance(CustomerForm, customer)
    if request.method == "POST":
        form = _customer_form(_posted(request, customer.kind, base), customer.kind)
        if form.is_valid():
            try:
                actions.update_customer(customer, form.cleaned_data, by=user)
            except ActionError as exc:
                apply_action_error(form, exc)
            else:
                messages.success(request, gettext("已保存。"))
                return redirect("customers:detail", pk=customer.pk)
    else:
        form = _customer_form(None, customer.kind, base)
    return _form_page(
        request,
        "customers/customer_form.html",
        form=form,
        title=gettext("编辑客户：%(name)s") % {"name": customer.name},
        kind=customer.kind,
        customer=customer,
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("客户经理"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def customer_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = get_object_or_404(
        Customer.objects.restrict(user, "assign").select_related("owner"), pk=pk
    )
    form = AssignForm(request.POST or None, user=user, initial={"owner": customer.owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            actions.assign_owner(customer, form.cleaned_data["owner"], by=user)
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            messages.success(request, gettext("已更换客户经理。"))
            return redirect("customers:detail", pk=customer.pk)
    return _form_page(
        request,
        "customers/simple_form.html",
        form=form,
        customer=customer,
        title=gettext("分配客户经理：%(name)s") % {"name": customer.name},
    )


# --- contacts and addresses ----------------------------------------------------------


@dataclass(frozen=True)
class ChildRecordPage:
    """How to add and edit one kind of record that hangs off a customer."""

    model: type[Contact] | type[Address]
    form_class: type[forms.ModelForm]
    present: Callable[[forms.BaseForm], forms.BaseForm]
    add: Callable[..., Any]
    update: Callable[..., Any]
    saved: str
    add_title: str
    edit_title: str


def _child_record_form(
    request: HttpRequest, pk: int, child_pk: int | None, page: ChildRecordPage
) -> HttpResponse:
    """Add or edit a contact/address: both read through restrict("change") and write via actions."""
    user = request.user
    customer = get_object_or_404(Customer.objects.restrict(user, "change"), pk=pk)
    record = None
    if child_pk is not None:
        record = get_object_or_404(
            page.model.objects.restrict(user, "change").filter(customer=customer), pk=child_pk
        )
    if request.method == "POST":
        form = page.present(page.form_class(data=request.POST))
        if form.is_valid():
            try:
                if record is None:
                    page.add(customer, form.cleaned_data, by=user)
                else:
                    page.update(record, form.cleaned_data, by=user)
            except ActionError as exc:
                apply_action_error(form, exc)
            else:
                messages.success(request, gettext(page.saved))
                return redirect("customers:detail", pk=customer.pk)
    else:
        initial = form_data_from_instance(page.form_class, record) if record else {}
        form = page.present(page.form_class(initial=initial))
    title = gettext(page.edit_title if record else page.add_title)
    return _form_page(
        request, "customers/simple_form.html", form=form, customer=customer, title=title
    )


# The strings are marked here and translated when shown (gettext above).
CONTACT_PAGE = ChildRecordPage(
    Contact, ContactForm, present_form, actions.add_contact, actions.update_contact,
    gettext_noop("已保存联系人。"), gettext_noop("添加联系人"), gettext_noop("编辑联系人"),
)  # fmt: skip
ADDRESS_PAGE = ChildRecordPage(
    Address, AddressForm, division_widgets, actions.add_address, actions.update_address,
    gettext_noop("已保存地址。"), gettext_noop("添加地址"), gettext_noop("编辑地址"),
)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def contact_form(request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    return _child_record_form(request, pk, contact_pk, CONTACT_PAGE)


@login_required
@require_http_methods(["GET", "POST"])
def address_form(request: HttpRequest, pk: int, address_pk: int | None = None) -> HttpResponse:
    return _child_record_form(request, pk, address_pk, ADDRESS_PAGE)
