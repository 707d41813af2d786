"""四查三比对: the township's 户籍 list of children compared with the register.

The list is imported from a spreadsheet (name, ID, village, group, guardian, phone), all or
nothing, after a preview of what it would add, update and remove (Plan): importing again
updates the list by ID number (explanations stay with the child); a list covers only the
villages it names; a child missing from it goes only when the officer confirms. Findings,
per village, for children of compulsory-school age (6–15 on
1 September): in no school (no enrolled record with that ID anywhere in the database, possible
失学) unless explained, and 名在人不在: enrolled children of the township whose current run of
unexcused absence is longer than ATTENDANCE_RULES["suspect_days"] and reaches into the last
five school days (still away).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

import access
from blueprints.attendance import rules
from blueprints.students import idnumber
from extensions import db
from models import Absence, HouseholdChild, School, Student, school_year_of

HEADERS = {
    "name": ["姓名", "儿童姓名", "学生姓名"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证件号"],
    "village": ["户籍村", "村", "村委会", "所在村", "村（社区）"],
    "village_group": ["组", "村民小组"],
    "guardian": ["监护人", "户主", "家长", "监护人姓名"],
    "phone": ["联系电话", "电话", "手机"],
}
MAX_ROWS = 20000
IN_SCHOOL = ("enrolled", "suspended")


Entry = idnumber.Listed


def read(data: bytes) -> tuple[str | None, list[Entry]]:
    """Check a 户籍 list; (file error, entries with their row errors)."""
    return idnumber.read_list(data, HEADERS, MAX_ROWS, "户籍儿童", HouseholdChild)


@dataclass
class Plan:
    """What importing a checked list would do, shown before anything is written. A list covers
    the villages it names: children of other villages stay as they are (a list from one village
    office updates that village); a row without a village makes it a list of the whole township.
    Children of the covered villages missing from the list are removed only when the officer
    confirms it."""
    added: list[Entry]
    updated: list[Entry]
    removed: list[HouseholdChild]
    kept: int  # children of the villages the list does not cover, left as they are
    villages: list[str]  # the villages covered; [] for the whole township

    @property
    def rows(self) -> int:
        return len(self.added) + len(self.updated)


def plan(central_id: int, entries: list[Entry]) -> Plan:
    have = {h.id_number: h for h in db.session.scalars(access.scoped(HouseholdChild).where(
        HouseholdChild.central_id == central_id).order_by(HouseholdChild.village,
                                                           HouseholdChild.name))}
    villages = sorted({e.values["village"] for e in entries})
    whole = "" in villages
    added = [e for e in entries if e.values["id_number"] not in have]
    updated = [e for e in entries if e.values["id_number"] in have]
    listed = {e.values["id_number"] for e in entries}
    missing = [h for n, h in have.items() if n not in listed]
    removed = [h for h in missing if whole or h.village in villages]
    return Plan(added, updated, removed, len(missing) - len(removed), [] if whole else villages)


def apply(central_id: int, planned: Plan, today: date, remove: bool) -> int:
    """Write a plan (the caller commits); the missing children go only when remove is True.
    Returns how many were removed."""
    have = {h.id_number: h for h in db.session.scalars(access.scoped(HouseholdChild).where(
        HouseholdChild.central_id == central_id))}
    for entry in planned.added + planned.updated:
        v = entry.values
        row = have.get(v["id_number"])
        if row is None:
            row = HouseholdChild(central_id=central_id, id_number=v["id_number"])
            db.session.add(row)
        row.name, row.birth_date, row.sex = v["name"], v["birth_date"], v["sex"]
        row.village, row.village_group = v["village"], v["village_group"]
        row.guardian, row.phone, row.imported_on = v["guardian"], v["phone"], today
    if not remove:
        return 0
    for gone in planned.removed:
        db.session.delete(gone)
    return len(planned.removed)


def of_age(birth_date: date, today: date) -> bool:
    start = date(school_year_of(today), 9, 1)
    return date(start.year - 16, 9, 2) <= birth_date <= date(start.year - 6, 9, 1)


@dataclass
class Village:
    name: str
    listed: int = 0  # children of school age on the 户籍 list
    in_school: int = 0
    explained: int = 0
    out: list[tuple[HouseholdChild, tuple | None]] = field(default_factory=list)


@dataclass
class Findings:
    villages: list[Village]
    explained: list[HouseholdChild]
    absent: list[tuple[Student, list[date]]]  # 名在人不在

    @property
    def out(self) -> list[tuple[HouseholdChild, tuple | None]]:
        return [item for v in self.villages for item in v.out]


def findings(central_id: int, today: date) -> Findings:
    children = [h for h in db.session.scalars(access.scoped(HouseholdChild).where(
        HouseholdChild.central_id == central_id).order_by(HouseholdChild.village,
                                                           HouseholdChild.name))
                if of_age(h.birth_date, today)]
    records = access.records_by_id(h.id_number for h in children)  # anywhere in the county
    villages: dict[str, Village] = {}
    explained = []
    for h in children:
        v = villages.setdefault(h.village or "（未填村）", Village(h.village or "（未填村）"))
        v.listed += 1
        record = records.get(h.id_number)  # (school name, status) or None
        if record is not None and record[1] in IN_SCHOOL:
            v.in_school += 1
        elif h.explained:
            v.explained += 1
            explained.append(h)
        else:
            v.out.append((h, record))
    return Findings(list(villages.values()), explained, absent_enrolled(today))


def absent_enrolled(today: date) -> list[tuple[Student, list[date]]]:
    """名在人不在: enrolled children in scope away longer than the suspect threshold."""
    limit = rules.settings()["suspect_days"]
    recent = sa.select(Absence.student_id).where(
        Absence.kind == "unexcused", Absence.day >= today - timedelta(days=60))
    out = []
    for s in db.session.scalars(access.scoped(Student).where(
            Student.status == "enrolled", Student.id.in_(recent)).order_by(
            Student.school_id, Student.name_pinyin)):
        run = rules.unexcused_run(s, today)
        last_week = rules.calendar(s.school.township_id).before(today)[-5:]
        if len(run) > limit and last_week and run[-1] >= last_week[0]:  # still away
            out.append((s, run))
    return out


def schools_for(child: HouseholdChild) -> list[School]:
    """The township's schools, the one in the child's village first."""
    schools = db.session.scalars(access.scoped(School).where(School.active.is_(True))).all()
    return sorted(schools, key=lambda s: (s.village != child.village, s.kind != "village",
                                          s.name))
