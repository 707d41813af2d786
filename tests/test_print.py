"""Print documents: the one PDF helper, checked by the text pdftotext reads back."""
import shutil
import subprocess

import pytest

import pdf
from extensions import db
from models import AuditLog
from tests import factories as f

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def pdf_pages(data: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.decode().splitlines()
                    if line.startswith("Pages:")))


def test_student_sheet_pdf_holds_the_record_with_full_id_for_the_head(world, login):
    response = login("head").get(f"/students/{world.s_a1.id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("学生信息表", "张三", "甲一村小", "三年级1班", world.s_a1.id_number, "张大山",
                     "13800001111", "班主任（签字）", "第 1 页 共 1 页"):
        assert expected in text, expected
    assert len(response.data) < 150_000
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="export", username="head"))
    assert entry.after["format"] == "pdf" and entry.after["rows"] == 1


def test_a_childs_file_prints_its_record_and_is_audited(world, login):
    """一人一档 from the child's page: full ID for the head, masked for the teacher; logged;
    another school's child is not found."""
    response = login("head").get(f"/students/{world.s_a1.id}/file.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("学生个人档案", "张三", world.s_a1.id_number, "包保责任人", "工作记录"):
        assert expected in text, expected
    entry = db.session.scalar(db.select(AuditLog).filter_by(action="export", username="head"))
    assert entry.summary == "打印学生个人档案（张三）" and entry.after["full_ids"] is True
    assert world.s_a1.id_number not in pdf_text(login("teacher").get(
        f"/students/{world.s_a1.id}/file.pdf").data)
    assert login("head_b").get(f"/students/{world.s_a1.id}/file.pdf").status_code == 404
    assert "打印个人档案" in login("head").get(f"/students/{world.s_a1.id}").text


def test_student_sheet_pdf_masks_the_id_for_a_teacher(world, login):
    text = pdf_text(login("teacher").get(f"/students/{world.s_a1.id}/sheet.pdf").data)
    number = world.s_a1.id_number
    assert number[:4] + "*" * 10 + number[-4:] in text and number not in text


def test_batch_prints_one_page_per_student_of_the_filtered_list(world, login, batch_pdf):
    for name in ("甲", "乙", "丙"):
        f.student(world.a1, world.class_a1, name=name)
    db.session.commit()
    client = login("head")
    data = batch_pdf(client, "/students/sheets", {"class_id": world.class_a1.id})
    assert pdf_pages(data) == 4
    text = pdf_text(data)
    assert all(name in text for name in ("张三", "甲", "乙", "丙")) and "李四" not in text
    refused = client.post("/students/sheets", data={"q": "nobody"})
    assert refused.status_code == 422 and "没有符合筛选条件的学生" in refused.text


def test_print_preview_is_the_same_html_and_scope_holds(world, login):
    client = login("head")
    preview = client.get(f"/students/{world.s_a1.id}/sheet")
    assert "学生信息表" in preview.text and "print.css" in preview.text
    assert client.get(f"/students/{world.s_b1.id}/sheet.pdf").status_code == 404


def test_the_fetcher_serves_only_our_static_files(app):
    fetcher = pdf.StaticFetcher(app.static_folder)
    response = fetcher.fetch(pdf.ORIGIN + "/static/css/print.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    response.close()
    for url in (pdf.ORIGIN + "/static/../app.py", "file:///etc/passwd",
                "http://example.com/x.css", pdf.ORIGIN + "/instance/config.py"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_print_documents_use_our_user_agent_stylesheet_for_every_element_they_hold(app):
    """print-ua.css replaces WeasyPrint's user-agent stylesheet: WeasyPrint still asks for it by
    the method pdf._Document overrides (a link is not painted blue and underlined, as WeasyPrint's
    own sheet would), and it names every element a print template uses."""
    import re
    from pathlib import Path
    lay_out = pdf._lay_out(app.static_folder, app.instance_path)
    page = lay_out('<p><a href="#x" id="x">链接</a></p>').pages[0]._page_box
    link = next(box for box in page.descendants() if getattr(box, "element_tag", "") == "a")
    assert tuple(link.style["color"])[:3] == (0, 0, 0) and link.style["text_decoration_line"] \
        in ("none", None, set(), frozenset())
    selectors = re.sub(r"/\*.*?\*/|@page", "", (Path(app.static_folder) / pdf.USER_AGENT)
                       .read_text(), flags=re.S)
    while "{" in selectors:  # the declarations out, innermost first
        selectors = re.sub(r"\{[^{}]*\}", ",", selectors)
    named = set(re.findall(r"(?<![\w.#:-])([a-z][a-z0-9]*)", selectors))
    used = {tag for template in Path(app.template_folder, "print").glob("*.html")
            for tag in re.findall(r"<([a-z][a-z0-9]*)[\s>/]", template.read_text())}
    assert used - named - {"span", "a"} == set()  # span and a are inline: nothing to name
