"""The demo's 工作活动: each school's 控辍保学 activities of last term and this one, a few with
generated photos stored as uploads are."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import sqlalchemy as sa

import uploads
from extensions import db
from models import Activity, ActivityPhoto, School, Term

PHOTO_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
               "/usr/share/fonts/truetype/arphic/uming.ttc")
PHOTO_COLOURS = {"parents_meeting": (52, 101, 164), "law": (164, 52, 52),
                 "letter": (196, 140, 40), "training": (60, 130, 90),
                 "joint_meeting": (90, 70, 140), "parent_school": (40, 120, 140),
                 "mental_health": (170, 90, 130), "board": (120, 110, 60),
                 "broadcast": (80, 80, 80), "wechat": (30, 150, 80)}


def _demo_photo(caption: str, kind: str, n: int) -> bytes:
    """A small JPEG standing in for a phone photo: a coloured scene with the caption drawn."""
    from PIL import Image, ImageDraw, ImageFont
    colour = PHOTO_COLOURS.get(kind, (90, 90, 90))
    image = Image.new("RGB", (1280, 960), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([80, 120, 1200, 520], fill=(235, 235, 225))  # a banner or a blackboard
    for i in range(9):  # rows of people
        x = 90 + i * 125 + (n * 17) % 40
        draw.ellipse([x, 600, x + 70, 670], fill=(60, 45, 35))
        draw.rectangle([x - 10, 670, x + 80, 900], fill=(200 - i * 12, 90 + i * 10, 70))
    font = None
    for path in PHOTO_FONTS:
        try:
            font = ImageFont.truetype(path, 56)
            break
        except OSError:
            continue
    if font is not None:
        lines = [part for text in caption.split("\n")
                 for part in (text[i:i + 18] for i in range(0, len(text), 18))][:4]
        for row, line in enumerate(lines):
            draw.text((120, 160 + row * 80), line, fill=(30, 30, 30), font=font)
    out = BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def add(rng, central, schools, students, users, today):
    """Last term's and this term's activities at every school (家长会 and 致家长的一封信 at the
    start of a term, 法律法规宣传 in the villages, 教师培训 and 联席会议 at the central school ...),
    some this month, except at 高峰教学点 (so the meeting agenda says it had none); a few
    have generated photos, stored with their print copies like an upload."""
    db.session.flush()
    _clear_old_photos()
    terms = [t for t in db.session.scalars(sa.select(Term).where(
        Term.central_id == central.id).order_by(Term.start_date)) if t.start_date <= today][-2:]
    size = {}
    for s in students:
        if s.status == "enrolled":
            size[s.school_id] = size.get(s.school_id, 0) + 1
    recorder = {u.school_id: u for u in users if u.role == "village_head"}
    officer = next(u for u in users if u.role == "central_officer")
    month_start = today.replace(day=1)
    rows = []

    def add(school, day, kind, title, place, reached, description):
        if day > today:
            return
        rows.append(Activity(school_id=school.id, held_on=day, kind=kind, title=title,
                             place=place, reached=reached, description=description,
                             user_id=(recorder.get(school.id) or officer).id))

    for term in terms:
        end = min(term.end_date, today)
        span = (end - term.start_date).days
        if span < 0:
            continue
        current = term.end_date >= today

        def on(fraction, jitter=3):
            day = term.start_date + timedelta(days=int(span * fraction) + rng.randint(0, jitter))
            return min(day, end)
        for school in schools.values():
            n = size.get(school.id, 0)
            village = school.village
            add(school, on(0.02, 4), "letter", "《致家长的一封信》：依法送适龄子女入学",
                "", n, "随开学通知发放，家长签字回执已收回存档。")
            add(school, on(0.08), "parents_meeting", "开学防辍学家长会", "学校会议室",
                int(n * rng.uniform(0.7, 0.9)),
                "讲解义务教育法第五条、第十一条家长的送学义务，通报上学期到校情况，签订家长承诺书。")
            if school.kind != "point" or rng.random() < 0.5:
                add(school, on(0.35), "law", "义务教育法、未成年人保护法宣传进村",
                    f"{village}村委会", rng.randint(60, 160),
                    "与村委会一起在村活动室、集市摆放展板，发放宣传资料，解答家长疑问。")
            add(school, on(0.55), rng.choice(["board", "broadcast", "wechat"]),
                rng.choice(["“控辍保学 从我做起”主题宣传", "学生安全与按时到校提醒",
                            "外出务工家长微信群宣传"]), "", rng.randint(40, n + 60),
                "更新宣传内容，提醒家长孩子请假要向班主任说明原因。")
            if school.kind == "central":
                add(school, on(0.05), "training", "控辍保学业务培训", "中心学校会议室",
                    rng.randint(35, 48), "全镇班主任和村小负责人参加：考勤登记、预警处理、"
                    "家访记录和劝返流程。")
                add(school, on(0.45), "joint_meeting", "镇村控辍保学联席会议", "镇政府会议室",
                    rng.randint(20, 30), "镇分管领导、各村支书、各校负责人参加，逐一分析"
                    "疑似辍学学生情况，明确包保责任人。")
                add(school, on(0.7), "parent_school", "家长学校：如何和孩子谈学习", "中心学校礼堂",
                    rng.randint(80, 150), "邀请县心理健康教育中心老师授课。")
            elif rng.random() < 0.5:
                add(school, on(0.75), "mental_health", "心理健康讲座：不想上学怎么办",
                    "学校教室", rng.randint(20, n + 5), "面向高年级学生，结合厌学案例讲解。")
        if current:  # this month: most schools did something
            for school in schools.values():
                if school.name == "高峰教学点":
                    continue
                day = month_start + timedelta(days=rng.randint(0, max(0, today.day - 1)))
                kind = rng.choice(["parents_meeting", "law", "wechat", "board"])
                add(school, max(day, term.start_date), kind,
                    {"parents_meeting": "月度家长会：期中学习情况通报",
                     "law": "法治宣传进课堂", "wechat": "家长微信群：假期安全与按时返校",
                     "board": "宣传栏更新：控辍保学政策"}[kind],
                    "学校会议室" if kind == "parents_meeting" else "",
                    rng.randint(20, size.get(school.id, 30) + 20),
                    "按中心学校本月工作安排开展。")
    db.session.add_all(rows)
    db.session.flush()
    _add_photos(rows, schools)


def _clear_old_photos() -> None:
    """Files of an earlier demo (`flask demo reset`) that no row keeps."""
    folder = uploads.folder(uploads.ACTIVITY_PHOTOS)
    kept = set(db.session.scalars(sa.select(ActivityPhoto.file_path)))
    kept |= set(db.session.scalars(sa.select(ActivityPhoto.print_path)))
    for old in folder.iterdir():
        if old.is_file() and old.name not in kept:
            old.unlink()


def _add_photos(rows: list[Activity], schools: dict) -> None:
    """Photos: the head's school (石桥村小) has most, a few elsewhere; stored with their print
    copies as an upload is."""
    shiqiao = schools["石桥村小"].id
    recent = sorted(rows, key=lambda a: a.held_on, reverse=True)
    with_photos = [a for a in recent if a.school_id == shiqiao][:4] + \
        [a for a in recent if a.school_id != shiqiao and a.kind in
         ("parents_meeting", "joint_meeting", "training", "law")][::5][:4]
    count = 0
    for activity in with_photos:
        for _ in range(2 if activity.school_id == shiqiao else 1):
            count += 1
            school = db.session.get(School, activity.school_id)
            data = _demo_photo(f"{school.name}\n{activity.held_on.year}年{activity.held_on.month}月"
                               f"{activity.held_on.day}日\n{activity.title}", activity.kind, count)
            copy = uploads.print_copy(data)
            db.session.add(ActivityPhoto(
                activity=activity, school_id=activity.school_id, size=len(data),
                file_path=uploads.store(uploads.ACTIVITY_PHOTOS, f"a{activity.id}", data, "jpg"),
                print_path=uploads.store(uploads.ACTIVITY_PHOTOS, f"a{activity.id}-print", copy, "jpg")))
