"""A user's batch prints: progress while the worker renders, then the download (printjobs.py);
and the way back in: a stack of signed sheets scanned in at once (scanin.py)."""
from flask import render_template, request, send_file
import clock
from forms import Form

import access
import printjobs
import uploads
from blueprints.prints import bp, scanin
from extensions import db
from models import PrintJob, now
from refusal import Refusal
from responses import message_response, page_or_fragment


@bp.route("/")
@access.require(*access.EVERYONE)
def index():
    jobs = db.session.scalars(access.scoped(PrintJob).where(
        PrintJob.created_at > now() - PrintJob.KEEP_FOR).order_by(PrintJob.id.desc())).all()
    return render_template("prints/index.html", jobs=jobs)


@bp.route("/<int:job_id>")
@access.require(*access.EVERYONE)
def show(job_id):
    """The job's page; htmx polls its progress box (#print-job) until the PDF is ready."""
    job = access.get_or_404(PrintJob, job_id)
    return page_or_fragment("prints/show.html", "prints/_job.html", "print-job", job=job,
                            ahead=printjobs.queue_position(job))


@bp.route("/<int:job_id>.pdf")
@access.require(*access.EVERYONE)
def download(job_id):
    job = access.get_or_404(PrintJob, job_id)
    path = printjobs.file_of(job)
    if job.gone:
        path.unlink(missing_ok=True)
    if job.status != "done" or job.gone or not path.is_file():
        return message_response("这个打印文件已不存在（只保留一天）或还没有完成，请重新打印。", 404)
    return send_file(path, mimetype="application/pdf", download_name=job.filename)


@bp.route("/scan-in")
@access.require(*access.MARKERS)
def scan_in():
    """签字文书扫描回收: the upload form."""
    return _scan_in_page(None)


@bp.route("/scan-in/upload", methods=["POST"])
@access.require(*access.MARKERS)
def scan_in_upload():
    """One upload of a scanned stack; answers with the form and what was found. A refusal (a
    file that is not a scan) goes back to the form with its message (responses.py)."""
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        raise Refusal("请选择扫描好的 PDF 文件，或手机拍的 JPG/PNG 照片（可以一次选多张）。")
    result = scanin.match(scanin.split(files))
    scanin.attach(result, clock.today())
    return _scan_in_page(result)


def _scan_in_page(result):
    return render_template("prints/scan_in.html", form=Form(), result=result,
                           MAX_PAGES=scanin.MAX_PAGES, limit=_limit_text())


def _limit_text() -> str:
    """The upload's own limit, also on the page that shows the form (a GET has the default)."""
    return f"{uploads.LARGE_UPLOADS['prints.scan_in_upload'] // (1024 * 1024)} MB"
