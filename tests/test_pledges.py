"""Pledges and guardian letters: generate a term's documents, print, sign, collect, scans."""
import re
import subprocess
from pathlib import Path
from datetime import timedelta
from io import BytesIO

import pytest

from extensions import db
from models import AuditLog, Pledge, Responsibility
from tests import TODAY
from tests import factories as f

PNG = f.png_of(40, 30)  # a real image: a scan's header is read


@pytest.fixture
def term(pledge_term):
    return pledge_term


def text_of(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def generate(client, term, school, kind="teacher", class_id=0):
    return client.post("/pledges/generate", data={"kind": kind, "term_id": term.id,
                                                  "school_id": school.id, "class_id": class_id})


def test_officer_issues_teacher_pledges_for_a_school_once(world, term, login, signed_in):
    """教师目标责任书: the children each teacher holds a 教师包生 line for, as the 包保责任表 has
    them (the 班主任 holds one for 张三: pledge_term); a 班主任 with none signs the 班主任
    pledge only, not the same clauses twice."""
    officer = login("officer")
    assert generate(officer, term, world.a1).status_code == 303
    pledges = db.session.scalars(db.select(Pledge).order_by(Pledge.id)).all()
    assert {p.party_b_name for p in pledges} == {"教师0", "教师1", world.users["teacher"].name}
    assert len({p.doc_no for p in pledges}) == 3
    own = next(p for p in pledges if p.user_id == world.users["teacher"].id)
    assert "甲一村小" in own.content and term.name in own.content and "张三" in own.content
    assert "{" not in own.content  # every placeholder filled
    again = generate(officer, term, world.a1)
    page = officer.get(again.headers["Location"]).text
    assert "3 份本学期已生成过" in page
    assert db.session.query(Pledge).count() == 3
    db.session.execute(db.delete(Responsibility))
    db.session.commit()
    from blueprints.pledges import issue
    with signed_in(world.users["central_officer"]):
        parties = issue.parties("teacher", world.a1, None)
    assert {p.name for p in parties} == {"教师0", "教师1"}  # the 班主任 has no 包生 now


def test_guardian_letters_are_per_child_of_a_class(world, term, login):
    head = login("head")
    refused = generate(head, term, world.a1, kind="guardian_commitment")
    assert refused.status_code == 422 and "请选择这所学校的一个班" in refused.text
    assert generate(head, term, world.a1, "guardian_commitment",
                    world.class_a1.id).status_code == 303
    letter = db.session.scalar(db.select(Pledge))
    assert letter.student_id == world.s_a1.id and letter.party_b_name == "张大山"
    assert "张三" in letter.content and "第五十八条" in letter.content


def test_print_marks_printed_and_prints_both_copies(world, term, login):
    head = login("head")
    generate(head, term, world.a1)
    pledge = db.session.scalar(db.select(Pledge).filter_by(user_id=world.users["teacher"].id))
    preview = head.get(f"/pledges/{pledge.id}.pdf")  # a GET (the preview's link) marks nothing
    assert preview.status_code == 200
    db.session.expire_all()
    assert pledge.status == "generated"
    response = head.post(f"/pledges/{pledge.id}.pdf")  # the list's 打印
    assert response.status_code == 200 and len(response.data) < 150_000
    text = text_of(response.data)
    for expected in ("控辍保学目标责任书", pledge.doc_no, "一式两份", "甲方（学校）（盖章）",
                     "乙方（教师）（签字）", pledge.party_b_name):
        assert expected in text, expected
    pages = text.split("\f")[:-1]  # 一式两份: the same pages twice, both copies alike
    assert len(pages) == 4 and pages[:2] == pages[2:] and "第一份" not in text
    db.session.expire_all()
    assert pledge.status == "printed" and pledge.printed_on == TODAY
    assert db.session.scalar(db.select(AuditLog).filter_by(table_name="pledges", action="export"))


def test_batch_pdf_holds_every_filtered_pledge(world, term, login, batch_pdf):
    head = login("head")
    generate(head, term, world.a1)
    data = batch_pdf(head, "/pledges/print", {"term": term.id, "school": world.a1.id})
    text = text_of(data)
    # each copy's first page has the heading; later pages repeat the number in their head
    assert len(re.findall(r"(?:^|\f)控辍保学目标责任书\n编号：\S+ · 一式两份$", text, re.M)) == 6
    # every copy is a document of its own: its pages are numbered from 1
    assert text.count("第 1 页 共 2 页") == 6 and "第 3 页" not in text
    db.session.expire_all()
    assert {p.status for p in db.session.scalars(db.select(Pledge))} == {"printed"}
    entry = db.session.scalar(db.select(AuditLog).filter_by(table_name="pledges",
                                                            action="export"))
    assert entry.username == "head" and entry.after["rows"] == 3


def test_status_moves_forward_only_with_dates(world, term, login):
    head = login("head")
    generate(head, term, world.a1)
    pledge = db.session.scalar(db.select(Pledge))
    assert head.post(f"/pledges/{pledge.id}/status", data={"to": "collected"}).status_code == 303
    db.session.expire_all()
    assert pledge.status == "collected"
    assert pledge.printed_on == pledge.signed_on == pledge.collected_on == TODAY
    back = head.post(f"/pledges/{pledge.id}/status", data={"to": "signed"})
    assert back.status_code == 422 and "不能从“已回收”改为“已签署”" in back.text


def test_a_step_has_the_day_it_happened_and_a_mis_click_is_undone_that_day(world, term, login):
    """Issue 18.5: 签署 entered with the day it was signed (not only today; never later than
    today nor before the paper was generated); a step marked by mistake today can be taken
    back, audited; one marked on an earlier day cannot."""
    head = login("head")
    generate(head, term, world.a1)
    pledge = db.session.scalar(db.select(Pledge))
    friday = TODAY - timedelta(days=3)
    pledge.generated_on = TODAY - timedelta(days=10)
    db.session.commit()
    future = head.post(f"/pledges/{pledge.id}/status", data={
        "to": "signed", "on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "已签署的日期不能晚于今天。" in future.text
    early = head.post(f"/pledges/{pledge.id}/status", data={
        "to": "signed", "on": (TODAY - timedelta(days=30)).isoformat()})
    assert early.status_code == 422 and "不能早于已生成的日期" in early.text
    assert head.post(f"/pledges/{pledge.id}/status",
                     data={"to": "signed", "on": friday.isoformat()}).status_code == 303
    db.session.expire_all()
    assert (pledge.status, pledge.signed_on) == ("signed", friday)
    page = head.get(f"/pledges/?term={term.id}").text
    assert "撤销“已签署”" in page
    assert head.post(f"/pledges/{pledge.id}/undo").status_code == 303
    db.session.expire_all()
    assert (pledge.status, pledge.signed_on) == ("printed", None)
    entry = db.session.scalars(db.select(AuditLog).filter_by(
        table_name="pledges", action="update").order_by(AuditLog.id.desc())).first()
    assert entry.after["status"] == "printed" and entry.before["status"] == "signed"
    # marked on an earlier day (the audit entry says so): no undo
    head.post(f"/pledges/{pledge.id}/status", data={"to": "signed", "on": friday.isoformat()})
    db.session.execute(db.update(AuditLog).where(AuditLog.table_name == "pledges").values(
        at=AuditLog.at - timedelta(days=1)))
    db.session.commit()
    assert "撤销“" not in head.get(f"/pledges/?term={term.id}").text
    late = head.post(f"/pledges/{pledge.id}/undo")
    assert late.status_code == 422 and "不是今天标记的，不能撤销" in late.text


def test_scan_upload_checks_type_and_marks_signed(world, term, login, app):
    head = login("head")
    generate(head, term, world.a1)
    pledge = db.session.scalar(db.select(Pledge))
    fake = head.post(f"/pledges/{pledge.id}/scan",
                     data={"file": (BytesIO(b"not really a pdf"), "scan.pdf")})
    assert fake.status_code == 422 and "文件内容不是 PDF、JPG 或 PNG" in fake.text
    wrong = head.post(f"/pledges/{pledge.id}/scan", data={"file": (BytesIO(PNG), "scan.exe")})
    assert wrong.status_code == 422 and "只能是 PDF、JPG 或 PNG" in wrong.text
    ok = head.post(f"/pledges/{pledge.id}/scan", data={"file": (BytesIO(PNG), "签字.png")})
    assert ok.status_code == 303
    db.session.expire_all()
    first = pledge.scan_path
    assert pledge.status == "signed" and first.startswith(f"{pledge.id}-") and \
        first.endswith(".png")
    with head.get(f"/pledges/{pledge.id}/scan") as scan:
        assert scan.status_code == 200 and scan.data == PNG
    # a replaced scan is an audited change, and the old file goes
    again = head.post(f"/pledges/{pledge.id}/scan",
                      data={"file": (BytesIO(PNG + b"2"), "重扫.png")})
    assert again.status_code == 303
    db.session.expire_all()
    assert pledge.scan_path != first
    assert not (Path(app.instance_path) / "scans" / first).exists()
    [entry] = db.session.scalars(db.select(AuditLog).filter_by(
        table_name="pledges", action="update").where(AuditLog.after["scan_path"].is_not(None))
        .order_by(AuditLog.id.desc()).limit(1)).all()
    assert entry.before["scan_path"] == first and entry.after["scan_path"] == pledge.scan_path


def test_document_numbers_are_never_reused_after_a_deletion(world, term, login):
    officer = login("officer")
    f.student(world.a1, world.class_a1, name="甲")
    db.session.commit()
    generate(officer, term, world.a1, "guardian_commitment", world.class_a1.id)
    numbers = sorted(p.doc_no for p in db.session.scalars(db.select(Pledge)))
    assert officer.delete(f"/students/{world.s_a1.id}").status_code in (200, 204, 303)
    other = f.klass(world.a1, grade=5)
    f.student(world.a1, other, name="乙")
    db.session.commit()
    assert generate(officer, term, world.a1, "guardian_commitment", other.id).status_code == 303
    newest = db.session.scalars(db.select(Pledge.doc_no).order_by(Pledge.doc_no.desc())).first()
    assert newest > numbers[-1]


def test_unsigned_per_school_and_scope(world, term, login):
    officer = login("officer")
    generate(officer, term, world.a1)
    page = officer.get(f"/pledges/?term={term.id}").text
    assert "未签署：甲一村小 3 份" in page
    pledge = db.session.scalar(db.select(Pledge))
    assert login("head_b").get(f"/pledges/{pledge.id}.pdf").status_code == 404
    teacher = login("teacher")
    mine = db.session.scalar(db.select(Pledge).filter_by(user_id=world.users["teacher"].id))
    assert teacher.get(f"/pledges/{mine.id}").status_code == 200
    others = [p for p in db.session.scalars(db.select(Pledge)) if p.id != mine.id]
    assert teacher.get(f"/pledges/{others[0].id}").status_code == 404


def test_template_edits_apply_to_new_documents_only(world, term, login):
    officer = login("officer")
    assert "教师目标责任书" in officer.get("/pledges/templates").text
    generate(officer, term, world.a1)
    form = officer.get("/pledges/templates/teacher")
    assert "{学生名单}" in form.text
    response = officer.post("/pledges/templates/teacher", data={
        "title": "新标题责任书", "party_a": "甲方", "party_b": "乙方", "copies": 1,
        "body": "{乙方}老师保证{学校}零辍学。"})
    assert response.status_code == 303
    old = db.session.scalar(db.select(Pledge))
    assert old.title == "控辍保学目标责任书"
    f.user("teacher", world.a1, "t_new", name="新老师")
    db.session.commit()
    generate(officer, term, world.a1)
    new = db.session.scalar(db.select(Pledge).filter_by(party_b_name="新老师"))
    assert new.title == "新标题责任书" and new.content == "新老师老师保证甲一村小零辍学。"


def test_the_government_signs_with_each_village_committee_of_the_township(world, term, login):
    """镇政府与村委会目标责任书: the government line's pledge, one per village of the whole
    township, listing each child with school and class; chosen for the central school only."""
    world.s_a1.village = "甲一村"
    gone = f.student(world.a1, world.class_a1, name="辍五", village="甲一村", status="dropout")
    f.student(world.a1, world.class_a1, name="转六", village="甲一村", status="transferred")
    f.student(world.a1, world.class_a1, name="居七", village="青山社区")
    db.session.commit()
    officer = login("officer")
    refused = generate(officer, term, world.a1, kind="township_village")
    assert refused.status_code == 422 and "请选择中心学校" in refused.text
    assert generate(officer, term, world.central_a, kind="township_village").status_code == 303
    pledge = db.session.scalar(db.select(Pledge).filter_by(party_b_name="甲一村村民委员会"))
    assert pledge.party_a_name == "甲镇人民政府"
    assert "甲镇人民政府（甲方）与甲一村村民委员会（乙方）" in pledge.content
    assert pledge.clauses[-1][1:] == ("本村适龄儿童少年", [  # the dropout above all; not 转出
        (gone.name, "甲一村小三年级1班，辍学"), ("张三", "甲一村小三年级1班")])
    assert db.session.scalar(db.select(Pledge).filter_by(party_b_name="青山社区居民委员会"))
