"""Printing pledges: the list's filters, and the print batch of pledges (one or many)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
import clock
from params import whole
import audit
import pdf
import printjobs
from extensions import db
from filters import ListFilter, choice, number
from models import PLEDGE_KINDS, PLEDGE_STATUSES, Pledge, PledgeTemplate, School, Student
from refusal import Refusal

MAX_BATCH = 300


@dataclass
class PledgeFilter(ListFilter):
    """The pledges list's filters, and a batch print's (its stored parameters)."""
    term: int | None = number()
    school: int | None = number()
    kind: str = choice(PLEDGE_KINDS)
    status: str = choice({*PLEDGE_STATUSES, "unsigned"})  # unsigned: generated or printed

    def statement(self) -> sa.Select:
        stmt = access.scoped(Pledge)
        if self.term is not None:
            stmt = stmt.where(Pledge.term_id == self.term)
        if self.school is not None:
            stmt = stmt.where(Pledge.school_id == self.school)
        if self.kind:
            stmt = stmt.join(PledgeTemplate).where(PledgeTemplate.kind == self.kind)
        if self.status == "unsigned":
            stmt = stmt.where(Pledge.status.in_(("generated", "printed")))
        elif self.status:
            stmt = stmt.where(Pledge.status == self.status)
        return stmt.order_by(Pledge.school_id, Pledge.doc_no)

    def rows(self) -> list[Pledge]:
        """The list: the first 500, with their schools, templates and children."""
        return db.session.scalars(self.kept(_shown)).all()

    def unsigned(self) -> list:
        """(school name, how many) of the pledges listed not yet signed."""
        return db.session.execute(_unsigned(self.kept())).all()


def _shown(stmt: sa.Select) -> sa.Select:
    return stmt.options(selectinload(Pledge.school), selectinload(Pledge.template),
                        selectinload(Pledge.student)).limit(500)


@access.per_scope
def _unsigned(listed: sa.Select) -> sa.Select:
    return (sa.select(School.name, sa.func.count()).join(Pledge, Pledge.school_id == School.id)
            .where(Pledge.id.in_(listed.with_only_columns(Pledge.id).order_by(None)),
                   Pledge.status.in_(("generated", "printed")))
            .group_by(School.name).order_by(School.name))


@printjobs.batch("pledges")
def batch(params: dict) -> printjobs.Batch:
    """One pledge ({"id": n}) or the pledges of the list's filters. A print the school asks
    for by POST ({"mark": True}; central officer, village head) marks them 已打印: the paper
    goes out for signature. A preview's GET download changes nothing."""
    if "id" in params:
        pledges = [access.get_or_404(Pledge, whole(params["id"]))]
    else:
        children = selectinload(Pledge.student)  # what a letter prints of its child, at once
        pledges = db.session.scalars(PledgeFilter.from_args(params).statement().options(
            children.selectinload(Student.guardians), children.joinedload(Student.class_group))
            .limit(MAX_BATCH + 1)).all()
    if not pledges:
        raise Refusal("没有符合筛选条件的文书。")
    if len(pledges) > MAX_BATCH:
        raise Refusal(f"一次最多打印 {MAX_BATCH} 份，请按学校或文书类型筛选后再打印。")

    def finish():
        if params.get("mark") and access.can("pledges.advance", "POST"):  # the school's print
            for p in pledges:
                if p.status == "generated":
                    p.advance("printed", clock.today())
        audit.record("export", f"打印责任书/承诺书 {len(pledges)} 份", table_name="pledges",
                     row_id=pledges[0].id if len(pledges) == 1 else None,
                     after={"rows": len(pledges), "format": "pdf"})

    one = pledges[0]
    # 一式两份: the copies are identical (DECISION: as the clause says, each party holds one
    # of equal standing; they are not numbered), so each pledge is laid out once and printed twice
    parts = [pdf.Part("print/pledge.html", {"pledges": [p]}, copies=p.template.copies)
             for p in pledges]
    count = pdf.copies(parts)  # counted in copies (2 a pledge), as the job page counts
    return printjobs.Batch(
        title=(f"{one.title}（{one.party_b_name}，{count} 份）" if len(pledges) == 1
               else f"责任书与承诺书 {len(pledges)} 件（共 {count} 份）"),
        filename=(f"{one.title}-{one.party_b_name}.pdf" if len(pledges) == 1
                  else f"责任书-{len(pledges)}份-{clock.today():%Y%m%d}.pdf"),
        parts=parts, finish=finish)
