"""The filled 申报表 as a PDF, laid out like the document's table (甘肃省“三社联动”试点项目
申报表): the title, the 申报单位 line, then one bordered row per item — 项目名称 … 效果预估 —
and one per level's opinion (街道(乡镇)意见 … 省民政厅意见), label on the left.

Data in (``models.applications.Sheet``), bytes out. Long answers wrap between characters
(Chinese has no spaces), never inside a number or a Latin word, and never with closing
punctuation at the start of a line or opening punctuation at its end (the usual 避头尾
rule); a row taller than the rest of a page continues on the next, its borders closed at the
page's end and its label repeated with （续）. The Chinese
font is the one the charts use (Noto Sans CJK SC from ``noto-cjk-sans-otc``, see
charts/fonts.py), embedded as a subset of the glyphs printed, so the PDF reads the same on
any machine. Built with fpdf2, which embeds OpenType (CFF) fonts from a collection.
"""
from __future__ import annotations

import copy
import functools
import re

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from charts.fonts import FAMILY, font_path
from models.applications import Sheet, SheetRow
from models.core.text import export_safe

FONT = "notocjk"
MARGIN = 18.0  # mm
LABEL_W = 40.0
PAD = 2.5
SIZE = 10.5  # pt
LINE = 6.0  # mm per line of body text
MIN_ROW = 12.0
MIN_OPINION = 30.0  # room for the level's opinion, as on the paper form
GREY = (96, 96, 96)


@functools.cache
def collection_index() -> int:
    """Which face of the font collection is Simplified Chinese (Noto Sans CJK SC)."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(font_path()), lazy=True)
    try:
        for i, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == FAMILY:
                return i
    finally:
        collection.close()
    raise LookupError(f"{FAMILY} is not in {font_path()}")


class _Form(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, size=8.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.set_text_color(0)


@functools.cache
def _parsed_font() -> TTFFont:
    """The CJK face as fpdf2 reads it (metrics of its 65,000 glyphs: ~0.2 s), read once."""
    pdf = _Form(format="A4", unit="mm")
    pdf.add_font(FONT, "", str(font_path()), collection_font_number=collection_index())
    return pdf.fonts[FONT]


def _add_font(pdf: FPDF) -> None:
    """``pdf.add_font`` of the CJK face without reading its metrics again: a copy of the
    parsed font whose per-document parts (the open font that the output subsets in place,
    the glyphs used, the index) are new. Falls back to ``add_font`` if fpdf2 changes."""
    try:
        font = copy.copy(_parsed_font())
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False,
                                   fontNumber=font.collection_font_number, lazy=True)
        font._hbfont, font.biggest_size_pt, font.missing_glyphs = None, 0, []
        font.subset = SubsetMap(font)
        font.color_font = None
    except (AttributeError, TypeError):  # pragma: no cover - another fpdf2
        pdf.add_font(FONT, "", str(font_path()), collection_font_number=collection_index())
        return
    pdf.fonts[font.fontkey] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")


def _new_pdf(title: str) -> _Form:
    pdf = _Form(format="A4", unit="mm")
    _add_font(pdf)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("Wushe 五社")
    pdf.set_lang("zh-CN")
    return pdf


NO_LINE_START = set("，。、；：？！）》」』】〕”’%…·,.;:?!)]}")
NO_LINE_END = set("（《「『【〔“‘([{¥")
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%/+\-]*|.")


def _wrap(pdf: FPDF, text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` at ``size``: greedy, by tokens
    (a CJK character, or a run of digits and Latin letters, kept whole); a line that would
    start with closing punctuation, or end with opening punctuation, gives its last token
    to the next line instead."""
    pdf.set_font(FONT, size=size)

    def fits(tokens: list[str]) -> bool:
        return pdf.get_string_width("".join(tokens)) <= width

    lines: list[str] = []
    for paragraph in export_safe(text or "").split("\n"):
        line: list[str] = []
        for token in _TOKENS.findall(paragraph):
            if fits(line + [token]):
                line.append(token)
                continue
            if not line:  # a token longer than a line: split it by character
                for ch in token:
                    if line and not fits(line + [ch]):
                        lines.append("".join(line))
                        line = []
                    line.append(ch)
                continue
            carry: list[str] = []
            if token[0] in NO_LINE_START and len(line) > 1:
                carry.insert(0, line.pop())
            while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line = carry + [token]
            if line[0].isspace():
                line.pop(0)
        lines.append("".join(line))
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _row_lines(pdf: FPDF, row: SheetRow, width: float) -> list[tuple[float, tuple, str]]:
    """The value cell's lines as (font size, colour, text)."""
    lines = []
    if row.hint:
        lines += [(SIZE - 1, GREY, x) for x in _wrap(pdf, row.hint, width, SIZE - 1)]
    for label, text in row.parts:
        shown = f"{label}：{text}" if label else text
        lines += [(SIZE, (0, 0, 0), x) for x in _wrap(pdf, shown, width, SIZE)]
    if row.meta:
        lines += [(SIZE - 1.5, GREY, x) for x in _wrap(pdf, row.meta, width, SIZE - 1.5)]
    return lines


def _bottom(pdf: FPDF) -> float:
    return pdf.h - MARGIN


def _draw_label(pdf: FPDF, label: str, x: float, top: float, height: float) -> None:
    lines = _wrap(pdf, label, LABEL_W - 2 * PAD, SIZE)
    y = top + max(PAD, (height - len(lines) * LINE) / 2)
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(LABEL_W, LINE, line, align="C")
        y += LINE


def _draw_row(pdf: FPDF, row: SheetRow) -> None:
    x0 = pdf.l_margin
    value_w = pdf.w - pdf.l_margin - pdf.r_margin - LABEL_W
    lines = _row_lines(pdf, row, value_w - 2 * PAD)
    label = row.label
    min_h = max(MIN_OPINION if row.opinion else MIN_ROW,
                2 * PAD + len(_wrap(pdf, label, LABEL_W - 2 * PAD, SIZE)) * LINE)
    top = pdf.get_y()
    # Never start a row with less than its first two lines (or its minimum) left on the page.
    if top + min(min_h, 2 * PAD + 2 * LINE) > _bottom(pdf):
        pdf.add_page()
        top = pdf.get_y()
    while True:
        room = int((_bottom(pdf) - top - 2 * PAD) // LINE)
        here, lines = lines[:room], lines[room:]
        height = max(2 * PAD + len(here) * LINE, min_h if not lines else 0)
        if lines:  # continues on the next page: this part runs to the page's end
            height = _bottom(pdf) - top
        pdf.rect(x0, top, LABEL_W, height)
        pdf.rect(x0 + LABEL_W, top, value_w, height)
        pdf.set_text_color(0)
        _draw_label(pdf, label, x0, top, height)
        y = top + PAD
        for size, colour, text in here:
            pdf.set_font(FONT, size=size)
            pdf.set_text_color(*colour)
            pdf.set_xy(x0 + LABEL_W + PAD, y)
            pdf.cell(value_w - 2 * PAD, LINE, text)
            y += LINE
        pdf.set_text_color(0)
        pdf.set_font(FONT, size=SIZE)
        if not lines:
            pdf.set_xy(x0, top + height)
            return
        pdf.add_page()
        top = pdf.get_y()
        label = f"{row.label}（续）"


def render_pdf(sheet: Sheet) -> bytes:
    """The filled form as PDF bytes."""
    title = export_safe(sheet.title)  # like every text drawn (``_wrap``): what a PDF can hold
    pdf = _new_pdf(title)
    pdf.add_page()
    pdf.set_font(FONT, size=17)
    pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=11)
    pdf.write(7, f"{sheet.applicant_label}：")
    for name, blank in sheet.applicant:
        pdf.set_font(FONT, "U", 11)
        pdf.write(7, f" {export_safe(name) or '　　　'} ")
        pdf.set_font(FONT, size=11)
        pdf.write(7, blank)
    pdf.ln(10)
    pdf.set_line_width(0.3)
    for row in sheet.rows:
        _draw_row(pdf, row)
    return bytes(pdf.output())
