"""Roster import: read → check every row (errors in Chinese) → commit all or nothing.

The file is Baoxue's own template or export, or the 全国中小学生学籍信息管理系统's export as it is
(its 填报说明's conventions): 性别 1/2 or 男/女; 出生日期 as 8 digits; 民族 by name or its 2-digit
code (GB 3304); 身份证件类型 + 身份证件号; 全国学籍号; 就读方式 走读/住校 (1/2), which is boarding
there — the disability placement is 安置方式 (an old file whose 就读方式 holds a placement word
is read as a placement: the value tells which is meant); 是否留守儿童 0/1/2 (非/单亲/双亲 留守);
是否进城务工人员随迁子女, 是否孤儿, 残疾 as 1/0 or 是/否 (残疾人类型: 0 or 无 is none); guardians
from 成员1/成员2 columns; 现住址, 联系电话. Columns Baoxue does not keep are named in the preview.

Decisions: the import only adds students (a child already registered anywhere is an error that
names the school holding the record); classes missing for the current 学年 are created; one bad
row stops the whole file, so the user fixes the file and uploads again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
import audit
import clock
import excel
from blueprints.students import idnumber
from extensions import db
from forms import PERSON_NAME
from models import (FOCUS_FLAGS, ID_TYPES, PLACEMENTS, STATUSES, ClassGroup, Guardian, School,
                    Student, User, school_year_of)

MAX_ROWS = 5000

HEADERS = {  # accepted column names → field; the first name present wins
    "name": ["姓名", "学生姓名"],
    "sex": ["性别"],
    "id_type": ["身份证件类型", "证件类型"],
    "id_number": ["身份证号", "身份证号码", "身份证件号", "证件号码", "身份证件号码"],
    "student_no": ["学籍号", "全国学籍号", "学籍编号"],
    "grade": ["年级"],
    "class": ["班级", "班级名称", "班别"],
    "ethnicity": ["民族"],
    "birth_date": ["出生日期", "出生年月"],
    "placement": ["安置方式", "残疾儿童安置方式"],
    "attendance": ["就读方式"],  # 走读/住校 in the 学籍 system; a placement in old files
    "flags": ["重点群体", "特殊群体"],
    "status": ["学籍状态", "在校状态", "学生状态"],
    "boarder": ["寄宿", "是否寄宿", "寄宿生"],
    "left_behind": ["是否留守儿童", "留守儿童"],
    "migrant": ["是否进城务工人员随迁子女", "随迁子女", "是否随迁子女"],
    "orphan": ["是否孤儿", "孤儿"],
    "disabled": ["是否残疾", "残疾人类型", "残疾类型"],
    "village": ["户籍村", "村", "所在村", "村委会"],
    "village_group": ["组", "村民小组"],
    "address": ["家庭住址", "现住址", "住址", "家庭地址"],
    "guardian": ["监护人", "监护人姓名", "成员1姓名", "家长姓名", "家长"],
    "relation": ["关系", "监护人关系", "成员1关系", "与学生关系"],
    "phone": ["监护人电话", "成员1联系电话", "联系电话", "电话", "手机", "手机号码", "家长电话"],
    "contact_phone": ["联系电话"],  # the family's phone in the 学籍 system: when 成员1's is empty
    "works_away": ["外出务工", "是否外出务工"],
    "guardian2": ["成员2姓名"],
    "relation2": ["成员2关系"],
    "phone2": ["成员2联系电话"],
}
REQUIRED = ["name", "id_number"]
GUARDIAN_COLUMNS = [("guardian", "relation", "phone"), ("guardian2", "relation2", "phone2")]

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
JUNIOR = {"初一": 7, "初二": 8, "初三": 9}
RELATIONS = {"父亲": "父亲", "父": "父亲", "爸爸": "父亲", "母亲": "母亲", "母": "母亲",
             "妈妈": "母亲", "祖父": "祖父", "爷爷": "祖父", "祖母": "祖母", "奶奶": "祖母",
             "外祖父": "外祖父", "外公": "外祖父", "外祖母": "外祖母", "外婆": "外祖母",
             "其他亲属": "其他亲属", "叔叔": "其他亲属", "伯父": "其他亲属", "姑姑": "其他亲属",
             "舅舅": "其他亲属", "阿姨": "其他亲属", "哥哥": "其他亲属", "姐姐": "其他亲属",
             "祖父母": "祖父母", "外祖父母": "外祖父母", "兄弟姐妹": "其他亲属", "其他": "其他"}
FLAG_WORDS = {label: code for code, label in FOCUS_FLAGS.items()}
FLAG_WORDS.update({"孤儿": "orphan", "事实无人抚养": "orphan", "脱贫": "poverty", "低保": "poverty",
                   "特困": "poverty", "脱贫户": "poverty", "贫困": "poverty", "残疾儿童": "disabled",
                   "留守儿童": "left_behind", "随迁子女": "migrant"})
PLACEMENT_WORDS = {label: code for code, label in PLACEMENTS.items()}
YES = {"是", "有", "√", "Y", "YES", "1", "TRUE"}
NO = {"", "否", "无", "N", "NO", "0", "FALSE", "×"}
SEXES = {"男": "男", "女": "女", "1": "男", "2": "女", "男性": "男", "女性": "女"}
# 学籍状态 as exports write it: the register's own words, and the 学籍 system's 在校/在籍
STATUS_WORDS = {**{label: code for code, label in STATUSES.items()}, "在校": "enrolled",
                "在籍": "enrolled", "正常": "enrolled", "已转出": "transferred",
                "转学": "transferred", "休学中": "suspended", "已毕业": "graduated"}
DAY_OR_BOARD = {"走读": False, "1": False, "住校": True, "寄宿": True, "2": True}
LEFT_BEHIND = {"0": False, "非留守儿童": False, "1": True, "单亲留守儿童": True, "2": True,
               "双亲留守儿童": True}
# 身份证件类型 by the 学籍 system's code or by name; a 港澳台居民居住证 is an 18-digit number under
# the same check as a 居民身份证, so it is one.
ID_TYPE_WORDS = {"": "resident", "1": "resident", "身份证": "resident", "港澳台居民居住证": "resident",
                 "2": "hk", "3": "macao", "4": "taiwan", "台胞证": "taiwan", "5": "permanent",
                 "6": "passport", "9": "other", "其他": "other", "无": "none", "无证件": "none",
                 **{label: code for code, label in ID_TYPES.items()}}
ETHNIC_CODES = dict(enumerate((
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 "
    "俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split(), start=1))  # GB 3304: 01 汉族 … 56 基诺族
ETHNIC_CODES.update({97: "其他", 98: "外国血统中国籍人士"})


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
    unused: list[str] = field(default_factory=list)  # columns of the file Baoxue does not keep
    present: set[str] = field(default_factory=set)  # the fields the file has a column for
    matched: dict[int, Student] = field(default_factory=dict)  # row number -> this school's child

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


def read(data: bytes, school: School, user: User, today: date | None = None,
         sync: bool = False) -> Result:
    """Read a roster for a school the user may write to, and check every row against the file
    and the database. sync (学期初同步, sync.py): a row of a child of this school is that child
    (result.matched), not a duplicate."""
    today = today or clock.today()
    sheet = excel.read_sheet(data, HEADERS, REQUIRED, MAX_ROWS, "学生")
    if sheet.error:
        return Result(sheet.error)
    if "grade" not in sheet.columns and "class" not in sheet.columns:
        return Result("缺少必需的列：年级。请检查列名（可下载导入模板对照）。")
    headers, columns = sheet.headers, sheet.columns
    used = set(columns.values())
    result = Result(headers=[h for h in headers if h], present=set(columns),
                    unused=[h for i, h in enumerate(headers) if h and i not in used])
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
    idnumber.flag_zeroed([(r.errors, r.values["id_text"]) for r in result.rows
                          if r.values["id_type"] == "resident"])
    own = _own(school, user) if sync else {}
    _check_duplicates(result.rows, own)
    _check_same_child(result.rows, own)
    for row in result.rows:
        found = {own[row.values[k]] for k in ("id_number", "id_document", "student_no")
                 if row.values.get(k) in own}
        if len(found) > 1:
            row.errors.append("身份证号和学籍号分别是本校两名不同学生的，请核对。")
        elif found and not row.errors:
            result.matched[row.number] = found.pop()
        elif not found and row.values["status"] not in (None, "enrolled"):
            row.errors.append(f"学籍状态是“{STATUSES[row.values['status']]}”：导入只登记在读的学生，"
                              "请删去这一行。")
    result.new_classes = []
    for row in result.rows:
        key = (row.values.get("grade"), row.values.get("class_name"))
        if all(key) and key not in existing and key not in result.new_classes:
            result.new_classes.append(key)
    return result


def _own(school: School, user: User) -> dict[str, Student]:
    """This school's children by ID number and by 学籍号 (a sync matches rows to them)."""
    own = {}
    for s in db.session.scalars(access.scoped(Student, user).where(
            Student.school_id == school.id).options(  # what sync.py compares, in 3 queries
            selectinload(Student.guardians), selectinload(Student.class_group))):
        own.update({n: s for n in (s.id_number, s.id_document, s.student_no) if n})
    return own


def _check_duplicates(rows: list[Row], own: dict[str, Student]) -> None:
    """IDs and 学籍号 repeated within the file, or registered anywhere in the database (but
    `own`: this school's children, when a sync updates them)."""
    for key, column, label in (("id_number", Student.id_number, "身份证号"),
                               ("id_document", Student.id_document, "证件号"),
                               ("student_no", Student.student_no, "学籍号")):
        taken = access.holders(column, {r.values[key] for r in rows
                                        if r.values.get(key) and r.values[key] not in own})
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


def _check_same_child(rows: list[Row], own: dict[str, Student]) -> None:
    """A child without a 居民身份证 number is the same child as one registered anywhere (or on
    another row) with the same name, birth date and guardian."""
    rows = [r for r in rows if not r.values.get("id_number") and r.values.get("birth_date")]
    if not rows:
        return
    names = {r.values["name"] for r in rows}
    known = {}
    for s in db.session.scalars(sa.select(Student).where(Student.name.in_(names)).options(
            selectinload(Student.guardians), selectinload(Student.school))):
        for g in s.guardians or [None]:
            known[(s.name, s.birth_date, g.name if g else "")] = s
    seen: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        key = (v["name"], v["birth_date"], v["guardian"])
        if key in seen:
            row.errors.append(f"与第 {seen[key]} 行姓名、出生日期、监护人都相同，是同一个孩子吗？")
        seen.setdefault(key, row.number)
        same = known.get(key)
        if same is not None and same not in own.values():
            row.errors.append(f"{same.school.name}已登记同名、同出生日期、同监护人的{same.name}，"
                              "不能重复登记。如是不同的孩子，请在备注中说明后逐个登记。")


def _check_row(row: Row, cell, today: date) -> None:
    v, err = row.values, row.errors
    v["name"] = _text(cell("name")).replace(" ", "").replace("\u3000", "")  # 张　三: 张三
    if not v["name"]:
        err.append("姓名为空。")
    elif len(v["name"]) > 40:
        err.append("姓名太长（超过 40 个字）。")
    elif not PERSON_NAME.fullmatch(v["name"]):
        err.append(f"姓名“{v['name']}”里有汉字、字母和“·”以外的符号，请检查。")

    _check_identity(v, err, cell, today)

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
    v["ethnicity"] = _ethnicity(_text(cell("ethnicity")), err)
    _placement_and_boarding(v, err, _text(cell("placement")), _text(cell("attendance")),
                            _text(cell("boarder")))
    v["flags"] = _flags(cell, err)
    status = _text(cell("status"))
    v["status"] = STATUS_WORDS.get(status) if status else None  # None: the file does not say
    if status and v["status"] is None:
        err.append(f"学籍状态“{status}”无法识别，可填：在读、休学、转出等。")
    v["village"] = _text(cell("village"))[:40]
    v["village_group"] = excel.group_name(cell("village_group"))[:20]  # 5组, 第五组: 五组
    v["address"] = _text(cell("address"))[:120]
    v["works_away"] = _text(cell("works_away")).upper() in YES
    for n, (name, relation, phone) in enumerate(GUARDIAN_COLUMNS):
        v[name] = _text(cell(name))[:40]
        v[relation] = RELATIONS.get(_text(cell(relation)), "其他" if _text(cell(relation)) else "")
        v[phone] = _text(cell(phone)) or (_text(cell("contact_phone")) if n == 0 else "")
        if v[phone] and not re.fullmatch(r"[0-9+\- ]{7,20}", v[phone]):
            err.append(f"{'联系电话' if n == 0 else '成员2联系电话'}“{v[phone]}”格式不对（7–20 位数字）。")


def _flags(cell, err: list[str]) -> set[str]:
    """The focus groups: 重点群体's words, and the 学籍 system's 是否 columns."""
    flags = set()
    for word in filter(None, re.split(r"[、,，;；/\s]+", _text(cell("flags")))):
        if word in FLAG_WORDS:
            flags.add(FLAG_WORDS[word])
        else:
            err.append(f"重点群体“{word}”无法识别，可填：{'、'.join(FOCUS_FLAGS.values())}。")
    left_behind = _text(cell("left_behind"))
    if LEFT_BEHIND.get(left_behind) or (left_behind not in LEFT_BEHIND
                                        and _yes(left_behind, "是否留守儿童", err)):
        flags.add("left_behind")
    for flag, label in (("migrant", "是否随迁子女"), ("orphan", "是否孤儿")):
        if _yes(_text(cell(flag)), label, err):
            flags.add(flag)
    if _text(cell("disabled")).upper() not in NO:  # 残疾人类型: a code or a kind; 0 or 无: none
        flags.add("disabled")
    return flags

def _check_identity(v: dict, err: list[str], cell, today: date) -> None:
    """身份证件类型 and its number, 性别, 出生日期. A 居民身份证 decides sex and birth date (the
    cells, when filled, must agree); a child with another document or none yet is registered
    with the document's type and number (never a made-up ID number) and the cells' sex and
    birth date, which are then required."""
    type_text, raw_id = _text(cell("id_type")), cell("id_number")
    v.update(id_text=_text(raw_id), id_type=ID_TYPE_WORDS.get(type_text, "resident"),
             id_number=None, id_document=None, sex=None, birth_date=None)
    number = _text(raw_id).upper().replace(" ", "")
    if type_text not in ID_TYPE_WORDS:
        err.append(f"身份证件类型“{type_text}”无法识别，可填：{'、'.join(ID_TYPES.values())}"
                   "（学籍系统的代码 1–6、9 也可以）。")
    elif v["id_type"] == "none":
        if number:
            err.append("身份证件类型是“尚无证件”，证件号一栏应为空。")
    elif v["id_type"] != "resident":
        if not re.fullmatch(r"[A-Z0-9()（）\-]{5,30}", number):
            err.append(f"{ID_TYPES[v['id_type']]}号码“{number}”不对：应为 5–30 位字母或数字。")
        v["id_document"] = number
    elif idnumber.stored_as_number(raw_id):
        err.append(idnumber.as_number_error("身份证号"))
    elif not number:
        err.append("身份证号为空。持护照、港澳台证件或还没有证件的儿童，请在“身份证件类型”一栏写明"
                   "（如“护照”“尚无证件”）。")
    else:
        checked = idnumber.check(number, today)
        if checked.ok:
            v.update(id_number=checked.number, sex=checked.sex, birth_date=checked.birth_date)
        else:
            err.append(checked.error)
    sex = SEXES.get(_text(cell("sex")), _text(cell("sex")))
    born_text = _text(cell("birth_date"))
    birth = excel.parse_date(cell("birth_date")) if born_text else None
    month = excel.parse_month(born_text) if born_text and birth is None else None
    if sex and sex not in ("男", "女"):
        err.append(f"性别“{sex}”应为“男”或“女”（学籍系统的代码 1、2 也可以）。")
    elif sex and v["sex"] and sex != v["sex"]:
        err.append(f"性别“{sex}”与身份证号不符（身份证号显示为{v['sex']}）。")
    born = v["birth_date"]
    if born_text and birth is None and (month is None or v["id_type"] != "resident"):
        err.append(f"出生日期“{born_text}”无法识别，请写成 2015-09-01 这样的格式"
                   f"{'（要写到日）' if month else ''}。")
    elif born and (birth and birth != born or month and month != (born.year, born.month)):
        err.append(f"出生日期与身份证号不符（身份证号显示为 {born:%Y-%m-%d}）。")
    if v["id_type"] != "resident":
        v["sex"], v["birth_date"] = sex if sex in ("男", "女") else None, birth
        if not (v["sex"] and v["birth_date"]):
            err.append("没有居民身份证号的儿童，请填写性别和出生日期。")
        elif not idnumber.plausible_birth(birth, today):
            err.append(f"出生日期 {birth:%Y-%m-%d} 不合理，请核对。")


def _yes(text: str, label: str, err: list[str]) -> bool:
    """是/否 or 1/0 (and the usual variants); anything else is an error."""
    if text.upper() in YES:
        return True
    if text.upper() not in NO:
        err.append(f"{label}“{text}”应填“是”或“否”（学籍系统的代码 1、0 也可以）。")
    return False


def _ethnicity(text: str, err: list[str]) -> str:
    """民族 by name (汉族, or 汉) or by its 2-digit code (01); empty is 汉族."""
    if not text:
        return "汉族"
    if text.isdigit():
        if int(text) in ETHNIC_CODES:
            return ETHNIC_CODES[int(text)]
        err.append(f"民族代码“{text}”不存在（01 汉族 … 56 基诺族，97 其他）。")
        return text
    return text if text.endswith("族") or text + "族" not in ETHNIC_CODES.values() else text + "族"


def _placement_and_boarding(v: dict, err: list[str], placement: str, attendance: str,
                            boarder: str) -> None:
    """安置方式 is the disability placement; 就读方式 is 走读/住校 (the 学籍 system) unless its value
    is a placement word (an older file); 寄宿 是/否 says boarding too."""
    v["boarder"] = boarder.upper() in YES
    if attendance in DAY_OR_BOARD:
        v["boarder"] = v["boarder"] or DAY_OR_BOARD[attendance]
    elif attendance in PLACEMENT_WORDS and not placement:
        placement = attendance
    elif attendance:
        err.append(f"就读方式“{attendance}”无法识别：学籍系统填“走读”或“住校”（1、2）；"
                   f"残疾儿童的安置请写在“安置方式”列：{'、'.join(PLACEMENTS.values())}。")
    v["placement"] = PLACEMENT_WORDS.get(placement, "in_school" if not placement else None)
    if v["placement"] is None:
        err.append(f"安置方式“{placement}”无法识别，可填：{'、'.join(PLACEMENTS.values())}。")


def commit(result: Result, school: School, user: User, today: date | None = None) -> int:
    """Write every row of a checked file in one transaction; nothing is written on any error."""
    assert result.ok
    today = today or clock.today()
    try:
        add(result.rows, result.new_classes, school, user, today)
        audit.record("import", f"导入 {len(result.rows)} 名学生到{school.name}",
                     table_name="students", school_id=school.id,
                     after={"rows": len(result.rows), "new_classes": len(result.new_classes)},
                     user=user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(result.rows)


def add(rows: list[Row], new_classes: list[tuple[int, str]], school: School, user: User,
        today: date) -> list[Student]:
    """Add checked rows as new children of the school, with the classes they need (the caller
    audits and commits)."""
    year = school_year_of(today)
    classes = {(c.grade, c.name): c for c in db.session.scalars(
        access.scoped(ClassGroup, user).where(ClassGroup.school_id == school.id,
                                              ClassGroup.school_year == year))}
    for grade, name in new_classes:
        classes[(grade, name)] = ClassGroup(school_id=school.id, school_year=year,
                                            grade=grade, name=name)
        db.session.add(classes[(grade, name)])
    added = []
    for row in rows:
        v = row.values
        student = Student(
            school_id=school.id, name=v["name"], sex=v["sex"], birth_date=v["birth_date"],
            id_number=v["id_number"], id_type=v["id_type"], id_document=v["id_document"],
            student_no=v["student_no"], grade=v["grade"],
            class_group=classes.get((v["grade"], v["class_name"])),
            ethnicity=v["ethnicity"], placement=v["placement"], boarder=v["boarder"],
            village=v["village"], village_group=v["village_group"], address=v["address"],
            **{flag: flag in v["flags"] for flag in FOCUS_FLAGS})
        if v["guardian"] or v["phone"]:
            student.guardians.append(Guardian(name=v["guardian"], relation=v["relation"],
                                              phone=v["phone"], works_away=v["works_away"]))
        if v["guardian2"] or v["phone2"]:
            student.guardians.append(Guardian(name=v["guardian2"], relation=v["relation2"],
                                              phone=v["phone2"]))
        student.change_status("enrolled", today, "新登记（Excel 导入）", "", user)
        db.session.add(student)
        added.append(student)
    db.session.flush()
    return added
