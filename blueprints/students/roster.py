"""Roster spreadsheets: the columns users already use (the 学籍 system's export), written by the
export and the import template and read back by importer.py, so an export re-imports as is."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

import excel
from models import Student

# (header, width, value for a student): the export's columns, in order.
COLUMNS = [
    ("学校", 18, lambda s, full: s.school.name),
    ("年级", 8, lambda s, full: s.grade_label),
    ("班级", 8, lambda s, full: s.class_group.name if s.class_group else ""),
    ("姓名", 10, lambda s, full: s.name),
    ("性别", 6, lambda s, full: s.sex),
    ("出生日期", 12, lambda s, full: s.birth_date.isoformat() if s.birth_date else ""),
    ("民族", 8, lambda s, full: s.ethnicity),
    ("身份证件类型", 12, lambda s, full: s.id_type_label),
    ("身份证号", 21, lambda s, full: (s.id_number or s.id_document or "") if full else s.masked_id),
    ("学籍号", 22, lambda s, full: (s.student_no or "") if full else s.masked_student_no),
    ("学籍状态", 9, lambda s, full: s.status_label),
    ("安置方式", 10, lambda s, full: s.placement_label),
    ("重点群体", 20, lambda s, full: "、".join(s.focus_labels)),
    ("寄宿", 6, lambda s, full: "是" if s.boarder else ""),
    ("户籍村", 12, lambda s, full: s.village),
    ("组", 6, lambda s, full: s.village_group),
    ("家庭住址", 24, lambda s, full: s.address),
    ("监护人", 10, lambda s, full: s.guardians[0].name if s.guardians else ""),
    ("关系", 8, lambda s, full: s.guardians[0].relation if s.guardians else ""),
    ("联系电话", 14, lambda s, full: s.guardians[0].phone if s.guardians else ""),
    ("外出务工", 8, lambda s, full: "是" if s.guardians and s.guardians[0].works_away else ""),
]

# What the import template asks for (the export's columns minus what the import sets itself).
TEMPLATE_COLUMNS = ["姓名", "性别", "身份证号", "学籍号", "年级", "班级", "民族", "出生日期",
                    "安置方式", "重点群体", "寄宿", "户籍村", "组", "家庭住址", "监护人", "关系",
                    "联系电话", "外出务工"]


def export_workbook(students: list[Student], full_ids: bool) -> bytes:
    # ID, 学籍号 and phone as text: long numbers must not turn into 3.4E+17 in Excel
    text = tuple(i for i, c in enumerate(COLUMNS, 1) if c[0] in ("身份证号", "学籍号", "联系电话"))
    return excel.table("学生名册", [(c[0], c[1]) for c in COLUMNS],
                       ([get(s, full_ids) for _, _, get in COLUMNS] for s in students), text)


def template_workbook() -> bytes:
    wb = Workbook()
    widths = {name: width for name, width, _ in COLUMNS}
    ws = excel.new_sheet(wb, "学生名册", TEMPLATE_COLUMNS, [widths.get(h, 12) for h in TEMPLATE_COLUMNS])
    for col in range(1, len(TEMPLATE_COLUMNS) + 1):
        for row in range(2, 502):
            ws.cell(row=row, column=col).number_format = "@"
    notes = wb.create_sheet("填写说明")
    for line in [
        "每行一名学生，第一行是列名，请不要改动列名。",
        "必填：姓名、身份证号，以及年级（或在“班级”中写明年级，如“三年级1班”）。",
        "性别和出生日期可以不填，会从身份证号自动读出；填了就必须与身份证号一致。",
        "年级写“三年级”或“3”都可以；班级写“1班”或“1”；系统里没有的班级会在导入时新建。",
        "安置方式（残疾儿童）：在校就读、随班就读、送教上门、特教学校、异地就读（不填为在校就读）。",
        "也可以直接上传学籍系统导出的学生名单：性别 1/2、民族代码、就读方式（走读/住校）、"
        "是否留守儿童 0/1/2、成员1/成员2 等列都能识别；不导入的列会在预览中列出。",
        "重点群体：留守、单亲、孤儿/事实无人抚养、脱贫/低保/特困、残疾、学困、随迁、厌学，多个用顿号或逗号分开。",
        "寄宿、外出务工：填“是”或留空。",
        "身份证号、学籍号、电话请设为文本格式，否则 Excel 会把长数字变成科学计数法。",
        "导入前会先预览：有任何一行出错，整批都不会导入，请按提示改好后重新上传。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
