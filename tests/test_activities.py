"""工作活动: recording an activity with photos (checked by content, stored with a downscaled
print copy, all or nothing), editing and deleting (audited, files removed), who may see and
write, the list's filters and counts, and the activities in the dashboard and the agenda."""
import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from werkzeug.test import EnvironBuilder

import uploads
from extensions import db
from models import Activity, ActivityPhoto, AuditLog, Meeting, school_year_of
from tests import TODAY



def jpeg(size=(2400, 1800), color=(40, 110, 170)) -> bytes:
    """A real photo-sized JPEG with some drawing (so it does not compress to nothing)."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 40):
        draw.line([(x, 0), (size[0] - x, size[1])], fill=(250, 220, 90), width=3)
    out = BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def form(**changes) -> dict:
    data = {"held_on": (TODAY - timedelta(days=2)).isoformat(), "kind": "parents_meeting",
            "title": "防辍学家长会", "place": "学校会议室", "reached": "46",
            "description": "讲解义务教育法，签订家长承诺书。"}
    data.update(changes)
    return data


def post(client, url, data, files=()):
    data = dict(data)
    if files:
        data["photos"] = [(BytesIO(content), name) for name, content in files]
    # The client spools a large body to a temporary file that it closes only after following
    # redirects; build the body here and close it (a ResourceWarning is an error here).
    builder = EnvironBuilder(path=url, method="POST", data=data,
                             content_type="multipart/form-data")
    environ = builder.get_environ()
    builder.close()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()


def fetch(client, url) -> tuple[int, str, bytes, dict]:
    """GET a file (closing the response, which holds the file open)."""
    with client.get(url) as response:
        return response.status_code, response.mimetype, response.data, response.headers


def stored(app) -> list[Path]:
    folder = Path(app.instance_path) / "activities"
    return sorted(folder.iterdir()) if folder.exists() else []


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def record(client, world, files=(), **changes) -> Activity:
    response = post(client, "/activities/new", form(school_id=world.a1.id, **changes), files)
    assert response.status_code == 303, response.text
    return db.session.scalars(db.select(Activity).order_by(Activity.id.desc())).first()


def test_a_village_head_records_a_parents_meeting_with_two_photos(app, world, login):
    head = login("head")
    first, second = jpeg(), jpeg((1600, 2400), (180, 60, 60))
    response = post(head, "/activities/new", form(school_id=world.a1.id),
                    [("IMG_0001.jpg", first), ("IMG_0002.JPG", second)])
    assert response.status_code == 303
    activity = db.session.scalar(db.select(Activity))
    assert (activity.school_id, activity.kind, activity.title, activity.reached) == \
        (world.a1.id, "parents_meeting", "防辍学家长会", 46)
    assert activity.user_id == world.users["village_head"].id
    assert response.headers["Location"].endswith(f"/activities/{activity.id}")
    photos = activity.photos
    assert len(photos) == 2 and all(p.school_id == world.a1.id for p in photos)
    assert [p.size for p in photos] == [len(first), len(second)]
    folder = Path(app.instance_path) / "activities"
    assert len(stored(app)) == 4  # two originals, two print copies
    for photo, original in zip(photos, (first, second)):
        assert (folder / photo.file_path).read_bytes() == original
        copy = (folder / photo.print_path).read_bytes()
        assert len(copy) < len(original)
        with Image.open(BytesIO(copy)) as image:
            assert image.format == "JPEG" and max(image.size) <= uploads.PRINT_SIDE
            assert max(image.size) == uploads.PRINT_SIDE  # downscaled, proportions kept
    again = post(head, "/activities/new", form(school_id=world.a1.id), [])  # Back, and 保存
    assert again.status_code == 422 and "这次活动已经登记过了" in again.text
    assert count(Activity) == 1
    page = head.get(f"/activities/{activity.id}").text
    assert "防辍学家长会" in page and "学校会议室" in page and "46 人" in page
    assert page.count('loading="lazy"') == 2 and 'class="activity-thumb"' in page
    assert "style=" not in page.split("<main")[1]
    status, mimetype, data, _ = fetch(head, f"/activities/photos/{photos[0].id}/print.jpg")
    assert (status, mimetype) == (200, "image/jpeg")
    assert data == (folder / photos[0].print_path).read_bytes()
    status, _, data, headers = fetch(head, f"/activities/photos/{photos[1].id}/file")
    assert status == 200 and data == second and "attachment" in headers["Content-Disposition"]


def test_a_pdf_scan_has_no_print_copy_and_the_page_links_it(app, world, login):
    officer = login("officer")
    activity = record(officer, world, [("通知.pdf", pdf_bytes())], kind="letter",
                      title="致家长的一封信")
    photo = activity.photos[0]
    assert photo.print_path is None and photo.file_path.endswith(".pdf")
    assert len(stored(app)) == 1
    page = officer.get(f"/activities/{activity.id}").text
    assert "PDF 扫描件" in page and "<img" not in page.split("照片和扫描件")[1]
    assert officer.get(f"/activities/photos/{photo.id}/print.jpg").status_code == 404
    assert fetch(officer, f"/activities/photos/{photo.id}/file")[2] == pdf_bytes()


@pytest.mark.parametrize("changes, files, message", [
    ({}, [("好.jpg", None), ("截图.jpg", b"GIF89a" + b"\0" * 200)], "“截图.jpg”：文件内容不是 PDF、JPG 或 PNG"),
    ({}, [("大.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (8 * 1024 * 1024))], "“大.jpg”超过 8 MB"),
    ({}, [("坏.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x13" * 5000)], "“坏.jpg”：图片打不开"),
    ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, [], "活动日期不能晚于今天"),
    ({"reached": "-5"}, [], "人数应在 0 到 100000 之间"),
    ({"title": ""}, [("好.jpg", None)], "请写明活动主题"),
    ({"class_id": "CLASS_A1", "reached": "500"}, [], "这个班在读 1 人，到会 500 人超过了每个孩子两位家长"),
    ({"reached": "5000"}, [], "全校在读 2 人，到会 5000 人超过了每个孩子两位家长（54 人）"),
])
def test_bad_input_is_refused_with_its_message_and_nothing_written(app, world, login, changes,
                                                                   files, message):
    head = login("head")
    files = [(name, jpeg((800, 600)) if content is None else content) for name, content in files]
    changes = {k: world.class_a1.id if v == "CLASS_A1" else v for k, v in changes.items()}
    response = post(head, "/activities/new", form(school_id=world.a1.id, **changes), files)
    assert response.status_code == 422
    assert message in response.text
    assert "内容没有保存" in response.text
    assert 'value="学校会议室"' in response.text  # the user's other input is kept
    assert count(Activity) == 0 and count(ActivityPhoto) == 0
    assert stored(app) == []
    assert db.session.scalar(db.select(AuditLog).filter_by(table_name="activities")) is None


def test_the_form_tells_to_choose_the_photos_again_after_another_error(world, login):
    response = post(login("head"), "/activities/new", form(school_id=world.a1.id, reached="x"),
                    [("好.jpg", jpeg((600, 400)))])
    assert response.status_code == 422 and "请重新选择照片" in response.text


def test_two_tabs_on_one_activity_do_not_overwrite_each_other(world, login):
    """Tab A saves 参加人数 52; tab B, opened before, saves a new place: B is refused with what
    it typed, A's number stays; B saved again after a look goes through."""
    head = login("head")
    activity = record(head, world)
    seen = re.search(r'name="seen"[^>]*value="(\w+)"|value="(\w+)"[^>]*name="seen"',
                     head.get(f"/activities/{activity.id}/edit").text)
    opened = seen.group(1) or seen.group(2)
    assert post(head, f"/activities/{activity.id}/edit", form(
        school_id=world.a1.id, reached="52", seen=opened)).status_code == 303  # tab A
    late = post(head, f"/activities/{activity.id}/edit", form(
        school_id=world.a1.id, place="村委会", seen=opened))  # tab B
    assert late.status_code == 422 and "已被其他人修改" in late.text and "村委会" in late.text
    db.session.expire_all()
    assert (db.session.get(Activity, activity.id).reached,
            db.session.get(Activity, activity.id).place) == (52, "学校会议室")
    now = re.search(r'name="seen"[^>]*value="(\w+)"|value="(\w+)"[^>]*name="seen"', late.text)
    assert post(head, f"/activities/{activity.id}/edit", form(
        school_id=world.a1.id, place="村委会", reached="52",
        seen=now.group(1) or now.group(2))).status_code == 303


def test_edit_adds_photos_and_deleting_is_audited_and_removes_the_files(app, world, login):
    head = login("head")
    activity = record(head, world, [("一.jpg", jpeg((900, 700)))])
    assert head.get(f"/activities/{activity.id}/edit").status_code == 200
    response = post(head, f"/activities/{activity.id}/edit",
                    form(school_id=world.a1.id, title="法治宣传进家庭", kind="law", reached="120"),
                    [("二.png", _png()), ("三.jpg", jpeg((700, 900)))])
    assert response.status_code == 303
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert (activity.title, activity.kind, activity.reached) == ("法治宣传进家庭", "law", 120)
    assert len(activity.photos) == 3 and len(stored(app)) == 6
    update = db.session.scalar(db.select(AuditLog).filter_by(table_name="activities",
                                                             action="update"))
    assert update.before["title"] == "防辍学家长会" and update.after["title"] == "法治宣传进家庭"
    assert update.school_id == world.a1.id and update.username == "head"

    assert head.post(f"/activities/photos/{activity.photos[0].id}/caption",
                     data={"caption": "家长签到"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).photos[0].caption == "家长签到"

    gone = activity.photos[0]
    gone_files = [gone.file_path, gone.print_path]
    assert head.post(f"/activities/photos/{gone.id}/delete").status_code == 303
    names = {p.name for p in stored(app)}
    assert len(names) == 4 and not set(gone_files) & names
    assert db.session.scalar(db.select(AuditLog).filter_by(table_name="activity_photos",
                                                           action="delete"))
    assert head.post(f"/activities/{activity.id}/delete").status_code == 303
    db.session.expire_all()
    assert count(Activity) == 0 and count(ActivityPhoto) == 0 and stored(app) == []
    deleted = db.session.scalars(db.select(AuditLog).filter_by(action="delete")).all()
    assert {d.table_name for d in deleted} == {"activities", "activity_photos"}
    assert len(deleted) == 1 + 3  # the activity and its three photos, one by one
    assert any(d.before.get("title") == "法治宣传进家庭" for d in deleted)


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGBA", (1500, 500), (20, 160, 90, 255)).save(out, "PNG")
    return out.getvalue()


def test_scope_other_schools_are_404_teachers_and_inspectors_only_read(app, world, login):
    activity = record(login("head"), world, [("一.jpg", jpeg((600, 400)))])
    photo = activity.photos[0]
    head_b = login("head_b")
    for url in (f"/activities/{activity.id}", f"/activities/{activity.id}/edit",
                f"/activities/photos/{photo.id}/print.jpg", f"/activities/photos/{photo.id}/file"):
        assert head_b.get(url).status_code == 404, url
    assert "防辍学家长会" not in head_b.get("/activities/").text
    assert post(head_b, f"/activities/{activity.id}/edit", form(title="改了")).status_code == 404
    assert head_b.post(f"/activities/{activity.id}/delete").status_code == 404
    assert head_b.post(f"/activities/photos/{photo.id}/delete").status_code == 404
    # a village head records only for their own school
    refused = post(head_b, "/activities/new", form(school_id=world.a1.id))
    assert refused.status_code == 422 and count(Activity) == 1

    teacher = login("teacher")
    assert "防辍学家长会" in teacher.get("/activities/").text
    assert teacher.get(f"/activities/{activity.id}").status_code == 200
    assert fetch(teacher, f"/activities/photos/{photo.id}/print.jpg")[0] == 200
    assert "登记活动" not in teacher.get("/activities/").text
    assert teacher.get("/activities/new").status_code == 403
    assert post(teacher, f"/activities/{activity.id}/edit", form()).status_code == 403
    assert teacher.post(f"/activities/{activity.id}/delete").status_code == 403
    inspector = login("inspector")
    assert inspector.get(f"/activities/{activity.id}").status_code == 200
    assert post(inspector, "/activities/new", form(school_id=world.a1.id)).status_code == 403
    assert inspector.post(f"/activities/photos/{photo.id}/delete").status_code == 403
    db.session.expire_all()
    assert count(Activity) == 1 and count(ActivityPhoto) == 1 and len(stored(app)) == 2
    assert db.session.get(Activity, activity.id).title == "防辍学家长会"


def _add(school, held_on, kind="parents_meeting", reached=10, title="活动"):
    row = Activity(school_id=school.id, held_on=held_on, kind=kind, title=title,
                   reached=reached)
    db.session.add(row)
    return row


def _month(day: date, back: int) -> date:
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def test_the_list_filters_by_school_month_and_kind_and_counts_per_month(app, world, login):
    this = _month(TODAY, 0)
    last = _month(TODAY, 1)
    _add(world.a1, this, "parents_meeting", 40, "本月家长会")
    _add(world.a1, this, "law", 80, "本月法治宣传")
    _add(world.a2, this, "letter", 25, "甲二的一封信")
    _add(world.a1, last, "training", 12, "上月教师培训")
    _add(world.b1, this, "law", 99, "乙镇的活动")
    db.session.commit()
    officer = login("officer")
    page = officer.get("/activities/").text
    assert "共 <b>4</b> 次活动" in page and "乙镇的活动" not in page
    assert page.index("本月家长会") < page.index("上月教师培训")  # newest first
    month = f"{this:%Y-%m}"
    filtered = officer.get(f"/activities/?school={world.a1.id}&month={month}").text
    assert "共 <b>2</b> 次活动" in filtered and "本月法治宣传" in filtered
    assert "甲二的一封信" not in filtered and "上月教师培训" not in filtered
    law = officer.get("/activities/?kind=law").text
    assert "本月法治宣传" in law and "本月家长会" not in law

    # the counts table: one row per school, one column per month of the school year
    year = school_year_of(TODAY)
    counts = officer.get(f"/activities/?period=y{year}").text.split("各校每月活动统计")[1]
    a1_row = counts.split("<td>甲一村小</td>")[1].split("</tr>")[0]
    link = (f'/activities/?school={world.a1.id}&amp;month={month}&amp;period=y{year}">2 次</a>'
            ' <small>120 人</small>')
    if last >= date(year, 9, 1):
        assert "1 次</a> <small>12 人</small>" in a1_row
        assert "<b>3 次</b> <small>132 人</small>" in a1_row
    assert link in a1_row
    assert "<b>3 次</b> <small>145 人</small>" in counts.split("<th>合计</th>")[-1]  # this month
    head = login("head").get("/activities/").text
    assert "甲二的一封信" not in head and "<td>甲二教学点</td>" not in head
    assert "本月家长会" in head


def test_a_bad_month_or_page_is_ignored_not_an_error(world, login):
    _add(world.a1, TODAY, title="今天的活动")
    db.session.commit()
    page = login("head").get("/activities/?month=2026-13&page=99&kind=nope&period=x").text
    assert "共 <b>1</b> 次活动" in page


def test_the_dashboard_counts_this_months_activities_with_links(world, login):
    _add(world.a1, TODAY.replace(day=1), "parents_meeting", 40)
    _add(world.a1, TODAY, "law", 80)
    _add(world.a2, TODAY, "letter", 25)
    _add(world.a1, _month(TODAY, 1), "training", 12)  # last month: not counted
    _add(world.b1, TODAY, "law", 99)  # another township
    db.session.commit()
    page = login("officer").get("/dashboard/").text
    row = page.split("本月工作活动</td>")[1].split("</tr>")[0]
    month = f"{TODAY:%Y-%m}"
    assert f'<a href="/activities/?month={month}">3</a> <small>145 人</small>' in row  # 全镇
    assert (f'<a href="/activities/?month={month}&amp;school={world.a1.id}">2</a>'
            ' <small>120 人</small>') in row
    assert f'<a href="/activities/?month={month}&amp;school={world.a2.id}">1</a>' in row


def test_the_agenda_gives_each_school_its_activities_or_says_it_had_none(world, login):
    _add(world.a1, TODAY.replace(day=1), "parents_meeting", 40)
    _add(world.a1, TODAY, "law", 50)
    _add(world.a1, TODAY, "law", 30)
    _add(world.a2, _month(TODAY, 1), "letter", 25)  # last month
    db.session.commit()
    leader = login("leader")
    assert leader.post("/meetings/new", data={
        "month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(), "place": "会议室",
        "chair": "李国强", "attendees": ""}).status_code == 303
    agenda = db.session.scalar(db.select(Meeting)).agenda
    assert "甲一村小：本月开展工作活动 3 次（家长会 1、法律法规宣传 2），覆盖 120 人" in agenda
    assert "甲二教学点：本月未开展工作活动" in agenda
    assert "甲镇中心学校：本月未开展工作活动" in agenda


def test_an_agenda_with_no_activities_anywhere_says_so_once(world, login):
    leader = login("leader")
    leader.post("/meetings/new", data={"month": f"{TODAY:%Y-%m}", "held_on": TODAY.isoformat(),
                                       "place": "会议室", "chair": "李国强", "attendees": ""})
    agenda = db.session.scalar(db.select(Meeting)).agenda
    assert "本月各校都没有登记工作活动" in agenda and "未开展工作活动" not in agenda
