"""Aid on paper: the finance office's Excel (发放表) and the 公示 list for posting (PDF)."""
from __future__ import annotations

from datetime import date, timedelta

import access
import clock
from extensions import db
from params import whole
import audit
import excel
import pdf
import printjobs
from blueprints.aid import grants
from models import AidGrant, AidProgram, School, yuan
from refusal import Refusal

# (header, width): the columns a township finance office asks for.
COLUMNS = [("序号", 6), ("学校", 16), ("年级班级", 11), ("姓名", 10), ("性别", 6),
           ("身份证号", 21), ("资助类别", 16), ("寄宿", 6), ("金额（元）", 11), ("发放方式", 14),
           ("状态", 8), ("申请日期", 12), ("发放日期", 12), ("说明", 24)]


def workbook(program: AidProgram, entries: list[AidGrant], full_ids: bool) -> bytes:
    """Every entry (corrections included, so the sum is the net paid), then the total."""
    rows = []
    for n, g in enumerate(entries, 1):
        s = g.student
        rows.append([n, g.school.name, s.class_label, s.name, s.sex,
                     (s.id_number or "") if full_ids else s.masked_id,
                     "、".join(program.categories(s)) or program.rule_label,
                     "是" if s.boarder else "", yuan(g.amount),
                     g.method_label, g.status_label, g.applied_on.isoformat(),
                     g.paid_on.isoformat() if g.paid_on else "", g.note])
    total = sum(g.amount for g in entries)
    return excel.table(program.name[:31], COLUMNS, rows, text_columns=(6, 9),
                       footer=["合计", "", "", f"{len({g.student_id for g in entries})} 人",
                               "", "", "", "", yuan(total)])


PUBLICITY_DAYS = 5  # working days a 资助公示 stays up


def publicity_end(start: date) -> date:
    """The last day of a 公示期 of PUBLICITY_DAYS working days (Monday to Friday) from start."""
    day, left = start, PUBLICITY_DAYS - (start.weekday() < 5)
    while left > 0:
        day += timedelta(days=1)
        left -= day.weekday() < 5
    return day


@printjobs.batch("aid_notice")
def notice_batch(params: dict) -> printjobs.Batch:
    """公示名单 for posting at school: as the student-aid publicity rules allow, each child's
    school, grade and class, name and amount only (no ID number, no family category: 脱贫, 低保
    or 残疾 beside a child's name is not for a notice board), for a 公示期 of 5 working days."""
    program = access.get_or_404(AidProgram, int(params["id"]))
    rows = grants.paid(program, whole(params.get("school")))  # paid, eligible today or not
    if not rows:
        raise Refusal("这个项目还没有发放记录，没有可公示的名单。")
    schools = sorted({r.grants[0].school_id for r in rows})  # the schools that paid
    label = access.get_or_404(School, schools[0]).name if len(schools) == 1 else "全镇"

    def finish():
        audit.record("export", f"打印资助公示名单：{program.name} {label} {len(rows)} 人",
                     table_name="aid_grants",
                     after={"rows": len(rows), "format": "pdf", "full_ids": False})

    return printjobs.Batch(
        title=f"资助公示：{program.name}（{label}，{len(rows)} 人）",
        filename=f"资助公示-{program.name}-{label}.pdf",
        parts=[pdf.Part("print/aid_notice.html", {
            "program": program, "rows": rows, "scope_label": label, "today": clock.today(),
            "township": db.session.get(School, program.central_id),
            "until": publicity_end(clock.today()),
            "total": sum(r.total for r in rows)})],
        finish=finish)
