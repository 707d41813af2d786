"""The demo's 非正常学籍: a dozen children who left without a transfer (其他离校) or whose record
is a duplicate elsewhere (问题学籍) over the past year, and their clean-up at every stage, so
the worklist, its trend ("from 12 to 5") and the monthly report have something to show."""
from __future__ import annotations

import random
from datetime import date, timedelta

from extensions import db
from models import RecordCheck, StatusChange, Student, User

PLACES = [("浙江省宁波市北仑区", "宁波市北仑区某小学"), ("广东省东莞市长安镇", "东莞市长安镇某学校"),
          ("福建省晋江市", "晋江市某实验小学"), ("江苏省苏州市吴江区", "苏州市吴江区某中学"),
          ("贵州省贵阳市白云区", "贵阳市白云区某小学")]


SINCE = [455, 453, 451, 449, 447, 445, 443, 441, 439, 437, 80, 60]  # days ago, by pick
DONE = [400, 350, 300, 250, 200, 150, 110]  # days ago, the first seven picks' 办结


def add(rng: random.Random, students: list[Student], users: list[User], today: date) -> None:
    """Children of grade 3 and up, still 在读, made 其他离校 (two 问题学籍): most at the start of
    last school year, a few since; half of them cleaned up month by month."""
    officer = next(u for u in users if u.role == "central_officer")
    pool = [s for s in students if s.status == "enrolled" and (s.grade or 0) >= 3
            and not s.disabled]
    picks = rng.sample(pool, 12)
    plan = ["done", "done", "done", "done", "done", "done", "deleted", "wait", "request",
            "report", "verify", "verify"]
    for n, (s, stage) in enumerate(zip(picks, plan)):
        problem = stage == "deleted" or n == 11
        since = today - timedelta(days=SINCE[n])
        s.status_changes.append(StatusChange(
            changed_on=since, from_status="enrolled", to_status="problem" if problem else "left",
            reason="学籍系统比对：与外省学籍信息重复" if problem else "学期初未到校，未办理转学手续"))
        s.status = "problem" if problem else "left"
        if stage == "verify" and n == 11:
            continue  # nothing found yet
        head = next((u for u in users if u.role == "village_head" and u.school is s.school),
                    officer)
        place, school = rng.choice(PLACES)
        step = timedelta(days=12)
        check = RecordCheck(
            student=s, whereabouts="duplicate" if problem else "school_elsewhere",
            place="" if problem else place, school_name="" if problem else school,
            verified_how="system" if problem else rng.choice(["phone", "proof", "visit"]),
            verified_by=head.name, verified_on=since + step, user=head)
        db.session.add(check)
        if stage == "verify":  # heard where they are, not yet confirmed
            check.verified_how, check.verified_on = "", None
        if stage in ("done", "deleted", "wait", "request"):
            check.reported_on = since + 2 * step
        if stage in ("done", "deleted", "wait"):
            check.request = "delete" if problem else "transfer"
            check.requested_on = since + 3 * step
        if stage in ("done", "deleted"):
            check.done_on = today - timedelta(days=DONE[n])
            s.status_changes.append(StatusChange(
                changed_on=check.done_on, from_status=s.status,
                to_status="removed" if problem else "transferred",
                reason=f"非正常学籍清理：{check.request_label}已办结", destination=check.found))
            s.status = "removed" if problem else "transferred"


LEAVER_PLAN = ([("high_school", "某县第一中学")] * 9 + [("high_school", "某县民族中学")] * 6
               + [("vocational", "某县中等职业学校")] * 6 + [("vocational", "某市技师学院")] * 2
               + [("work", ""), ("other", "")] + [(None, "")] * 3)


def add_leavers(rng: random.Random, central, today: date) -> None:
    """The central school's 九年级 of last school year, 毕业 in July: most with a destination,
    three still 去向不明 to follow up."""
    from demo import BOY, GIRL, SURNAMES, _phone, make_id
    from models import Guardian, Leaver, school_year_of
    year = school_year_of(today) - (0 if today.month in (7, 8) else 1)
    for n, (destination, school) in enumerate(LEAVER_PLAN):
        sex = "男" if n % 2 else "女"
        born = date(year - 14, 1 + n % 12, 1 + n)
        name = rng.choice(SURNAMES) + rng.choice(BOY if sex == "男" else GIRL) + rng.choice(
            BOY if sex == "男" else GIRL)
        child = Student(school=central, grade=9, name=name, sex=sex, birth_date=born,
                        id_number=make_id(born, 600 + n, sex), status="graduated",
                        village=rng.choice(["龙井村", "新寨村", "石桥村", "柳塘村"]))
        child.guardians = [Guardian(name=name[0] + "某", relation="父亲", phone=_phone(rng))]
        child.status_changes = [
            StatusChange(changed_on=date(year - 8, 9, 1), from_status=None,
                         to_status="enrolled", reason="新生入学"),
            StatusChange(changed_on=date(year + 1, 7, 5), from_status="enrolled",
                         to_status="graduated", reason="九年级毕业")]
        db.session.add(child)
        if destination:
            db.session.add(Leaver(student=child, destination=destination, school_name=school,
                                  confirmed_on=date(year + 1, 9, 10),
                                  note="随父母外出务工" if destination == "work" else ""))
