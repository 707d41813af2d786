"""学期初同步: this term's 学籍 export laid over a school's register (issue 18.3).

The file is read and checked as an import is (importer.read, sync=True): a row whose ID number
or 学籍号 is a child of this school is that child, not a duplicate. The preview shows

- 新增: rows of children not on the register, added as an import adds them;
- 更新: children already there, with what changes — grade and class for the new school year,
  name, 学籍号, guardians, focus groups, boarding, placement, address — each only from a column
  the file has (a file without 重点群体 leaves the focus groups as they are; a guardian cell left
  empty keeps what is on record, and a guardian the file does not name stays);
- 名单上没有: children enrolled (or 休学) at the school whom the file does not list. The head
  decides each one: still here (unchanged, the default), 转出 with the destination, 其他离校,
  休学 or 死亡. 辍学 is not offered: a child who stopped coming is a 劝返 case, opened from the
  child's page, not a line of an import.

Nothing is written before the head confirms; then everything at once, audited (the import's
summary and every row's change).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

import access
import audit
from blueprints.students import importer
from extensions import db
from models import (FOCUS_FLAGS, STATUSES, ClassGroup, Guardian, School, Student, User,
                    school_year_of)
from refusal import Refusal

# What a missing child may become at a term-start sync ("" = still here, unchanged).
LEAVINGS = {"": "仍在本校（不变）", "transferred": "转出", "left": "其他离校",
            "suspended": "休学", "deceased": "死亡"}
ON_REGISTER = ("enrolled", "suspended")
# field -> the file's columns it comes from (importer.HEADERS keys): a field changes only when
# the file has one of them.
SOURCES = {
    "name": ("name",), "student_no": ("student_no",), "ethnicity": ("ethnicity",),
    "grade": ("grade", "class"), "class_group": ("class",),
    "placement": ("placement", "attendance"), "boarder": ("boarder", "attendance"),
    "village": ("village",), "village_group": ("village_group",), "address": ("address",),
    **{flag: ("flags", flag) if flag in ("left_behind", "migrant", "orphan", "disabled")
       else ("flags",) for flag in FOCUS_FLAGS},
}
LABELS = {"name": "姓名", "student_no": "学籍号", "ethnicity": "民族", "grade": "年级",
          "class_group": "班级", "placement": "安置方式", "boarder": "寄宿", "village": "户籍村",
          "village_group": "组", "address": "家庭住址", "guardians": "监护人",
          **{flag: label for flag, label in FOCUS_FLAGS.items()}}


@dataclass
class Update:
    row: importer.Row
    student: Student
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)


@dataclass
class Sync:
    result: importer.Result
    new: list[importer.Row] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)  # matched children with a change
    unchanged: int = 0
    missing: list[Student] = field(default_factory=list)


def read(data: bytes, school: School, user: User, today: date) -> Sync:
    result = importer.read(data, school, user, today, sync=True)
    out = Sync(result)
    if not result.ok:
        return out
    classes = _classes(school, today)
    for row in result.rows:
        student = result.matched.get(row.number)
        if student is None:
            out.new.append(row)
            continue
        changes = [(LABELS[k], _shown(getattr(student, k)), _shown(v))
                   for k, v in _values(row, result.present, classes).items()
                   if _shown(getattr(student, k)) != _shown(v)]
        guardians = _guardians(row, result.present, student)
        if guardians is not None and guardians != _guardians_of(student):
            changes.append(("监护人", _shown_guardians(_guardians_of(student)),
                            _shown_guardians(guardians)))
        status = _status(row, student)
        if status:
            changes.append(("学籍状态", student.status_label, STATUSES[status]))
        if changes:
            out.updates.append(Update(row, student, changes))
        else:
            out.unchanged += 1
    matched = {s.id for s in result.matched.values()}
    out.missing = db.session.scalars(access.scoped(Student, user).where(
        Student.school_id == school.id, Student.status.in_(ON_REGISTER),
        Student.id.not_in(matched or {0})).order_by(Student.grade, Student.name_pinyin)).all()
    return out


def decisions(form, missing: list[Student]) -> tuple[dict[int, tuple[str, str]], dict[int, str]]:
    """Each missing child's fate from the preview's form: ({id: (status, destination)}, {id:
    error}); an unknown choice is "still here"."""
    chosen, errors = {}, {}
    for s in missing:
        status = form.get(f"m{s.id}", "")
        status = status if status in LEAVINGS else ""
        destination = form.get(f"d{s.id}", "").strip()[:120]
        if status == "transferred" and not destination:
            errors[s.id] = "转出必须填写去向（转入的学校或地区）。"
        chosen[s.id] = (status, destination)
    return chosen, errors


def commit(sync: Sync, school: School, user: User, today: date,
           chosen: dict[int, tuple[str, str]]) -> dict[str, int]:
    """Write the whole sync in one transaction; nothing on any error."""
    if not sync.result.ok:
        raise Refusal("名册有问题，没有导入。请按预览改好后重新上传。")
    try:
        new = importer.add(sync.new, sync.result.new_classes, school, user, today)
        classes = _classes(school, today)
        for update in sync.updates:
            _apply(update, sync.result.present, classes, user, today)
        left = 0
        for s in sync.missing:
            status, destination = chosen.get(s.id, ("", ""))
            if status:
                s.change_status(status, today, "学期初同步：学籍系统名单中没有", destination, user)
                left += 1
        counts = {"new": len(new), "updated": len(sync.updates), "left": left,
                  "unchanged": sync.unchanged}
        audit.record("import", f"学期初同步{school.name}：新增 {counts['new']}，更新 "
                               f"{counts['updated']}，离校 {left}", table_name="students",
                     school_id=school.id, after=counts, user=user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def _classes(school: School, today: date) -> dict[tuple[int, str], ClassGroup]:
    return {(c.grade, c.name): c for c in db.session.scalars(sa.select(ClassGroup).where(
        ClassGroup.school_id == school.id, ClassGroup.school_year == school_year_of(today)))}


def _values(row: importer.Row, present: set[str], classes: dict) -> dict:
    """The student's fields as the row says, for the fields whose columns the file has."""
    v = row.values
    given = {k for k, sources in SOURCES.items() if present & set(sources)}
    values = {"name": v["name"], "student_no": v["student_no"], "ethnicity": v["ethnicity"],
              "grade": v["grade"],  # a class not there yet is shown by name, made on commit
              "class_group": classes.get((v["grade"], v["class_name"]), v["class_name"]),
              "placement": v["placement"], "boarder": v["boarder"], "village": v["village"],
              "village_group": v["village_group"], "address": v["address"],
              **{flag: flag in v["flags"] for flag in FOCUS_FLAGS}}
    for key, empty in (("student_no", not v["student_no"]), ("class_group", not v["class_name"])):
        if empty:
            given.discard(key)  # an empty cell never erases what is on record
    return {k: values[k] for k in given}


def _guardians(row: importer.Row, present: set[str], student: Student
               ) -> list[tuple[str, str, str, bool]] | None:
    """The child's guardians after the sync, or None when the file has none for the child.
    The file's come first, each in place of the record's of the same name (or phone), whose
    relation and phone an empty cell keeps; then the record's guardians the file does not
    name: a sync never drops a guardian (the 学籍 system lists two members, our own export
    one, and a school may know more — a reviewer's sync of our export deleted every second
    guardian with the phone number)."""
    if "guardian" not in present:
        return None
    v = row.values
    listed = [(v[n], v[r], v[p]) for n, r, p in importer.GUARDIAN_COLUMNS if v[n] or v[p]]
    if not listed:
        return None
    kept = _guardians_of(student)
    merged = []
    for i, (name, relation, phone) in enumerate(listed):
        same = next((g for g in kept if (name and g[0] == name) or (not name and g[2] == phone)),
                    None)
        if same:
            kept.remove(same)
        away = v["works_away"] if i == 0 and "works_away" in present else \
            (same[3] if same else False)  # the file's 外出务工 is its first guardian's
        merged.append((same[0], relation or same[1], phone or same[2], away) if same
                      else (name, relation, phone, away))
    return merged + kept


def _guardians_of(student: Student) -> list[tuple[str, str, str, bool]]:
    return [(g.name, g.relation, g.phone, g.works_away) for g in student.guardians]


def _shown_guardians(guardians: list[tuple[str, str, str, bool]]) -> str:
    """张大山（父亲）13800001111，外出务工；李秀（母亲）…: what a change of guardians changes."""
    return "；".join(f"{name}（{relation}）{phone}{'，外出务工' if away else ''}"
                    for name, relation, phone, away in guardians)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, ClassGroup):
        return value.name
    return "" if value is None else str(value)


def _apply(update: Update, present: set[str], classes: dict, user: User, today: date) -> None:
    student, row = update.student, update.row
    for key, value in _values(row, present, classes).items():
        if key == "class_group" and not isinstance(value, ClassGroup):  # made by importer.add
            value = classes.get((row.values["grade"], row.values["class_name"]))
        setattr(student, key, value)
    guardians = _guardians(row, present, student)
    if guardians is not None and guardians != _guardians_of(student):
        student.guardians = [Guardian(name=n, relation=r, phone=p, works_away=w, position=i)
                             for i, (n, r, p, w) in enumerate(guardians)]
    status = _status(row, student)
    if status:
        student.change_status(status, today, f"学期初同步：学籍系统名单中{STATUSES[status]}", "",
                              user)


def _status(row: importer.Row, student: Student) -> str | None:
    """The status a sync gives a child of the file: 在读 or 休学 as its 学籍状态 says; with no
    status, 在读 for a child off the register (listed by the 学籍 system, so back). None when it
    stays: a child the file lists as 转出 or 毕业 (the register's own export of every status)
    is not taken back in."""
    wanted = row.values["status"]
    if wanted is None:
        return "enrolled" if student.status not in ON_REGISTER else None
    return wanted if wanted in ON_REGISTER and wanted != student.status else None
