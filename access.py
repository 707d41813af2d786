"""Who may do what, and who sees which rows: the one place that decides.

- Every view declares its roles with @require(...) or @public; a view without a decision is
  refused (deny by default), and tests/test_access.py walks app.url_map to keep it that way.
- Every query of school-owned rows goes through scoped(Model) / get_or_404(Model, id):
  central roles see their township (one central school and the schools it leads), a village head
  their own school, a teacher their own classes' children, an inspector reads their township or,
  with no school, the whole county, and writes nothing. A row out of scope is a 404.
"""
from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import abort, current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import aliased

import clock
from extensions import db, login_manager, plain_rows
from models import (ROLES, Absence, ActionItem, Activity, ActivityPhoto, AidGrant, AidProgram,
                    AuditLog, Cadre, CaseNotice, CaseStep, ClassGroup, CounselingRecord,
                    DisabledChild, DropoutCase, EarlyWarning, FollowUp, GradeLead, GroupMember,
                    Guardian, HomeVisit, HouseholdChild, Leaver, Meeting, Pledge, PledgeTemplate,
                    PrintJob, RecordCheck, Responsibility, RiskOverride, School, SchoolReport,
                    StatusChange, Student, Term, TutoringPair, TutoringSession, User, WorkSummary,
                    school_year_of)

# Every group of roles a route declares (@require) is named here, for what it may do. Templates
# ask can(endpoint), area modules ask these names and functions: no role's name elsewhere.
EVERYONE = tuple(ROLES)
CENTRAL = ("central_officer", "central_leader")
OFFICER = ("central_officer",)
# Who keeps the register and a school's papers (pledges, aid, activities, 包保 lines): the
# central officer for the township, a village head for one school.
REGISTER_EDITORS = ("central_officer", "village_head")
# Who marks attendance, closes warnings, records visits and follow-ups: those who know the child.
MARKERS = ("central_officer", "village_head", "teacher")
# Everyone who works in the schools (not the county's read-only inspector): 结对帮扶's contacts,
# a meeting's decision marked done by whoever it was given to.
STAFF = ("central_officer", "central_leader", "village_head", "teacher")
# Whole-school pages (总览, 资助, 工作总结, 佐证材料): a teacher's scope is their classes only.
SCHOOL_READERS = ("central_officer", "central_leader", "village_head", "inspector")
SUMMARY_WRITERS = ("central_officer", "central_leader", "village_head")
# The township's own work (月度推进会, 四查三比对): the central school, and the inspector reading.
TOWN_READERS = ("central_officer", "central_leader", "inspector")
# Who sees full ID numbers (they submit to the 学籍 system); everyone else sees them masked.
FULL_ID_ROLES = ("central_officer", "village_head")
# Posts, not permissions: who heads a school (a pledge's 乙方 at school level, the 负责人 named on
# a pledge), who teaches (a teacher's pledge), who is asked to the monthly meeting by default,
# and whose account the first start-up creates.
SCHOOL_HEADS = ("village_head", "central_leader")  # the first found heads the school
VILLAGE_HEADS = ("village_head",)
TEACHERS = ("teacher",)
MEETING_REGULARS = ("central_officer", "central_leader", "village_head")
FIRST_ACCOUNT = "central_officer"
SCHOOLLESS = ("inspector",)  # a county's inspector may belong to no school
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PUBLIC = frozenset({"*public*"})


def require(*roles: str, writes: bool = True):
    """Declare the roles that may use a view. writes=False marks a POST that changes none of
    the township's records (asking for a batch print, signing out, one's own password), which
    the read-only inspector may use too."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"

    def mark(view):
        view.access_roles = frozenset(roles)
        view.access_writes = writes
        return view
    return mark


def public(view):
    view.access_roles = PUBLIC
    return view


def _me(user=None):
    """The given user, else the signed-in one as itself: each attribute read through Flask-
    Login's current_user proxy looks the user up again (~30 µs; a list page read it ~80 times)."""
    return user if user is not None else current_user._get_current_object()


def _allows(view, method: str, user) -> bool:
    allowed = getattr(view, "access_roles", None)
    if allowed is None:
        return False  # a route nobody decided about is closed
    if allowed is PUBLIC:
        return True
    if not user.is_authenticated or user.role not in allowed:
        return False
    return not (user.role == "inspector" and method not in SAFE_METHODS
                and getattr(view, "access_writes", True))


def can(endpoint: str, method: str = "GET", user=None) -> bool:
    """Whether the user may use the route (its own declaration, as check_request applies it):
    templates show a link (GET) or a form's button (POST) exactly when this is true."""
    view = current_app.view_functions.get(endpoint)
    return view is not None and _allows(view, method, _me(user))


def check_request():
    """before_request: sign-in, role and read-only checks for the endpoint about to run."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions[request.endpoint]
    allowed = getattr(view, "access_roles", None)
    if allowed is None:
        abort(403)  # a route nobody decided about is closed
    if allowed is PUBLIC:
        return None
    user = _me()
    if not user.is_authenticated:
        return login_manager.unauthorized()
    if not _allows(view, request.method, user):
        abort(403)
    return None


def class_scoped(user=None) -> bool:
    """The user sees the children of their own classes (and those they 包), not a school."""
    return _me(user).role == "teacher"


def one_school(user=None) -> bool:
    """The user keeps one school (a village head)."""
    return _me(user).role == "village_head"


def sees_full_ids(user=None) -> bool:
    user = _me(user)
    return user.role in FULL_ID_ROLES


def keeps_attendance(user=None) -> bool:
    """The user answers for rolls being taken: a class's teacher, a school's head, the central
    school (an inspector reads them, and is not told of rolls not taken)."""
    return _me(user).role in STAFF


def acts_for_township(user=None) -> bool:
    """The central officer: the township's own steps (上报 and 申请 to the county, a child's
    responsible school) beside what every school records."""
    user = _me(user)
    return user.role in OFFICER


def township_id(user=None) -> int | None:
    user = _me(user)
    return user.school.township_id if user.school else None


def _county(user) -> bool:
    """The county-level inspector: reads every school of the county."""
    return user.role == "inspector" and user.school_id is None


def _school_condition(user):
    if _county(user):
        return sa.true()
    if user.role in CENTRAL or user.role == "inspector":
        town = township_id(user)
        return sa.or_(School.id == town, School.parent_id == town)
    return School.id == user.school_id


def school_ids(user=None):
    """A subquery of the ids of the schools the user may see."""
    user = _me(user)
    return sa.select(School.id).where(_school_condition(user))


# A table of a few rows a township linked to a child (cases, visits ...) is scoped by EXISTS,
# each row against its own child: the open cases 7.0 → 0.4 ms against IN a list of the
# township's 5,000 ids built for every query. A table of many rows a child (absences,
# guardians ...) keeps the list, which its student index serves (a month's absences of a
# township: 110 ms so, 450 ms child by child). The EXISTS has its own students beside a join.
# Made once: a new alias of the register costs SQLAlchemy ~3 ms to adapt on its first use,
# and a teacher's home page scopes six statements by it (the bench's teacher's / 34 → 26 ms).
_OWN_CHILD = aliased(Student, name="own_child")


def _condition(model, user):
    """The condition on `model`'s rows that the user may see, built once a request for each
    model and user (a child's page scopes ten statements, each rebuilding the same subqueries:
    ~0.1 ms apiece); the key holds what the condition is made of, so a user moved to another
    school or township in the same request gets a new one."""
    scopes = g.setdefault("scopes", {})
    key = (model, user.id, user.role, user.school_id, township_id(user))
    if key not in scopes:
        scopes[key] = _build_condition(model, user)
    return scopes[key]


def _teachers_children(user):
    """A teacher's children: of the classes they head, and those they 包. One list of ids, not
    "class IN ... OR id IN ...": with the OR, both engines read the register in name order to
    find a class of 55 (PostgreSQL 10.3 -> 0.8 ms)."""
    child = _OWN_CHILD
    own = sa.select(child.id).where(child.class_id.in_(
        sa.select(ClassGroup.id).where(ClassGroup.head_teacher_id == user.id)))
    assigned = sa.select(Responsibility.student_id).where(Responsibility.user_id == user.id)
    return Student.id.in_(sa.union(own, assigned))


def _build_condition(model, user):
    if _county(user) and model not in (PrintJob, CounselingRecord):
        return sa.true()  # the whole county, without a subquery of its 50,000 children
    if model is School:
        return _school_condition(user)
    if model is Student:
        if user.role == "teacher":
            return _teachers_children(user)
        return Student.school_id.in_(school_ids(user))
    if model is TutoringPair and user.role == "teacher":  # their own pairs, their children's
        return sa.or_(TutoringPair.teacher_id == user.id, TutoringPair.student_id.in_(
            sa.select(Student.id).where(_condition(Student, user))))
    if model is TutoringSession:
        return TutoringSession.pair_id.in_(sa.select(TutoringPair.id).where(
            _condition(TutoringPair, user)))
    if model in (CaseStep, FollowUp, CaseNotice):
        return model.case_id.in_(sa.select(DropoutCase.id).where(_condition(DropoutCase, user)))
    if model in (DropoutCase, HomeVisit, RiskOverride, RecordCheck, Leaver):  # few rows (above)
        return sa.exists().where(Student.id == model.student_id,
                                 _condition(Student, user)).correlate_except(Student)
    if model is AidGrant and user.role != "teacher":  # a child's grants, and what the user's
        # schools paid: the payer's accounts keep a child paid who moved on since
        return sa.or_(AidGrant.school_id.in_(school_ids(user)), AidGrant.student_id.in_(
            sa.select(Student.id).where(_condition(Student, user))))
    if model in (Guardian, StatusChange, Responsibility, AidGrant, Absence, EarlyWarning):
        return model.student_id.in_(sa.select(Student.id).where(_condition(Student, user)))
    if model is DisabledChild:  # the township's list; a school the children it is responsible for
        if user.role in CENTRAL or user.role == "inspector":
            return DisabledChild.central_id == township_id(user)
        registered = DisabledChild.student_id.in_(sa.select(Student.id).where(
            _condition(Student, user)))  # a child on the register: where the record is now
        if user.role == "teacher":
            return registered
        return sa.or_(registered, sa.and_(DisabledChild.student_id.is_(None),
                                          DisabledChild.school_id.in_(school_ids(user))))
    if model is ClassGroup:
        if user.role == "teacher":
            return ClassGroup.head_teacher_id == user.id
        return ClassGroup.school_id.in_(school_ids(user))
    if model is User:
        return User.school_id.in_(school_ids(user))
    if model is CounselingRecord:  # confidential: the school's staff; a teacher their own
        if user.role == "inspector":  # and their children's; never an inspector
            return sa.false()
        if user.role == "teacher":
            return sa.or_(CounselingRecord.counselor_id == user.id,
                          CounselingRecord.student_id.in_(sa.select(Student.id).where(
                              _condition(Student, user))))
        return CounselingRecord.school_id.in_(school_ids(user))
    if model in (TutoringPair, Activity, ActivityPhoto, GradeLead, SchoolReport):
        return model.school_id.in_(school_ids(user))
    if model is WorkSummary:  # a school's summaries, and the township's for central roles
        if user.role in CENTRAL or user.role == "inspector":
            return WorkSummary.central_id == township_id(user)
        if user.role == "village_head":
            return WorkSummary.school_id == user.school_id
        return sa.false()
    if model is Pledge:
        if user.role == "teacher":  # their own pledges and their children's guardian letters
            return sa.or_(Pledge.user_id == user.id,
                          Pledge.student_id.in_(sa.select(Student.id).where(
                              _condition(Student, user))))
        return Pledge.school_id.in_(school_ids(user))
    if model is ActionItem:  # a meeting's decisions: the township's, or one school's
        return ActionItem.meeting_id.in_(sa.select(Meeting.id).where(_condition(Meeting, user)))
    # township-wide lists kept by the central school
    if model in (Term, Cadre, PledgeTemplate, AidProgram, HouseholdChild, Meeting, GroupMember):
        return model.central_id == township_id(user)
    if model is PrintJob:  # a batch print is its owner's alone
        return PrintJob.user_id == user.id
    if model is AuditLog:  # and the sign-in failures no school can be told for (an unknown
        # username, a PC trying many): their summaries name only the PC's address
        return sa.or_(AuditLog.school_id.in_(school_ids(user)),
                      sa.and_(AuditLog.school_id.is_(None),
                              AuditLog.action.in_(("login_failed", "login_throttled"))))
    raise LookupError(f"access.py has no scope for {model.__name__}")


KEPT = 64  # statements a per_scope function keeps: a township's staff each have their own


def per_scope(make):
    """A function that builds a statement, made to build it once for each scope and arguments
    instead of once a request: building a statement and its cache key costs SQLAlchemy 0.1-0.9
    ms apiece, and a list page runs five to ten (the officer's risk list 11.5 -> 10.0 ms with
    four of them kept). The key is the signed-in user's scope (the user, role, school and
    township that _condition() reads) and the arguments, statements among them known by what
    they say (their cache key with its values), so an equal statement built again by another
    caller finds the same one. `make` must be a pure function of these: every value it writes
    into the statement comes from an argument (a date, a school, a page's offset), none from
    the request, the clock or the settings. A kept statement is ~20 KB (an officer's first views
    of fifteen list pages keep 55 of them, 1.1 MB); each function keeps its last KEPT, at most
    ~60 MB for the ~45 functions however many users."""
    @functools.lru_cache(maxsize=KEPT)
    def made(_scope, *_keys, args):
        return make(*args)

    @functools.wraps(make)
    def statement(*args):
        user = _me()
        return made((user.id, user.role, user.school_id, township_id(user)),
                    *map(_known_by, args), args=_Unkeyed(args))
    return statement


@per_scope
def count_of(stmt: sa.Select) -> sa.Select:
    """The count of a statement's rows, in place of its columns (a list's total)."""
    return stmt.with_only_columns(sa.func.count()).order_by(None)


@per_scope
def page_of(stmt: sa.Select, limit: int, offset: int) -> sa.Select:
    """`limit` of a statement's rows from `offset` (a list's page)."""
    return stmt.limit(limit).offset(offset)


def _known_by(arg):
    """An argument of a per_scope function as its cache key: a statement by what it says."""
    if isinstance(arg, sa.ClauseElement):
        key = arg._generate_cache_key()
        if key is None:
            raise TypeError("per_scope: a statement SQLAlchemy cannot cache")
        return key.key, tuple(_hashable(p.effective_value) for p in key.bindparams)
    return arg


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


class _Unkeyed(tuple):
    """The arguments themselves, passed along but left out of the cache's key."""
    def __hash__(self):
        return 0

    def __eq__(self, other):
        return isinstance(other, _Unkeyed)


def scoped(model, user=None) -> sa.Select:
    """select(model) restricted to the rows the user may see."""
    user = _me(user)
    return sa.select(model).where(_condition(model, user))


def among(ids: sa.Select):
    """The condition "Student.id IN ids" on Student rows. When `ids` is a plain select of
    student ids (scoped(Student) with filters, nothing joined or grouped) its WHERE clause says
    the same without a list of ids for the database to build and probe: 46 of 97 ms for the
    county reader's 50,000 children in the dashboard's count of who stayed enrolled.
    Whether it is plain is found by writing out both statements (1.6 ms), once for each shape
    of statement: the shape is SQLAlchemy's cache key, which leaves out the values (a risk list
    asks three times a request for the same shape)."""
    plain = sa.select(Student.id).where(ids.whereclause if ids.whereclause is not None
                                        else sa.true())
    key = ids._generate_cache_key()  # None for a statement SQLAlchemy cannot cache
    known = _PLAIN.get(key.key) if key is not None else None
    if known is None:
        known = str(plain) == str(ids.where(sa.true()))
        if key is not None and len(_PLAIN) < 1000:
            _PLAIN[key.key] = known
    return plain.whereclause if known else Student.id.in_(ids)


_PLAIN: dict = {}  # among(): the shape of a select of student ids -> whether it is plain


def schools() -> list[School]:
    """The schools the user may see, the central school first: every school list and filter."""
    return db.session.scalars(_schools()).all()


@per_scope
def _schools() -> sa.Select:
    return scoped(School).order_by(School.kind, School.name)


def school_choices(active: bool = False) -> list:
    """(id, name) rows of the schools the user may see (the active ones only when `active`), in
    schools()' order: what a list's school filter offers, read as plain rows (the county's 150
    schools as ORM rows took 0.64 ms, as rows 0.14 ms)."""
    return plain_rows(_school_choices(active))


@per_scope
def _school_choices(active: bool) -> sa.Select:
    stmt = _schools().with_only_columns(School.id, School.name)
    return stmt.where(School.active.is_(True)) if active else stmt


def terms() -> list[Term]:
    """The township's terms the user may see, newest first."""
    return db.session.scalars(_terms()).all()


@per_scope
def _terms() -> sa.Select:
    return scoped(Term).order_by(Term.school_year.desc(), Term.semester.desc())


def get_or_404(model, row_id, options=()):
    """One row the user may see, or 404: another school's row does not exist for them.
    `options` are loader options for what the page reads of it."""
    row = db.session.scalar(_one(model, options), {"row_id": row_id})
    if row is None:
        abort(404)
    return row


def unit_of(school_id: int | None) -> tuple[str, str]:
    """(label, unit) of a paper of one school, or of every school the user sees: the school's
    name twice (a school asked for, checked; or a head's one school; a teacher's, with the
    classes they head, which are all the paper holds); 全镇 and the central school that keeps
    and seals it; 全县 and no unit for the county's reader."""
    mine = schools() if not school_id else []
    if school_id or len(mine) == 1:
        name = (get_or_404(School, school_id) if school_id else mine[0]).name
        if class_scoped() and not school_id:
            classes = db.session.scalars(scoped(ClassGroup).where(
                ClassGroup.school_year == school_year_of(clock.today()))).all()
            return name + "、".join(c.label for c in classes), name
        return name, name
    town = township_id()
    return ("全镇", db.session.get(School, town).name) if town else ("全县", "")


@per_scope
def _one(model, options: tuple) -> sa.Select:
    """get_or_404()'s statement, the row's id a parameter (`row_id`)."""
    return scoped(model).where(model.id == sa.bindparam("row_id")).options(*options)


# Duplicate checks must look past the user's scope (an ID is unique in the whole database), so
# they live here and answer only the name of the school that holds the record, nothing more.
def id_number_holder(number: str, exclude_id: int | None = None) -> str | None:
    return _holder(Student.id_number == number, exclude_id)


def student_no_holder(number: str, exclude_id: int | None = None) -> str | None:
    return _holder(Student.student_no == number, exclude_id)


def document_holder(id_type: str, number: str, exclude_id: int | None = None) -> str | None:
    """The school holding a child with this document (a passport, a 港澳台 document)."""
    return _holder(sa.and_(Student.id_type == id_type, Student.id_document == number), exclude_id)


def holders(column, values) -> dict[str, str]:
    """{value: school name} for the values of Student.id_number or Student.student_no that are
    already registered anywhere (batched for imports)."""
    found: dict[str, str] = {}
    values = list(values)
    for start in range(0, len(values), 500):
        found.update(db.session.execute(
            sa.select(column, School.name).join(School, Student.school_id == School.id)
            .where(column.in_(values[start:start + 500]))).all())
    return found


def records_by_id(values) -> dict[str, tuple[str, str]]:
    """{ID number: (school name, status)} for children registered anywhere (四查三比对 asks
    whether a child on the 户籍 list is in any school; an enrolled record wins)."""
    found: dict[str, tuple[str, str]] = {}
    values = list(values)
    for start in range(0, len(values), 500):
        for number, school, status in db.session.execute(
                sa.select(Student.id_number, School.name, Student.status)
                .join(School, Student.school_id == School.id)
                .where(Student.id_number.in_(values[start:start + 500]))):
            if number not in found or status in ("enrolled", "suspended"):
                found[number] = (school, status)
    return found


def _holder(condition, exclude_id):
    stmt = sa.select(School.name).join(Student, Student.school_id == School.id).where(condition)
    if exclude_id:
        stmt = stmt.where(Student.id != exclude_id)
    return db.session.scalar(stmt.limit(1))
