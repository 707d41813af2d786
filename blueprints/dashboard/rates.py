"""The three rates (三率) and their formulas (docs/design.md, Metrics), for a school year from
1 September to the day asked (at most 31 August), per school and for the whole scope:
- 辍学率 = dropouts ÷ enrolled at the start × 100%. A dropout is a child whose status became 辍学
  during the year and still is at the end (a child persuaded back is not a dropout).
- 巩固率 = (start − transferred out − deceased + transferred in − dropouts − left) ÷ (start −
  transferred out − deceased + transferred in) × 100%. Transferred in = enrolled during the year
  other than back from 辍学/休学 (a new record, or back from 转出). Left = became 其他离校 during
  the year and still is: gone without a transfer, not kept until found (as the cohort definition
  counts them), and not a dropout either.
- 入学率 = children of school age on the 户籍 list in school (an enrolled record, a record 转出 to
  another school, or explained by the 四查三比对 as studying elsewhere or at a special school;
  休学 not counted) ÷ the list's children of school age (less those explained as dead, not of
  age or a wrong record) × 100%; absent until a 户籍 list is imported.
入学率 and 辍学率 are also given for each 学段 (STAGES: 小学 by grades 1–6 and ages 6–11, 初中 by
grades 7–9 and ages 12–15). A status on a day is the last recorded change on or before it; a
record with no history has its current status since it was created.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

import access
from blueprints.cases import reconcile
from extensions import db
from models import (STATUSES, ClassGroup, HouseholdChild, StatusChange, Student,
                    school_year_of)

# The setting, as create_app() defaults it. 巩固率: "year" = (start − out − deceased + in −
# dropouts − left) ÷ (start − out − deceased + in); "cohort" = the graduating cohort kept ÷ the
# cohort (normal moves out of it).
DEFAULTS = {"CONSOLIDATION_RATE": "year"}

# 学段: 入学率 and 辍学率 are reported for 小学 and 初中 apart (小学适龄儿童入学率, 初中阶段适龄少年
# 入学率; 小学、初中辍学率): (label, grades, ages on 1 September of the school year).
STAGES = {"primary": ("小学", (1, 6), (6, 11)), "junior": ("初中", (7, 9), (12, 15))}

FORMULAS = {
    "enrolment": "入学率 = 户籍名单上的适龄儿童中在读的人数 ÷ 户籍名单上的适龄儿童数 × 100%（在读含转到外地学校的和经核实在外地、"
                 "特教学校就读的；休学不计为在读；经核实已死亡、不在适龄或户籍信息有误的不计入名单）",
    "consolidation": "巩固率 = (学年初在读 − 转出 − 死亡 + 转入 − 辍学 − 其他离校) ÷ (学年初在读 − 转出 − 死亡 + 转入) × 100%"
                     "（其他离校：未办转学手续离校、去向未核实的，不计为巩固）",
    "cohort": "巩固率（届别口径）= 本届毕业年级仍在籍的学生（在读、休学、已毕业）÷ 本届学生总数（历年入学和转入的，"
              "不含转出、死亡）× 100%；本届 = 本学年应读最高年级的学生，已离校学生按离校时年级逐年推算",
    "dropout": "辍学率 = 本学年辍学人数 ÷ 学年初在读人数 × 100%",
}


def formulas() -> dict[str, str]:
    """The formulas shown beside the rates, with the 巩固率 definition the township uses
    (CONSOLIDATION_RATE = "year" or "cohort")."""
    chosen = dict(FORMULAS)
    if current_app.config["CONSOLIDATION_RATE"] == "cohort":
        chosen["consolidation"] = chosen["cohort"]
    del chosen["cohort"]
    return chosen


MIN_BASE = 10  # a 户籍 list of fewer school-age children is not the township's


@dataclass
class Rates:
    start: int = 0
    out: int = 0
    deceased: int = 0
    transferred_in: int = 0
    dropouts: int = 0
    left: int = 0  # became 其他离校 in the year and still are: not kept, not dropouts
    listed: int | None = None  # children of school age on the 户籍 list (None: no list)
    listed_enrolled: int = 0
    cohort: int | None = None  # the cohort definition's base (None: the year definition)
    cohort_kept: int = 0

    FLOWS = ("start", "out", "deceased", "transferred_in", "dropouts", "left")  # year counts

    def add(self, other: Rates) -> None:
        """Another scope's year counts added to these (a township's from its schools)."""
        for name in self.FLOWS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def pct(num: int, den: int) -> float | None:
        return round(100 * num / den, 1) if den else None

    @property
    def dropout_rate(self) -> float | None:
        return self.pct(self.dropouts, self.start)

    @property
    def consolidation_rate(self) -> float | None:
        if self.cohort is not None:
            return self.pct(self.cohort_kept, self.cohort)
        base = self.start - self.out - self.deceased + self.transferred_in
        return self.pct(base - self.dropouts - self.left, base)

    @property
    def enrolment_rate(self) -> float | None:
        return self.pct(self.listed_enrolled, self.listed) if self.listed else None

    def doubts(self, enrolled: int) -> list[str]:
        """Why a rate cannot be right as it stands (issue 18.6): shown beside it on the
        dashboard and the monthly report, and the drafted 工作总结 leaves it out. enrolled: the
        children enrolled in the register of the same scope."""
        out = []
        if self.listed and self.listed < MIN_BASE:  # the 户籍 list is always the township's
            out.append(f"入学率的分母只有 {self.listed} 人，不能当作全镇的比例。")
        if self.listed and enrolled and self.listed < enrolled / 2:
            out.append(f"户籍名单上的适龄儿童只有 {self.listed} 人，不到学籍在读人数（{enrolled} 人）"
                       "的一半：名单可能只含部分村，入学率待导入全镇名单后再看。")
        elif self.enrolment_rate is not None and self.enrolment_rate < 50:
            out.append(f"入学率只有 {self.enrolment_rate}%：请核实户籍名单和学籍是否完整后再上报。")
        return out


def status_on(history: list[tuple], created: date, current: str, day: date) -> str | None:
    """history: (changed_on, from, to) sorted by date."""
    status = None
    for changed_on, _from, to in history:
        if changed_on <= day:
            status = to
    if status is None and not history and created <= day:
        return current
    return status


LEFT_STATUSES = [s for s in STATUSES if s != "enrolled"]


def rates(students, start: date, end: date) -> dict[int | None, Rates]:
    """Rates per school id and for all (key None), over [start, end]. `students` is a select
    of student ids (or a list of Student rows)."""
    ids = students if isinstance(students, sa.Select) else \
        sa.select(Student.id).where(Student.id.in_([s.id for s in students]))
    out: dict[int | None, Rates] = defaultdict(Rates)
    # The usual case, counted in SQL: enrolled since before the year began, with no change
    # since (and none ever to another status). Everyone else is walked through their history:
    # the few found by three indexed conditions (not enrolled now, registered during the year,
    # a change since it began or ever to another status), not every child tested row by row
    # (45 of a township dashboard's 210 ms).
    cutoff = datetime.combine(start + timedelta(days=1), time())
    unsteady = sa.union(
        sa.select(Student.id).where(access.among(ids), Student.status != "enrolled"),
        sa.select(Student.id).where(access.among(ids), Student.created_at >= cutoff),
        sa.select(StatusChange.student_id).join(Student, Student.id == StatusChange.student_id)
        .where(access.among(ids), sa.or_(StatusChange.changed_on > start,
                                         StatusChange.to_status.in_(LEFT_STATUSES))))
    history: dict[int, list[tuple]] = defaultdict(list)
    children = {}
    for sid, school_id, status, created, changed_on, was, to in db.session.execute(  # one pass
            sa.select(Student.id, Student.school_id, Student.status, Student.created_at,
                      StatusChange.changed_on, StatusChange.from_status, StatusChange.to_status)
            .outerjoin(StatusChange, StatusChange.student_id == Student.id)
            .where(Student.id.in_(unsteady))
            .order_by(StatusChange.changed_on, StatusChange.id)):
        children[sid] = (school_id, status, created)
        if changed_on is not None:
            history[sid].append((changed_on, was, to))
    walked = Counter(school_id for school_id, _status, _created in children.values())
    for school_id, n in db.session.execute(sa.select(Student.school_id, sa.func.count()).where(
            access.among(ids)).group_by(Student.school_id)):
        out[school_id].start += n - walked[school_id]
        out[None].start += n - walked[school_id]
    for sid, (school_id, status, created) in children.items():
        changes = history.get(sid, [])
        during = [c for c in changes if start < c[0] <= end]
        was = status_on(changes, created.date(), status, start)
        now = status_on(changes, created.date(), status, end)
        flags = (
            ("start", was == "enrolled"),
            ("out", any(c[2] == "transferred" for c in during) and now != "enrolled"),
            ("deceased", any(c[2] == "deceased" for c in during)),
            ("transferred_in", any(c[2] == "enrolled" and c[1] not in
                                   ("dropout", "suspended", "enrolled") for c in during)
             and was != "enrolled"),
            ("dropouts", now == "dropout" and any(c[2] == "dropout" for c in during)),
            ("left", now == "left" and any(c[2] == "left" for c in during)),
        )
        for key in (school_id, None):
            r = out[key]
            for name, yes in flags:
                if yes:
                    setattr(r, name, getattr(r, name) + 1)
    return out


def cohort(students: sa.Select, today: date) -> dict[int | None, tuple[int, int]]:
    """The cohort definition of 巩固率, per school id and for all (key None): (the cohort,
    those of it still on the register). The cohort is every record whose grade this school
    year would be the highest grade taught in scope: an enrolled or suspended child by their
    grade, one who left by the grade they left in plus the school years since. Transfers out
    and deaths are normal moves and leave the cohort; enrolled, suspended and graduated (this
    year) are kept; dropouts and other leavers are lost."""
    year = school_year_of(today)
    final = db.session.scalar(access.scoped(ClassGroup).with_only_columns(
        sa.func.max(ClassGroup.grade)).where(ClassGroup.school_year == year))
    out: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    if not final:
        return {}
    left = (sa.select(StatusChange.student_id, sa.func.max(StatusChange.changed_on).label("on"))
            .group_by(StatusChange.student_id).subquery())
    for school_id, status, grade, left_on, created in db.session.execute(
            sa.select(Student.school_id, Student.status, Student.grade, left.c.on,
                      Student.created_at).outerjoin(left, left.c.student_id == Student.id)
            .where(access.among(students), Student.grade <= final,
                   Student.status.not_in(("transferred", "deceased")))):
        if status not in ("enrolled", "suspended"):
            grade += year - school_year_of(left_on or created.date())
        if grade != final:
            continue
        for key in (school_id, None):
            out[key][0] += 1
            out[key][1] += status in ("enrolled", "suspended", "graduated")
    return {key: (base, kept) for key, (base, kept) in out.items()}


def enrolment(central_id: int | None, today: date) -> dict[str | None, Rates]:
    """入学率's figures from the 户籍 list, for every age (key None) and for each 学段's ages
    (STAGES) on 1 September (listed None when there is no list)."""
    out = {key: Rates() for key in (None, *STAGES)}
    if central_id is None:
        return out
    children = [h for h in db.session.scalars(access.scoped(HouseholdChild).where(
        HouseholdChild.central_id == central_id)) if reconcile.of_age(h.birth_date, today)]
    records = access.records_by_id(h.id_number for h in children) if children else {}
    start = date(school_year_of(today), 9, 1)
    children = [h for h in children if h.explained not in NOT_LISTED]
    for key, r in out.items():
        ages = STAGES[key][2] if key else (0, 99)
        listed = [h for h in children if ages[0] <= _age_on(h.birth_date, start) <= ages[1]]
        if listed:
            r.listed = len(listed)
            r.listed_enrolled = sum(1 for h in listed if h.explained in AT_SCHOOL_ELSEWHERE
                                    or records.get(h.id_number, ("", ""))[1] in IN_SCHOOL)
    return out


# 入学率 and the 四查三比对's explanations: a child explained as studying elsewhere is in school;
# one explained as dead, not of age or a wrong record is not one of the list's children
AT_SCHOOL_ELSEWHERE = ("elsewhere", "migrant", "special_school")
NOT_LISTED = ("deceased", "not_of_age", "wrong_record")
IN_SCHOOL = ("enrolled", "transferred")  # 转出: registered at the school it went to


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
