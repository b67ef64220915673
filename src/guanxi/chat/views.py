"""Live chat pages: the public widget (no login), the agents' console, transcripts.

Views stay thin: reads go through `restrict` (404 outside the scope), input
through the forms, writes through `actions`. The console itself is a socket
client (static/chat/console.js); these views only draw its frame.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import CHAT, VIEW, can, sees_masked
from guanxi.core.validators import mask_name, mask_phone
from guanxi.customers.models import Customer

from . import actions, limits, visitors
from .choices import Status
from .forms import LinkCustomerForm, StartForm, TicketFromChatForm
from .models import Conversation
from .queries import conversation_list, customer_conversations, recent_messages

# --- public: the visitor's widget --------------------------------------------------


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"


def _visitor_conversation(request: HttpRequest) -> Conversation | None:
    conversation_id = visitors.conversation_id_from(request.COOKIES.get(visitors.COOKIE))
    if conversation_id is None:
        return None
    # The signed cookie is the credential: it names the one conversation it may open.
    return Conversation.objects.filter(pk=conversation_id).first()


@require_http_methods(["GET", "POST"])
def visitor_page(request: HttpRequest) -> HttpResponse:
    """/chat/: the start form, or the visitor's own conversation when the cookie names one."""
    conversation = _visitor_conversation(request)
    if conversation is not None:
        return render(request, "chat/visitor.html", {"conversation": conversation})
    form = StartForm(data=request.POST or None)
    if request.method == "POST":
        if form.is_spam():
            # Answer as if it worked: a bot learns nothing from a refusal.
            return render(request, "chat/visitor_start.html", {"form": StartForm(), "sent": True})
        ip = _client_ip(request)
        recent = Conversation.objects.filter(
            visitor_ip=ip, started_at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        if recent >= limits.starts_per_hour():
            return render(
                request, "chat/visitor_start.html", {"form": form, "throttled": True}, status=429
            )
        if form.is_valid():
            conversation = actions.start_conversation(form.cleaned_data, ip=ip)
            response = redirect("chat:visitor")
            response.set_cookie(
                visitors.COOKIE,
                visitors.token_for(conversation.pk),
                max_age=limits.token_max_age(),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    return render(request, "chat/visitor_start.html", {"form": form})


@require_POST
def visitor_leave(request: HttpRequest) -> HttpResponse:
    """Forget the conversation in this browser, so the visitor can start a new one."""
    response = redirect("chat:visitor")
    response.delete_cookie(visitors.COOKIE, samesite="Lax")
    return response


# --- staff: console and transcripts ------------------------------------------------


def _knowledge_suggest_url() -> str | None:
    """The knowledge base's suggestion fragment, when that app provides it."""
    try:
        return reverse("knowledge:suggest")
    except NoReverseMatch:
        return None


@login_required
def console(request: HttpRequest) -> HttpResponse:
    if not can(request.user, CHAT):  # type: ignore[arg-type]
        raise PermissionDenied
    return render(request, "chat/console.html", {"suggest_url": _knowledge_suggest_url()})


@login_required
def conversation_list_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    filters = {k: request.GET.get(k, "") for k in ("status", "customer_id")}
    rows = list(conversation_list(user, filters).order_by("-started_at", "-id")[:100])
    masked = sees_masked(user)
    for row in rows:
        row.shown_name = mask_name(row.visitor_name) if masked else row.visitor_name
    return render(
        request,
        "chat/list.html",
        {
            "conversations": rows,
            "filters": filters,
            "statuses": Status.choices,
            "can_chat": can(user, CHAT),
        },
    )


def _conversation(request: HttpRequest, pk: int, action: str = VIEW) -> Conversation:
    conversation = (
        Conversation.objects.restrict(request.user, action)  # type: ignore[arg-type]
        .select_related("agent", "customer", "ticket")
        .filter(pk=pk)
        .first()
    )
    if conversation is None:
        raise Http404
    return conversation


@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    conversation = _conversation(request, pk)
    masked = sees_masked(user)
    return render(
        request,
        "chat/detail.html",
        {
            "conversation": conversation,
            "messages_": recent_messages(conversation, limit=1000),
            "masked": masked,
            "visitor_name": mask_name(conversation.visitor_name)
            if masked
            else conversation.visitor_name,
            "visitor_phone": mask_phone(conversation.visitor_phone)
            if masked
            else conversation.visitor_phone,
            "can_chat": can(user, CHAT),
            "link_form": LinkCustomerForm(),
            "ticket_form": TicketFromChatForm(initial={"ticket_type": "inquiry"}),
        },
    )


def _post_only(request: HttpRequest, pk: int) -> Conversation | HttpResponse:
    """404 unless the user may read it; GET answers 405; then the chat duty is needed."""
    _conversation(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _conversation(request, pk, CHAT)


@login_required
def conversation_customer(request: HttpRequest, pk: int) -> HttpResponse:
    found = _post_only(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = LinkCustomerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请输入有效的客户编号。"))
        return redirect("chat:detail", pk=pk)
    customer = (
        Customer.objects.restrict(request.user, VIEW)  # type: ignore[arg-type]
        .filter(pk=form.cleaned_data["customer_id"])
        .first()
    )
    if customer is None:
        messages.error(request, _("找不到该客户。"))
        return redirect("chat:detail", pk=pk)
    try:
        actions.link_customer(found, customer, by=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已关联客户：%(name)s") % {"name": customer.name})
    return redirect("chat:detail", pk=pk)


@login_required
def conversation_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    found = _post_only(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = TicketFromChatForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("chat:detail", pk=pk)
    try:
        ticket = actions.create_ticket_from_chat(found, form.cleaned_data, by=request.user)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("chat:detail", pk=pk)
    messages.success(request, _("已转为工单 #%(id)s。") % {"id": ticket.pk})
    return redirect("service:detail", pk=ticket.pk)


@login_required
def customer_chats(request: HttpRequest, pk: int) -> HttpResponse:
    """The transcripts section of one customer's 360 (an htmx fragment); 404 outside the scope."""
    customer = Customer.objects.restrict(request.user, VIEW).filter(pk=pk).first()  # type: ignore[arg-type]
    if customer is None:
        raise Http404
    return render(
        request,
        "chat/_customer_chats.html",
        {"conversations": customer_conversations(request.user, customer)},  # type: ignore[arg-type]
    )
