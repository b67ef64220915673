"""The evaluation report as a PDF with an embedded Chinese font subset (fpdf2).

fpdf2 2.8 embeds CFF-outline OpenType faces (CIDFontType0C) from a .ttc
collection, subset to the characters used and with a ToUnicode map, so the text
stays searchable and copyable. The font is looked up at run time: Debian's
fonts-noto-cjk (Noto Sans CJK SC) first, then two TrueType fallbacks, or a file
named by GUANXI_PDF_FONT; without any, a clear error says what to install.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from . import report_rows
from .queries import Report

# (file, the face to take from a collection: the first whose name contains this)
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", ""),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ""),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", ""),
]
FONT = "cjk"


class ReportFontMissing(RuntimeError):
    """No Chinese font on this machine: the PDF would show empty boxes, so none is made."""


@lru_cache(maxsize=4)
def _face_number(path: str, wanted: str) -> int:
    """Index of the face in a .ttc whose full name contains `wanted` (0 for single fonts)."""
    if not wanted or not path.endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for index, face in enumerate(collection.fonts):
        if wanted in str(face["name"].getDebugName(4)):
            return index
    return 0


def find_font() -> tuple[str, int]:
    """(path, collection face number) of the Chinese font to embed."""
    override = os.environ.get("GUANXI_PDF_FONT", "")
    if override:
        if not Path(override).is_file():
            raise ReportFontMissing(_("GUANXI_PDF_FONT 指向的字体文件不存在：%s") % override)
        return override, _face_number(override, "CJK SC")
    for path, wanted in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, _face_number(path, wanted)
    raise ReportFontMissing(
        _(
            "未找到中文字体，无法生成 PDF。请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），"
            "或用 GUANXI_PDF_FONT 指定一个中文字体文件。"
        )
    )


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


class ReportPdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        path, number = find_font()
        self.add_font(FONT, fname=path, collection_font_number=number)
        self.title_text = title
        self.set_title(title)
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 8, f"{self.title_text} · {self.page_no()}", align="C")


def _table(pdf: ReportPdf, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    pdf.set_font(FONT, size=9)
    heading = FontFace(emphasis=None, fill_color=(220, 230, 242))
    with pdf.table(col_widths=widths, headings_style=heading, line_height=6) as table:
        table.row(header)
        for row in rows:
            table.row([_number(v) for v in row])


def report_pdf(report: Report) -> bytes:
    title = _("%(label)s 客户管理评估报告") % {"label": report.label}
    pdf = ReportPdf(title)
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(
        0,
        7,
        _("对比期间：%(previous)s · 生成时间：%(now)s")
        % {"previous": report.previous.label, "now": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    sections = [
        (_("总览"), report_rows.headers(), list(report_rows.overall_rows(report)),
         [60, 20, 28, 28, 28, 28, 28, 20]),
        (_("按团队"), report_rows.headers(_("团队")), list(report_rows.group_rows(report.by_team)),
         [36, 52, 18, 24, 24, 24, 24, 24, 18]),
        (_("按客户经理"), report_rows.headers(_("客户经理")),
         list(report_rows.group_rows(report.by_person)), [36, 52, 18, 24, 24, 24, 24, 24, 18]),
    ]  # fmt: skip
    for heading, header, rows, widths in sections:
        pdf.ln(4)
        pdf.set_font(FONT, size=12)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        if rows:
            _table(pdf, header, rows, widths)
        else:
            pdf.set_font(FONT, size=9)
            pdf.cell(0, 6, _("无数据。"), new_x="LMARGIN", new_y="NEXT")
    notes = report_rows.notes(report)
    if notes:
        pdf.ln(3)
        pdf.set_font(FONT, size=8)
        for note in notes:
            pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
