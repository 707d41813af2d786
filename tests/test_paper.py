"""The rules of print, checked on the laid-out pages of every document the office prints, built
from the demo township by the same batch functions the print button calls (printjobs.BATCHES):
no name split across lines, no number parted from its unit, no lone last character, signature
blocks whole on one page, table headers on one line, "第 N 页 共 M 页" on every page.
Then what each kind of paper must carry, read from its text."""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_login import login_user

import pdf
import printjobs
from extensions import db
from models import (CaseNotice, ClassGroup, DropoutCase, Guardian, Pledge, School, Student, Term,
                    User)
from tests import paper

pytestmark = pytest.mark.usefixtures("demo_app")


@contextmanager
def as_officer(app):
    with app.test_request_context():
        login_user(db.session.scalar(sa.select(User).where(User.username == "admin")))
        yield


@pytest.fixture(scope="module")
def names(demo_app):
    rows = set(db.session.scalars(sa.select(Student.name)))
    rows |= set(db.session.scalars(sa.select(User.name)))
    return rows | set(db.session.scalars(sa.select(Guardian.name)))


@pytest.fixture(scope="module")
def issued(demo_app):
    """This term's pledges of every kind at 石桥村小, and a 劝返 case's notices."""
    from blueprints.cases import workflow
    from blueprints.pledges import issue
    from models import PLEDGE_KINDS
    with as_officer(demo_app):
        school = db.session.scalar(sa.select(School).where(School.name == "石桥村小"))
        term = db.session.scalars(sa.select(Term).order_by(Term.start_date.desc())).first()
        klass = db.session.scalar(sa.select(ClassGroup).where(
            ClassGroup.school_id == school.id, ClassGroup.grade == 3))
        central = school.parent
        for kind in PLEDGE_KINDS:
            issue.generate(kind, central if kind == "township_village" else school, term, klass)
        case = db.session.scalars(sa.select(DropoutCase).order_by(DropoutCase.id)).first()
        officer = db.session.scalar(sa.select(User).where(User.username == "admin"))
        for kind in ("report", "urge", "order", "return"):
            workflow.issue_notice(case, kind, officer, date.today())
        db.session.commit()
    return school, term, case


def laid_out(app, kind: str, params: dict) -> list:
    """The documents of a print, laid out. With BAOXUE_PAPER_DIR set, each print is also
    written there as a PDF, to be looked at by eye."""
    with as_officer(app):
        job = printjobs.BATCHES[kind](params)
        documents = pdf.layout(job.parts)
        db.session.rollback()  # what a print marks is not what these tests read
    if os.environ.get("BAOXUE_PAPER_DIR"):
        pages = [page for d in documents for page in d.pages]
        documents[0].copy(pages).write_pdf(Path(os.environ["BAOXUE_PAPER_DIR"]) / job.filename)
    return documents


def pledges_of(kind: str) -> list[Pledge]:
    from models import PledgeTemplate
    return db.session.scalars(sa.select(Pledge).join(PledgeTemplate).where(
        PledgeTemplate.kind == kind).order_by(Pledge.id)).all()


def flat(document) -> str:
    """A document's text with its line breaks taken out, to find a sentence however it wraps."""
    return "".join(paper.page_texts(document)).replace("\n", "")


def assert_rules(documents, names):
    broken = [f"文书 {n}：{p}" for n, d in enumerate(documents, 1)
              for p in paper.problems(d, names)]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("kind", ["teacher", "class_teacher", "village_school", "township_village",
                                  "village_committee", "guardian_commitment", "guardian_notice"])
def test_pledges_keep_the_rules(demo_app, issued, names, kind):
    pledge = pledges_of(kind)[0]
    assert_rules(laid_out(demo_app, "pledges", {"id": pledge.id}), names)


@pytest.mark.parametrize("kind", ["report", "urge", "order", "return"])
def test_case_notices_keep_the_rules(demo_app, issued, names, kind):
    notice = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == kind))
    assert_rules(laid_out(demo_app, "case_notice", {"id": notice.id}), names)


def test_aid_publicity_keeps_the_rules_and_prints_the_hotline_beside_the_seal(demo_app, names):
    from models import AidProgram
    program = db.session.scalars(sa.select(AidProgram).order_by(AidProgram.id)).first()
    central = db.session.get(School, program.central_id)
    central.hotline = "0851-88886666"
    db.session.commit()
    documents = laid_out(demo_app, "aid_notice", {"id": program.id})
    assert_rules(documents, names)
    last = paper.page_texts(documents[0])[-1]
    today = date.today()
    assert "监督电话：0851-88886666" in last
    assert f"{central.name}（盖章）" in last and f"{today.year}年{today.month}月{today.day}日" in last


def test_a_class_of_45_fits_its_weekly_roll_on_one_page(demo_app, names):
    from tests.factories import student
    school = db.session.scalar(sa.select(School).where(School.kind == "central"))
    klass = ClassGroup(school=school, school_year=db.session.scalar(
        sa.select(ClassGroup.school_year).limit(1)), grade=1, name="45人班")
    db.session.add(klass)
    pool = sorted(names)
    for n in range(45):
        student(school, klass, name=pool[n * 7 % len(pool)], id_number=None)
    db.session.commit()
    documents = laid_out(demo_app, "roll_sheet", {"class_id": klass.id})
    assert_rules(documents, names)
    assert len(documents[0].pages) == 1
    text = paper.page_texts(documents[0])[0]
    assert "应到（人）" in text and "实到（人）" in text and "45" in text


def test_case_notices_carry_stub_receipt_dates_issuer_and_rights(demo_app, issued):
    from datetime import timedelta
    school, _, case = issued
    township = school.parent
    township.doc_prefix = "青府教"
    db.session.commit()
    today, deadline = date.today(), date.today() + timedelta(days=5)
    order = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == "order"))
    text = flat(laid_out(demo_app, "case_notice", {"id": order.id})[0])
    assert "责令送学通知书（存根）" in text and "送 达 回 证" in text
    assert "青山镇人民政府（盖章）" in text and f"青府教〔{today.year}〕" in text
    assert f"{today.year}年{today.month}月{today.day}日" in text
    assert f"五日内（{deadline.year}年{deadline.month}月{deadline.day}日前）" in text
    assert "申请行政复议" in text and "提起行政诉讼" in text
    student = case.student
    assert f"{student.birth_date.year}年{student.birth_date.month}月{student.birth_date.day}日出生" \
        in text and student.id_number in text
    urge = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == "urge"))
    text = flat(laid_out(demo_app, "case_notice", {"id": urge.id})[0])
    week = today + timedelta(days=7)
    assert "督促入学通知书（存根）" in text and "回　执" in text and "监护人（签字）" in text
    assert f"七日内（{week.year}年{week.month}月{week.day}日前）" in text
    report = db.session.scalar(sa.select(CaseNotice).where(CaseNotice.kind == "report"))
    text = flat(laid_out(demo_app, "case_notice", {"id": report.id})[0])
    assert "报送：青山镇人民政府、某县教育局" in text and "填报人：" in text


def test_pledges_carry_their_parties_copies_and_number_on_every_page(demo_app, issued):
    village = pledges_of("township_village")[0]
    documents = laid_out(demo_app, "pledges", {"id": village.id})
    pages = paper.page_texts(documents[0])
    assert len(documents) == 2 and len(pages) > 1  # 一式两份; a village's children run on
    assert "甲方（乡镇人民政府）：青山镇人民政府" in pages[0] and "主任（签字）" in pages[-1]
    assert "一式两份，甲乙双方各执一份" in flat(documents[0])
    for page in pages[1:]:
        assert village.doc_no in page and village.title in page  # a loose sheet is matched
    first_child = village.clauses[-1][2][0][0]  # the village's children are in a table
    assert any(line.tag == "td" and line.text.strip() == first_child
               for line in paper.lines(documents[0]))
    letter = pledges_of("guardian_commitment")[0]
    text = flat(laid_out(demo_app, "pledges", {"id": letter.id})[0])
    assert f"家长（监护人）：{letter.party_b_name}" in text
    assert "联系电话：" in text and "家庭住址：" in text and "与学生关系：" in text
    teacher = pledges_of("teacher")[0]
    text = flat(laid_out(demo_app, "pledges", {"id": teacher.id})[0])
    assert "1．" in text and "1. " not in text
