"""A demo township (青山镇) so a newcomer sees a living system: a central school, four village
schools and two teaching points, ~1,200 children with realistic names, villages, classes and focus
groups, and one demo account per role. Deterministic (seeded) and relative to today's date."""
from __future__ import annotations

import random
from datetime import date, timedelta
from io import BytesIO

import sqlalchemy as sa
from openpyxl import Workbook
from werkzeug.security import generate_password_hash

import clock
from blueprints.students.idnumber import check_digit
from demo import activities, counseling, network, parents, records, special
from blueprints.students.roster import TEMPLATE_COLUMNS
from extensions import db
from models import (Absence, AidGrant, AidProgram, Cadre, ClassGroup, GRADES, Guardian, HomeVisit,
                    HouseholdChild, RollCall, School, StatusChange, Student, Term, TutoringPair,
                    TutoringSession, User, school_year_of)

PASSWORD = "demo1234"
REGION = "522423"  # 6-digit area code of the demo county (province 52)

# username, name, role, school (None = county), what to try
ACCOUNTS = [
    ("admin", "王建华", "central_officer", "青山镇中心学校", "控辍专干：全乡镇名册、学校、用户、操作日志"),
    ("leader", "李国强", "central_leader", "青山镇中心学校", "中心校校长：查看全乡镇"),
    ("head", "杨秀英", "village_head", "石桥村小", "村小负责人：只管石桥村小"),
    ("teacher", "吴晓燕", "teacher", "石桥村小", "三年级1班班主任：只看本班学生"),
    ("inspector", "赵志明", "inspector", "青山镇中心学校", "乡镇督导：只读"),
]

# name, kind, village, grades, classes per grade, children per class, common surnames
SCHOOLS = [
    ("青山镇中心学校", "central", "青山社区", range(1, 10), 2, 33, "王李张刘陈"),
    ("石桥村小", "village", "石桥村", range(1, 7), 1, 23, "吴杨张"),
    ("柳塘村小", "village", "柳塘村", range(1, 7), 1, 21, "刘陈周"),
    ("白岩村小", "village", "白岩村", range(1, 7), 1, 20, "罗龙王"),
    ("桃花村小", "village", "桃花村", range(1, 7), 1, 18, "黄李谢"),
    ("杨家坪教学点", "point", "杨家坪村", range(1, 4), 1, 15, "杨"),
    ("高峰教学点", "point", "高峰村", range(1, 4), 1, 14, "熊曾吴"),
]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史"
            "陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤")
BOY = "浩宇轩子涵明杰俊博文昊天然泽睿鑫磊伟强勇峰军辉鹏志宏建国华成龙江海洋斌彬超刚毅晨阳"
GIRL = "欣怡梓涵雨萱诗语嘉琪雪婷丽娟芳燕秀英敏静慧玲琳佳颖悦彤月思瑶可馨蕾露霞红梅兰"
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组"]
TEACHER_NAMES = ["陈建军", "刘美玲", "张德华", "周玉兰", "黄志刚", "吴海燕", "徐红梅", "孙立新",
                 "胡桂芳", "朱永平", "高丽华", "林国庆", "何晓梅", "郭建平", "马秀兰", "罗小红",
                 "梁志勇", "宋丽萍", "郑明华", "谢春燕", "韩立军", "唐晓丽", "冯国华", "邓红英"]


def _name(rng: random.Random, sex: str, common: str) -> str:
    surname = rng.choice(common) if rng.random() < 0.55 else rng.choice(SURNAMES)
    pool = BOY if sex == "男" else GIRL
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return surname + given


def make_id(born: date, seq: int, sex: str) -> str:
    """A valid ID number; seq must differ between children born on the same day."""
    seq = seq % 500 * 2 + (1 if sex == "男" else 0)  # odd 17th digit = male
    first17 = f"{REGION}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def load(today: date | None = None, seed: int = 2026) -> dict:
    """Create the demo township in an empty database; returns counts."""
    today = today or clock.today()
    rng = random.Random(seed)
    year = school_year_of(today)
    db.session.info["actor"] = "demo"
    password_hash = generate_password_hash(PASSWORD)

    schools: dict[str, School] = {}
    central = None
    for i, (name, kind, village, *_rest) in enumerate(SCHOOLS):
        school = School(name=name, kind=kind, village=village, code=f"21{52242300 + i:08d}",
                        address=f"贵州省某县青山镇{village}", parent=central)
        central = central or school
        schools[name] = school
    db.session.add_all(schools.values())

    db.session.flush()
    for y in (year - 1, year):
        db.session.add(Term(central_id=central.id, school_year=y, semester=1,
                            start_date=date(y, 9, 1), end_date=date(y + 1, 1, 20),
                            holidays=f"{y}-10-01~{y}-10-07 国庆节\n{y + 1}-01-01 元旦"))
        db.session.add(Term(central_id=central.id, school_year=y, semester=2,
                            start_date=date(y + 1, 2, 24), end_date=date(y + 1, 7, 3),
                            holidays=f"{y + 1}-04-05 清明节\n{y + 1}-05-01~{y + 1}-05-05 劳动节"))

    users = []
    for username, name, role, school_name, _ in ACCOUNTS:
        users.append(User(username=username, name=name, role=role, school=schools[school_name],
                          password_hash=password_hash, phone=_phone(rng)))
    other_heads = ["刘建平", "罗永红", "黄德明", "杨正华", "熊光荣"]
    for number, (name, *_) in enumerate(SCHOOLS[2:], start=2):
        users.append(User(username=f"head{number}", name=other_heads[number - 2],
                          role="village_head", school=schools[name],
                          password_hash=password_hash, phone=_phone(rng)))
    db.session.add_all(users)
    demo_teacher = next(u for u in users if u.username == "teacher")

    teacher_names = iter(TEACHER_NAMES * 3)
    teacher_no = 0
    born_on: dict[date, int] = {}  # children born on each day so far, for unique ID numbers
    students = []
    for name, kind, village, grades, per_grade, size, common in SCHOOLS:
        school = schools[name]
        point_teacher = None
        for grade in grades:
            for n in range(1, per_grade + 1):
                if school.name == "石桥村小" and grade == 3:
                    head_teacher = demo_teacher
                elif kind == "point" and point_teacher:
                    head_teacher = point_teacher
                else:
                    teacher_no += 1
                    head_teacher = User(username=f"t{teacher_no:03d}", name=next(teacher_names),
                                        role="teacher", school=school,
                                        password_hash=password_hash, phone=_phone(rng))
                    db.session.add(head_teacher)
                    point_teacher = head_teacher if kind == "point" else None
                klass = ClassGroup(school=school, school_year=year, grade=grade, name=f"{n}班",
                                   head_teacher=head_teacher)
                db.session.add(klass)
                for _ in range(size + rng.randint(-3, 3)):
                    students.append(_child(rng, school, klass, grade, year, born_on, common,
                                           village))
    db.session.add_all(students)
    _life_events(rng, students, today)
    _responsibilities(rng, central, students, users)
    _support(rng, central, students, users, today)
    _household(rng, central, students, today)
    _activity(rng, central, students, users, today)
    activities.add(rng, central, schools, students, users, today)
    records.add(random.Random(seed + 1), students, users, today)  # its own draws: the rest stays
    special.add(random.Random(seed + 2), central, students, today)
    records.add_leavers(random.Random(seed + 3), central, today)
    network.add(random.Random(seed + 4), central, users, today)
    parents.add(random.Random(seed + 5), central, today)
    counseling.add(random.Random(seed + 6), central, students, users, today)
    db.session.commit()
    db.session.info.pop("actor", None)
    return {"schools": len(schools), "users": len(users) + teacher_no,
            "students": db.session.scalar(sa.select(sa.func.count(Student.id)))}


def _child(rng, school, klass, grade, year, born_on, common, village) -> Student:
    sex = "男" if rng.random() < 0.52 else "女"
    start = date(year - 6 - grade, 9, 1)
    if rng.random() < 0.05:
        start -= timedelta(days=365)  # over-age for the grade
    born = start + timedelta(days=rng.randrange(365))
    born_on[born] = born_on.get(born, 0) + 1
    id_number = make_id(born, born_on[born], sex)
    home = village if school.kind != "central" else rng.choice(
        ["青山社区", "龙井村", "新寨村", "石桥村", "柳塘村", "白岩村", "桃花村"])
    left_behind = rng.random() < 0.26
    student = Student(
        school=school, class_group=klass, grade=grade, name=_name(rng, sex, common), sex=sex,
        status="enrolled", placement="in_school",
        birth_date=born, ethnicity="汉族" if rng.random() < 0.7 else rng.choice(["苗族", "布依族", "彝族"]),
        id_number=id_number, student_no="G" + id_number, village=home,
        village_group=rng.choice(GROUPS), address=f"青山镇{home}{rng.choice(GROUPS)}{rng.randint(1, 80)}号",
        left_behind=left_behind, single_parent=rng.random() < 0.06, orphan=rng.random() < 0.01,
        poverty=rng.random() < 0.11, disabled=rng.random() < 0.015,
        learning_difficulty=rng.random() < 0.08, migrant=rng.random() < 0.03,
        school_weary=grade >= 5 and rng.random() < 0.04,
        boarder=school.kind == "central" and grade >= 7 and rng.random() < 0.6)
    surname = student.name[0]
    father = Guardian(position=0, name=surname + rng.choice(BOY) + rng.choice(BOY), relation="父亲",
                      phone=_phone(rng), works_away=left_behind)
    if left_behind:
        grand = Guardian(position=0, name=surname + rng.choice("德福贵顺") + rng.choice("明林山才"),
                         relation="祖父", phone=_phone(rng))
        father.position = 1
        student.guardians = [grand, father]
    else:
        mother = Guardian(position=1, name=rng.choice(SURNAMES) + rng.choice(GIRL) + rng.choice(GIRL),
                          relation="母亲", phone=_phone(rng), works_away=rng.random() < 0.2)
        student.guardians = [father, mother]
    entered = date(year - grade + 1, 9, 1)
    student.status_changes = [StatusChange(changed_on=entered, from_status=None,
                                           to_status="enrolled", reason="新生入学")]
    return student


def _life_events(rng, students, today):
    """A few children who are not simply 在读, with their history, and special placements."""
    def change(s, to, reason, destination=""):
        s.status_changes.append(StatusChange(
            changed_on=today - timedelta(days=rng.randint(10, 60)), from_status=s.status or "enrolled",
            to_status=to, reason=reason, destination=destination))
        s.status = to
    picks = rng.sample(students, 24)
    for s in picks[:5]:
        change(s, "transferred", "随父母外出务工转学", rng.choice(["浙江省宁波市某小学", "广东省东莞市某学校",
                                                           "福建省晋江市某小学"]))
    for s in picks[5:8]:
        change(s, "suspended", "因病休学")
    for s in [p for p in picks[8:16] if p.grade and p.grade >= 5][:3]:
        s.school_weary = True
        change(s, "dropout", "厌学，经多次劝返未返校")
    for s in picks[16:19]:
        s.disabled, s.placement = True, "home_delivery"
    for s in picks[19:23]:
        s.disabled, s.placement = True, "inclusive"
    picks[23].disabled, picks[23].placement = True, "special_school"


VILLAGES = ["青山社区", "龙井村", "新寨村", "石桥村", "柳塘村", "白岩村", "桃花村", "杨家坪村", "高峰村"]


def _responsibilities(rng, central, students, users):
    """双线四包 as a township has it a few weeks into term: class teachers and leaders set,
    the government line mostly set, some gaps for the coverage list."""
    names = iter(["罗德明", "杨光华", "龙正清", "吴国富", "刘长春", "陈文斌", "王志刚", "周德全",
                  "黄明亮", "李建设", "张永福", "谢开明", "熊德才", "曾凡勇", "杨秀珍", "罗玉兰",
                  "吴春梅", "刘桂英", "陈小平", "王家宝", "孙明华"])
    village_cadres = {}
    for village in VILLAGES:
        village_cadres[village] = [
            Cadre(central_id=central.id, level="village", village=village, name=next(names),
                  post=post, phone=_phone(rng)) for post in ("村支书", "村主任")]
    township = [Cadre(central_id=central.id, level="township", name=next(names), post=post,
                      phone=_phone(rng)) for post in ("副镇长", "包村干部", "包村干部")]
    db.session.add_all([c for pair in village_cadres.values() for c in pair] + township)
    leader = next(u for u in users if u.role == "central_leader")
    heads_by_school = {u.school.name: u for u in users if u.role == "village_head"}
    for s in students:
        if s.status not in ("enrolled", "suspended", "dropout"):
            continue
        if s.class_group and s.class_group.head_teacher:
            s.assign("class_teacher", s.class_group.head_teacher)
        s.assign("leader", heads_by_school.get(s.school.name, leader))
        if rng.random() < 0.97 and s.village in village_cadres:
            s.assign("village_cadre", rng.choice(village_cadres[s.village]))
        if rng.random() < 0.96:
            s.assign("township_cadre", township[VILLAGES.index(s.village) % 3]
                     if s.village in VILLAGES else township[0])
        if s.focus_labels and rng.random() < 0.93 and s.class_group and s.class_group.head_teacher:
            s.assign("teacher", s.class_group.head_teacher)


def _support(rng, central, students, users, today):
    """Last term's 生活补助, paid; this term's left to the officer to set up. 一帮一 pairs for
    most 学困 children and 爱心妈妈 for most 留守 children, with sessions; the demo teacher's
    爱心妈妈 pairs were last in touch last month, so they are due a call now."""
    db.session.flush()
    terms = db.session.scalars(sa.select(Term).where(Term.central_id == central.id)
                               .order_by(Term.start_date)).all()
    past = [t for t in terms if t.end_date < today]
    if past:
        last = past[-1]
        program = AidProgram(central_id=central.id, term=last, kind="living_subsidy",
                             name=f"{last.name}家庭经济困难学生生活补助", source="中央和省级财政",
                             amount=50000, boarder_amount=100000,
                             flags="poverty,orphan,disabled")
        db.session.add(program)
        for s in students:
            if s.status == "enrolled" and (s.poverty or s.orphan or s.disabled) \
                    and rng.random() < 0.95:
                db.session.add(AidGrant(
                    program=program, student=s, school=s.school, method="card", status="paid",
                    amount=program.amount if not s.boarder else program.boarder_amount,
                    applied_on=last.start_date + timedelta(days=20),
                    reviewed_on=last.start_date + timedelta(days=30),
                    paid_on=last.start_date + timedelta(days=45)))
    demo_teacher = next(u for u in users if u.username == "teacher")
    month_start = today.replace(day=1)
    for s in students:
        klass = s.class_group
        if s.status != "enrolled" or not klass or not klass.head_teacher:
            continue
        start = max(today - timedelta(days=70), terms[-2].start_date if len(terms) > 1
                    else today - timedelta(days=70))
        if s.learning_difficulty and rng.random() < 0.75:
            pair = TutoringPair(school_id=s.school_id, teacher=klass.head_teacher, student=s,
                                kind="academic", goals="跟上本班语文、数学进度", start_on=start)
            for days in range(3, 60, 7):
                if rng.random() < 0.8 and today - timedelta(days=days) >= start:
                    pair.sessions.append(TutoringSession(
                        held_on=today - timedelta(days=days), mode="meeting", minutes=40,
                        content="课后辅导数学", progress="作业能按时完成"))
            db.session.add(pair)
        if s.left_behind and (klass.head_teacher is demo_teacher or rng.random() < 0.6):
            pair = TutoringPair(school_id=s.school_id, teacher=klass.head_teacher, student=s,
                                kind="caring_mother", goals="每月和孩子、在外务工的父母各通一次电话",
                                start_on=start)
            last_call = month_start - timedelta(days=rng.randint(3, 20))
            if klass.head_teacher is not demo_teacher and rng.random() < 0.7:
                last_call = today - timedelta(days=rng.randint(0, today.day - 1))
            pair.sessions.append(TutoringSession(held_on=last_call, mode="call", minutes=15,
                                                 content="电话了解生活和学习情况"))
            if rng.random() < 0.6 and last_call >= start:
                pair.sessions.append(TutoringSession(held_on=last_call - timedelta(days=5),
                                                     mode="meeting", minutes=30,
                                                     content="到家里看望，检查作业"))
            db.session.add(pair)


def _activity(rng, central, students, users, today):
    """This term so far: scattered sick and personal days, an unexcused run last week at 柳塘村小
    whose warning is now overdue, a 劝返 case with visits for each child who dropped out, and the
    home-delivery (送教上门) children's plans."""
    from blueprints.attendance import rules
    from blueprints.cases import workflow
    db.session.flush()
    cal = rules.calendar(central.id)
    days = cal.before(today - timedelta(days=1))
    if len(days) < 15:
        return
    enrolled = [s for s in students if s.status == "enrolled"]
    classes = {s.class_group for s in enrolled if s.class_group}
    for klass in classes:  # every roll taken, except 石桥村小 三年级's last two days (未点名)
        left = 2 if klass.school.name == "石桥村小" and klass.grade == 3 else 0
        recent = [d for d in days if d > today - timedelta(days=120)]  # this term's
        db.session.add_all(RollCall(class_id=klass.id, day=d, user_id=klass.head_teacher_id)
                           for d in recent[:len(recent) - left])
    for s in rng.sample(enrolled, min(150, len(enrolled))):
        db.session.add(Absence(student_id=s.id, school_id=s.school_id,
                               day=rng.choice(days[-40:]),
                               kind=rng.choice(["sick", "sick", "personal"]), reason="家长请假"))
    db.session.flush()
    away = next(s for s in enrolled if s.school.name == "柳塘村小" and s.grade == 5)
    for day in days[-8:-5]:  # three school days, last week
        db.session.add(Absence(student_id=away.id, school_id=away.school_id, day=day,
                               kind="unexcused", reason="没来，家长电话打不通"))
    db.session.flush()
    rules.evaluate(away, days[-6])
    head = {u.school_id: u for u in users if u.role == "village_head"}
    officer = next(u for u in users if u.role == "central_officer")
    for s in [s for s in students if s.status == "dropout"]:
        went = s.status_changes[-1].changed_on
        case = workflow.open_case(s, "absence", went, officer, reason="厌学，长期不到校",
                                  note="班主任上报连续无故缺课")
        case.whereabouts = rng.choice(["在家", "随亲戚在县城打零工", "去向不明"])
        case.dropout_on = went
        db.session.add(HomeVisit(student=s, school_id=s.school_id, visited_on=went,
                                 visitors="班主任、村主任", met="祖母", outcome="refused",
                                 reasons="school_weary", situation="孩子不愿上学，家长管不住",
                                 next_step="请乡镇干部一起劝返",
                                 user_id=(head.get(s.school_id) or officer).id))
        workflow.move(case, "persuading", went + timedelta(days=3),
                      head.get(s.school_id) or officer, "校长、村支书上门劝返，家长答应做工作")
    for s in [s for s in students if s.placement == "home_delivery" and s.class_group
              and s.class_group.head_teacher]:
        pair = TutoringPair(school_id=s.school_id, teacher=s.class_group.head_teacher, student=s,
                            kind="home_delivery", goals="生活自理、识字、康复训练，本学期会认 50 个常用字",
                            start_on=days[0], co_teachers="村医（康复指导）",
                            frequency="每周 1 次，每次 1.5 小时")
        pair.sessions = [TutoringSession(held_on=d, mode="meeting", minutes=90,
                                         content="送教：识字、生活自理",
                                         progress="能自己穿衣，认识 10 个新字" if n else "")
                         for n, d in enumerate(days[-20::5])]
        db.session.add(pair)


def _household(rng, central, students, today):
    """The 户籍 list from the police station: the register's children of school age, and three
    who are in no school of the township: two never enrolled (龙小燕, 罗小军) and one at school
    with his parents in Zhejiang (杨文杰), for the officer to find with 四查三比对."""
    year = school_year_of(today)
    listed = [s for s in students if s.birth_date and s.id_number
              and date(year - 16, 9, 2) <= s.birth_date <= date(year - 6, 9, 1)]
    for s in listed:
        guardian = s.guardians[0] if s.guardians else None
        db.session.add(HouseholdChild(
            central_id=central.id, name=s.name, id_number=s.id_number, birth_date=s.birth_date,
            sex=s.sex, village=s.village, village_group=s.village_group,
            guardian=guardian.name if guardian else "", phone=guardian.phone if guardian else "",
            imported_on=date(year, 9, 15)))
    for i, (name, sex, age, village) in enumerate([("龙小燕", "女", 12, "石桥村"),
                                                   ("罗小军", "男", 14, "柳塘村"),
                                                   ("杨文杰", "男", 10, "桃花村")]):
        born = date(year - age, 3, 1) + timedelta(days=rng.randrange(150))
        db.session.add(HouseholdChild(
            central_id=central.id, name=name, id_number=make_id(born, 700 + i, sex),
            birth_date=born, sex=sex, village=village, village_group=rng.choice(GROUPS),
            guardian=name[0] + rng.choice(BOY) + rng.choice(BOY), phone=_phone(rng),
            imported_on=date(year, 9, 15)))


def sample_roster(school: School, today: date | None = None, count: int = 12) -> bytes:
    """A roster of new children for one school with two bad rows (a wrong check digit and a child
    already registered elsewhere), to try the import."""
    today = today or clock.today()
    rng = random.Random(7)
    year = school_year_of(today)
    wb = Workbook()
    ws = wb.active
    ws.title = "学生名册"
    ws.append(TEMPLATE_COLUMNS)
    existing = db.session.scalar(db.select(Student.id_number).where(
        Student.school_id != school.id, Student.id_number.is_not(None)).limit(1))
    for i in range(count):
        sex = "男" if i % 2 else "女"
        born = date(year - 7, 9, 1) + timedelta(days=rng.randrange(365))
        number = make_id(born, 900 + i, sex)
        if i == 3:
            number = number[:17] + ("1" if number[17] != "1" else "2")  # wrong check digit
        if i == 7 and existing:
            number = existing  # already registered at another school
        values = {"姓名": _name(rng, sex, "吴杨张"), "性别": sex, "身份证号": number,
                  "学籍号": "", "年级": GRADES[1], "班级": "1班", "民族": "汉族", "出生日期": "",
                  "安置方式": "", "重点群体": "留守" if i % 4 == 0 else "", "寄宿": "",
                  "户籍村": school.village, "组": rng.choice(GROUPS), "家庭住址": "",
                  "监护人": "吴德福", "关系": "祖父", "联系电话": _phone(rng),
                  "外出务工": ""}
        ws.append([values[h] for h in TEMPLATE_COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
