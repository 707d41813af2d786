"""Scan-in (blueprints/prints/scanin.py): signed sheets printed by the app, rasterised as a
scanner would, come back in one upload; each page finds its document by the QR code printed on
it, in any orientation, and what cannot be matched is listed by page, never guessed."""
from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

import doc_codes
from extensions import db
from models import AuditLog, CaseNotice, Pledge
from tests import TODAY
from tests import scans


@pytest.fixture
def term(pledge_term):
    return pledge_term


def printed(client, pledge) -> bytes:
    response = client.get(f"/pledges/{pledge.id}.pdf")
    assert response.status_code == 200
    return response.data


def upload(client, *files):
    """The form as a browser posts it, encoded in memory (werkzeug's test client would spool a
    body over 500 KB to a temporary file it never closes)."""
    boundary, body = encode_multipart(MultiDict([("files", FileStorage(BytesIO(data), name))
                                                 for name, data in files]))
    return client.post("/prints/scan-in/upload", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def test_a_code_says_what_the_sheet_is_and_reads_back():
    code = doc_codes.Code("pledge", "KB20261-002-0001")
    assert code.text == "BX/P/KB20261-002-0001" and doc_codes.parse(code.text) == code
    assert doc_codes.parse("BX/P/KB20261-002-0001/2") == code  # a sheet printed with its copy
    assert doc_codes.parse("BX/N/KF2026-001-0003") == doc_codes.Code("notice", "KF2026-001-0003")
    assert doc_codes.parse("https://example.com/") is None and doc_codes.parse("") is None


def test_a_scanned_stack_finds_each_pledge_turned_or_not(world, term, login):
    head = login("head")
    head.post("/pledges/generate", data={"kind": "teacher", "term_id": term.id,
                                         "school_id": world.a1.id, "class_id": 0})
    pledges = db.session.scalars(db.select(Pledge).order_by(Pledge.id)).all()
    assert len(pledges) == 3
    # the school keeps one of the two identical copies: its pages, in the order stacked
    pages = []
    for p in pledges:
        sheets = scans.raster(printed(head, p))
        pages += sheets[:len(sheets) // 2]
    stack = scans.scanned_pdf(pages + [scans.blank_page()], turn={1: 180, 2: 90})
    response = upload(head, ("签字责任书.pdf", stack))
    assert response.status_code == 200, response.text
    assert f"共 {len(pages) + 1} 页：找到文书 3 份，1 页未识别" in response.text
    assert f"第 {len(pages) + 1} 页" in response.text and "没有找到二维码" in response.text
    db.session.expire_all()
    for p in db.session.scalars(db.select(Pledge)):
        assert p.status == "signed" and p.signed_on == TODAY and p.scan_path
        with head.get(f"/pledges/{p.id}/scan") as stored:
            assert stored.status_code == 200 and stored.data.startswith(b"%PDF")
            assert len(PdfReader(BytesIO(stored.data)).pages) == len(pages) // 3
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="import", table_name="pledges"))
    assert entry.after["documents"] == 3 and entry.after["unmatched"] == [len(pages) + 1]


def test_the_printed_pdf_itself_is_not_a_signed_scan(world, term, login):
    """Picked by mistake in the file dialog, the print job's own PDF (its pages list every
    page's QR code among their images) matches nothing and marks nothing."""
    head = login("head")
    head.post("/pledges/generate", data={"kind": "teacher", "term_id": term.id,
                                         "school_id": world.a1.id, "class_id": 0})
    pledges = db.session.scalars(db.select(Pledge).order_by(Pledge.id)).all()
    data = printed(head, pledges[0])
    pages = len(PdfReader(BytesIO(data)).pages)
    response = upload(head, ("责任书.pdf", data))
    assert f"共 {pages} 页：找到文书 0 份，{pages} 页未识别" in response.text
    assert response.text.count("系统打印的 PDF 不能回收") == pages
    db.session.expire_all()
    assert all(p.status != "signed" and not p.scan_path for p in db.session.scalars(
        db.select(Pledge)))


def test_phone_photos_of_a_guardian_letter_by_the_class_teacher(world, term, login):
    head = login("head")
    head.post("/pledges/generate", data={"kind": "guardian_commitment", "term_id": term.id,
                                         "school_id": world.a1.id,
                                         "class_id": world.class_a1.id})
    letter = db.session.scalar(db.select(Pledge).where(Pledge.student_id == world.s_a1.id))
    sheet = scans.raster(printed(head, letter))[0]
    teacher = login("teacher")  # the class teacher collects the parents' sheets
    response = upload(teacher, ("IMG_0001.jpg", scans.jpeg(sheet, turn=270)))
    assert "找到文书 1 份" in response.text and "已签署" in response.text
    db.session.expire_all()
    assert db.session.get(Pledge, letter.id).status == "signed"
    other = login("head_b")  # another township's head sees no such document
    response = upload(other, ("IMG_0001.jpg", scans.jpeg(sheet)))
    assert "不存在，或不在您的管理范围内" in response.text


def test_a_notices_signed_receipt_comes_back(world, login):
    from blueprints.cases import workflow
    officer_user = world.users["central_officer"]
    case = workflow.open_case(world.s_a1, "manual", TODAY, officer_user, reason="外出")
    notice = workflow.issue_notice(case, "urge", officer_user, TODAY)
    db.session.commit()
    officer = login("officer")
    pdf = officer.get(f"/cases/notices/{notice.id}.pdf")
    assert pdf.status_code == 200, pdf.text
    receipt = scans.cut_off(pdf.data, "沿此线剪下")  # the 回执 as the guardian brings it back
    assert receipt.height < scans.raster(pdf.data)[-1].height / 2
    response = upload(officer, ("回执.jpg", scans.jpeg(receipt)))
    assert "回执已收回" in response.text
    db.session.expire_all()
    back = db.session.get(CaseNotice, notice.id)
    assert back.receipt_on == TODAY and back.scan_path


def test_what_is_not_a_scan_is_refused_and_nothing_is_kept(world, login):
    head = login("head")
    assert "一次最多 300 页、120 MB" in head.get("/prints/scan-in").text  # the upload's own limit
    response = upload(head, ("名单.xlsx", b"PK\x03\x04 not a scan"))
    assert response.status_code in (303, 422)
    assert db.session.scalar(db.select(AuditLog).filter_by(action="import")) is None
