"""Scan-in: a stack of signed sheets back in one upload. The pages (one scanned PDF, or a set of
JPG/PNG photos) are split (pypdf), each page's code is read (doc_codes: the QR code every
printed page of a pledge, a notice and a visit form carries), the pages of each document are
kept together as its scan, and each document is marked: a pledge 已签署 (if it was not yet), a
notice's 回执 returned, a visit form's scan attached. A page without a readable code, or whose
document the user may not see, is listed by its number, never guessed.

All or nothing: the files are written, then the rows change in one commit; a failure removes
the files. A replaced scan's old file goes only after the commit. Teachers, who collect the
guardians' letters, may scan in what access.scoped() shows them: their own pledges and their
children's letters."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter

import access
import audit
import doc_codes
import uploads
from extensions import db
from models import CaseNotice, HomeVisit, Pledge
from refusal import Refusal

MAX_PAGES = 300
READ_SIDE = 2400  # px: a page's long side as its code is read (a 15 mm code keeps ~8 px a module)
FOLDERS = {"pledge": uploads.SCANS, "notice": uploads.SCANS, "visit": "visits"}


@dataclass
class Page:
    number: int  # 1-based, across every file of the upload
    source: str  # the file's name, as the user chose it
    data: bytes  # the page alone: a one-page PDF, or the photo as uploaded
    ext: str  # pdf / jpg / png
    code: doc_codes.Code | None = None
    problem: str = ""  # why it was not matched


@dataclass
class Match:
    document: object  # Pledge, CaseNotice or HomeVisit
    kind: str
    pages: list[Page] = field(default_factory=list)
    replaced: bool = False  # it had a scan before

    @property
    def label(self) -> str:
        d = self.document
        if self.kind == "pledge":
            return f"{d.doc_no} {d.title}（{d.party_b_name}）"
        if self.kind == "notice":
            return f"{d.doc_no} {d.kind_label}（{d.case.student.name}）"
        return f"家访记录表 JF-{d.id:06d}（{d.student.name}，{d.visited_on}）"


@dataclass
class Result:
    matched: list[Match]
    unmatched: list[Page]

    @property
    def pages(self) -> int:
        return sum(len(m.pages) for m in self.matched) + len(self.unmatched)


def _picture(data: bytes) -> Image.Image | None:
    """A photo or a scanned page's image, upright and small enough to read quickly."""
    try:
        image = Image.open(BytesIO(data))
        image.draft("L", (READ_SIDE, READ_SIDE))
        image = ImageOps.exif_transpose(image).convert("L")
        image.thumbnail((READ_SIDE, READ_SIDE))
        return image
    except (OSError, Image.DecompressionBombError):
        return None


def split(files: Iterable) -> list[Page]:
    """Every page of the uploaded files, each with its code read. A file that is not a PDF,
    JPG or PNG refuses the whole upload, naming the file."""
    pages: list[Page] = []
    for upload in files:
        data = upload.read()
        name = upload.filename or "未命名文件"
        try:
            ext = uploads.kind(data)
        except Refusal as refusal:
            raise Refusal(f"“{name}”：{refusal}") from refusal
        if ext == "pdf":
            try:
                reader = PdfReader(BytesIO(data))
                count = len(reader.pages)
            except Exception as error:  # noqa: BLE001 - pypdf raises many kinds on a broken file
                raise Refusal(f"“{name}”打不开（PDF 文件可能已损坏），请重新扫描后上传。") from error
            for index in range(count):
                _limit(len(pages) + 1)
                writer = PdfWriter()
                writer.add_page(reader.pages[index])
                out = BytesIO()
                writer.write(out)
                picture = uploads.page_image(data, index)
                pages.append(_read(Page(len(pages) + 1, name, out.getvalue(), "pdf"), picture))
        else:
            _limit(len(pages) + 1)
            pages.append(_read(Page(len(pages) + 1, name, data, ext), data))
    if not pages:
        raise Refusal("请选择扫描好的 PDF 文件，或手机拍的 JPG/PNG 照片（可以一次选多张）。")
    return pages


def _limit(count: int) -> None:
    if count > MAX_PAGES:
        raise Refusal(f"一次最多 {MAX_PAGES} 页，请分几次上传。")


def _read(page: Page, picture: bytes | None) -> Page:
    image = _picture(picture) if picture else None
    if image is None:
        page.problem = "这一页不是扫描件或照片（系统打印的 PDF 不能回收，请上传签字后扫描或拍照的文件）"
        return page
    codes = set(doc_codes.read(image))
    if len(codes) == 1:
        page.code = codes.pop()
    else:
        page.problem = "一页上有两个文书编号" if codes else "没有找到二维码（可能太模糊、被遮挡或没有扫全）"
    return page


def _document(code: doc_codes.Code):
    if code.kind == "pledge":
        return db.session.scalar(access.scoped(Pledge).where(Pledge.doc_no == code.number))
    if code.kind == "notice":
        return db.session.scalar(access.scoped(CaseNotice).where(
            CaseNotice.doc_no == code.number))
    if code.number.isdigit():
        return db.session.scalar(access.scoped(HomeVisit).where(
            HomeVisit.id == int(code.number)))
    return None


def match(pages: list[Page]) -> Result:
    """Each page to its document, in the user's scope; the pages of a document in order."""
    found: dict[tuple[str, str], Match] = {}
    unmatched = []
    for page in pages:
        if page.code is None:
            unmatched.append(page)
            continue
        key = (page.code.kind, page.code.number)
        if key not in found:
            document = _document(page.code)
            if document is None:
                page.problem = f"编号 {page.code.number} 不存在，或不在您的管理范围内"
                unmatched.append(page)
                continue
            found[key] = Match(document, page.code.kind)
        found[key].pages.append(page)
    return Result(list(found.values()), unmatched)


def _combined(pages: list[Page]) -> tuple[bytes, str]:
    """One file of a document's pages: a single photo as it came, else one PDF."""
    if len(pages) == 1:
        return pages[0].data, pages[0].ext
    writer = PdfWriter()
    for page in pages:
        if page.ext == "pdf":
            writer.append(BytesIO(page.data))
        else:
            out = BytesIO()
            ImageOps.exif_transpose(Image.open(BytesIO(page.data))).convert("RGB").save(
                out, "PDF", resolution=150)
            writer.append(BytesIO(out.getvalue()))
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), "pdf"


def attach(result: Result, today: date) -> None:
    """Store each document's scan and mark it; commits. Old scans are removed afterwards."""
    written, old = [], []
    try:
        for m in result.matched:
            data, ext = _combined(m.pages)
            folder = FOLDERS[m.kind]
            name = uploads.store(folder, f"{m.kind}-{m.document.id}", data, ext)
            written.append(uploads.folder(folder) / name)
            column = "file_path" if m.kind == "visit" else "scan_path"
            previous = getattr(m.document, column)
            if previous:
                m.replaced = True
                old.append(uploads.folder(folder) / previous)
            setattr(m.document, column, name)
            if m.kind == "pledge" and m.document.status in ("generated", "printed"):
                m.document.advance("signed", today)
            elif m.kind == "notice":
                m.document.receipt_on = m.document.receipt_on or today
        audit.record("import", f"扫描回收 {result.pages} 页：对应文书 {len(result.matched)} 份，"
                               f"未识别 {len(result.unmatched)} 页", table_name="pledges",
                     after={"pages": result.pages, "documents": len(result.matched),
                            "unmatched": [p.number for p in result.unmatched]})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    for path in old:
        path.unlink(missing_ok=True)
