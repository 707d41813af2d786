"""非正常学籍清理: the worklist of every child whose 学籍 is 其他离校 or 问题学籍, each step of
their clean-up (models/records.py), and the count over time ("from 404 to 45").

The worklist holds the children still 非正常 and those whose clean-up has ended (办结), so a
township sees what it did. A child who came back to school (劝返, status 在读) leaves it: their
check stays on their record. Steps go in order and none is dated in the future: 去向 verified
(how, by whom, when), then 上报, then 申请转学/删除, then 办结, which changes the child's status
to 转出 or 已删除学籍 (in their history, with the 去向) and cannot be taken back here: a mistake
is corrected by another status change in the register.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

import access
import uploads
from blueprints.dashboard import metrics
from extensions import db
from models import (ABNORMAL, AT_SCHOOL, DONE_STATUS, STATUSES, RecordCheck, StatusChange, Student,
                    abnormal_since, month_spans, school_year_of)
from refusal import Refusal


def worklist() -> list[Student]:
    """Children in scope whose 学籍 is 非正常, or whose clean-up has ended, by school and name."""
    ended = sa.select(RecordCheck.student_id).where(RecordCheck.done_on.is_not(None))
    return db.session.scalars(access.scoped(Student).where(sa.or_(
        Student.status.in_(ABNORMAL), Student.id.in_(ended))).options(
        selectinload(Student.school), selectinload(Student.class_group),
        selectinload(Student.status_changes), selectinload(Student.record_check)).order_by(
        Student.school_id, Student.name_pinyin)).all()


def stage_of(student: Student) -> str:
    return student.record_check.stage if student.record_check else "verify"


@dataclass
class Counts:
    left: int  # 其他离校 now
    problem: int  # 问题学籍 now
    stages: Counter  # every child of the worklist by stage

    @property
    def abnormal(self) -> int:
        return self.left + self.problem


def counts(rows: list[Student]) -> Counts:
    status = Counter(s.status for s in rows)
    return Counts(status["left"], status["problem"], Counter(stage_of(s) for s in rows))


def trend(today: date) -> list[tuple[date, int]]:
    """(month end, 非正常学籍 in scope that day) from the start of last school year to this
    month (as of today), read from the dates of the status history."""
    start = date(school_year_of(today) - 1, 9, 1)
    changes = history()
    return [(end, sum(on(changes, end)[s] for s in ABNORMAL))
            for end in [min(last, today) for _, last in month_spans(start, today)]]


def history(school_ids=None) -> dict[int, list[tuple[date, str, str]]]:
    """The status changes (date, from, to) of every child in scope (of those schools) who was
    ever 非正常, in date order."""
    ever = sa.select(StatusChange.student_id).where(StatusChange.to_status.in_(ABNORMAL))
    if school_ids is not None:
        ever = ever.where(StatusChange.student_id.in_(
            sa.select(Student.id).where(Student.school_id.in_(school_ids))))
    out: dict[int, list[tuple[date, str, str]]] = {}
    for student_id, *change in db.session.execute(
            access.scoped(StatusChange).with_only_columns(
                StatusChange.student_id, StatusChange.changed_on, StatusChange.from_status,
                StatusChange.to_status).where(
                StatusChange.student_id.in_(ever)).order_by(
                StatusChange.student_id, StatusChange.changed_on, StatusChange.id)):
        out.setdefault(student_id, []).append(tuple(change))
    return out


def on(changes: dict[int, list[tuple[date, str, str]]], day: date) -> Counter:
    """Those children by their status on a day (one not yet registered is not counted)."""
    return Counter(s for rows in changes.values()
                   if (s := metrics.status_on(rows, date.max, "", day)))


COUNTY_STEPS = ("reported_on", "request", "requested_on", "done_on")  # the central school's


def save(student: Student, values: dict, proof: bytes, user, today: date,
         county_steps: bool) -> RecordCheck:
    """Record a child's clean-up from the form's values (the caller commits); a Refusal names
    what to fix, before anything is written. 办结 changes the child's status. Without
    county_steps (a village head), 上报, 申请 and 办结 stay as they were."""
    if not county_steps:
        kept = student.record_check
        values = {**values, **{k: getattr(kept, k) if kept else RecordCheck.EMPTY[k]
                               for k in COUNTY_STEPS}}
    ext = uploads.kind(proof) if proof else None
    if student.record_check and student.record_check.done_on:
        raise Refusal(f"{student.name}的非正常学籍已于 {student.record_check.done_on} 办结，不能再"
                      "修改；如有错误，请在学生名册中变更学籍状态。")
    if student.status not in ABNORMAL:
        raise Refusal(f"{student.name}现在的学籍状态是“{student.status_label}”，不是非正常学籍。")
    problems = steps_in_order(values, since=abnormal_since(student), today=today)
    if problems:
        raise Refusal("；".join(problems))
    check = student.record_check or RecordCheck(student=student)
    for key in RecordCheck.EDITABLE:
        setattr(check, key, values[key])
    if proof:
        check.proof_path = uploads.store(uploads.SCANS, f"record-{student.id}", proof, ext)
    check.user_id = user.id
    db.session.add(check)
    if check.done_on:
        student.change_status(DONE_STATUS[check.request], check.done_on,  # 去向 holds 120
                              f"非正常学籍清理：{check.request_label}已办结", check.found[:120],
                              user)
    return check


def steps_in_order(v: dict, since: date | None, today: date) -> list[str]:
    """What is wrong with a clean-up's values, in Chinese; [] when they can be saved."""
    out = []
    dated = [("verified_on", "核实日期"), ("reported_on", "上报日期"),
             ("requested_on", "申请日期"), ("done_on", "办结日期")]
    for key, label in dated:
        if v[key] and v[key] > today:
            out.append(f"{label}不能晚于今天。")
        if v[key] and since and v[key] < since:
            out.append(f"{label}不能早于孩子成为{STATUSES['left']}/{STATUSES['problem']}的日期"
                       f"（{since}）。")
    if v["whereabouts"] in AT_SCHOOL and not (v["school_name"] or v["place"]):
        out.append("去向是就读的，请填写就读学校或所在地。")
    if v["verified_on"] and not (v["verified_how"] and v["verified_by"]):
        out.append("请填写核实方式和核实人。")
    if v["reported_on"] and (not v["verified_on"] or v["whereabouts"] == "unknown"):
        out.append("去向查明并核实后才能上报：请先填写去向和核实日期。")
    if v["request"] and not v["reported_on"]:
        out.append("上报后才能申请转学或删除：请先填写上报日期。")
    if v["request"] and not v["requested_on"]:
        out.append("请填写申请日期。")
    if v["requested_on"] and not v["request"]:
        out.append("请选择申请转学还是申请删除。")
    if v["done_on"] and not v["requested_on"]:
        out.append("申请之后才能办结：请先填写申请。")
    if v["request"] == "transfer" and v["whereabouts"] not in AT_SCHOOL:
        out.append("申请转学时，去向应是外地就读或本县他校就读。")
    order = [(k, label) for k, label in dated if v[k]]
    for (k1, l1), (k2, l2) in zip(order, order[1:]):
        if v[k2] < v[k1]:
            out.append(f"{l2}不能早于{l1}。")
    return out
