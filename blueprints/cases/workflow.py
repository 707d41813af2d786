"""劝返复学: the one place a case changes state (docs/design.md, Rules).

疑似辍学 → 核查中 → 劝返中 → 已复学 | 核实转学 | 送教上门 | 依法督促 → 销号. Every step is dated, has
an actor and a note; an invalid step is refused with a Chinese message saying what is allowed.
A verified transfer needs its evidence in the note; a return needs a re-entry plan and brings
follow-ups at 1 week and 1 month; 送教上门 changes the child's placement; 销号 needs an outcome
(the state it closes from) and, for a returned child, the 1-month follow-up done. A case still
suspected (not returned) after ATTENDANCE_RULES["dropout_days"] is a dropout: the child's 学籍
status becomes 辍学 and is kept. Like the attendance rules, this module acts for the system on a
case or child the caller has already fetched in scope (mark_dropouts runs nightly, for all).
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

import clock
import uploads
from extensions import db
from models import (CASE_STATES, NOTICE_DAYS, NOTICE_KINDS, CaseNotice, CaseStep, DocumentCounter,
                    DropoutCase, EarlyWarning, FollowUp, HomeVisit, Student, User)
from refusal import Refusal

OUT_STATES = ("suspected", "verifying", "persuading", "legal")  # the child is still out
OUTCOMES = ("returned", "transferred", "home_delivery")
TRANSITIONS = {
    "suspected": ("verifying", "persuading", *OUTCOMES),
    "verifying": ("persuading", *OUTCOMES),
    "persuading": ("legal", *OUTCOMES),
    "legal": OUTCOMES,
    "returned": ("closed", "persuading"),  # away again before 销号: persuade again
    "transferred": ("closed",),
    "home_delivery": ("closed",),
    "closed": (),
}
FOLLOW_UPS = (("复学一周回访", 7), ("复学一个月回访", 30))


def open_case_of(student: Student) -> DropoutCase | None:
    """The child's case not yet closed (a child has one at a time)."""
    return db.session.scalar(sa.select(DropoutCase).where(
        DropoutCase.student_id == student.id, DropoutCase.state != "closed"))


def open_case(student: Student, trigger: str, on: date, user: User | None, reason: str = "",
              note: str = "", out_since: date | None = None) -> DropoutCase:
    """Open a 疑似辍学 case unless the child already has an open one (returned as is);
    out_since: the first day out, when known (an absence run's first day)."""
    existing = open_case_of(student)
    if existing:
        return existing
    case = DropoutCase(student=student, school_id=student.school_id, opened_on=on,
                       out_since=out_since, trigger=trigger, reason=reason, state="suspected")
    case.steps.append(CaseStep(on=on, from_state=None, to_state="suspected", note=note,
                               user_id=user.id if user else None))
    db.session.add(case)
    return case


def marked_dropout(student: Student, on: date, user: User | None, reason: str) -> DropoutCase:
    """A child marked 辍学 by hand (the student page's status form): the child's open case, or a
    new one, is a dropout's from that day, so the 辍学台账 lists the child as the dashboard
    counts it (it waited for the nightly run, or for ever without a case)."""
    case = open_case(student, "manual", on, user, reason=reason, note=f"学籍改为辍学：{reason}")
    case.dropout_on = case.dropout_on or on
    return case


def record_visit(student: Student, warning: EarlyWarning | None, user: User, today: date,
                 photo: bytes = b"", **values) -> tuple[HomeVisit, DropoutCase | None]:
    """A home visit (家访) to a child the caller fetched in scope: its photo or scan checked
    (a Refusal before anything is written) and stored, the warning it answers closed, and the
    visit joined to the child's open case, or, when it found the child gone, to a new 疑似辍学
    case. Returns the visit and its case; the caller commits."""
    ext = uploads.kind(photo) if photo else None
    visit = HomeVisit(student=student, school_id=student.school_id, user_id=user.id,
                      warning_id=warning.id if warning else None, **values)
    if photo:
        visit.file_path = uploads.store("visits", str(student.id), photo, ext)
    db.session.add(visit)
    if warning and warning.status == "open":
        warning.close(f"{visit.mode_label}（{visit.visited_on}）：{visit.outcome_label}。"
                      f"{visit.next_step}",
                      user, today)
    case = db.session.scalar(sa.select(DropoutCase).where(
        DropoutCase.student_id == student.id, DropoutCase.state != "closed"))
    if case is None and "gone" in visit.outcomes:  # why, as the visit found it; since when,
        # as the warning it answers counted (the run's first day)
        reason = "家访发现孩子不在家" + (f"：{'、'.join(visit.reason_labels)}"
                                         if visit.reason_labels else "")
        case = open_case(student, "visit", visit.visited_on, user, reason=reason,
                         note=f"家访：{visit.situation[:200]}",
                         out_since=warning.run_start if warning else None)
    if case is not None:
        db.session.flush()
        visit.case_id = case.id
    return visit, case


def notice_kinds(case: DropoutCase) -> dict[str, str]:
    """The notices a case may issue now: one asking the guardian to bring the child back only
    while the child is out (已复学: a 复学通知书 asked for a child at school)."""
    return {kind: label for kind, label in NOTICE_KINDS.items()
            if kind not in NOTICE_DAYS or case.state in OUT_STATES}


def issue_notice(case: DropoutCase, kind: str, user: User, today: date,
                 again: bool = False) -> CaseNotice:
    """A new numbered notice of the case. A notice keeps its number and date on every reprint
    (printed again from its number), so asking for a kind the case already has is refused
    unless a second one is really meant (a 督促入学通知书 sent again a month later)."""
    if kind not in NOTICE_KINDS:
        raise Refusal("请选择要打印的文书。")
    if kind not in notice_kinds(case):
        raise Refusal(f"这个个案已是“{case.state_label}”，孩子已不在失学状态，"
                      f"不能再向家长发{NOTICE_KINDS[kind]}。")
    issued = [n for n in case.notices if n.kind == kind]
    if issued and not again:
        last = issued[-1]
        raise Refusal(f"这个个案已在 {last.issued_on} 印发过{last.kind_label}（编号 {last.doc_no}）。"
                      "重印请点“文书”中的编号，编号和日期不变；确要另发一份新的，请勾选“另发一份（新编号）”。")
    prefix = f"KF{today.year}-{case.school_id:03d}-"
    notice = CaseNotice(kind=kind, issued_on=today, user_id=user.id,
                        doc_no=f"{prefix}{DocumentCounter.next(prefix):04d}")
    case.notices.append(notice)
    return notice


def allowed(case: DropoutCase) -> tuple[str, ...]:
    return TRANSITIONS[case.state]


def move(case: DropoutCase, to: str, on: date, user: User, note: str,
         reentry_plan: str = "") -> CaseStep:
    """Take one step; the caller commits."""
    note = (note or "").strip()
    if to not in CASE_STATES:
        raise Refusal("没有这个状态。")
    if to not in TRANSITIONS[case.state]:
        names = "、".join(CASE_STATES[s] for s in TRANSITIONS[case.state]) or "无（已销号）"
        raise Refusal(f"“{case.state_label}”的个案不能直接改为“{CASE_STATES[to]}”。"
                        f"可以改为：{names}。")
    if not note:
        raise Refusal("请写明这一步做了什么（谁、怎么做的、结果）。")
    if on < case.opened_on or on > clock.today():
        raise Refusal("日期要在立案之后、今天之前。")
    last = max((step.on for step in case.steps), default=case.opened_on)
    if on < last:  # the steps are the case's history: a step before the last reorders it
        raise Refusal(f"上一步是 {last}，这一步的日期不能更早。")
    if to == "transferred" and not any(w in note for w in ("学校", "学籍", "证明")):
        raise Refusal("核实转学要写明证据：转入学校名称和学籍接收证明等。")
    if to == "returned":
        if not (reentry_plan or "").strip():
            raise Refusal("复学要同时填写复学适应方案（补课、结对、心理疏导等安排）。")
        case.reentry_plan, case.returned_on = reentry_plan.strip(), on
        for label, days in FOLLOW_UPS:
            case.follow_ups.append(FollowUp(label=label, due_on=on + timedelta(days=days)))
        if case.student.status == "dropout":
            case.student.change_status("enrolled", on, "劝返复学", "", user)
    if to == "home_delivery":
        case.student.placement = "home_delivery"
    if to == "closed":
        if case.state == "returned" and not all(f.done_on for f in case.follow_ups):
            raise Refusal("复学的学生要完成一周和一个月回访后才能销号。")
        case.outcome, case.closed_on = case.state, on
    if to == "persuading" and case.state == "returned":  # away again: follow-ups no longer due
        for f in case.follow_ups:
            if f.done_on is None:
                f.note, f.done_on = "再次离校，回访取消", on
    step = CaseStep(on=on, from_state=case.state, to_state=to, note=note, user_id=user.id)
    case.steps.append(step)
    case.state = to
    return step


def follow_up(item: FollowUp, on: date, note: str, user: User) -> None:
    if item.done_on:
        raise Refusal("这次回访已经记录过了。")
    if not (note or "").strip():
        raise Refusal("请写明回访情况（是否按时到校、学习和情绪怎样）。")
    if on < item.case.returned_on or on > clock.today():
        raise Refusal("回访日期要在复学之后、今天之前。")
    item.done_on, item.note, item.user_id = on, note.strip(), user.id


def mark_dropouts(today: date) -> int:
    """Cases suspected past the threshold become dropouts; returns how many."""
    limit = today - timedelta(days=current_app.config["ATTENDANCE_RULES"]["dropout_days"])
    found = db.session.scalars(sa.select(DropoutCase).where(
        DropoutCase.state.in_(OUT_STATES), DropoutCase.dropout_on.is_(None),
        DropoutCase.opened_on < limit)).all()
    for case in found:
        case.dropout_on = today
        if case.student.status == "enrolled":
            case.student.change_status("dropout", today, f"疑似辍学超过"
                                       f"{current_app.config['ATTENDANCE_RULES']['dropout_days']}"
                                       f"天未返校（{case.opened_on} 立案）", case.whereabouts, None)
    return len(found)
