"""What an exportable list is, and the one way every list becomes rows and an audit event.

A list is its columns plus a function (user, filters) → the same restricted,
filtered queryset its page shows; each list page's own query function is reused,
so a file can never hold more than the screen would. Everything a download must
do (refuse a bad filter, mask for analysts, neutralise formulas, cap, audit)
happens here once, for every list in `registry.LISTS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.core import events
from guanxi.core.models import User
from guanxi.core.permissions import sees_masked
from guanxi.customers.queries import InvalidQuery

from .cells import safe_cell


def _always(_obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, how to read it, and its mask for analysts (if personal)."""

    title: str
    get: Callable[[Any], Any]
    mask: Callable[[str], str] | None = None
    # Some data is personal only on some rows: an individual's name, not a company's.
    personal: Callable[[Any], bool] = _always


def any_value(_value: str) -> bool:
    return True


def one_of(values: Any) -> Callable[[str], bool]:
    allowed = frozenset(values)
    return allowed.__contains__


def flag(value: str) -> bool:
    """Check boxes such as 未完成 / 我的 send 1."""
    return value == "1"


@dataclass(frozen=True)
class ExportList:
    name: str  # in the URL and the CLI: tickets → /exports/tickets.csv
    title: str  # the sheet's name, the file's and the audit summary's
    columns: list[Column]
    # (user, filters) → the list page's restricted, filtered queryset; may raise InvalidQuery.
    queryset: Callable[[User, dict[str, str]], QuerySet[Any]]
    # Query-string keys the list page sends, each with the values it can send.
    filters: Mapping[str, Callable[[str], bool]] = field(default_factory=dict)
    order_by: tuple[str, ...] = ("id",)
    list_url: str = ""  # where the refusal page sends the user back to

    @property
    def header(self) -> list[str]:
        return [c.title for c in self.columns]

    def filter_values(self, params: Mapping[str, Any]) -> dict[str, str]:
        """The list's own filters present in `params`; anything else (cursor, format) is dropped.

        Only present keys are passed on: a page may read a missing filter as a
        default (我的任务 shows open tasks unless told otherwise).
        """
        return {k: str(params.get(k) or "") for k in self.filters if k in params}

    def check(self, params: Mapping[str, Any]) -> dict[str, str]:
        """The filters, or InvalidQuery naming the first value the page could not have sent."""
        values = self.filter_values(params)
        for key, value in values.items():
            if value and not self.filters[key](value):
                raise InvalidQuery(key, f"无效的筛选值：{value}。")
        return values

    def rows_queryset(self, user: User, params: Mapping[str, Any]) -> QuerySet[Any]:
        """Restricted and filtered as on screen, in a stable order, not yet capped."""
        return self.queryset(user, self.check(params)).order_by(*self.order_by)


def row_cap() -> int:
    """How many rows one download may take out at most: the admin's setting, else
    GUANXI_EXPORT_ROW_CAP."""
    from .models import ExportSettings

    config = ExportSettings.current()
    if config is not None and config.row_cap:
        return config.row_cap
    return int(settings.GUANXI_EXPORT_ROW_CAP)


def rows(
    export_list: ExportList, user: User, params: Mapping[str, Any], cap: int | None = None
) -> Iterator[list[str]]:
    """The header, then one list of safe text cells per record, streamed from the database."""
    masked = sees_masked(user)
    qs = export_list.rows_queryset(user, params)[: cap or row_cap()]
    yield export_list.header
    for obj in qs.iterator(chunk_size=2000):
        row = []
        for column in export_list.columns:
            value = column.get(obj)
            if masked and column.mask is not None and column.personal(obj):
                value = column.mask("" if value is None else str(value))
            row.append(safe_cell(value))
        yield row


@dataclass(frozen=True)
class Download:
    """What one download holds: its rows, the cap it ran under, whether the cap cut it."""

    rows: int
    cap: int
    truncated: bool


def record_export(
    export_list: ExportList, user: User, params: Mapping[str, Any], file_format: str
) -> Download:
    """Audit the download (who took which list out, with which filters, under which cap)."""
    filters = {
        k: events.masked_text(v) if isinstance(v, str) else v
        for k, v in export_list.filter_values(params).items()
        if v
    }
    cap = row_cap()
    # A LIMITed count: what the file will hold, without counting a million rows past the cap.
    count = export_list.rows_queryset(user, params)[: cap + 1].count()
    download = Download(rows=min(count, cap), cap=cap, truncated=count > cap)
    events.record(
        user,
        "export.downloaded",
        summary=f"{export_list.title}列表（{file_format}）",
        changes={
            "list": export_list.name,
            "filters": filters,
            "rows": download.rows,
            "row_cap": cap,
            "truncated": download.truncated,
        },
    )
    return download


def truncation_note(download: Download) -> str:
    return gettext(
        "仅导出了前 %(cap)s 行：超过了管理员设置的每次导出行数上限。请缩小筛选范围后分批导出。"
    ) % {"cap": download.cap}


def file_name(export_list: ExportList, file_format: str, download: Download | None = None) -> str:
    """tickets-20261205.csv; a file the cap cut says so in its name, where a CSV has no room."""
    cut = f"-first-{download.cap}-rows" if download is not None and download.truncated else ""
    return f"{export_list.name}-{timezone.localdate():%Y%m%d}{cut}.{file_format}"


def when(value: Any) -> str:
    """A timestamp as the list pages show it (local time, to the minute)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
