"""The demo's 残疾儿童: the 残联's list of the township, as imported at the start of the school
year: the register's disabled children (matched; most assessed and placed, a few still to do), one at the county's special
school and one in another province (their 学籍 elsewhere), and two nobody has registered yet."""
from __future__ import annotations

import random
from datetime import date, timedelta

from extensions import db
from models import (DISABILITY_CATEGORIES, DisabledChild, School, Student, school_year_of)

UNREGISTERED = [  # name, sex, years old, village, placed as, where
    ("罗小康", "男", 11, "高峰村", "special_school", "某县特殊教育学校"),
    ("杨佳怡", "女", 9, "新寨村", "elsewhere", "浙江省宁波市北仑区某小学"),
    ("龙天宇", "男", 8, "白岩村", "", ""),
    ("吴思琪", "女", 12, "桃花村", "", ""),
]
ASSESSMENTS = {"home_delivery": "重度，不能到校就读，建议送教上门",
               "inclusive": "轻度，能随班就读", "special_school": "中度，建议到特教学校就读"}


def add(rng: random.Random, central: School, students: list[Student], today: date) -> None:
    from demo import _phone, make_id
    from blueprints.special import roster
    start = date(school_year_of(today), 9, 1)
    imported = min(start + timedelta(days=10), today)
    schools = list({st.school for st in students})
    for s in [s for s in students if s.disabled]:
        category, level = rng.choice("14567"), rng.choice("1234")
        if s.placement == "in_school" and rng.random() < 0.7:  # assessed this term
            s.placement = "inclusive"
        placed = s.placement != "in_school"
        child = DisabledChild(
            central_id=central.id, student=s, school_id=s.school.id, name=s.name, sex=s.sex,
            id_number=s.id_number, birth_date=s.birth_date, category=category, level=level,
            certificate_no="" if rng.random() < 0.25 else s.id_number + category + level,
            village=s.village, address=s.address, guardian=s.guardians[0].name if s.guardians
            else "", phone=s.guardians[0].phone if s.guardians else "", imported_on=imported,
            assessed_on=imported + timedelta(days=7) if placed else None,
            placed_on=imported + timedelta(days=12) if placed else None,
            assessment=ASSESSMENTS.get(s.placement, ""))
        db.session.add(child)
    for n, (name, sex, age, village, placed, where) in enumerate(UNREGISTERED):
        born = date(today.year - age, 3 + n, 10 + n)
        category = rng.choice(list(DISABILITY_CATEGORIES))
        child = DisabledChild(
            central_id=central.id, name=name, sex=sex, id_number=make_id(born, 900 + n, sex),
            birth_date=born, category=category, level="2", village=village,
            certificate_no="" if n == 3 else make_id(born, 900 + n, sex) + category + "2",
            address=f"青山镇{village}", guardian=name[0] + "某", phone=_phone(rng),
            imported_on=imported, placed_as=placed, placed_school=where,
            placed_on=imported + timedelta(days=15) if placed else None,
            school=roster.responsible_school(village, schools))
        db.session.add(child)
