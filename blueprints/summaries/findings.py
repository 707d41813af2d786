"""三、工作成效, 四、存在的问题, 五、下一步工作计划 and 一、工作概述: what the measures found, as
results, the gaps with what to do about each, and the overview."""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from blueprints.aid import grants
from blueprints.pairs import schedule
from blueprints.responsibility import lines
from extensions import db
from models import PAIR_KINDS, DropoutCase, EarlyWarning, HomeVisit, Student
from blueprints.summaries.draft import in_unit
from blueprints.summaries.facts import Facts, cn_date, pct, count_of


def problems_and_plans(c: Facts) -> tuple[list[str], list[str]]:
    """四、存在的问题 and 五、下一步工作计划: each gap found, and what to do about it."""
    P, we, start, upto, f, fig, setting = c.words()
    unit, period, today, school_filter = c.unit, c.period, c.today, c.school_filter
    still_out, programs, enrolled_ids, as_of = c.still_out, c.programs, c.enrolled_ids, cn_date(upto)
    problems: list[str] = []
    plans: list[str] = []
    if still_out:
        problems.append(f"截至{as_of}，仍有 {still_out} 名疑似辍学、辍学学生未返校，劝返工作还需加力。")
        plans.append(f"对尚未返校的 {still_out} 名学生，落实学校和政府“双线”责任人，继续入户劝返，"
                     "对经多次劝返仍不返校的，按程序报请乡镇政府依法督促，确保应返尽返。")
    overdue = count_of(in_unit(EarlyWarning, unit).where(
        EarlyWarning.opened_on <= upto, EarlyWarning.due_on < upto,
        sa.or_(EarlyWarning.closed_on.is_(None), EarlyWarning.closed_on > upto)))
    if overdue:
        f.put("warnings_overdue", overdue)
        problems.append(f"有 {overdue} 条缺课预警超过规定时限仍未家访处置，预警响应不够及时。")
        plans.append(f"严格执行预警处置时限，预警发出后 {setting['visit_within']} 个上课日内完成家访，"
                     "当天电话联系家长，逐条处置、逐条销号。")
    if programs:
        latest = [t for t in period.terms if t.start_date <= upto] or period.terms
        gap = grants.gaps(latest[-1].id, school_filter)
        missing = len({row.student.id for _p, row in gap.missing
                       if row.student.school_id in unit.ids})
        extra_ = sum(1 for _p, g, _why in gap.extra if g.school_id in unit.ids)
        if missing:
            f.put("aid_missing", missing)
            problems.append(f"资助还有缺口：{missing} 名符合资助条件的学生尚未获得资助。")
            plans.append(f"逐一核实 {missing} 名未获资助学生的家庭情况，及时补报补发，做到应助尽助。")
        if extra_:
            f.put("aid_extra", extra_)
            problems.append(f"有 {extra_} 笔资助发给了已不在读或不再符合条件的学生，需要核实更正。")
            plans.append("对不再符合条件的资助逐笔核实，按规定更正，确保资金精准。")
    uncovered = [(need.label, [s for s in need.students if s.school_id in unit.ids], need.kind)
                 for need in schedule.uncovered(upto, school_filter)]
    uncovered = [(label, students, kind) for label, students, kind in uncovered if students]
    if uncovered:
        f.put("pairs_uncovered", sum(len(s) for _l, s, _k in uncovered))
        problems.append("结对帮扶还未全覆盖：" + "；".join(
            f"{label} {len(students)} 人" for label, students, _k in uncovered) + "。")
        todo = {"academic": "为尚未结对的学困、厌学学生落实学业帮扶或心理辅导教师",
                "caring_mother": "为尚未结对的留守儿童落实“爱心妈妈”",
                "home_delivery": "为送教上门学生制定送教计划、定期上门"}
        plans.append("，".join(todo.get(kind, f"为尚未结对的学生落实{PAIR_KINDS.get(kind, '')}")
                              for _l, _s, kind in uncovered) + "，做到一生一策。")
    if period.start <= today <= period.end:
        behind = [r for r in schedule.standing(today, school_id=school_filter)
                  if r.due and r.school_id in unit.ids]
        if behind:
            f.put("pairs_behind", len(behind))
            problems.append(f"有 {len(behind)} 对结对帮扶未按要求按时联系、见面，帮扶频次不够。")
            plans.append("督促帮扶教师按结对要求定期联系、见面，并及时记录帮扶情况。")
    lacking = db.session.scalar(lines.lacking(today).with_only_columns(sa.func.count())
                                .where(Student.school_id.in_(unit.ids)).order_by(None))
    if lacking:
        f.put("lines_missing", lacking)
        problems.append(f"有 {lacking} 名重点关注学生的“双线四包”责任人还不齐全。")
        plans.append("逐一补齐重点关注学生的包保责任人，做到每名学生都有学校领导、班主任、任课教师和乡镇、村干部包保。")
    villages = sorted({v for (v,) in db.session.execute(
        enrolled_ids.with_only_columns(Student.village).where(Student.village != "").distinct())})
    if villages:
        have = {c.village for c in lines.cadres("village")}
        without = [v for v in villages if v not in have]
        if without:
            f.put("villages_without_cadre", len(without))
            problems.append(f"政府线还有空档：{'、'.join(without)}尚无村干部落实包户责任，村校联动有待加强。")
            plans.append(f"主动联系{'、'.join(without)}村委会，明确包户村干部，完善“校—村—家”联动机制。")
    unsigned = fig.get("pledges_unsigned", 0)
    if unsigned:
        problems.append(f"还有 {unsigned} 份责任书、承诺书未签署回收。")
        plans.append("督促尽快签署并回收责任书、承诺书，扫描存档。")
    if not problems:
        problems.append(f"从系统数据看，截至{as_of}，{we}没有未返校的疑似辍学学生、超期未处置的预警和资助、结对缺口。")
    plans.append("继续坚持每周考勤、预警家访和台账动态管理，持续巩固控辍保学成果。")
    return problems, plans


def results_of(c: Facts) -> list[str]:
    """三、工作成效: the figures already written, as results."""
    P, we, start, upto, f, fig, setting = c.words()
    as_of = cn_date(upto)
    results: list[str] = []
    rate_parts = []
    if "enrolment_rate" in fig:
        rate_parts.append(f"适龄儿童少年入学率 {pct(fig['enrolment_rate'])}")
    if "consolidation_rate" in fig:
        rate_parts.append(f"巩固率 {pct(fig['consolidation_rate'])}")
    if "dropout_rate" in fig:
        rate_parts.append(f"辍学率 {pct(fig['dropout_rate'])}")
    for key, words in (("enrolment_rate_primary", "小学适龄儿童入学率"),
                       ("enrolment_rate_junior", "初中适龄少年入学率"),
                       ("dropout_rate_primary", "小学辍学率"), ("dropout_rate_junior", "初中辍学率")):
        if key in fig:
            rate_parts.append(f"{words} {pct(fig[key])}")
    if rate_parts:
        lead = f"学年初在读学生 {fig['students_start']} 人，" if "students_start" in fig else ""
        no_new = "，本学年无新增辍学学生" if fig.get("dropouts") == 0 and "students_start" in fig else ""
        results.append(f"控辍保学目标任务得到落实：{we}{lead}截至{as_of}，{'，'.join(rate_parts)}{no_new}。")
    if fig.get("cases_returned"):
        results.append(f"劝返复学成效明显：{P}劝返复学 {fig['cases_returned']} 人。")
    if "visits" in fig:
        results.append(f"动态监测扎实：{P}共开展家访 {fig['visits']} 人次。")
    if "aid_yuan" in fig:
        results.append(f"资助保障有力：{P}发放资助资金 {fig['aid_yuan']} 元，惠及学生 {fig['aid_children']} 人"
                       + ("" if "aid_missing" in fig else "，做到应助尽助")
                       + ("" if _poor_out(c) else "，没有学生因贫失学") + "。")
    if "pairs" in fig:
        results.append(f"结对帮扶落到实处：结对帮扶 {fig['pairs']} 对" + (
            f"，开展帮扶活动 {fig['sessions']} 次" if fig["sessions"] else "") + "。")
    if fig.get("pledges_signed"):
        results.append(f"责任落实到人：签订目标责任书、家长承诺书 {fig['pledges_signed']} 份。")
    if "meetings" in fig:
        results.append(f"会商机制常态运行：{P}召开月度推进会 {fig['meetings']} 次。")
    if "activities" in fig:
        results.append(f"宣传引导深入人心：{P}开展宣传引导活动 {fig['activities']} 次" + (
            f"，覆盖 {fig['activities_reached']} 人次" if "activities_reached" in fig else "") + "。")
    results = [f"{i}. {text}" for i, text in enumerate(results, 1)]
    return results


def _poor_out(c: Facts) -> int:
    """Children out of school in the period for want of money: a 劝返 case of the period whose
    reason says so, or visited for it (家庭经济困难); the summary claims none 因贫失学 only so."""
    start, upto = c.period.start, c.upto
    cases = in_unit(DropoutCase, c.unit).where(DropoutCase.opened_on <= upto, sa.or_(
        DropoutCase.closed_on.is_(None), DropoutCase.closed_on >= start))
    poor = sa.or_(*(DropoutCase.reason.contains(word) for word in ("贫", "经济", "没钱", "学费")),
                  sa.exists().where(HomeVisit.case_id == DropoutCase.id,
                                    HomeVisit.reasons.contains("poverty")))
    return count_of(cases.where(poor))


def overview_of(c: Facts) -> list[str]:
    """一、工作概述."""
    P, we, start, upto, f, fig, setting = c.words()
    unit, period = c.unit, c.period
    if unit.school is None:
        kinds = Counter(s.kind for s in unit.schools)
        words = [f"{label} {kinds[k]} 所" for k, label in (("central", "中心学校"),
                                                           ("village", "村小"), ("point", "教学点"))
                 if kinds[k]]
        who = f"全镇共有{'、'.join(words)}。" if words else ""
    else:
        who = ""
    overview = [
        f"{P}，{'中心学校' if unit.school is None else '我校'}深入贯彻落实上级关于控辍保学工作的部署要求，"
        "以“不让一个学生失学辍学”为目标，落实“双线四包”责任制，通过排查摸底、动态监测、精准帮扶、"
        "劝返复学和宣传引导等措施，持续巩固控辍保学成果。" + who,
    ]
    if "students_start" in fig:
        overview.append(f"{we}学年初（{period.school_year}年9月1日）在读学生 {fig['students_start']} 人。"
                        f"现将{P}控辍保学工作总结如下。")
    else:
        overview.append(f"现将{P}控辍保学工作总结如下。")
    return overview

