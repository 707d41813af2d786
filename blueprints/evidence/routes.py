"""佐证材料: pick a school and term, see what the evidence pack will hold, print it through the
print worker (pack.py assembles it). Central roles print for any school of the township, a
village head for their own school, an inspector may print (a POST that writes nothing);
teachers do not see the page."""
from flask import render_template, request, url_for

import access
import printjobs
from blueprints.evidence import bp, pack
from responses import after_write



@bp.route("/")
@access.require(*access.SCHOOL_READERS)
def index():
    school, term, schools, terms = pack.choose(request.args.get("school"),
                                               request.args.get("term"))
    contents = pack.assemble(school, term, ledger_rows=False) if school and term else None
    return render_template("evidence/index.html", school=school, term=term, schools=schools,
                           terms=terms, contents=contents)


@bp.route("/print", methods=["POST"])
@access.require(*access.SCHOOL_READERS, writes=False)
def print_pack():
    job = printjobs.start("evidence", {k: request.form.get(k, "") for k in ("school", "term")})
    return after_write(url_for("prints.show", job_id=job.id))
