"""控辍保学责任网络表: the network of network.py on one sheet, for a school or the township."""
import access
import audit
import clock
import pdf
import printjobs
from blueprints.responsibility.network import (government_line, group, school_line,
                                               schools_asked, this_year)
from extensions import db
from models import School
from params import whole


@printjobs.batch("network")
def network_batch(params: dict) -> printjobs.Batch:
    """控辍保学责任网络表 of a school or of every school the user sees."""
    school_id = whole(params.get("school"))
    schools = schools_asked(school_id)
    label = access.unit_of(school_id)[0]
    title = f"{label}控辍保学责任网络表"
    year = this_year()
    return printjobs.Batch(title=title, filename=f"{title}.pdf", parts=[pdf.Part(
        "print/network.html", {"title": title, "year": year, "today": clock.today(),
                               "nets": school_line(schools, year),
                               "group": group(), "villages": government_line(),
                               "township": db.session.get(School, access.township_id())})],
        finish=lambda: audit.record("export", f"打印{title}", table_name="grade_leads",
                                    after={"format": "pdf"}))
