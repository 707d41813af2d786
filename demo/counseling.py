"""The demo's 心理辅导: most 厌学 children talked with by their head teacher this term, one to
three times, the latest often 好转; a group session for the upper grades at a few schools."""
from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from extensions import db
from models import CounselingRecord, School, Student, Term, User

TALKS = ["谈心 30 分钟。孩子说数学跟不上、不想来学校；约定每天完成一页练习，由班主任检查。",
         "和孩子一起回顾本周到校情况，表扬按时到校；孩子愿意参加兴趣小组。",
         "孩子说和同学闹矛盾不想来；约同学一起谈话，双方和好。",
         "父母外出务工，孩子想家；约定每周和父母视频一次，班主任帮助联系。"]
CHANGES = ["", "some", "better", "better", "same"]


def add(rng: random.Random, central: School, students: list[Student], users: list[User],
        today: date) -> None:
    db.session.flush()
    term = Term.current(db.session.scalars(sa.select(Term).where(
        Term.central_id == central.id).order_by(Term.start_date.desc())).all(), today)
    if term is None or term.start_date > today:
        return
    span = max((today - term.start_date).days, 1)
    for child in students:
        if child.status != "enrolled" or not child.school_weary or rng.random() > 0.7:
            continue
        counselor = child.class_group.head_teacher if child.class_group else None
        if counselor is None:
            continue
        days = sorted(rng.sample(range(span), min(span, rng.randint(1, 3))))
        for n, day in enumerate(days):
            db.session.add(CounselingRecord(
                school_id=child.school_id, kind="individual", student=child,
                held_on=term.start_date + timedelta(days=day), topic="school_weary",
                content=rng.choice(TALKS), change=CHANGES[min(n + rng.randint(0, 2), 4)],
                next_step="两周后再谈" if n == len(days) - 1 else "",
                counselor_id=counselor.id))
    heads = [u for u in users if u.role == "village_head"][:3]
    for head in heads:
        db.session.add(CounselingRecord(
            school_id=head.school_id, kind="group", group_label="五、六年级学习动力小组",
            group_size=rng.randint(8, 15), topic="school_weary",
            held_on=term.start_date + timedelta(days=rng.randrange(span)),
            content="团体辅导：“我的小目标”，每人写下本学期一个学习目标，分组交流。",
            counselor_id=head.id))
