"""A user's batch prints: progress while the worker renders, then the download (printjobs.py)."""
from flask import render_template, send_file

import access
import printjobs
from blueprints.prints import bp
from extensions import db
from models import PrintJob, now
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
