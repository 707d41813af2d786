"""The monthly meeting's agenda, drafted from the data: per school, the children at high risk,
overdue warnings, open cases and how long they have been open, aid and pairing gaps, unsigned
pledges, the month's 工作活动 by kind; and the open action items of earlier meetings (carried
until done). The draft is text the officer edits; the presentation mode shows the same items
live, one school at a time.

工作活动 (decision where the brief was silent): when any school of the scope recorded an
activity in the meeting's month, every school's part says what it did ("本月开展工作活动 3 次
（家长会 1、法律法规宣传 2），覆盖 120 人") or that it did none ("本月未开展工作活动"), so a
school with nothing else to discuss still gets a line. When no school recorded any, one line
says so for the township instead of a line per school (the township may not keep the record
yet)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

import access
from blueprints.activities import records as activity_records
from blueprints.attendance import scores
from blueprints.dashboard import metrics
from extensions import db
from models import (ActionItem, DropoutCase, EarlyWarning, Meeting, Pledge, School, Student,
                    Term)


@dataclass
class SchoolAgenda:
    school: School
    column: metrics.Column
    high_risk: list[Student] = field(default_factory=list)
    overdue: list[EarlyWarning] = field(default_factory=list)
    cases: list[tuple[DropoutCase, int]] = field(default_factory=list)  # (case, days open)
    unsigned: int = 0
    items: list[ActionItem] = field(default_factory=list)  # carried, open
    activities: activity_records.MonthSummary = field(
        default_factory=activity_records.MonthSummary)  # the meeting's month

    @property
    def aid_missing(self) -> int | None:
        col = self.column
        return None if col.aid_eligible is None else col.aid_eligible - col.aid_granted


def carried(meeting: Meeting) -> list[ActionItem]:
    """The action items of the township's earlier meetings (and of this one) open on its day
    (done on it or later): its 纪要 printed again after one was done still lists it, as it was
    on the day; a meeting held later the same day is not an earlier one."""
    return db.session.scalars(access.scoped(ActionItem).join(Meeting).where(
        sa.or_(ActionItem.done_on.is_(None), ActionItem.done_on >= meeting.held_on),
        sa.or_(_before(meeting), Meeting.id == meeting.id),
        Meeting.central_id == meeting.central_id).order_by(Meeting.held_on, ActionItem.id)).all()


def _before(meeting: Meeting) -> sa.ColumnElement:
    """The township's meetings held before this one: a meeting made later the same day (a
    领导小组会议 after the 推进会) is not."""
    return sa.or_(Meeting.held_on < meeting.held_on, sa.and_(
        Meeting.held_on == meeting.held_on, Meeting.id < meeting.id))


def schools(meeting: Meeting, today: date) -> list[SchoolAgenda]:
    columns = metrics.dashboard(today, meeting.month)
    out = [SchoolAgenda(col.school, col) for col in columns[1:]]
    by_id = {a.school.id: a for a in out}
    # a county reader's columns are townships: a school's rows go to its township's page
    township = {s.id: s.township_id for s in db.session.scalars(access.scoped(School))}

    def page(school_id) -> SchoolAgenda:
        return by_id.get(school_id) or by_id[township[school_id]]
    enrolled = access.scoped(Student).where(Student.status == "enrolled")
    high = [sid for sid, (level, _score) in scores.at_risk(enrolled.with_only_columns(Student.id),
                                                         today).items() if level == "high"]
    for s in db.session.scalars(enrolled.where(Student.id.in_(high)).order_by(
            Student.name_pinyin)):
        page(s.school_id).high_risk.append(s)
    for w in db.session.scalars(access.scoped(EarlyWarning).where(
            EarlyWarning.status == "open", EarlyWarning.due_on < today)):
        page(w.school_id).overdue.append(w)
    for c in db.session.scalars(access.scoped(DropoutCase).where(
            DropoutCase.state != "closed").order_by(DropoutCase.opened_on)):
        page(c.school_id).cases.append((c, (today - c.opened_on).days))
    term = db.session.scalar(access.scoped(Term).where(Term.start_date <= meeting.held_on,
                                                       Term.end_date >= meeting.held_on))
    if term:
        for school_id, n in db.session.execute(access.scoped(Pledge).where(
                Pledge.term_id == term.id, Pledge.status.in_(("generated", "printed")))
                .with_only_columns(Pledge.school_id, sa.func.count()).group_by(
                Pledge.school_id)):
            page(school_id).unsigned += n
    for item in carried(meeting):
        if item.school_id in township:
            page(item.school_id).items.append(item)
    first, last = metrics.month_bounds(meeting.month)
    for school_id, month in activity_records.by_school(first, last).items():
        if school_id in township:
            summary = page(school_id).activities
            for kind, n in month.kinds.items():
                summary.kinds[kind] = summary.kinds.get(kind, 0) + n
            summary.reached += month.reached
    return out


def _previous_items(meeting: Meeting) -> list[ActionItem]:
    """The decisions of the township's meeting held last before this one."""
    before = db.session.scalar(access.scoped(Meeting).where(
        Meeting.central_id == meeting.central_id, _before(meeting))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc()))
    return before.items if before else []


def _item_text(i: ActionItem) -> str:
    """学校：事项（负责人 — the caller closes the bracket."""
    return f"{i.school.name if i.school else '全镇'}：{i.text}（{i.who.name}"


def draft(meeting: Meeting, today: date) -> str:
    """The agenda as text, one numbered part a line, for the officer to edit."""
    lines = [f"{meeting.title}议程", ""]
    done = [i for i in _previous_items(meeting) if i.done_on and i.done_on <= meeting.held_on]
    open_items = [i for i in carried(meeting) if i.meeting_id != meeting.id
                  and not (i.done_on and i.done_on <= meeting.held_on)]  # done by its day
    n = 1
    if open_items or done:
        lines.append(f"{n}. 上次会议布置事项的落实情况（已完成 {len(done)} 项，未完成 {len(open_items)} 项）")
        lines += [f"   - 已完成：{_item_text(i)}，{i.done_on} 完成：{i.result}）" for i in done]
        lines += [f"   - 未完成{'（已超期）' if i.due_on < meeting.held_on else ''}："
                  f"{_item_text(i)}，{i.due_on} 前）" for i in open_items]
        n += 1
    pages = schools(meeting, today)
    any_activity = any(a.activities.count for a in pages)
    for a in pages:
        parts = []
        if a.high_risk:
            parts.append(f"高风险学生 {len(a.high_risk)} 人（"
                         + "、".join(s.name for s in a.high_risk[:8]) + "）")
        if a.overdue:
            parts.append(f"超期未家访预警 {len(a.overdue)} 条")
        if a.cases:
            oldest = max(days for _, days in a.cases)
            parts.append(f"未销号劝返个案 {len(a.cases)} 个（最长 {oldest} 天）")
        if a.aid_missing:
            parts.append(f"符合条件未资助 {a.aid_missing} 人")
        if a.column.pairs_missing:
            parts.append(f"需要结对而未结对 {a.column.pairs_missing} 人")
        if a.unsigned:
            parts.append(f"责任书未签 {a.unsigned} 份")
        if any_activity:
            parts.append(a.activities.text())
        if parts:
            lines.append(f"{n}. {a.school.name}：" + "；".join(parts))
            n += 1
    if pages and not any_activity:
        lines.append(f"{n}. 工作活动：本月各校都没有登记工作活动（家长会、宣传、培训等），请及时登记")
        n += 1
    lines.append(f"{n}. 研究部署下月工作，明确责任人和完成时限")
    return "\n".join(lines)
