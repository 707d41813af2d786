"""The audit log: every flushed change is recorded by a session hook, exports and sign-ins by
record(). The entries are written in the same transaction as the change, so a rolled-back
write leaves no entry and a committed one always has one.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, time

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import bindparam, event, insert, inspect, select
from sqlalchemy.orm import Session, object_session

import clock
from extensions import db
from models import (ABSENCE_KINDS, ACTIVITY_KINDS, AID_KINDS, AID_METHODS, AID_STATUSES,
                    CADRE_LEVELS, CASE_STATES, CASE_TRIGGERS, CONTACT_MODES, COUNSELING_CHANGES,
                    COUNSELING_KINDS, COUNSELING_TOPICS, DESTINATIONS, DISABILITY_CATEGORIES,
                    DISABILITY_LEVELS, EXPLANATIONS, GRADES, GROUP_POSITIONS, ID_TYPES,
                    MEETING_KINDS, NOTICE_KINDS, PAIR_KINDS, PLACEMENTS, PLEDGE_KINDS,
                    PLEDGE_STATUSES, REQUESTS, RESPONSIBILITY_KINDS, RISK_LEVELS, ROLES,
                    SCHOOL_KINDS, SEMESTERS, SESSION_MODES, STATUSES, VERIFICATIONS,
                    VISIT_OUTCOMES, WARNING_RULES, WARNING_STATUSES, WHEREABOUTS, ActionItem,
                    AidProgram, AuditLog, Cadre, CaseNotice, CaseStep, ClassGroup, DisabledChild,
                    DocumentCounter, FollowUp, Guardian, HouseholdChild, Leaver, Meeting,
                    MonthReport, PledgeTemplate, PrintJob, RecordCheck, Responsibility, RiskScore,
                    RollCall, School, SchoolReport, StatusChange, Student, Term, TutoringSession,
                    UserSession, WorkSummary, mask_id, now)

# Columns that are bookkeeping, not facts; their changes are not listed in before/after.
QUIET = {"version", "updated_at", "created_at", "name_pinyin", "name_initials", "last_login_at"}
SECRET = {"password_hash"}
# Bookkeeping tables: the log itself, print jobs (the export a job makes is recorded), document
# number counters (each number is in its document's own entry), sign-ins (signing in and
# out are recorded as events) and the stored risk scores (derived, written by the lists).
UNAUDITED = (AuditLog, PrintJob, DocumentCounter, UserSession, RiskScore,
             MonthReport, SchoolReport)  # their 报送 is recorded by the ledger (audit.record)

# Field names as the audit page shows them (the stored JSON keeps the column names).
FIELD_LABELS = {
    "name": "姓名", "sex": "性别", "birth_date": "出生日期", "ethnicity": "民族",
    "id_number": "身份证号", "id_type": "身份证件类型", "id_document": "证件号码",
    "student_no": "学籍号", "status": "学籍状态", "placement": "安置方式",
    "school_id": "学校", "class_id": "班级", "grade": "年级", "village": "户籍村/所在村",
    "village_group": "组", "address": "住址", "notes": "备注", "boarder": "寄宿",
    "left_behind": "留守", "single_parent": "单亲", "orphan": "孤儿", "poverty": "脱贫/低保/特困",
    "disabled": "残疾", "learning_difficulty": "学困", "migrant": "随迁", "school_weary": "厌学",
    "relation": "关系", "phone": "电话", "first_phone": "监护人电话", "works_away": "外出务工", "position": "顺序",
    "student_id": "学生", "changed_on": "日期", "from_status": "原状态", "to_status": "新状态",
    "reason": "原因", "destination": "去向", "user_id": "记录人", "username": "用户名",
    "password_hash": "密码", "role": "角色", "active": "启用", "kind": "类型", "code": "学校标识码",
    "government": "乡镇人民政府", "bureau": "县教育局", "doc_prefix": "发文字号", "hotline": "监督电话",
    "parent_id": "上级学校", "head_teacher_id": "班主任", "school_year": "学年", "semester": "学期",
    "start_date": "开始", "end_date": "结束", "holidays": "节假日", "central_id": "中心学校",
    "cadre_id": "干部", "assigned_on": "分配日期", "level": "级别", "post": "职务",
    "amount": "金额（分）", "boarder_amount": "寄宿生标准（分）", "method": "发放方式",
    "applied_on": "申请日期", "reviewed_on": "审核日期", "paid_on": "发放日期", "note": "说明",
    "correction_of_id": "更正的记录", "program_id": "资助项目", "term_id": "学期",
    "source": "资金来源", "flags": "资助条件", "everyone": "全体学生", "teacher_id": "结对教师",
    "goals": "帮扶目标", "start_on": "开始", "end_on": "结束", "held_on": "日期", "mode": "方式",
    "minutes": "分钟", "content": "内容", "progress": "进展",
    "day": "日期", "rule": "规则", "run_start": "起始日", "days": "天数",
    "evidence": "证据", "opened_on": "立案/开始", "due_on": "期限", "closed_on": "关闭/销号",
    "action": "处理情况", "visited_on": "家访日期", "visitors": "家访人员", "met": "见到",
    "situation": "情况", "reasons": "原因", "outcome": "结果", "next_step": "下一步",
    "state": "状态", "trigger": "来源", "whereabouts": "去向", "out_since": "首次未到校",
    "dropout_on": "认定辍学",
    "reentry_plan": "复学适应方案", "returned_on": "复学日期", "on": "日期",
    "done_on": "完成日期", "label": "名称", "issued_on": "印发日期", "receipt_on": "回执收回日期",
    "doc_no": "文号",
    "title": "标题/主题", "place": "地点", "reached": "参加/覆盖人数", "description": "简要内容",
    "file_path": "文件", "print_path": "打印用图片", "caption": "说明", "size": "大小（字节）",
    "activity_id": "工作活动", "version": "稿次", "sections": "正文", "figures": "数据",
    "rows": "行数", "filters": "筛选条件", "full_ids": "完整身份证号", "new_classes": "新建班级",
    "meeting_id": "会议", "owner_id": "负责人", "result": "完成情况", "text": "事项",
    "case_id": "劝返个案", "warning_id": "预警", "pair_id": "结对", "template_id": "文书模板",
    "closed_by_id": "处理人", "explained_by_id": "说明人", "explained": "已说明",
    "explained_on": "说明日期", "explanation": "情况说明", "guardian": "监护人",
    "imported_on": "导入日期", "agenda": "议程", "attendees": "参会人员", "chair": "主持",
    "absentees": "请假人员", "observers": "列席人员", "distribution": "分送", "taken_at": "点名时间",
    "month": "月份", "body": "正文", "copies": "份数", "party_a": "甲方", "party_b": "乙方",
    "party_a_name": "甲方", "party_b_name": "乙方", "generated_on": "生成日期",
    "printed_on": "打印日期", "signed_on": "签署日期", "collected_on": "回收日期",
    "scan_path": "扫描件", "format": "格式", "how": "查看方式", "pc": "电脑地址",
    "limit": "限制", "from_state": "原状态", "to_state": "新状态",
    "school_name": "就读学校", "verified_how": "核实方式", "verified_by": "核实人",
    "verified_on": "核实日期", "proof_path": "证明材料", "reported_on": "上报日期",
    "request": "申请", "requested_on": "申请日期",
    "category": "残疾类别", "certificate_no": "残疾证号", "assessed_on": "评估日期",
    "assessment": "评估意见", "placed_on": "安置日期", "placed_as": "安置方式（学籍在外）",
    "placed_school": "就读学校（学籍在外）", "co_teachers": "同去的教师", "frequency": "送教频次",
    "confirmed_on": "核实日期", "duty": "分工", "counselor_id": "辅导教师",
    "group_label": "辅导对象", "group_size": "人数", "topic": "问题类型", "change": "转化情况",
}
# The tables as the 操作日志 names them (对象).
TABLE_LABELS = {
    "students": "学生", "guardians": "监护人", "status_changes": "学籍变动", "schools": "学校",
    "record_checks": "非正常学籍清理", "disabled_children": "残疾儿童", "leavers": "毕业生去向",
    "month_reports": "台账报送",
    "users": "用户", "terms": "学期", "classes": "班级", "absences": "考勤", "warnings": "预警",
    "roll_calls": "点名",
    "home_visits": "家访", "dropout_cases": "劝返个案", "case_steps": "个案进展",
    "follow_ups": "复学回访", "case_notices": "劝返文书", "household_children": "户籍名单",
    "responsibilities": "包保责任", "cadres": "乡村干部", "pledges": "责任书",
    "pledge_templates": "文书模板", "aid_programs": "资助项目", "aid_grants": "资助",
    "tutoring_pairs": "结对帮扶", "tutoring_sessions": "帮扶活动", "risk_overrides": "风险等级调整",
    "meetings": "推进会", "action_items": "会议决定事项",
    "activities": "工作活动", "activity_photos": "活动照片", "work_summaries": "工作总结",
    "backups": "备份", "grade_leads": "包年级", "group_members": "领导小组",
    "counseling_records": "心理辅导",
}

# Stored codes as the 操作日志 shows them: {(table, column): {code: label}}.
CODES = {
    ("students", "status"): STATUSES, ("status_changes", "from_status"): STATUSES,
    ("students", "id_type"): ID_TYPES,
    ("status_changes", "to_status"): STATUSES, ("students", "placement"): PLACEMENTS,
    ("students", "grade"): GRADES, ("classes", "grade"): GRADES,
    ("users", "role"): ROLES, ("schools", "kind"): SCHOOL_KINDS,
    ("terms", "semester"): SEMESTERS, ("responsibilities", "kind"): RESPONSIBILITY_KINDS,
    ("cadres", "level"): CADRE_LEVELS, ("pledge_templates", "kind"): PLEDGE_KINDS,
    ("pledges", "status"): PLEDGE_STATUSES, ("aid_programs", "kind"): AID_KINDS,
    ("aid_grants", "status"): AID_STATUSES, ("aid_grants", "method"): AID_METHODS,
    ("tutoring_pairs", "kind"): PAIR_KINDS, ("tutoring_sessions", "mode"): SESSION_MODES,
    ("absences", "kind"): ABSENCE_KINDS, ("warnings", "rule"): WARNING_RULES,
    ("warnings", "status"): WARNING_STATUSES, ("home_visits", "outcome"): VISIT_OUTCOMES,
    ("home_visits", "mode"): CONTACT_MODES,
    ("dropout_cases", "state"): CASE_STATES, ("dropout_cases", "outcome"): CASE_STATES,
    ("dropout_cases", "trigger"): CASE_TRIGGERS, ("case_steps", "from_state"): CASE_STATES,
    ("case_steps", "to_state"): CASE_STATES, ("case_notices", "kind"): NOTICE_KINDS,
    ("household_children", "explanation"): EXPLANATIONS,
    ("record_checks", "whereabouts"): WHEREABOUTS, ("record_checks", "verified_how"): VERIFICATIONS,
    ("record_checks", "request"): REQUESTS,
    ("disabled_children", "category"): DISABILITY_CATEGORIES,
    ("disabled_children", "level"): DISABILITY_LEVELS,
    ("disabled_children", "placed_as"): PLACEMENTS, ("leavers", "destination"): DESTINATIONS,
    ("risk_overrides", "level"): RISK_LEVELS, ("activities", "kind"): ACTIVITY_KINDS,
    ("grade_leads", "grade"): GRADES, ("group_members", "position"): GROUP_POSITIONS,
    ("meetings", "kind"): MEETING_KINDS, ("counseling_records", "kind"): COUNSELING_KINDS,
    ("counseling_records", "topic"): COUNSELING_TOPICS,
    ("counseling_records", "change"): COUNSELING_CHANGES,
}


# Labels of the keys inside a JSON column (a summary's figures), registered by the area that
# writes it: {column: {key: label}}.
NESTED_LABELS: dict[str, dict[str, str]] = {}


def shown(value, key: str = "", table: str = "") -> str:
    """A logged value as the 操作日志 shows it, in Chinese: 是/否, （空）, codes by their labels,
    ID numbers masked, a JSON value's keys by their labels; at most 300 characters."""
    codes = CODES.get((table, key)) or {}
    if value is None or value == "":
        text = "（空）"
    elif not isinstance(value, (bool, dict, list)) and value in codes:
        text = codes[value]
    elif isinstance(value, str) and codes and all(v in codes for v in value.split(",")):
        text = "、".join(codes[v] for v in value.split(","))  # several ticked: a visit's 结果
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif key in ("id_number", "student_no") and isinstance(value, str):
        text = mask_id(value)
    elif isinstance(value, dict):
        labels = NESTED_LABELS.get(key, {})
        text = "；".join(f"{labels.get(k) or FIELD_LABELS.get(k, k)}：{shown(v, k, table)}"
                        for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        text = "、".join(shown(v, key, table) for v in value)
    else:
        text = str(value)
    return text if len(text) <= 300 else text[:299] + "…"



def _actor(session) -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    actor = session.info.get("actor")  # CLI commands set this
    return (None, actor or "system")


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _school_of(obj) -> int | None:
    if isinstance(obj, School):
        return obj.id
    if isinstance(obj, (Term, Cadre, PledgeTemplate, AidProgram, HouseholdChild, Meeting)):
        return obj.central_id
    if isinstance(obj, TutoringSession):
        return obj.pair.school_id if obj.pair else None
    if isinstance(obj, (WorkSummary, DisabledChild)):
        return obj.school_id or obj.central_id
    if isinstance(obj, RollCall):
        klass = db.session.get(ClassGroup, obj.class_id)
        return klass.school_id if klass else None
    if isinstance(obj, ActionItem):
        return obj.school_id or (obj.meeting.central_id if obj.meeting else None)
    if isinstance(obj, (CaseStep, FollowUp, CaseNotice)):
        return obj.case.school_id if obj.case else None
    if isinstance(obj, (Guardian, StatusChange, Responsibility, RecordCheck, Leaver)):
        student = obj.student or (obj.student_id and db.session.get(Student, obj.student_id))
        return student.school_id if student else None  # an orphan has lost .student
    return getattr(obj, "school_id", None)


def _columns(obj):
    return [c.key for c in inspect(obj).mapper.column_attrs]


def _shown(key, value):
    return "******" if key in SECRET else _plain(value)


def _changes(obj, action):
    state = inspect(obj)
    keys = [k for k in _columns(obj) if k not in QUIET]
    if action == "create":
        return {}, {k: _shown(k, v) for k in keys
                    if (v := state.dict.get(k)) not in (None, "", False)}
    if action == "delete":
        return {k: _shown(k, v) for k in keys if (v := state.dict.get(k)) not in (None, "")}, {}
    before, after = {}, {}
    for key in keys:
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old != new:
            before[key], after[key] = _shown(key, old), _shown(key, new)
    return before, after


@event.listens_for(db.Model, "after_delete", propagate=True)
def _note_delete(mapper, connection, target):
    """Rows deleted in a flush, including orphans (a guardian dropped from a child's list, a
    包保 line cleared), which never appear in session.deleted."""
    session = object_session(target)
    if session is not None:
        session.info.setdefault("audit_deleted", []).append(target)


@event.listens_for(Session, "after_flush")
def _log_flush(session, flush_context):
    rows = []
    user_id, username = _actor(session)
    deleted = list(dict.fromkeys([*session.deleted, *session.info.pop("audit_deleted", [])]))
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", deleted)):
        for obj in objects:
            if isinstance(obj, UNAUDITED) or not hasattr(obj, "__table__"):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            before, after = _changes(obj, action)
            with session.no_autoflush:
                school_id = _school_of(obj)
            if action == "update" and not before and not after:
                continue
            rows.append(dict(at=now(), user_id=user_id, username=username, action=action,
                             table_name=obj.__tablename__,
                             row_id=inspect(obj).mapper.primary_key_from_instance(obj)[0],
                             school_id=school_id, summary=str(obj)[:200],
                             before=before or None, after=after or None))
    if rows:
        session.connection().execute(insert(AuditLog), rows)


def record(action: str, summary: str, *, table_name: str = "", row_id: int | None = None,
           school_id: int | None = None, after: dict | None = None, user=None,
           username: str | None = None) -> None:
    """Log an event that is not a row change (an export, a sign-in); the caller commits.
    `user` is whom it concerns (the signed-in user by default); `username` names one when
    there is no user (an unknown name tried at sign-in: "")."""
    user = user or (current_user if has_request_context() and current_user.is_authenticated
                    else None)
    if username is None or user is not None:
        username = user.username if user else _actor(db.session)[1]
    db.session.add(AuditLog(user_id=user.id if user else None, username=username,
                            action=action, table_name=table_name, row_id=row_id,
                            school_id=school_id if school_id is not None
                            else (user.school_id if user else None),
                            summary=summary[:200], after=after))


def changed_today(table: str, row_ids, field: str, today: date) -> dict[int, object]:
    """{row id: the value a field was last set to today} for rows of a table changed today
    (a step marked today may be taken back)."""
    found: dict[int, object] = {}
    for row_id, after in db.session.execute(_changed(), {
            "table": table, "since": datetime.combine(today, time.min), "rows": list(row_ids)}):
        if after and field in after:
            found[row_id] = after[field]
    return found


@functools.cache
def _changed():
    """changed_today()'s statement, built once: the entries of a `table`'s `rows` written
    `since` a time, in order."""
    return select(AuditLog.row_id, AuditLog.after).where(
        AuditLog.table_name == bindparam("table"), AuditLog.action.in_(("update", "insert")),
        AuditLog.at >= bindparam("since"), AuditLog.row_id.in_(bindparam("rows", expanding=True))
    ).order_by(AuditLog.id)


def read_ids(students, how: str) -> None:
    """Record that the signed-in user was shown these children's full ID numbers (minors'
    sensitive personal information, 个人信息保护法 Art. 28): one entry per child, user and
    day, however often the page is opened. Commits: call it after the page is rendered."""
    students = [s for s in students if s.id_number or s.student_no]
    if not students:
        return
    since = datetime.combine(clock.today(), time.min)
    seen = set(db.session.scalars(select(AuditLog.row_id).where(
        AuditLog.action == "read_id", AuditLog.user_id == current_user.id,
        AuditLog.table_name == "students", AuditLog.at >= since,
        AuditLog.row_id.in_([s.id for s in students]))))
    for student in students:
        if student.id not in seen:
            record("read_id", f"查看 {student.name} 的完整身份证号（{how}）",
                   table_name="students", row_id=student.id, school_id=student.school_id,
                   after={"how": how})
            seen.add(student.id)
    db.session.commit()
