"""家访, 劝返复学 and 四查三比对: visits, cases from 疑似辍学 to 销号, the 户籍 list."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.people import School, User
from models.register import Student
from models.common import mask_id, now


# 家访 and every other contact with a family, with what was found: the mode says which (a
# teacher's 谈心 with a 重点生, a call to a parent working away, a 社区走访 with the 村干部).
CONTACT_MODES = {"visit": "家访", "phone": "电话联系", "community": "社区走访", "talk": "面谈/谈心"}
VISIT_REASONS = {"school_weary": "厌学", "poverty": "家庭经济困难", "work_away": "外出务工",
                 "illness": "疾病", "disability": "残疾", "early_marriage": "早婚",
                 "no_guardian": "监护缺失", "other": "其他"}
VISIT_OUTCOMES = {"in_school": "孩子在校/已返校", "will_return": "答应近日返校",
                  "refused": "拒绝返校", "gone": "孩子不在家（外出、去向不明）",
                  "sick": "生病在家", "other": "其他"}


class HomeVisit(db.Model):
    __tablename__ = "home_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    visited_on: Mapped[date] = mapped_column(index=True)
    mode: Mapped[str] = mapped_column(sa.String(12), default="visit", server_default="visit")
    visitors: Mapped[str] = mapped_column(sa.String(100))  # 吴晓燕（班主任）、村主任陈小平
    met: Mapped[str] = mapped_column(sa.String(100), default="")  # whom they met
    situation: Mapped[str] = mapped_column(sa.Text, default="")
    reasons: Mapped[str] = mapped_column(sa.String(200), default="")  # VISIT_REASONS codes
    outcome: Mapped[str] = mapped_column(sa.String(80))  # VISIT_OUTCOMES codes, comma-separated
    next_step: Mapped[str] = mapped_column(sa.String(300), default="")
    file_path: Mapped[str | None] = mapped_column(sa.String(200))  # photo or scan
    warning_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warnings.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dropout_cases.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    student: Mapped[Student] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def mode_label(self) -> str:
        return CONTACT_MODES.get(self.mode, self.mode)

    @property
    def reason_labels(self) -> list[str]:
        return [VISIT_REASONS[r] for r in self.reasons.split(",") if r in VISIT_REASONS]

    @property
    def outcomes(self) -> list[str]:
        """The ticked 结果, as on the paper form (stored comma-separated, the main one first)."""
        return [o for o in (self.outcome or "").split(",") if o]

    @property
    def outcome_label(self) -> str:
        return "、".join(VISIT_OUTCOMES.get(o, o) for o in self.outcomes)

    def __str__(self) -> str:
        return f"{self.visited_on} 家访：{self.outcome_label}"


# 劝返复学: a case from 疑似辍学 to 销号 (blueprints/cases/workflow.py holds the transitions).
CASE_STATES = {
    "suspected": "疑似辍学", "verifying": "核查中", "persuading": "劝返中",
    "legal": "依法督促", "returned": "已复学", "transferred": "核实转学",
    "home_delivery": "送教上门", "closed": "已销号",
}
CASE_TRIGGERS = {"absence": "连续无故缺课", "visit": "家访发现人不在", "manual": "学校上报",
                 "reconciliation": "四查三比对", "disabled_list": "残联名单比对"}
NOTICE_KINDS = {"report": "辍学学生情况报告表", "return": "复学通知书",
                "urge": "督促入学通知书", "order": "责令送学通知书（草稿）"}
# days a guardian is given, counted from the notice's date: a week to bring the child back or
# answer the school's 督促; the government's 责令 after that, 5 days (限期改正)
NOTICE_DAYS = {"return": 7, "urge": 7, "order": 5}


class DropoutCase(db.Model):
    __tablename__ = "dropout_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    opened_on: Mapped[date] = mapped_column(index=True)
    out_since: Mapped[date | None]  # 首次未到校: the first day out, when known (left_on)
    trigger: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")  # why the child is out
    whereabouts: Mapped[str] = mapped_column(sa.String(120), default="")  # 去向
    state: Mapped[str] = mapped_column(sa.String(16), default="suspected", index=True)
    dropout_on: Mapped[date | None]  # suspected past the threshold: a dropout (学籍 kept)
    reentry_plan: Mapped[str] = mapped_column(sa.Text, default="")  # 复学适应方案
    returned_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # the state it was closed from
    closed_on: Mapped[date | None] = mapped_column(index=True)

    student: Mapped[Student] = relationship()
    school: Mapped[School] = relationship()
    steps: Mapped[list[CaseStep]] = relationship(
        back_populates="case", cascade="all, delete-orphan",
        order_by="(CaseStep.on, CaseStep.id)")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="FollowUp.due_on")
    notices: Mapped[list[CaseNotice]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseNotice.id")

    @property
    def left_on(self) -> date:
        """The day the papers say the child has been out since: the first day out when known,
        else the day the case was opened."""
        return self.out_since or self.opened_on

    @property
    def state_label(self) -> str:
        return CASE_STATES.get(self.state, self.state)

    @property
    def trigger_label(self) -> str:
        return CASE_TRIGGERS.get(self.trigger, self.trigger)

    @property
    def outcome_label(self) -> str:
        return CASE_STATES.get(self.outcome, "") if self.outcome else ""

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    def __str__(self) -> str:
        return f"劝返个案：{self.state_label}（{self.opened_on} 起）"


class CaseStep(db.Model):
    """One dated step of a case: its state before and after, who, and what was done."""
    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("dropout_cases.id", ondelete="CASCADE"),
                                         index=True)
    on: Mapped[date]
    from_state: Mapped[str | None] = mapped_column(sa.String(16))
    to_state: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case: Mapped[DropoutCase] = relationship(back_populates="steps")
    user: Mapped[User | None] = relationship()

    @property
    def to_label(self) -> str:
        return CASE_STATES.get(self.to_state, self.to_state)

    @property
    def from_label(self) -> str:
        return CASE_STATES.get(self.from_state, "") if self.from_state else "立案"

    def __str__(self) -> str:
        return f"{self.on} {self.from_label} → {self.to_label}"


class FollowUp(db.Model):
    """A returned child's follow-up (1 week, 1 month after return)."""
    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("dropout_cases.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(sa.String(20))  # 复学一周 / 复学一个月
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case: Mapped[DropoutCase] = relationship(back_populates="follow_ups")

    def __str__(self) -> str:
        return f"{self.label} {self.due_on}"


class CaseNotice(db.Model):
    """A notice printed for a case (报告表, 复学通知书, ...), numbered."""
    __tablename__ = "case_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("dropout_cases.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    doc_no: Mapped[str] = mapped_column(sa.String(40), unique=True)
    issued_on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    scan_path: Mapped[str | None] = mapped_column(sa.String(200))  # the signed 回执, scanned
    receipt_on: Mapped[date | None]  # when the signed 回执 came back

    case: Mapped[DropoutCase] = relationship(back_populates="notices")
    user: Mapped[User | None] = relationship()  # who issued it: the 报告表's 填报人

    @property
    def kind_label(self) -> str:
        return NOTICE_KINDS.get(self.kind, self.kind)

    @property
    def days(self) -> int | None:
        return NOTICE_DAYS.get(self.kind)

    @property
    def deadline(self) -> date | None:
        """The calendar date the notice's days run to (printed beside "七日内")."""
        return self.issued_on + timedelta(days=self.days) if self.days else None

    def __str__(self) -> str:
        return f"{self.doc_no} {self.kind_label}"


# 四查三比对: the township's 户籍 list of children, compared with the register.
EXPLANATIONS = {"elsewhere": "在外地就读", "migrant": "随迁子女在外地就读",
                "special_school": "在特殊教育学校就读", "deceased": "已死亡",
                "wrong_record": "户籍信息有误", "not_of_age": "不在义务教育年龄段", "other": "其他"}


class HouseholdChild(db.Model):
    """A child on the township's 户籍 list (from the police station or the village), with the
    explanation when the child is in no school of the township for a known reason."""
    __tablename__ = "household_children"
    __table_args__ = (sa.UniqueConstraint("central_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    id_number: Mapped[str] = mapped_column(sa.String(18))
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(sa.String(1))
    village: Mapped[str] = mapped_column(sa.String(40), default="")
    village_group: Mapped[str] = mapped_column(sa.String(20), default="")
    guardian: Mapped[str] = mapped_column(sa.String(40), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    imported_on: Mapped[date]
    explained: Mapped[str | None] = mapped_column(sa.String(16))  # EXPLANATIONS code
    explanation: Mapped[str] = mapped_column(sa.String(300), default="")  # with its evidence
    explained_on: Mapped[date | None]
    explained_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def explained_label(self) -> str:
        return EXPLANATIONS.get(self.explained, "") if self.explained else ""

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def __str__(self) -> str:
        return f"{self.name}（{self.village}）"


class MonthReport(db.Model):
    """A month's ledgers as the township sent them (报送): the 疑似辍学 and 辍学 ledgers' rows
    and each school's counts, kept as sent. The month's ledger pages, exports, prints and
    monthly report show the latest version sent, not today's records; a later change is sent
    again as a correction (更正: the next version, dated, with what changed), and every
    version stays."""
    __tablename__ = "month_reports"
    __table_args__ = (sa.UniqueConstraint("central_id", "month", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    month: Mapped[date]  # its first day
    version: Mapped[int] = mapped_column(default=1)
    sent_on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")  # a correction's reason
    content: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    user: Mapped[User | None] = relationship()

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}台账报送（第 {self.version} 版）"


class SchoolReport(db.Model):
    """A school's 月报 to the central school (报送, or 零报告 when it had nobody out): its
    month's 疑似辍学 and 辍学 rows and counts, kept as the school sent them, with its head's
    words. Sent once a month has ended; sent again, it is the next version (a correction), and
    every version stays. The central school sees who has and has not reported."""
    __tablename__ = "school_reports"
    __table_args__ = (sa.UniqueConstraint("school_id", "month", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    month: Mapped[date]  # its first day
    version: Mapped[int] = mapped_column(default=1)
    sent_on: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    suspected: Mapped[int] = mapped_column(default=0)  # rows of its 疑似辍学台账 of the month
    dropouts: Mapped[int] = mapped_column(default=0)  # rows of its 辍学台账 of the month
    note: Mapped[str] = mapped_column(sa.String(500), default="")  # 情况说明
    content: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    school: Mapped[School] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def zero(self) -> bool:
        """零报告: nobody suspected or out of school in the month."""
        return not self.suspected and not self.dropouts

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}月报（{'零报告' if self.zero else '报送'}，第 {self.version} 版）"

