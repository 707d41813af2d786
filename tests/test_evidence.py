"""佐证材料: the evidence pack of a school and term, printed through the real print worker and
checked by its text (pdftotext, page by page) and its images (pdfimages); the photo fetcher's
limits; who may print which school's pack; the export in the audit log."""
import re
import shutil
import subprocess
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

import pdf
import uploads
from blueprints.pledges.texts import DEFAULTS
from extensions import db
from models import (ActionItem, Activity, ActivityPhoto, AuditLog, CaseNotice, CaseStep,
                    DropoutCase, FollowUp, HomeVisit, Meeting, Pledge, PledgeTemplate, Term,
                    mask_id)
from tests import TODAY

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdfimages"),
                                reason="poppler-utils missing")

SECTIONS = ["一、控辍保学台账", "二、责任书签署情况", "三、家访记录", "四、劝返复学个案",
            "五、月度推进会纪要", "六、工作活动"]


def pages_of(data: bytes) -> list[str]:
    """The PDF's text, one string per page (pdftotext ends every page with a form feed)."""
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def jpeg(color, size=(1600, 1200)) -> bytes:
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):  # some detail, so the photo is not a flat colour
        image.paste((255 - color[0], color[1], 128), (x, 0, x + 10, size[1]))
    out = BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_photo(activity, data, ext="jpg", caption=""):
    """Stored as the activities area stores an upload: the original, and for an image the
    downscaled print copy beside it."""
    path = uploads.store(uploads.ACTIVITY_PHOTOS, f"a{activity.id}", data, ext)
    print_path = None
    if ext != "pdf":
        print_path = uploads.store(uploads.ACTIVITY_PHOTOS, f"a{activity.id}-print",
                                   uploads.print_copy(data), "jpg")
    activity.photos.append(ActivityPhoto(school_id=activity.school_id, file_path=path,
                                         print_path=print_path, caption=caption,
                                         size=len(data)))


@pytest.fixture
def term(world):
    row = Term(central_id=world.central_a.id, school_year=2025, semester=1,
               start_date=date(2025, 9, 1), end_date=date(2026, 1, 20))
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def data(world, term):
    """甲一村小's term: a visit, a returned case with its steps, two pledges (one signed), a
    meeting with one action item for 甲一村小 and one for 甲二教学点, a 家长会 with two photos
    and a scan; 甲二教学点 has a visit and a case of its own."""
    s = world.s_a1
    s.student_no = "G" + s.id_number
    head, officer = world.users["village_head"], world.users["central_officer"]
    db.session.add(HomeVisit(student=s, school_id=world.a1.id, visited_on=date(2025, 10, 21),
                             visitors="吴晓燕、陈小平", met="奶奶",
                             outcome="will_return", next_step="周一返校"))
    db.session.add(HomeVisit(student=world.s_a2, school_id=world.a2.id,
                             visited_on=date(2025, 10, 22), visitors="甲二老师",
                             outcome="refused", next_step="甲二的下一步"))
    case = DropoutCase(student=s, school_id=world.a1.id, opened_on=date(2025, 10, 15),
                       trigger="absence", reason="厌学，沉迷手机", whereabouts="在家",
                       state="returned", returned_on=date(2025, 11, 3),
                       reentry_plan="安排一帮一结对，每周谈心一次")
    case.steps = [
        CaseStep(on=date(2025, 10, 15), from_state=None, to_state="suspected",
                 note="连续无故缺课8天", user_id=head.id),
        CaseStep(on=date(2025, 10, 20), from_state="suspected", to_state="persuading",
                 note="班主任与村委会上门劝返", user_id=head.id),
        CaseStep(on=date(2025, 11, 3), from_state="persuading", to_state="returned",
                 note="孩子返校上课", user_id=head.id)]
    case.notices = [CaseNotice(kind="return", doc_no="KF-2025-甲一-1",
                               issued_on=date(2025, 10, 25))]
    case.follow_ups = [FollowUp(label="复学一周回访", due_on=date(2025, 11, 10),
                                done_on=date(2025, 11, 10), note="按时到校"),
                       FollowUp(label="复学一个月回访", due_on=date(2025, 12, 3))]
    db.session.add(case)
    db.session.add(DropoutCase(student=world.s_a2, school_id=world.a2.id,
                               opened_on=date(2025, 10, 1), trigger="manual",
                               reason="甲二的原因", state="persuading"))
    template = PledgeTemplate(central_id=world.central_a.id, kind="teacher", **DEFAULTS["teacher"])
    db.session.add_all([
        Pledge(template=template, term=term, school_id=world.a1.id, doc_no="ZRS-2025-甲一-1",
               title="控辍保学目标责任书", content="正文", party_a_name="甲一村小",
               party_b_name="吴晓燕", status="signed", printed_on=date(2025, 9, 5),
               signed_on=date(2025, 9, 8)),
        Pledge(template=template, term=term, school_id=world.a1.id, doc_no="ZRS-2025-甲一-2",
               title="控辍保学目标责任书", content="正文", party_a_name="甲一村小",
               party_b_name="周明", status="printed", printed_on=date(2025, 9, 5))])
    meeting = Meeting(central_id=world.central_a.id, month=date(2025, 11, 1),
                      held_on=date(2025, 11, 5), place="中心校三楼会议室", chair="李国强",
                      minutes="各校汇报十月劝返进展，甲一村小张三已复学。")
    db.session.add_all([
        meeting,
        ActionItem(meeting=meeting, school_id=world.a1.id, owner=head,
                   text="张三月访", due_on=date(2025, 12, 5)),
        ActionItem(meeting=meeting, school_id=world.a2.id, owner=officer,
                   text="甲二补家访", due_on=date(2025, 11, 20))])
    activity = Activity(school_id=world.a1.id, held_on=date(2025, 10, 9),
                        kind="parents_meeting", title="秋季家长会", place="甲一村小操场",
                        reached=86, description="宣讲义务教育法，签订家长承诺书。",
                        user_id=head.id)
    db.session.add(activity)
    db.session.flush()
    add_photo(activity, jpeg((200, 40, 40)), caption="家长会现场")
    add_photo(activity, jpeg((40, 40, 200), (1200, 1600)), caption="签订承诺书")
    add_photo(activity, b"%PDF-1.4 scan", ext="pdf", caption="签到表扫描件")
    db.session.add(Activity(school_id=world.a1.id, held_on=date(2026, 3, 2), kind="board",
                            title="下学期的宣传栏"))  # not this term
    db.session.commit()
    return {"case": case, "meeting": meeting, "activity": activity}


def test_the_pack_holds_every_section_with_a_table_of_contents(world, term, data, login,
                                                               batch_pdf, app):
    officer = login("officer")
    pdf_data = batch_pdf(officer, "/evidence/print", {"school": world.a1.id, "term": term.id})
    pages = pages_of(pdf_data)
    cover, toc = flat(pages[0]), pages[1]
    for text in ("甲一村小", "控辍保学工作佐证材料", "2025–2026学年第一学期", "打印日期",
                 f"{TODAY.year}年{TODAY.month}月{TODAY.day}日", "盖章"):
        assert text in cover, text
    assert "第1页" not in cover  # the cover carries no page number
    assert "目录" in flat(toc)

    # every section is listed with the page its heading is really on
    for name in SECTIONS:
        found = re.search(re.escape(name) + r"[\s.]*?(\d+)\s*$", toc, re.M)
        assert found, (name, toc)
        number = int(found.group(1))
        assert number > 2
        assert name in pages[number - 1], (name, number)
        assert f"第{number}页共" in flat(pages[number - 1])  # the footer agrees
        assert not any(name in p for p in pages[2:number - 1]), name  # and not earlier
    numbers = [int(re.search(re.escape(n) + r"[\s.]*?(\d+)\s*$", toc, re.M).group(1))
               for n in SECTIONS]
    assert numbers == sorted(numbers)

    body = flat("".join(pages[2:]))
    s = world.s_a1
    # 一、台账 from ledger.py, masked
    for text in ("疑似辍学台账", "辍学台账", "适龄儿童台账", "2025年10月", "张三", "李四",
                 "厌学，沉迷手机", mask_id(s.id_number), mask_id(s.student_no)):
        assert text in body, text
    for number in (s.id_number, s.student_no, world.s_a1_other.id_number):
        assert number not in body
    # 二、责任书
    for text in ("ZRS-2025-甲一-1", "吴晓燕", "已签署", "2025-09-08", "ZRS-2025-甲一-2", "周明",
                 "已打印", "共2份，已签署1份"):
        assert text in body, text
    # 三、家访
    for text in ("2025-10-21", "吴晓燕、陈小平", "奶奶", "答应近日返校", "周一返校"):
        assert text in body, text
    # 四、个案 with its steps, notice and follow-ups
    for text in ("连续无故缺课8天", "班主任与村委会上门劝返", "孩子返校上课", "KF-2025-甲一-1",
                 "复学通知书", "复学一周回访", "按时到校", "复学一个月回访", "未回访",
                 "安排一帮一结对"):
        assert text in body, text
    # 五、推进会: this school's decision only
    for text in ("2025年11月控辍保学推进会", "中心校三楼会议室", "李国强", "甲一村小张三已复学",
                 "张三月访"):
        assert text in body, text
    assert "甲二补家访" not in body
    # 六、活动: the scan listed by name, next term's activity absent
    for text in ("秋季家长会", "家长会", "甲一村小操场", "86", "宣讲义务教育法", "家长会现场",
                 "签订承诺书", "扫描件：签到表扫描件"):
        assert text in body, text
    assert "下学期的宣传栏" not in body and "照片文件缺失" not in body
    # 甲二教学点's own records stay out
    for text in ("甲二的下一步", "甲二的原因", "王五"):
        assert text not in body, text

    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf_data, capture_output=True,
                            check=True).stdout.decode().splitlines()[2:]
    assert len(images) == 2, images
    sizes = sorted((int(line.split()[3]), int(line.split()[4])) for line in images)
    assert sizes == [(900, 1200), (1200, 900)]  # the print copies, not the originals
    assert all(line.split()[8] == "jpeg" for line in images)

    log = db.session.query(AuditLog).filter_by(action="export", school_id=world.a1.id).all()
    assert [e.summary for e in log] == ["打印控辍保学工作佐证材料（甲一村小，2025–2026学年第一学期）"]
    assert log[0].username == "officer" and log[0].after["full_ids"] is False


def test_an_empty_section_says_so(world, term, signed_in):
    """甲二教学点 has nothing this term: every section still prints, with one line, and not on
    a page of its own (a reviewer's pack was five pages of one line each)."""
    import printjobs
    from blueprints.evidence import pack
    with signed_in(world.users["central_officer"]):
        built = printjobs.BATCHES["evidence"]({"school": str(world.a2.id),
                                              "term": str(term.id)})
        assert built.title == "控辍保学工作佐证材料（甲二教学点，2025–2026学年第一学期）"
        assert len(built.parts) == 1  # one document: one page numbering
        pages = pages_of(pdf.render(built.parts))
        assert pack.assemble(world.a2, term).counts()[2] == ("三、家访记录", "0 次")
    assert len(pages) == 4  # cover, contents, the ledgers; the five empty sections on one page
    body = flat("".join(pages[2:]))
    for text in ("本学期无疑似辍学学生。", "本学期无辍学学生。", "本学期无责任书。",
                 "本学期无家访记录。", "本学期无劝返复学个案。", "本学期无月度推进会。",
                 "本学期无工作活动记录。"):
        assert text in body, text
    for name in SECTIONS:
        assert name in body


def test_the_page_shows_what_the_pack_holds(world, term, data, login, signed_in):
    page = login("officer").get(f"/evidence/?school={world.a1.id}&term={term.id}")
    assert page.status_code == 200
    text = flat(page.text)
    for part in ("疑似辍学1人，辍学0人，适龄儿童2人", "2份，已签署1份", "三、家访记录</td><td>1次",
                 "1次会议，本校决定事项1项", "1项，照片2张，其他材料1份",
                 'action="/evidence/print"', "summaries"):
        assert part in text, part
    with signed_in(world.users["central_officer"]):  # the page counts what the print lists
        from blueprints.evidence import pack
        printed = pack.assemble(world.a1, term)
        assert len(printed.children) == printed.children_total == 2
        assert pack.assemble(world.a1, term, ledger_rows=False).counts() == printed.counts()
    # a village head sees their own school without a school picker, the current term chosen
    own = login("head").get("/evidence/")
    assert own.status_code == 200
    assert "甲一村小·2025–2026学年第一学期" in flat(own.text)
    assert 'name="school"><option' not in own.text and "甲二教学点" not in own.text


def test_who_may_print_which_pack(world, term, data, login, batch_pdf, app):
    form = {"school": world.a1.id, "term": term.id}
    head_b = login("head_b")
    assert head_b.get(f"/evidence/?school={world.a1.id}").status_code == 404
    assert head_b.post("/evidence/print", data=form).status_code == 404
    head = login("head")
    assert head.post("/evidence/print", data={"school": world.a2.id,
                                              "term": term.id}).status_code == 404
    other_term = Term(central_id=world.central_b.id, school_year=2025, semester=1,
                      start_date=date(2025, 9, 1), end_date=date(2026, 1, 20))
    db.session.add(other_term)
    db.session.commit()
    assert head.post("/evidence/print", data={"school": world.a1.id,
                                              "term": other_term.id}).status_code == 404
    teacher = login("teacher")
    assert teacher.get("/evidence/").status_code == 403
    assert teacher.post("/evidence/print", data=form).status_code == 403
    assert db.session.query(AuditLog).filter_by(action="export").count() == 0

    pages = pages_of(batch_pdf(login("inspector"), "/evidence/print", form))
    body = flat("".join(pages))
    assert "控辍保学工作佐证材料" in body and mask_id(world.s_a1.id_number) in body
    assert world.s_a1.id_number not in body
    exports = db.session.query(AuditLog).filter_by(action="export").all()
    assert [e.username for e in exports] == ["inspector"]
    assert db.session.query(Pledge).filter_by(status="signed").count() == 1  # printing changed nothing


def test_the_fetcher_serves_activity_photos_and_nothing_beside_them(app, tmp_path):
    photos = Path(app.instance_path) / "activities"
    photos.mkdir(parents=True, exist_ok=True)
    (photos / "a1-print-ab12.jpg").write_bytes(jpeg((1, 2, 3), (20, 20)))
    (photos / ".hidden.jpg").write_bytes(b"x")
    (photos / "sub").mkdir(exist_ok=True)
    (photos / "sub" / "x.jpg").write_bytes(b"x")
    scans = Path(app.instance_path) / "scans"
    scans.mkdir(parents=True, exist_ok=True)
    (scans / "s.jpg").write_bytes(b"x")
    (Path(app.instance_path) / "config.py").write_text("SECRET_KEY = 'x'")

    fetcher = pdf.StaticFetcher(app.static_folder, photos)
    response = fetcher.fetch(pdf.photo_url("a1-print-ab12.jpg"))
    assert response.read().startswith(b"\xff\xd8") and response.content_type == "image/jpeg"
    response.close()
    assert pdf.photo_url("a1-print-ab12.jpg") == pdf.ORIGIN + "/evidence-photo/a1-print-ab12.jpg"
    base = pdf.ORIGIN + "/evidence-photo/"
    for url in (base + "../scans/s.jpg", base + "..%2Fscans%2Fs.jpg", base + "%2E%2E/config.py",
                base + "..%2Fconfig.py", base + "..", base + "sub/x.jpg", base + "sub%2Fx.jpg",
                base + ".hidden.jpg", base, base + "/etc/passwd", base + "%2Fetc%2Fpasswd",
                base + "..%5Cconfig.py", base + "missing.jpg", base + "a1-print-ab12.jpg?x=1",
                pdf.ORIGIN + "/evidence-photo/../static/css/print.css",
                pdf.ORIGIN + "/instance/activities/a1-print-ab12.jpg",
                "file://" + str(photos / "a1-print-ab12.jpg"),
                "http://example.com/evidence-photo/a1-print-ab12.jpg"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    # the static files still come, and without a photo folder no photo does
    fetcher.fetch(pdf.ORIGIN + "/static/css/print.css").close()
    with pytest.raises(ValueError):
        pdf.StaticFetcher(app.static_folder).fetch(pdf.photo_url("a1-print-ab12.jpg"))


def test_a_lost_print_copy_is_listed_not_fatal(world, term, data, signed_in):
    from blueprints.evidence import pack
    photo = data["activity"].photos[0]
    (uploads.folder(uploads.ACTIVITY_PHOTOS) / photo.print_path).unlink()
    with signed_in(world.users["central_officer"]):
        built = pack.batch({"school": world.a1.id, "term": term.id})
        body = flat("".join(pages_of(pdf.render(built.parts))))
    assert "照片文件缺失：家长会现场" in body and "签订承诺书" in body
