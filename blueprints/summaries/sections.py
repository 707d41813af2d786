"""The summary's sections, written from the data (draft.py's docstring says how): 二、主要工作措施
（一）–（五） here, one function a section, each asking the areas for their figures (metrics,
grants, schedule, lines, ledger, rules) and writing only what the data supports; the findings
(三–五, 一) in findings.py; write() assembles them."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date

import sqlalchemy as sa

import access
from blueprints.activities import parents
from blueprints.aid import grants
from blueprints.cases import ledger
from blueprints.counseling import log
from blueprints.records import cleanup, leavers
from blueprints.responsibility import network
from blueprints.special import roster
from extensions import db
from models import (ABNORMAL, ACTIVITY_KINDS, CONTACT_MODES, DESTINATIONS, GOVERNMENT_LINE,
                    GUARDIAN_KINDS, PAIR_KINDS, SCHOOL_LINE, SPECIAL_PLACEMENTS, Absence,
                    ActionItem, Activity, AidGrant, CaseNotice, CaseStep, DisabledChild,
                    DropoutCase, EarlyWarning, FollowUp, GradeLead, HomeVisit, HouseholdChild,
                    Meeting, Pledge, PledgeTemplate, RecordCheck, Responsibility, Student,
                    TutoringPair, TutoringSession, school_year_of, yuan)
from blueprints.summaries.draft import LEVEL1, NUMERALS, Period, Unit, between, in_unit
from blueprints.summaries.facts import Facts, Writer, count_of, put_rates
from blueprints.summaries.findings import overview_of, problems_and_plans, results_of

# A 家访 made with the township or village (the 敲门行动 is teachers and cadres together), as its
# 家访人员 were typed: 村 but not a 村小 or 教学点, a cadre, the government (班主任, 镇中心学校: the
# school's own).
JOINT = re.compile(r"村(?!小|教学点)|干部|支书|书记|网格|政府|镇长|妇联|派出所")


# The sections ----------------------------------------------------------------------------

def _organisation(c: Facts) -> list[str]:
    """（一）组织与责任落实: the 领导小组, pledges signed, the 双线四包 lines, 包年级."""
    P, we, start, upto, f, fig, setting = c.words()
    unit, term_ids = c.unit, [t.id for t in c.period.terms]
    enrolled_ids = c.enrolled_ids
    org: list[str] = [text for text in (_group(c),) if text]
    if term_ids:
        pledges = db.session.execute(in_unit(Pledge, unit).join(PledgeTemplate).where(
            Pledge.term_id.in_(term_ids)).with_only_columns(
            PledgeTemplate.kind, Pledge.status, Pledge.signed_on)).all()
        if pledges:
            signed = [k for k, status, on in pledges
                      if status in Pledge.SIGNED and (on is None or on <= upto)]
            staff = sum(1 for k in signed if k not in GUARDIAN_KINDS)
            guardian = sum(1 for k in signed if k in GUARDIAN_KINDS)
            f.put("pledges_issued", len(pledges))
            f.put("pledges_signed", len(signed))
            f.put("pledges_signed_staff", staff)
            f.put("pledges_signed_guardian", guardian)
            f.put("pledges_unsigned", len(pledges) - len(signed))
            parts = []
            if staff:
                parts.append(f"签订控辍保学目标责任书 {staff} 份，把控辍保学责任分解到每一位教师")
            if guardian:
                parts.append(f"与家长签订承诺书、送达告知书 {guardian} 份，明确监护人送子女接受义务教育的法定责任")
            if parts:
                org.append(f"{P}，{we}" + "；".join(parts) + "。")
            else:
                org.append(f"{P}，{we}印发控辍保学责任书、承诺书 {len(pledges)} 份，正在组织签订。")
    line_rows = db.session.execute(access.scoped(Responsibility).where(
        Responsibility.student_id.in_(enrolled_ids)).with_only_columns(
        Responsibility.student_id, Responsibility.kind)).all()
    if line_rows:
        covered = {sid for sid, _ in line_rows}
        school_line = {sid for sid, kind in line_rows if kind in SCHOOL_LINE}
        government = {sid for sid, kind in line_rows if kind in GOVERNMENT_LINE}
        f.put("lines_children", len(covered))
        f.put("lines_school", len(school_line))
        f.put("lines_government", len(government))
        text = (f"落实“双线四包”责任制，按“学校领导包片、班主任包班、教师包生（户）”和“乡镇干部包村、"
                f"村干部包户”为 {len(covered)} 名在读学生明确了包保责任人")
        details = []
        if school_line:
            details.append(f"学校线落实 {len(school_line)} 人")
        if government:
            details.append(f"政府线落实 {len(government)} 人")
        grades = count_of(access.scoped(GradeLead).where(
            GradeLead.school_id.in_(unit.ids), GradeLead.school_year == school_year_of(upto)))
        if grades:
            details.append(f"行政人员包年级 {f.put('grade_leads', grades)} 个")
        org.append(text + (f"，其中{'、'.join(details)}" if details else "") + "。")
    return org


def _group(c: Facts) -> str:
    """控辍保学工作领导小组: who leads it and how many sit on it from the schools and the
    government; its meetings in the period."""
    members = network.group()
    if not members or c.unit.school is not None:  # the township's group, in its summary
        return ""
    f = c.f
    head = next((m for m in members if m.position == "leader"), members[0])
    cadres = sum(1 for m in members if m.cadre_id)
    text = (f"成立以{head.post}{head.person.name}为组长的控辍保学工作领导小组，"
            f"成员 {f.put('group_members', len(members))} 人")
    if cadres:
        text += f"（其中镇、村干部 {f.put('group_cadres', cadres)} 人）"
    held = count_of(access.scoped(Meeting).where(Meeting.kind == "group",
                                                 between(Meeting.held_on, c.period.start, c.upto)))
    if held:
        text += f"，{c.period.word}召开领导小组会议 {f.put('group_meetings', held)} 次"
    return text + "，定期研究解决控辍保学工作中的重大问题。"


def _checking(c: Facts) -> list[str]:
    """（二）排查与动态管理: the age ledger, the 户籍 list, attendance and warnings, visits, the
    ledgers of suspected and dropped-out children."""
    P, we, start, upto, f, fig, setting = c.words()
    unit, period, school_filter = c.unit, c.period, c.school_filter
    check: list[str] = []
    age = count_of(ledger.age_statement(period.school_year).where(
        Student.school_id.in_(unit.ids)))
    if age:
        f.put("age_ledger", age)
        check.append(f"建立适龄儿童少年台账，登记 6—15 周岁适龄儿童少年 {age} 人，做到底数清、情况明。")
    if unit.school is None:
        listed = count_of(access.scoped(HouseholdChild).where(
            HouseholdChild.central_id == unit.central.id))
        if listed:
            check.append(f"结合派出所、村委会提供的户籍名单（{listed} 人）开展“四查三比对”，逐一核对适龄儿童入学情况。")
    warnings = db.session.scalars(in_unit(EarlyWarning, unit).where(
        between(EarlyWarning.opened_on, start, upto))).all()
    absences = count_of(in_unit(Absence, unit).where(between(Absence.day, start, upto)))
    if warnings:
        handled = sum(1 for w in warnings if w.closed_on and w.closed_on <= upto)
        f.put("warnings_opened", len(warnings))
        if handled:
            f.put("warnings_handled", handled)
        check.append(f"坚持每周考勤，对连续 {setting['warning_days']} 个上课日无故缺课的学生及时预警，"
                     f"{P}共发出缺课预警 {len(warnings)} 条" + (
                         f"，已家访处置 {handled} 条" if handled else "") + "。")
    elif absences:
        f.put("absences", absences)
        check.append(f"坚持每周考勤，{P}登记缺课 {absences} 人次，未出现连续 {setting['warning_days']} "
                     "个上课日无故缺课的情况。")
    visits = db.session.execute(in_unit(HomeVisit, unit).where(
        between(HomeVisit.visited_on, start, upto)).with_only_columns(
        HomeVisit.student_id, HomeVisit.warning_id, HomeVisit.case_id, HomeVisit.mode,
        HomeVisit.visitors)).all()
    home = [v for v in visits if v[3] == "visit"]
    if home:
        f.put("visits", len(home))
        f.put("visits_children", len({v[0] for v in home}))
        warned = sum(1 for v in home if v[1])
        joint = sum(1 for v in home if JOINT.search(v[4] or ""))
        text = (f"联合乡镇、村干部开展“敲门行动”，{P}共开展家访 {len(home)} 人次（其中与乡镇、村干部"
                f"联合入户 {joint} 人次）" if joint else f"坚持入户家访，{P}共开展家访 {len(home)} 人次")
        text += f"，覆盖学生 {fig['visits_children']} 人"
        if warned:
            f.put("visits_warning", warned)
            text += f"，其中对预警学生家访 {warned} 人次"
        check.append(text + "，了解学生家庭情况和缺课原因，做好记录备案。")
    other = Counter(CONTACT_MODES[v[3]] for v in visits if v[3] != "visit")
    if other:
        f.put("contacts_other", sum(other.values()))
        check.append("通过" + "、".join(f"{mode} {n} 人次" for mode, n in other.items())
                     + "与家长和学生保持联系，对重点学生经常谈心谈话。")
    suspected = [c for c in ledger.cases("suspected", start, upto, school_filter)
                 if c.school_id in unit.ids]
    dropped = [c for c in ledger.cases("dropout", start, upto, school_filter)
               if c.school_id in unit.ids]
    if suspected or dropped:
        f.put("ledger_cases", len(suspected))
        f.put("ledger_dropouts", len(dropped))
        text = f"建立疑似辍学台账和辍学台账，{P}纳入疑似辍学台账 {len(suspected)} 人"
        if dropped:
            text += f"、辍学台账 {len(dropped)} 人"
        check.append(text + "，实行一人一档、动态管理、动态销号。")
    check.extend(text for text in (_abnormal(c), _disabled(c), _migrant(c), _leavers(c)) if text)
    c.visits, c.suspected, c.dropped = visits, suspected, dropped
    return check


def _migrant(c: Facts) -> str:
    """随迁子女 among the enrolled (the county's question), at the period's end as registered."""
    enrolled, migrant = db.session.execute(c.enrolled_ids.with_only_columns(
        sa.func.count(), sa.func.count().filter(Student.migrant.is_(True)))).one()
    if not migrant:
        return ""
    return (f"保障随迁子女平等接受义务教育，现有在读学生 {c.f.put('enrolled_now', enrolled)} 人，"
            f"其中随迁子女 {c.f.put('migrant_enrolled', migrant)} 人，与本地学生同等入学、同等管理。")


def _leavers(c: Facts) -> str:
    """普职结合: where the last 九年级 of the unit went (those who left before this school year)."""
    year = c.period.school_year - 1
    rows = [s for s in leavers.leavers(year) if s.school_id in c.unit.ids]
    if not rows:
        return ""
    found = leavers.counts(rows)
    went = "、".join(f"{label.split('（')[0]} {c.f.put('leavers_' + key, found[key])} 人"
                    for key, label in DESTINATIONS.items() if key != "unknown" and found[key])
    text = (f"做好普职结合，{year + 1}届九年级毕业生 {c.f.put('leavers', len(rows))} 人"
            + (f"，其中{went}" if went else ""))
    if found["unknown"]:
        text += f"；去向不明 {c.f.put('leavers_unknown', found['unknown'])} 人，正在逐人跟进"
    return text + "。"


def _disabled(c: Facts) -> str:
    """残疾儿童: the 残联's list matched and placed (the county asks for each placement)."""
    f = c.f
    rows = db.session.scalars(access.scoped(DisabledChild).where(
        DisabledChild.school_id.in_(c.unit.ids))).all()
    if not rows:
        return ""
    found = roster.counts(rows)
    f.put("disabled_listed", found.total)
    text = (f"与残联对接，比对适龄残疾儿童 {found.total} 人" + (
        f"（含无残疾证 {found.without_certificate} 人）" if found.without_certificate else "")
        + "，按住址就近分配到责任学校")
    placed = [f"{label} {f.put('disabled_' + key, found.by_placement[key])} 人"
              for key, label in SPECIAL_PLACEMENTS.items() if found.by_placement[key]]
    if placed:
        text += "，其中" + "，".join(placed)
    if found.by_placement[""]:
        text += f"，尚待评估安置 {f.put('disabled_unplaced', found.by_placement[''])} 人"
    return text + "，确保每一名残疾儿童少年都能接受义务教育。"


def _abnormal(c: Facts) -> str:
    """非正常学籍: the count at the period's start and end (from the status history), and the
    children whose 去向 was verified and whose clean-up ended in the period."""
    P, _, start, upto, f, _, _ = c.words()
    changes = cleanup.history(c.unit.ids)
    if not changes:
        return ""
    first, last = cleanup.on(changes, start), cleanup.on(changes, upto)
    before, after = (f.put(name, sum(n[s] for s in ABNORMAL)) for name, n in (
        ("abnormal_start", first), ("abnormal_end", last)))
    checks = db.session.scalars(access.scoped(RecordCheck).where(
        RecordCheck.student_id.in_(changes))).all()
    found = sum(1 for k in checks if k.verified_on and start <= k.verified_on <= upto
                and k.whereabouts != "unknown")
    done = sum(1 for k in checks if k.done_on and start <= k.done_on <= upto)
    if not (before or after or found or done):
        return ""
    text = "开展非正常学籍清理，" + (f"{P}非正常状态学籍从 {before} 人减少到 {after} 人" if after < before
                             else f"现有非正常状态学籍 {after} 人")
    if after:
        text += f"（其他离校 {last['left']} 人、问题学籍 {last['problem']} 人）"
    if found:
        text += f"，查明去向并核实 {f.put('abnormal_found', found)} 人"
    if done:
        text += f"，办结转学或删除 {f.put('abnormal_done', done)} 人"
    return text + "，做到非正常离校学生去向清楚、手续规范。"


def _support(c: Facts) -> list[str]:
    """（三）精准帮扶: aid paid, pairs and their sessions."""
    P, we, start, upto, f, fig, setting = c.words()
    unit, term_ids = c.unit, [t.id for t in c.period.terms]
    aid: list[str] = []
    programs = [p for t in term_ids for p in grants.programs(t) if p.active]
    if programs:
        paid = db.session.execute(in_unit(AidGrant, unit).where(
            AidGrant.program_id.in_([p.id for p in programs]), AidGrant.status == "paid")
            .with_only_columns(AidGrant.program_id, AidGrant.student_id, AidGrant.amount)).all()
        per_child: Counter = Counter()
        per_program: dict[int, Counter] = {}
        for program_id, student_id, amount in paid:
            per_child[student_id] += amount
            per_program.setdefault(program_id, Counter())[student_id] += amount
        total = sum(per_child.values())
        children = sum(1 for v in per_child.values() if v > 0)
        if total > 0:
            f.put("aid_fen", total)
            f.put("aid_yuan", yuan(total))
            f.put("aid_children", children)
            parts = []
            for p in programs:
                got = per_program.get(p.id)
                if got and sum(got.values()) > 0:
                    parts.append(f"{p.name} {yuan(sum(got.values()))} 元、{sum(1 for v in got.values() if v > 0)} 人")
            text = (f"落实学生资助政策，{P}共发放资助资金 {yuan(total)} 元，惠及学生 {children} 人"
                    + (f"（{'；'.join(parts)}）" if len(parts) > 1 else "")
                    + "。")  # 应助尽助 and 因贫 are claimed in 工作成效 only when so (findings)
            aid.append(text)
        else:
            aid.append(f"{P}设立资助项目 {len(programs)} 个（{'、'.join(p.name for p in programs)}），资助资金正在审核发放。")
    pairs = db.session.scalars(in_unit(TutoringPair, unit).where(
        TutoringPair.start_on <= upto,
        sa.or_(TutoringPair.end_on.is_(None), TutoringPair.end_on >= start))).all()
    sessions = db.session.execute(access.scoped(TutoringSession).join(TutoringPair).where(
        TutoringPair.school_id.in_(unit.ids), between(TutoringSession.held_on, start, upto))
        .with_only_columns(TutoringPair.kind)).all()
    if pairs:
        by_kind = Counter(p.kind for p in pairs)
        sessions_by_kind = Counter(k for (k,) in sessions)
        f.put("pairs", len(pairs))
        f.put("sessions", len(sessions))
        for kind in PAIR_KINDS:
            if by_kind[kind]:
                f.put(f"pairs_{kind}", by_kind[kind])
                f.put(f"sessions_{kind}", sessions_by_kind[kind])
        phrases = {
            "academic": ("开展“一帮一”学业帮扶，结对 {p} 对", "，帮扶 {s} 次"),
            "caring_mother": ("为留守儿童结对“爱心妈妈” {p} 对", "，联系、陪伴 {s} 次"),
            "counselling": ("对厌学、心理困惑学生开展心理辅导，结对 {p} 对", "，辅导 {s} 次"),
            "home_delivery": ("对不能到校就读的残疾儿童实行送教上门 {p} 人", "，送教 {s} 次"),
        }
        parts = []
        for kind, (head, tail) in phrases.items():
            if by_kind[kind]:
                parts.append(head.format(p=by_kind[kind]) + (
                    tail.format(s=sessions_by_kind[kind]) if sessions_by_kind[kind] else ""))
        aid.append(f"{P}，{we}" + "；".join(parts) + f"。全部结对共开展帮扶活动 {len(sessions)} 次。"
                   if sessions else f"{P}，{we}" + "；".join(parts) + "。")
    counselled = _counselling(c)
    if counselled:
        aid.append(counselled)
    c.programs = programs
    return aid


def _counselling(c: Facts) -> str:
    """心理辅导 (the log, apart from pairs): sessions of each kind, 人次, 厌学 转化."""
    P, we, start, upto, f, _, _ = c.words()
    n = log.totals(start, upto, c.unit.ids)
    if not (n["individual"] or n["group"]):
        return ""
    kinds = [f"{label} {f.put('counselling_' + key, n[key])} 次"
             for key, label in (("individual", "个别辅导"), ("group", "团体辅导")) if n[key]]
    text = (f"{P}，{we}开展心理辅导{'、'.join(kinds)}，覆盖学生 "
            f"{f.put('counselling_reached', n['reached'])} 人次")
    if n["weary"]:
        text += (f"；对 {f.put('counselling_weary', n['weary'])} 名厌学学生逐人谈心辅导，"
                 f"其中 {f.put('counselling_weary_better', n['weary_better'])} 人明显好转")
    return text + "。"


def _return_to_school(c: Facts) -> list[str]:
    """（四）劝返复学: cases opened, returned, closed; notices and follow-ups."""
    P, we, start, upto, f, fig, setting = c.words()
    unit, visits, suspected, dropped = c.unit, c.visits, c.suspected, c.dropped
    back: list[str] = []
    counts = [c for c in ledger.monthly_counts(start, upto) if c.school.id in unit.ids]
    new = sum(c.new for c in counts)
    returned = sum(c.returned for c in counts)
    closed = sum(c.closed for c in counts)
    still_out = sum(c.still_out for c in counts)
    touched = {c.id for c in suspected} | {c.id for c in dropped}
    steps = db.session.execute(access.scoped(CaseStep).join(DropoutCase).where(
        DropoutCase.school_id.in_(unit.ids), between(CaseStep.on, start, upto))
        .with_only_columns(CaseStep.to_state, DropoutCase.id)).all()
    reached = {state: len({cid for s, cid in steps if s == state})
               for state in ("transferred", "home_delivery", "legal")}
    if touched:
        f.put("cases_new", new)
        f.put("cases_returned", returned)
        f.put("cases_closed", closed)
        f.put("cases_still_out", still_out)
        text = f"对疑似辍学学生逐一建立劝返个案，明确学校和政府“双线”责任人，{P}"
        parts = []
        if new:
            parts.append(f"新立劝返个案 {new} 个")
        case_visits = sum(1 for v in visits if v[2])
        if case_visits:
            f.put("case_visits", case_visits)
            parts.append(f"入户劝返 {case_visits} 人次")
        if returned:
            parts.append(f"劝返复学 {returned} 人")
        for state, words in (("transferred", "核实转学"), ("home_delivery", "转为送教上门"),
                             ("legal", "依法督促")):
            if reached[state]:
                f.put(f"cases_{state}", reached[state])
                parts.append(f"{words} {reached[state]} 人")
        if closed:
            parts.append(f"动态销号 {closed} 个")
        if parts:
            back.append(text + "，".join(parts) + "。")
        else:
            back.append(f"对疑似辍学学生逐一建立劝返个案，明确学校和政府“双线”责任人，{P}跟进个案 {len(touched)} 个。")
        issued = access.scoped(CaseNotice).join(DropoutCase).where(
            DropoutCase.school_id.in_(unit.ids), between(CaseNotice.issued_on, start, upto))
        # to the guardians (复学、督促、责令: issued, their 回执 back or not), not the 报告表
        to_families = issued.where(CaseNotice.kind != "report")
        notices = count_of(to_families)
        receipts = count_of(to_families.where(CaseNotice.receipt_on.is_not(None)))
        follow = count_of(access.scoped(FollowUp).join(DropoutCase).where(
            DropoutCase.school_id.in_(unit.ids), FollowUp.done_on.is_not(None),
            between(FollowUp.done_on, start, upto)))
        extra = []
        if notices:
            f.put("case_notices", notices)
            extra.append(f"向监护人发出复学通知书、督促入学通知书等文书 {notices} 份"
                         f"（收回签字回执 {receipts} 份）")
        if follow:
            f.put("follow_ups", follow)
            extra.append(f"对复学学生制定复学适应方案并跟踪回访 {follow} 次")
        if extra:
            back.append("；".join(extra) + "，巩固劝返成果。")
    elif fig.get("students_start"):
        back.append(f"{P}{we}疑似辍学台账、辍学台账无在册学生。")
    c.still_out = still_out
    return back


def _publicity(c: Facts) -> list[str]:
    """（五）宣传引导: activities, the monthly meetings."""
    P, we, start, upto, f, fig, setting = c.words()
    unit = c.unit
    publicity: list[str] = []
    activities = db.session.execute(in_unit(Activity, unit).where(
        between(Activity.held_on, start, upto)).with_only_columns(
        Activity.kind, Activity.reached)).all()
    if activities:
        kinds = Counter(k for k, _ in activities)
        people = sum(r or 0 for _, r in activities)
        f.put("activities", len(activities))
        if people:
            f.put("activities_reached", people)
        for kind, count in kinds.items():
            f.put(f"activities_{kind}", count)
        listing = "、".join(f"{ACTIVITY_KINDS.get(k, k)} {c} 次" for k, c in sorted(
            kinds.items(), key=lambda kc: list(ACTIVITY_KINDS).index(kc[0])
            if kc[0] in ACTIVITY_KINDS else 99))
        publicity.append(
            f"利用家长会、校园广播、宣传栏、微信群等载体宣传《义务教育法》《未成年人保护法》和控辍保学政策，"
            f"{P}共开展宣传引导活动 {len(activities)} 次" + (f"，覆盖 {people} 人次" if people else "")
            + f"，其中{listing}。")
    covered = _parents(c)
    if covered:
        publicity.append(covered)
    meetings = db.session.scalars(access.scoped(Meeting).where(
        Meeting.central_id == unit.central.id, Meeting.kind == "monthly",
        between(Meeting.held_on, start, upto))).all()
    if meetings:
        f.put("meetings", len(meetings))
        if unit.school is None:
            publicity.append(f"建立定期会商制度，{P}召开控辍保学月度推进会 {len(meetings)} 次，分析辍学风险，研究解决实际问题。")
        else:
            done = count_of(access.scoped(ActionItem).where(
                ActionItem.school_id == unit.school.id, ActionItem.done_on.is_not(None),
                between(ActionItem.done_on, start, upto)))
            text = f"中心学校{P}召开控辍保学月度推进会 {len(meetings)} 次"
            if done:
                f.put("action_items_done", done)
                text += f"，{we}落实会议决定事项 {done} 项"
            publicity.append(text + "。")
    return publicity


def _parents(c: Facts) -> str:
    """家长会 and 家长学校: how many of the unit's classes held one in the term the period ends in."""
    term = parents.this_term(c.upto)
    rows = [r for r in parents.coverage(term) if r.klass.school_id in c.unit.ids] if term else []
    if not rows:
        return ""
    held = sum(1 for r in rows if r.held)
    text = (f"{term.name}，{c.unit.we} {c.f.put('parent_classes', len(rows))} 个班级中有 "
            f"{c.f.put('parent_classes_held', held)} 个召开了家长会或家长学校")
    return text + (f"，还有 {len(rows) - held} 个班级未召开。" if held < len(rows) else "，实现全覆盖。")


def write(unit: Unit, period: Period, today: date) -> tuple[list[list[str]], dict, date]:
    """The summary's sections (see draft.py's docstring), the figures they used, the day they
    count to."""
    c = Facts(unit, period, today, Writer())
    c.f.put("schools", len(unit.schools))
    put_rates(unit, period, c.upto, c.f)
    measures = [("组织与责任落实", _organisation(c)), ("排查与动态管理", _checking(c)),
                ("精准帮扶", _support(c)), ("劝返复学", _return_to_school(c)),
                ("宣传引导", _publicity(c))]
    problems, plans = problems_and_plans(c)
    results, overview = results_of(c), overview_of(c)
    P, we = period.word, unit.we
    measures = [(h, p) for h, p in measures if p]
    sections = [["一、工作概述", _join(overview)],
                ["二、主要工作措施", f"{P}，{we}主要做了以下工作。" if measures else ""]]
    for i, (heading, paragraphs) in enumerate(measures):
        sections.append([f"（{NUMERALS[i]}）{heading}", _join(paragraphs)])
    sections += [["三、工作成效", _join(results)],
                 ["四、存在的问题", _join(f"{i}. {t}" for i, t in enumerate(problems, 1))],
                 ["五、下一步工作计划", _join(f"{i}. {t}" for i, t in enumerate(plans, 1))]]
    sections = [s for s in sections if s[1] or LEVEL1.match(s[0])]
    return sections, dict(c.f.figures), c.upto





def _join(paragraphs) -> str:
    return "\n\n".join(p for p in paragraphs if p)


