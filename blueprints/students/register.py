"""The register list: filters from the URL, search by name / pinyin initials / ID / 学籍号."""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

import access
import clock
import excel
from blueprints.students.rows import children_of
from extensions import db
from filters import ListFilter, choice, number, text
from models import (FOCUS_FLAGS, PLACEMENTS, STATUSES, ClassGroup, School, Student,
                    school_year_of)
from paging import Page

SORTS = {"pinyin": "按姓名拼音", "class": "按年级班级", "new": "最近登记"}
CJK = re.compile(r"[\u3400-\u9fff]")


def classes_of(school_id: int) -> list[ClassGroup]:
    """This school year's classes of a school, in grade order."""
    return db.session.scalars(_classes_of(school_year_of(clock.today()), school_id)).all()


@access.per_scope
def _classes_of(school_year: int, school_id: int) -> sa.Select:
    return access.scoped(ClassGroup).where(
        ClassGroup.school_year == school_year, ClassGroup.school_id == school_id
    ).order_by(ClassGroup.grade, ClassGroup.name)


@dataclass
class Filters(ListFilter):
    q: str = text(40)
    school: int | None = number()
    grade: int | None = number()
    class_id: int | None = number()
    status: str = choice({*STATUSES, "all"}, "enrolled")  # "all" lists every status
    placement: str = choice(PLACEMENTS)
    flag: str = choice(FOCUS_FLAGS)
    sort: str = choice(SORTS, "pinyin", orders=True)

    def found_by_number(self, ids: list[int]) -> list[Student]:
        """The children of a page (`ids`) found by the whole ID number or 学籍号 typed in the
        search box: the search confirmed that number is theirs (audit.read_ids)."""
        typed = _full_number(self.q)
        return db.session.scalars(sa.select(Student).where(
            Student.id.in_(ids), sa.or_(Student.id_number == typed, Student.student_no == typed))
        ).all() if typed and ids else []

    def class_choices(self, schools: list[School]) -> list[ClassGroup]:
        """The classes the 班级 filter offers: the chosen school's, or none yet for someone who
        sees many schools (a county has ~900). A class chosen alone (a link from 班级管理)
        brings its school along; a class of another school than the one chosen is dropped."""
        if self.class_id and not self.school:
            self.school = db.session.scalar(access.scoped(ClassGroup).with_only_columns(
                ClassGroup.school_id).where(ClassGroup.id == self.class_id))
        school = self.school or (schools[0].id if len(schools) == 1 else None)
        classes = classes_of(school) if school else []
        if self.class_id not in {c.id for c in classes}:
            self.class_id = None
        return classes

    def page(self, number: int, size: int) -> Page:
        """Page `number` of the list, its children as ChildRows with their first guardian's
        phone: counted and paged by the database on their ids (the register's index), the
        statements kept for the user's scope and these filters (access.per_scope)."""
        ids = self.kept(_ids)
        page = Page.numbered(number, size, db.session.scalar(access.count_of(ids)))
        page.items = children_of(db.session.scalars(
            access.page_of(ids, page.per_page, page.offset)).all(), phones=True)
        return page

    def statement(self) -> sa.Select:
        stmt = access.scoped(Student)
        if self.q:
            stmt = stmt.where(search_condition(self.q))
        if self.school:
            stmt = stmt.where(Student.school_id == self.school)
        if self.grade:
            stmt = stmt.where(Student.grade == self.grade)
        if self.class_id:
            stmt = stmt.where(Student.class_id == self.class_id)
        if self.status != "all":
            stmt = stmt.where(Student.status == self.status)
        if self.placement:
            stmt = stmt.where(Student.placement == self.placement)
        if self.flag:
            stmt = stmt.where(getattr(Student, self.flag).is_(True))
        if self.sort == "class":
            stmt = stmt.outerjoin(ClassGroup, Student.class_id == ClassGroup.id).order_by(
                Student.school_id, Student.grade, ClassGroup.name, Student.name_pinyin)
        elif self.sort == "new":
            stmt = stmt.order_by(Student.created_at.desc())
        else:
            stmt = stmt.order_by(Student.name_pinyin)
        return stmt.order_by(Student.id)


def _ids(stmt: sa.Select) -> sa.Select:
    """A list's ids, in its order (Filters.page)."""
    return stmt.with_only_columns(Student.id)


@access.per_scope
def enrolled_ids(school_id: int | None = None) -> sa.Select:
    """The ids of enrolled(): the children a list ranks or counts."""
    return enrolled(school_id).with_only_columns(Student.id)


@access.per_scope
def enrolled(school_id: int | None = None) -> sa.Select:
    """The enrolled children the user may see (of one school when given): what the risk list,
    its ledger and the 结对 needs start from."""
    stmt = access.scoped(Student).where(Student.status == "enrolled")
    return stmt.where(Student.school_id == school_id) if school_id else stmt


def _full_number(q: str) -> str | None:
    """The search text when it is a whole ID number (15 or 18 characters) or 学籍号 (G and an
    ID number, or 19 characters of the 学籍 system), upper-cased, else None."""
    compact = q.replace(" ", "").upper()
    return compact if re.fullmatch(r"G?\d{14}[\dX]|G?\d{17}[\dX]|[A-Z]\d{18}", compact) else None


def search_condition(q: str):
    """张三 by name, zs / zhangs by pinyin, digits by ID number, G… by 学籍号 (any part for the
    roles that see IDs in full; the whole number or the last four digits for the others).
    Full-width digits and letters, as an IME types them, are read as the plain ones."""
    q = excel.text(q)
    if CJK.search(q):
        return Student.name.contains(q, autoescape=True)
    compact = q.replace(" ", "").lower()
    if re.fullmatch(r"[a-z]+", compact):
        return sa.or_(Student.name_initials.startswith(compact, autoescape=True),
                      Student.name_pinyin.startswith(compact, autoescape=True),
                      Student.student_no.startswith(compact.upper(), autoescape=True))
    upper = compact.upper()
    if not access.sees_full_ids():
        # Roles that see IDs masked may find a child by the whole number, or by the last four
        # digits they can see; a partial match would let them rebuild a masked number.
        if len(upper) == 4:
            return sa.or_(Student.id_number.endswith(upper, autoescape=True),
                          Student.student_no.endswith(upper, autoescape=True))
        return sa.or_(Student.id_number == upper, Student.student_no == upper)
    return sa.or_(Student.id_number.contains(upper, autoescape=True),
                  Student.student_no.contains(upper, autoescape=True))
