"""Roster import from Excel: read → check every row (errors in Chinese) → commit all or nothing.

Decisions: the import only adds students (a child already registered anywhere is an error that
names the school holding the record); classes missing for the current 学年 are created; one bad
row stops the whole file, so the user fixes the file and uploads again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import access
import audit
import excel
from blueprints.students import idnumber
from extensions import db
from models import (FOCUS_FLAGS, PLACEMENTS, ClassGroup, Guardian, School, Student,
                    User, school_year_of)

MAX_ROWS = 5000

HEADERS = {  # accepted column names → field
    "name": ["姓名", "学生姓名"],
    "sex": ["性别"],
    "id_number": ["身份证号", "身份证号码", "身份证件号", "证件号码", "身份证件号码"],
    "student_no": ["学籍号", "全国学籍号", "学籍编号"],
    "grade": ["年级"],
    "class": ["班级", "班级名称", "班别"],
    "ethnicity": ["民族"],
    "birth_date": ["出生日期", "出生年月"],
    "placement": ["就读方式"],
    "flags": ["重点群体", "特殊群体"],
    "boarder": ["寄宿", "是否寄宿", "寄宿生"],
    "village": ["户籍村", "村", "所在村", "村委会"],
    "village_group": ["组", "村民小组"],
    "address": ["家庭住址", "现住址", "住址", "家庭地址"],
    "guardian": ["监护人", "监护人姓名", "家长姓名", "家长"],
    "relation": ["关系", "监护人关系", "与学生关系"],
    "phone": ["联系电话", "监护人电话", "电话", "手机", "手机号码", "家长电话"],
    "works_away": ["外出务工", "是否外出务工"],
}
REQUIRED = ["name", "id_number"]

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
JUNIOR = {"初一": 7, "初二": 8, "初三": 9}
RELATIONS = {"父亲": "父亲", "父": "父亲", "爸爸": "父亲", "母亲": "母亲", "母": "母亲",
             "妈妈": "母亲", "祖父": "祖父", "爷爷": "祖父", "祖母": "祖母", "奶奶": "祖母",
             "外祖父": "外祖父", "外公": "外祖父", "外祖母": "外祖母", "外婆": "外祖母",
             "其他亲属": "其他亲属", "叔叔": "其他亲属", "伯父": "其他亲属", "姑姑": "其他亲属",
             "舅舅": "其他亲属", "阿姨": "其他亲属", "哥哥": "其他亲属", "姐姐": "其他亲属"}
FLAG_WORDS = {label: code for code, label in FOCUS_FLAGS.items()}
FLAG_WORDS.update({"孤儿": "orphan", "事实无人抚养": "orphan", "脱贫": "poverty", "低保": "poverty",
                   "特困": "poverty", "脱贫户": "poverty", "贫困": "poverty", "残疾儿童": "disabled",
                   "留守儿童": "left_behind", "随迁子女": "migrant"})
PLACEMENT_WORDS = {label: code for code, label in PLACEMENTS.items()}
YES = {"是", "有", "√", "Y", "YES", "1", "TRUE"}


@dataclass
class Row:
    number: int  # the row number the user sees in Excel
    cells: dict  # header → text as read, for the preview
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class Result:
    error: str | None = None  # a problem with the whole file
    rows: list[Row] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    new_classes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.rows) and not self.bad_rows


_text = excel.text


def parse_grade(text: str) -> int | None:
    text = text.replace("小学", "").replace("初中", "").strip()
    for word, grade in JUNIOR.items():
        if text.startswith(word):
            return grade
    m = re.match(r"^([1-9])(?![0-9])(?:年级)?", text) or re.match(r"^([一二三四五六七八九])年级", text)
    if not m:
        return None
    return CN_DIGITS.get(m.group(1)) or int(m.group(1))


def parse_class(text: str) -> tuple[int | None, str | None]:
    """'1班', '(1)班', '1', '三年级1班' → (grade or None, '1班')."""
    grade = parse_grade(text) if "年级" in text or text[:2] in JUNIOR else None
    m = re.search(r"[(（]?(\d{1,2})[)）]?\s*班?$", text)
    return grade, (f"{int(m.group(1))}班" if m else None)


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read(data: bytes, school: School, user: User, today: date | None = None) -> Result:
    """Read a roster for a school the user may write to, and check every row against the file
    and the database."""
    today = today or date.today()
    sheet = excel.read_sheet(data, HEADERS, REQUIRED, MAX_ROWS, "学生")
    if sheet.error:
        return Result(sheet.error)
    if "grade" not in sheet.columns and "class" not in sheet.columns:
        return Result("缺少必需的列：年级。请检查列名（可下载导入模板对照）。")
    headers, columns = sheet.headers, sheet.columns
    result = Result(headers=[h for h in headers if h])
    body = sheet.rows

    year = school_year_of(today)
    existing = {(c.grade, c.name): c for c in db.session.scalars(
        access.scoped(ClassGroup, user).where(ClassGroup.school_id == school.id,
                                              ClassGroup.school_year == year))}
    for number, raw in body:
        def cell(key):
            i = columns.get(key)
            return raw[i] if i is not None and i < len(raw) else None
        row = Row(number, {h: _text(raw[i]) for i, h in enumerate(headers) if h and i < len(raw)})
        _check_row(row, cell, today)
        result.rows.append(row)
    _check_duplicates(result.rows)
    result.new_classes = []
    for row in result.rows:
        key = (row.values.get("grade"), row.values.get("class_name"))
        if all(key) and key not in existing and key not in result.new_classes:
            result.new_classes.append(key)
    return result


def _check_duplicates(rows: list[Row]) -> None:
    """IDs and 学籍号 repeated within the file, or registered anywhere in the database."""
    for key, column, label in (("id_number", Student.id_number, "身份证号"),
                               ("student_no", Student.student_no, "学籍号")):
        taken = access.holders(column, {r.values[key] for r in rows if r.values.get(key)})
        first_seen: dict[str, int] = {}
        for row in rows:
            value = row.values.get(key)
            if not value:
                continue
            if value in first_seen:
                row.errors.append(f"{label}与第 {first_seen[value]} 行重复。")
                continue
            first_seen[value] = row.number
            if value in taken:
                row.errors.append(f"{label}已在{taken[value]}登记，不能重复登记。")


def _check_row(row: Row, cell, today: date) -> None:
    v, err = row.values, row.errors
    v["name"] = _text(cell("name")).replace(" ", "")
    if not v["name"]:
        err.append("姓名为空。")
    elif len(v["name"]) > 40:
        err.append("姓名太长（超过 40 个字）。")

    raw_id = cell("id_number")
    if isinstance(raw_id, (int, float)) and len(_text(raw_id)) >= 16:
        err.append("身份证号被 Excel 存成了数字，末几位已经丢失。请把该列设为“文本”格式后重新填写。")
    elif not _text(raw_id):
        err.append("身份证号为空（没有身份证号的儿童请在名册中逐个登记并在备注中说明）。")
    else:
        checked = idnumber.check(_text(raw_id), today)
        if checked.ok:
            v.update(id_number=checked.number, sex=checked.sex, birth_date=checked.birth_date)
        else:
            err.append(checked.error)

    sex = _text(cell("sex")).replace("性", "")
    if sex and sex not in ("男", "女"):
        err.append(f"性别“{sex}”应为“男”或“女”。")
    elif sex and v.get("sex") and sex != v["sex"]:
        err.append(f"性别“{sex}”与身份证号不符（身份证号显示为{v['sex']}）。")
    birth = cell("birth_date")
    if _text(birth):
        parsed = parse_date(birth)
        if parsed is None:
            err.append(f"出生日期“{_text(birth)}”无法识别，请写成 2015-09-01 这样的格式。")
        elif v.get("birth_date") and parsed != v["birth_date"]:
            err.append(f"出生日期与身份证号不符（身份证号显示为 {v['birth_date']:%Y-%m-%d}）。")

    grade_text, class_text = _text(cell("grade")), _text(cell("class"))
    grade = parse_grade(grade_text) if grade_text else None
    if grade_text and grade is None:
        err.append(f"年级“{grade_text}”无法识别，请写成“三年级”或“3”（1–9）。")
    class_grade, class_name = parse_class(class_text) if class_text else (None, None)
    if class_text and class_name is None:
        err.append(f"班级“{class_text}”无法识别，请写成“1班”或“1”。")
    if grade and class_grade and grade != class_grade:
        err.append(f"年级“{grade_text}”与班级“{class_text}”不一致。")
    v["grade"] = grade or class_grade
    v["class_name"] = class_name
    if not v["grade"] and not (grade_text or class_text):
        err.append("年级为空。")

    v["student_no"] = _text(cell("student_no")).upper() or None
    if v["student_no"] and not re.fullmatch(r"[A-Z0-9]{1,30}", v["student_no"]):
        err.append("学籍号只能包含字母和数字，最长 30 位。")
    v["ethnicity"] = _text(cell("ethnicity")) or "汉族"

    placement = _text(cell("placement"))
    v["placement"] = PLACEMENT_WORDS.get(placement, "in_school" if not placement else None)
    if v["placement"] is None:
        err.append(f"就读方式“{placement}”无法识别，可填：{'、'.join(PLACEMENTS.values())}。")
    v["flags"] = set()
    for word in filter(None, re.split(r"[、,，;；/\s]+", _text(cell("flags")))):
        if word in FLAG_WORDS:
            v["flags"].add(FLAG_WORDS[word])
        else:
            err.append(f"重点群体“{word}”无法识别，可填：{'、'.join(FOCUS_FLAGS.values())}。")
    v["boarder"] = _text(cell("boarder")).upper() in YES
    v["village"] = _text(cell("village"))[:40]
    v["village_group"] = _text(cell("village_group"))[:20]
    v["address"] = _text(cell("address"))[:120]
    v["guardian"] = _text(cell("guardian"))[:40]
    relation = _text(cell("relation"))
    v["relation"] = RELATIONS.get(relation, "其他" if relation else "")
    v["phone"] = _text(cell("phone"))
    if v["phone"] and not re.fullmatch(r"[0-9+\- ]{7,20}", v["phone"]):
        err.append(f"联系电话“{v['phone']}”格式不对（7–20 位数字）。")
    v["works_away"] = _text(cell("works_away")).upper() in YES


def commit(result: Result, school: School, user: User, today: date | None = None) -> int:
    """Write every row of a checked file in one transaction; nothing is written on any error."""
    assert result.ok
    today = today or date.today()
    year = school_year_of(today)
    classes = {(c.grade, c.name): c for c in db.session.scalars(
        access.scoped(ClassGroup, user).where(ClassGroup.school_id == school.id,
                                              ClassGroup.school_year == year))}
    try:
        for grade, name in result.new_classes:
            classes[(grade, name)] = ClassGroup(school_id=school.id, school_year=year,
                                                grade=grade, name=name)
            db.session.add(classes[(grade, name)])
        for row in result.rows:
            v = row.values
            student = Student(
                school_id=school.id, name=v["name"], sex=v["sex"], birth_date=v["birth_date"],
                id_number=v["id_number"], student_no=v["student_no"], grade=v["grade"],
                class_group=classes.get((v["grade"], v["class_name"])),
                ethnicity=v["ethnicity"], placement=v["placement"], boarder=v["boarder"],
                village=v["village"], village_group=v["village_group"], address=v["address"],
                **{flag: flag in v["flags"] for flag in FOCUS_FLAGS})
            if v["guardian"] or v["phone"]:
                student.guardians.append(Guardian(name=v["guardian"], relation=v["relation"],
                                                  phone=v["phone"], works_away=v["works_away"]))
            student.change_status("enrolled", today, "新登记（Excel 导入）", "", user)
            db.session.add(student)
        audit.record("import", f"导入 {len(result.rows)} 名学生到{school.name}",
                     table_name="students", school_id=school.id,
                     after={"rows": len(result.rows), "new_classes": len(result.new_classes)},
                     user=user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(result.rows)
