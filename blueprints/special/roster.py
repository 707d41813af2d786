"""残疾儿童: the 残联's list imported (preview, then all or nothing), matched to the register,
each child given a responsible school, registered or made a case, assessed and placed; the
counts by placement the ledger and the reports print.

The list comes as the 残联 keeps it: 姓名, 身份证号, 残疾类别, 残疾等级, 残疾证号, 住址 (or
村), 监护人, 电话, children without a 残疾证 among them (an empty 证号). A 第二代残疾人证 number
is the ID number followed by the category and level digits, so a list without 类别/等级
columns still gives them. Importing again updates a child by ID number (the assessment and
the school stay); a child missing from a new list is removed only when the officer ticks it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import selectinload

import access
from blueprints.cases import workflow
from blueprints.students import idnumber
from extensions import db
from models import (DISABILITY_CATEGORIES, DISABILITY_LEVELS, DisabledChild,
                    Guardian, School, Student)
from refusal import Refusal

HEADERS = {
    "name": ["姓名", "儿童姓名", "残疾人姓名"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证件号"],
    "category": ["残疾类别", "类别", "残疾类型"],
    "level": ["残疾等级", "等级", "残疾级别"],
    "certificate_no": ["残疾证号", "残疾人证号", "持证号", "残疾证号码"],
    "village": ["村", "村（社区）", "所在村", "户籍村"],
    "address": ["住址", "家庭住址", "户籍地址", "现住址"],
    "guardian": ["监护人", "监护人姓名", "家长"],
    "phone": ["联系电话", "电话", "手机"],
}
MAX_ROWS = 5000
CODES = {**{v: k for k, v in DISABILITY_CATEGORIES.items()},
         **{v + "残疾": k for k, v in DISABILITY_CATEGORIES.items()}}
LEVELS = {**{v: k for k, v in DISABILITY_LEVELS.items()},
          **{f"{n}级": k for n, k in zip("1234", "1234")}, **{k: k for k in "1234"}}


Entry = idnumber.Listed


def read(data: bytes) -> tuple[str | None, list[Entry]]:
    """Check a 残联 list; (file error, entries with their row errors)."""
    error, entries = idnumber.read_list(data, HEADERS, MAX_ROWS, "残疾儿童", DisabledChild,
                                         coded=("category", "level"))
    for entry in entries:
        _codes(entry)
    return error, entries


def _codes(entry: Entry) -> None:
    """类别 and 等级 from their columns, or from the 残疾证号's last two digits."""
    v = entry.values
    cert = v["certificate_no"].replace(" ", "").upper()
    v["certificate_no"] = cert
    from_cert = (cert[18], cert[19]) if len(cert) == 20 and cert[18:].isdigit() else ("", "")
    category = CODES.get(v["category"], v["category"] if v["category"] in DISABILITY_CATEGORIES
                         else "")
    level = LEVELS.get(v["level"], "")
    if v["category"] and not category:
        entry.errors.append(f"残疾类别“{v['category']}”不认识，请写视力、听力、言语、肢体、智力、精神或多重。")
    if v["level"] and not level:
        entry.errors.append(f"残疾等级“{v['level']}”不认识，请写一级到四级。")
    v["category"] = category or (from_cert[0] if from_cert[0] in DISABILITY_CATEGORIES else "")
    v["level"] = level or (from_cert[1] if from_cert[1] in DISABILITY_LEVELS else "")
    if cert and v.get("id_number") and len(cert) >= 18 and cert[:18] != v["id_number"]:
        entry.errors.append("残疾证号的前 18 位应与身份证号相同，请核对。")


@dataclass
class Plan:
    added: list[Entry]
    updated: list[Entry]
    removed: list[DisabledChild]  # on the township's list, not on this one

    @property
    def rows(self) -> int:
        return len(self.added) + len(self.updated)


def plan(central_id: int, entries: list[Entry]) -> Plan:
    have = _have(central_id)
    listed = {e.values["id_number"] for e in entries}
    return Plan([e for e in entries if e.values["id_number"] not in have],
                [e for e in entries if e.values["id_number"] in have],
                [c for n, c in have.items() if n not in listed])


def _have(central_id: int) -> dict[str, DisabledChild]:
    return {c.id_number: c for c in db.session.scalars(access.scoped(DisabledChild).where(
        DisabledChild.central_id == central_id).order_by(DisabledChild.name))}


def apply(central_id: int, planned: Plan, today: date, remove: bool) -> int:
    """Write a plan (the caller commits): each child matched to the register by ID number and
    given a responsible school when they have none. Returns how many were removed."""
    have = _have(central_id)
    schools = db.session.scalars(access.scoped(School).where(School.active.is_(True))).all()
    for entry in planned.added + planned.updated:
        v = entry.values
        row = have.get(v["id_number"])
        if row is None:
            row = DisabledChild(central_id=central_id, id_number=v["id_number"])
            db.session.add(row)
        for key in ("name", "sex", "birth_date", "category", "level", "certificate_no",
                    "village", "address", "guardian", "phone"):
            setattr(row, key, v[key])
        row.imported_on = today
        match(row, schools)
    if remove:
        for gone in planned.removed:
            db.session.delete(gone)
    return len(planned.removed) if remove else 0


def match(row: DisabledChild, schools: list[School]) -> None:
    """The child's record in scope by ID number, and their responsible school: the school they
    attend, else the school of their village (by the 村 column or the address), else the
    central school."""
    if row.student_id is None:
        row.student = db.session.scalar(access.scoped(Student).where(
            Student.id_number == row.id_number))
    if row.student is not None:
        row.school_id = row.student.school_id
    elif row.school_id is None:
        row.school = responsible_school(row.village or row.address, schools)


def responsible_school(place: str, schools: list[School]) -> School | None:
    """The school of the village a place names (就近), the central school otherwise."""
    named = [s for s in schools if s.village and s.village in place and s.kind != "central"]
    central = next((s for s in schools if s.kind == "central"), None)
    return (named or [central])[0]


def children() -> list[DisabledChild]:
    """The list in scope, by school and name."""
    return db.session.scalars(access.scoped(DisabledChild).options(
        selectinload(DisabledChild.school), selectinload(DisabledChild.student).selectinload(
            Student.school), selectinload(DisabledChild.student).selectinload(
            Student.class_group)).order_by(DisabledChild.school_id, DisabledChild.name)).all()


@dataclass
class Counts:
    total: int
    without_certificate: int
    by_placement: Counter  # SPECIAL_PLACEMENTS codes, "" for 未安置 / 未登记学籍
    unregistered: int  # not placed, and no 学籍 in Baoxue

    @property
    def placed(self) -> int:
        return sum(n for k, n in self.by_placement.items() if k)


def counts(rows: list[DisabledChild]) -> Counts:
    return Counts(len(rows), sum(1 for c in rows if not c.certificate_no),
                  Counter(c.placement for c in rows),
                  sum(1 for c in rows if c.student is None and not c.placement))


ELSEWHERE = ("special_school", "elsewhere")  # placements a child's 学籍 may be outside Baoxue


def place(row: DisabledChild, values: dict, today: date, may_move: bool) -> None:
    """Record a child's assessment and placement from a form's values (the caller commits). A
    child on our register has the placement set on their record; a child without one may be
    placed only at a school outside Baoxue (特教学校, 异地就读, named). The responsible school
    changes only when may_move (the officer) and the child has no record. A Refusal says what
    to fix, before anything is written."""
    placement, placed_on, assessed_on = values["placement"], values["placed_on"], \
        values["assessed_on"]
    where = values["placed_school"] or ""  # not on the form of a child on our register
    if placement and row.student is None and placement not in ELSEWHERE:
        raise Refusal(f"{row.name}在本乡镇还没有学籍：随班就读、送教上门要先建立学籍或立案；"
                      "在特教学校或外地就读的，选对应的安置方式并写明学校。")
    if placement in ELSEWHERE and row.student is None and not where:
        raise Refusal("请写明孩子就读的特教学校或外地学校。")
    for day, label in ((assessed_on, "评估日期"), (placed_on, "安置日期")):
        if day and day > today:
            raise Refusal(f"{label}不能晚于今天。")
    if placement and not placed_on:
        raise Refusal("请填写安置日期。")
    if placed_on and not placement:
        raise Refusal("请选择安置方式。")
    if placed_on and assessed_on and placed_on < assessed_on:
        raise Refusal("安置日期不能早于评估日期。")
    if may_move and row.student is None:
        row.school_id = values["school_id"]
    row.assessed_on, row.assessment, row.note = assessed_on, values["assessment"], values["note"]
    row.placed_on, row.placed_school = placed_on, where
    if row.student is None:
        row.placed_as = placement
    else:
        row.school_id = row.student.school_id  # the record may have moved since the import
        row.student.disabled = True
        row.student.placement = placement or "in_school"


def register(row: DisabledChild, user, today: date, out_of_school: bool) -> Student:
    """A child on the list with no 学籍 anywhere, registered at the responsible school (the
    caller commits): 在读 and to be placed next (为每名残儿建立学籍), or, when they are out of
    school, 辍学 with a 疑似辍学 case opened to bring them in (立案)."""
    holder = access.id_number_holder(row.id_number)
    if holder:
        raise Refusal(f"{row.name}已在{holder}登记学籍，请与该校核实。")
    if row.school is None:
        raise Refusal(f"请先为{row.name}指定责任学校。")
    student = Student(school_id=row.school.id, name=row.name, sex=row.sex,
                      birth_date=row.birth_date, id_number=row.id_number, village=row.village,
                      address=row.address, disabled=True, notes="残联名单：残疾儿童建立学籍")
    if row.guardian:
        student.guardians = [Guardian(name=row.guardian, phone=row.phone)]
    db.session.add(student)
    db.session.flush()
    status = "dropout" if out_of_school else "enrolled"
    student.change_status(status, today, "残联名单比对：残疾儿童未入学" if out_of_school
                          else "残疾儿童建立学籍", "", user)
    row.student = student
    if out_of_school:
        workflow.open_case(student, "disabled_list", today, user, reason="残联名单：残疾儿童未入学",
                           note="残联名单比对发现，立案劝返或安排送教上门")
    return student
