"""The summary as a Word document (.docx, python-docx), for users who finish it in Word or WPS:
A4, the title, the section headings as Word headings (一、 as Heading 1, （一） as Heading 2),
the paragraphs with a two-character first-line indent, the seal and date block, the appendix
of evidence as a table, and page numbers in the footer.

Chinese text needs an East Asian font named in w:eastAsia (python-docx's font.name sets only the
Latin slots). Set as an official document (GB/T 9704), in the faces Windows and WPS have: the
title 宋体 二号, 一、 headings 黑体 and （一） 楷体 三号, the body 仿宋 三号 at a fixed 28 pt line,
numbers without spaces (typeset.tight). The file says who wrote it and when: python-docx's
template would say "python-docx", created 2013, and its Title style draws a blue rule."""
from __future__ import annotations

from io import BytesIO

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

import typeset
from blueprints.summaries import draft as drafting

BODY_FONT, HEADING_FONT, SUBHEADING_FONT, TITLE_FONT = "仿宋", "黑体", "楷体", "宋体"
LATIN_FONT = "Times New Roman"
SIZE_3, SIZE_2 = 16, 22  # 三号, 二号 (pt)


def _fonts(style, east_asian: str, size: float, bold: bool = False) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one


def _page_number(paragraph) -> None:
    """— PAGE — in the footer, as the PDFs have."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    run._r.append(field)
    paragraph.add_run(" —")


def _properties(document, summary, unit) -> None:
    """docProps/core.xml: the unit as author, the saved version's own dates and number."""
    props = document.core_properties
    props.author = unit.seal
    props.last_modified_by = summary.user.name if summary.user else unit.seal
    props.title, props.subject = summary.title, "控辍保学工作总结"
    props.created = props.modified = summary.created_at
    props.revision = summary.version
    props.comments = props.keywords = props.category = ""


def build(summary, unit, evidence, signed_on) -> bytes:
    """The .docx bytes of a saved version (sections as edited)."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(25), Mm(22)
    styles = document.styles
    _fonts(styles["Normal"], BODY_FONT, SIZE_3)
    _fonts(styles["Title"], TITLE_FONT, SIZE_2)
    _fonts(styles["Heading 1"], HEADING_FONT, SIZE_3)
    _fonts(styles["Heading 2"], SUBHEADING_FONT, SIZE_3)
    _fonts(styles["Table Grid"], TITLE_FONT, 10.5)
    styles["Normal"].paragraph_format.line_spacing = Pt(28)
    for name in ("Title", "Heading 1", "Heading 2"):
        ppr = styles[name].element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):  # the Title style's blue rule
            ppr.remove(border)
        styles[name].paragraph_format.space_before = Pt(0)
        styles[name].paragraph_format.space_after = Pt(0)
    _page_number(section.footer.paragraphs[0])
    _properties(document, summary, unit)

    title = document.add_paragraph(summary.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for heading, text in summary.sections:
        document.add_heading(heading, level=drafting.level(heading))
        for para in drafting.paragraphs(text):
            p = document.add_paragraph(typeset.tight(para))
            p.paragraph_format.first_line_indent = Pt(24)
    for line in (f"{unit.seal}（盖章）", f"{signed_on.year}年{signed_on.month}月{signed_on.day}日"):
        p = document.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if evidence:
        document.add_page_break()
        document.add_heading("附件：佐证材料目录", level=1)
        table = document.add_table(rows=1, cols=5)
        table.style = styles["Table Grid"]
        for cell, name in zip(table.rows[0].cells, ("序号", "日期", "类别", "内容", "学校")):
            cell.text = name
        header = OxmlElement("w:tblHeader")  # the heading row repeats on every page
        header.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(header)
        for i, e in enumerate(evidence, 1):
            cells = table.add_row().cells
            for cell, value in zip(cells, (str(i), e.on.isoformat() if e.on else "", e.kind,
                                           e.what, e.school)):
                cell.text = value
    out = BytesIO()
    document.save(out)
    return out.getvalue()
