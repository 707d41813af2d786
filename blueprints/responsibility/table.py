"""包保责任表: the responsibility lines of a school's or a village's children, printed for
posting in the village office (ID numbers always masked).

A child a line, grouped by class: the lines a whole class shares by their nature (学校领导包片,
班主任包班) are printed once, in a band above the class's children, and the others (教师包生,
乡镇干部包村, 村干部包户) in the child's row. A band names every holder: when a few children of
the class have another (or nobody yet), they are named after that holder. This is also what
makes the township's sheet print fast: WeasyPrint spends ~1.5 ms on every table cell whatever
it holds, and a child's row has 9 cells instead of 11."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy.orm import selectinload

import access
import audit
import clock
import pdf
import printjobs
from extensions import db
from models import RESPONSIBILITY_KINDS, Responsibility, School, Student

CLASS_WIDE = ("leader", "class_teacher")  # shown once a class, in its band
ROW_KINDS = tuple(k for k in RESPONSIBILITY_KINDS if k not in CLASS_WIDE)


@dataclass
class Holder:
    """Who holds one class-wide line for (some of) a class's children."""
    person: object | None  # a User or a Cadre; None: nobody yet
    phone: str
    names: list[str]  # the children, when not the whole class


@dataclass
class Band:
    label: str  # 七年级2班 (with the school on a village's sheet)
    students: list[Student]
    lines: dict[str, list[Holder]]  # kind -> its holders, the most children first (unnamed)


def bands(students: list[Student], with_school: bool) -> list[Band]:
    """The children (in print order) grouped by class, with each class-wide line's holders."""
    out = []
    for _, rows in groupby(students, key=lambda s: (s.school_id, s.grade, s.class_id)):
        rows = list(rows)
        label = rows[0].class_label + (f"（{rows[0].school.name}）" if with_school else "")
        lines = {}
        for kind in CLASS_WIDE:
            held: dict = {}
            for s in rows:
                line = s.responsible().get(kind)
                held.setdefault(line.person if line else None, (line, []))[1].append(s.name)
            holders = sorted(held.items(), key=lambda item: (-len(item[1][1]), item[0] is None))
            lines[kind] = [Holder(person, line.phone if line else "",
                                  names if len(holders) > 1 and n else [])
                           for n, (person, (line, names)) in enumerate(holders)]
        out.append(Band(label, rows, lines))
    return out
from params import whole
from refusal import Refusal


@printjobs.batch("responsibility_table")
def table_batch(params: dict) -> printjobs.Batch:
    """包保责任表 for posting, ID numbers always masked: of a school ({"school": id}), of a
    village's children whatever their school ({"village": name}), or of every school the user
    sees ({"all": "1"}: the whole township in one job, a document per school, so each school's
    sheets are numbered from 1 and posted at that school)."""
    stmt = access.scoped(Student).where(Student.status == "enrolled")
    school_id, village = whole(params.get("school")), str(params.get("village", "")).strip()
    if school_id is not None:
        school = access.get_or_404(School, school_id)
        stmt, label = stmt.where(Student.school_id == school.id), school.name
    elif village:
        stmt, label = stmt.where(Student.village == village), f"{village}（户籍）"
    elif params.get("all"):
        label = access.unit_of(None)[0]
    else:
        raise Refusal("请选择一所学校或一个村再打印包保责任表。")
    students = db.session.scalars(stmt.order_by(
        Student.school_id, Student.grade, Student.class_id, Student.name_pinyin).options(
        selectinload(Student.school), selectinload(Student.class_group),
        selectinload(Student.responsibilities).selectinload(Responsibility.user),
        selectinload(Student.responsibilities).selectinload(Responsibility.cadre))).all()
    if not students:
        raise Refusal(f"{label}没有在读学生，没有可打印的责任表。")
    if village:
        groups = [(label, students, True)]
    else:  # a school's sheet names its school in its heading, not on every row
        by_school = groupby(students, key=lambda s: s.school)
        groups = [(school.name, list(rows), False) for school, rows in by_school]

    def finish():
        audit.record("export", f"打印包保责任表：{label} {len(students)} 人",
                     table_name="responsibilities",
                     after={"rows": len(students), "format": "pdf", "full_ids": False})

    schools = f" {len(groups)} 所学校" if len(groups) > 1 else ""
    return printjobs.Batch(
        title=f"包保责任表：{label}{schools}（{len(students)} 人）",
        filename=f"包保责任表-{label}.pdf", unit="所学校" if schools else "份",
        parts=[pdf.Part("print/responsibility_table.html", {
            "bands": bands(rows, show_school), "count": len(rows),
            "kinds": RESPONSIBILITY_KINDS, "row_kinds": ROW_KINDS, "scope_label": name,
            "show_school": show_school, "today": clock.today()})
            for name, rows, show_school in groups],
        finish=finish)
