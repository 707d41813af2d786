"""Issuing pledges: the township's templates, filling {占位符}, generating a term's documents."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

import access
import clock
from blueprints.pledges.texts import DEFAULTS
from blueprints.responsibility import network
from extensions import db
from models import (GUARDIAN_KINDS, ClassGroup, DocumentCounter, Pledge, PledgeTemplate, School,
                    Student, Term, User, school_year_label)

TARGETS = {"入学率目标": "100%", "巩固率目标": "100%"}
PLACEHOLDER = re.compile(r"\{([\u4e00-\u9fff]+)\}")
PLACEHOLDERS = ["学校", "中心学校", "政府", "甲方", "乙方", "班级", "学生姓名", "学生名单", "学年",
                "学期", "入学率目标", "巩固率目标", "日期"]


def templates(central_id: int) -> dict[str, PledgeTemplate]:
    """The township's templates, created from the defaults the first time they are needed."""
    have = {t.kind: t for t in db.session.scalars(
        access.scoped(PledgeTemplate).where(PledgeTemplate.central_id == central_id))}
    for kind, text in DEFAULTS.items():
        if kind not in have:
            have[kind] = PledgeTemplate(central_id=central_id, kind=kind, **text)
            db.session.add(have[kind])
    return have


def fill(text: str, values: dict) -> str:
    """Replace the {占位符} it knows; leave anything else as typed."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


@dataclass
class Party:
    name: str
    user: User | None = None
    student: Student | None = None
    klass: ClassGroup | None = None
    students: tuple = ()


def _head_of(school: School) -> str:
    head = network.heads([school]).get(school.id)
    return f"{school.name}（负责人：{head.name}）" if head else school.name


def parties(kind: str, school: School, klass: ClassGroup | None) -> list[Party]:
    """Who signs as party B, one document each."""
    enrolled = access.scoped(Student).where(Student.status == "enrolled")
    if kind == "teacher":
        users = db.session.scalars(access.scoped(User).where(
            User.school_id == school.id, User.role.in_(access.TEACHERS), User.active.is_(True))
            .order_by(User.name)).all()
        # 教师包生: the children the teacher holds a line for, as the 包保责任表 has them; a
        # 班主任 with none signs the 班主任 pledge for the class, not this one as well
        heads = set(db.session.scalars(access.scoped(ClassGroup).where(
            ClassGroup.school_id == school.id).with_only_columns(ClassGroup.head_teacher_id)))
        out = []
        for u in users:
            own = db.session.scalars(enrolled.where(Student.responsibilities.any(
                user_id=u.id, kind="teacher")).order_by(Student.name_pinyin)).all()
            if own or u.id not in heads:
                out.append(Party(u.name, user=u, students=tuple(own)))
        return out
    if kind == "class_teacher":
        classes = db.session.scalars(access.scoped(ClassGroup).where(
            ClassGroup.school_id == school.id, ClassGroup.head_teacher_id.is_not(None))
            .order_by(ClassGroup.grade, ClassGroup.name)).all()
        return [Party(c.head_teacher.name, user=c.head_teacher, klass=c, students=tuple(
            db.session.scalars(enrolled.where(Student.class_id == c.id)
                               .order_by(Student.name_pinyin)))) for c in classes]
    if kind == "village_school":
        heads = db.session.scalars(access.scoped(User).where(
            User.school_id == school.id, User.role.in_(access.VILLAGE_HEADS),
            User.active.is_(True))).all()
        return [Party(u.name, user=u) for u in heads]
    if kind in ("village_committee", "township_village"):  # a school's villages, or the township's
        # 本村在读学生 for the school's agreement; the government's pledge lists every child of
        # school age the village answers for: those 休学 or 辍学 above all
        listed = enrolled.where(Student.school_id == school.id) if kind == "village_committee" \
            else access.scoped(Student).where(Student.status.in_(("enrolled", "suspended",
                                                                  "dropout")))
        rows = db.session.scalars(listed.order_by(Student.village, Student.name_pinyin)).all()
        villages: dict[str, list] = {}
        for s in rows:
            if s.village:
                villages.setdefault(s.village, []).append(s)
        return [Party(committee(v), students=tuple(kids)) for v, kids in villages.items()]
    if kind in GUARDIAN_KINDS:
        if klass is None:
            return []
        kids = db.session.scalars(enrolled.where(Student.class_id == klass.id)
                                  .order_by(Student.name_pinyin)).all()
        return [Party(s.guardians[0].name if s.guardians else f"{s.name}家长", student=s,
                      klass=klass) for s in kids]
    raise ValueError(kind)


def committee(village: str) -> str:
    """The committee that signs for a village: 甲一村村民委员会, 青山社区居民委员会."""
    if village.endswith("委会") or village.endswith("委员会"):
        return village
    return f"{village}居民委员会" if village.endswith("社区") else f"{village}村民委员会"


def _name_list(kind: str, students) -> str:
    """包保学生 / 本村在读学生: names, with each child's class (and school, across a township)
    where the list is a village's, so the paper's table says who each child is."""
    if not students:
        return "（无）"
    if kind == "township_village":
        return "、".join(f"{s.name}（{s.school.name}{s.class_label}"
                        f"{'' if s.status == 'enrolled' else '，' + s.status_label}）"
                        for s in students)
    if kind == "village_committee":
        return "、".join(f"{s.name}（{s.class_label}）" for s in students)
    return "、".join(s.name for s in students)


def generate(kind: str, school: School, term: Term, klass: ClassGroup | None,
             today: date | None = None) -> tuple[int, int]:
    """Generate a term's pledges of one kind for a school (or, for guardians, a class).
    A party who already has this term's document of this kind is skipped (reprint it instead).
    Returns (generated, skipped); the caller commits."""
    today = today or clock.today()
    template = templates(school.township_id)[kind]
    central = school.township
    existing = set(db.session.execute(sa.select(Pledge.user_id, Pledge.student_id,
                                                Pledge.party_b_name).where(
        Pledge.template_id == template.id, Pledge.term_id == term.id,
        Pledge.school_id == school.id)).all())
    made = skipped = 0
    prefix = f"KB{term.school_year}{term.semester}-{school.id:03d}-"
    party_a = (school.government_name if kind == "township_village"
               else _head_of(central if kind == "village_school" else school))
    for party in parties(kind, school, klass):
        key = (party.user.id if party.user else None,
               party.student.id if party.student else None, party.name)
        if key in existing:
            skipped += 1
            continue
        values = {"学校": school.name, "中心学校": central.name, "政府": school.government_name,
                  "甲方": party_a,
                  "乙方": party.name, "班级": party.klass.label if party.klass else "",
                  "学生姓名": party.student.name if party.student else "",
                  "学生名单": _name_list(kind, party.students),
                  "学年": school_year_label(term.school_year), "学期": term.name,
                  "日期": f"{today.year}年{today.month}月{today.day}日", **TARGETS}
        db.session.add(Pledge(
            template_id=template.id, term_id=term.id, school_id=school.id,
            doc_no=f"{prefix}{DocumentCounter.next(prefix):04d}",
            title=template.title, content=fill(template.body, values), party_a_name=party_a,
            party_b_name=party.name, user_id=party.user.id if party.user else None,
            student_id=party.student.id if party.student else None, generated_on=today))
        made += 1
    return made, skipped
