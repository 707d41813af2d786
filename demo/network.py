"""The demo's responsibility network: 行政人员包年级 at every school, the township's 控辍保学
领导小组 (the 镇长 leads it, the 副镇长 and the central school's head deputise), and its meeting of
last month, whose decisions went to a 副镇长, a 村支书 and a village head."""
from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from extensions import db
from models import (ActionItem, Cadre, ClassGroup, GradeLead, GroupMember, Meeting, School, User,
                    last_month)


def add(rng: random.Random, central: School, users: list[User], today: date) -> None:
    db.session.flush()
    _grades(central)
    members = _group(central, users)
    _meeting(rng, central, members, today)


def _grades(central: School) -> None:
    """The central school's two leaders share its nine grades; at a village school the head
    holds the lower grades and the first class's head teacher (教导主任) the upper ones."""
    classes = db.session.scalars(sa.select(ClassGroup).order_by(
        ClassGroup.school_id, ClassGroup.grade, ClassGroup.name)).all()
    leaders = db.session.scalars(sa.select(User).where(
        User.school_id == central.id, User.role.in_(("central_leader", "central_officer")))
        .order_by(User.role.desc())).all()
    heads = {u.school_id: u for u in db.session.scalars(sa.select(User).where(
        User.role == "village_head"))}
    seen = set()
    for klass in classes:
        key = (klass.school_id, klass.grade)
        if key in seen:
            continue
        seen.add(key)
        if klass.school_id == central.id:
            user = leaders[0] if klass.grade <= 5 else leaders[-1]
        else:
            first = next(c for c in classes if c.school_id == klass.school_id)
            user = heads.get(klass.school_id) if klass.grade <= 3 else first.head_teacher
        if user is not None:
            db.session.add(GradeLead(school_id=klass.school_id, school_year=klass.school_year,
                                     grade=klass.grade, user=user))


def _group(central: School, users: list[User]) -> dict[str, object]:
    cadres = db.session.scalars(sa.select(Cadre).where(Cadre.central_id == central.id)
                                .order_by(Cadre.id)).all()
    mayor = Cadre(central_id=central.id, level="township", name="龙继红", post="镇长",
                  phone="13985001234")
    db.session.add(mayor)
    deputy = next(c for c in cadres if c.post == "副镇长")
    secretaries = [c for c in cadres if c.post == "村支书"][:2]
    officer = next(u for u in users if u.role == "central_officer")
    leader = next(u for u in users if u.role == "central_leader")
    rows = [("leader", mayor, "全面负责全镇控辍保学工作"),
            ("deputy", deputy, "负责政府线包村包户和劝返复学的统筹"),
            ("deputy", leader, "负责学校线责任落实和月度推进会"),
            ("office", officer, "领导小组办公室主任，负责日常工作、台账和报送")]
    rows += [("member", u, f"负责{u.school.name}控辍保学工作") for u in users
             if u.role == "village_head"]
    rows += [("member", c, f"负责{c.village}适龄儿童摸排和劝返") for c in secretaries]
    for position, person, duty in rows:
        db.session.add(GroupMember(central_id=central.id, position=position, duty=duty,
                                   person=person))
    return {"mayor": mayor, "deputy": deputy, "secretary": secretaries[0], "leader": leader,
            "head": next(u for u in users if u.username == "head")}


def _meeting(rng, central, people, today) -> None:
    """Last month's 领导小组会议: one decision done, two open (one overdue)."""
    first = last_month(today)[0]
    held = first + timedelta(days=rng.randint(3, 9))
    meeting = Meeting(central_id=central.id, kind="group", month=first, held_on=held,
                      place="青山镇人民政府三楼会议室", chair=people["mayor"].name,
                      attendees="\n".join([
                          f"{people['mayor'].name}（青山镇人民政府 镇长）",
                          f"{people['deputy'].name}（青山镇人民政府 副镇长）",
                          f"{people['leader'].name}（青山镇中心学校 校长）",
                          f"{people['secretary'].name}（{people['secretary'].village} 村支书）",
                          f"{people['head'].name}（石桥村小 负责人）"]),
                      distribution="县教育局，镇人民政府，各村委会，各村小、教学点",
                      agenda="一、通报上月控辍保学情况\n二、研究疑似辍学学生劝返分工\n三、部署冬季摸排",
                      minutes="会议听取了中心学校关于上月辍学风险和劝返进展的通报，"
                              "明确政府线和学校线分工，要求各村十二月底前完成冬季摸排。")
    db.session.add(meeting)
    items = [
        ActionItem(meeting=meeting, cadre=people["deputy"],
                   text="协调外出务工家长，督促疑似辍学学生返校",
                   due_on=held + timedelta(days=14), done_on=held + timedelta(days=10),
                   result="已电话联系 3 户家长，2 名学生已返校"),
        ActionItem(meeting=meeting, cadre=people["secretary"],
                   text=f"完成{people['secretary'].village}适龄儿童冬季入户摸排",
                   due_on=held + timedelta(days=20)),
        ActionItem(meeting=meeting, owner=people["head"], text="石桥村小留守儿童家访全覆盖",
                   due_on=today + timedelta(days=10)),
    ]
    db.session.add_all(items)
