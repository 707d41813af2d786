"""双线四包 (the people responsible for each child), pledges and their templates, document numbers."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import clock
from extensions import db
from models.people import School, Term, User
from models.common import Steps
from models.register import Student


# 双线四包: the persons responsible for a child, on the school line and the government line.
RESPONSIBILITY_KINDS = {
    "leader": "学校领导包片",
    "class_teacher": "班主任包班",
    "teacher": "教师包生",
    "township_cadre": "乡镇干部包村",
    "village_cadre": "村干部包户",
}
SCHOOL_LINE = ("leader", "class_teacher", "teacher")  # users of the schools
GOVERNMENT_LINE = ("township_cadre", "village_cadre")  # cadres of the directory
CADRE_LEVELS = {"township": "乡镇干部", "village": "村干部"}


class Cadre(db.Model):
    """A township or village cadre (乡镇干部 / 村干部) in a township's directory; not a user."""
    __tablename__ = "cadres"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(10))  # township / village
    village: Mapped[str] = mapped_column(sa.String(40), default="")  # for village cadres
    name: Mapped[str] = mapped_column(sa.String(40))
    post: Mapped[str] = mapped_column(sa.String(40), default="")  # 村支书, 村主任, 副镇长 ...
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def level_label(self) -> str:
        return CADRE_LEVELS.get(self.level, self.level)

    def __str__(self) -> str:
        return f"{self.name}（{self.village + ' ' if self.village else ''}{self.post}）"


class Responsibility(db.Model):
    """One line of 双线四包 for one child: a user (school line) or a cadre (government line)."""
    __tablename__ = "responsibilities"
    __table_args__ = (sa.UniqueConstraint("student_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cadres.id"), index=True)
    assigned_on: Mapped[date] = mapped_column(default=clock.today)

    student: Mapped[Student] = relationship(back_populates="responsibilities")
    user: Mapped[User | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()

    @property
    def person(self):
        return self.user or self.cadre

    @property
    def phone(self) -> str:
        return self.person.phone if self.person else ""

    @property
    def kind_label(self) -> str:
        return RESPONSIBILITY_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return f"{self.kind_label}：{self.person.name if self.person else ''}"


class DocumentCounter(db.Model):
    """The last number given in a series of document numbers (e.g. a school's pledges of a
    term). Numbers are never reused, even when a document is deleted with its child."""
    __tablename__ = "document_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    last: Mapped[int] = mapped_column(default=0)

    @classmethod
    def next(cls, key: str) -> int:
        """Take the next number of a series, atomically (UPDATE ... RETURNING)."""
        number = db.session.execute(
            sa.update(cls).where(cls.key == key).values(last=cls.last + 1)
            .returning(cls.last)).scalar()
        if number is None:
            db.session.add(cls(key=key, last=1))
            db.session.flush()
            number = 1
        return number


PLEDGE_KINDS = {
    "teacher": "教师目标责任书",
    "class_teacher": "班主任目标责任书",
    "village_school": "村小（教学点）目标责任书",
    "township_village": "镇政府与村委会目标责任书",  # the government line: 镇人民政府 and 村委会
    "village_committee": "学校与村委会协议书",
    "guardian_commitment": "家长承诺书",
    "guardian_notice": "家长告知书",
}
GUARDIAN_KINDS = ("guardian_commitment", "guardian_notice")
ORGANISATION_KINDS = ("village_school", "township_village", "village_committee")  # 乙方 seals
# a paragraph listing children ("包保学生：甲、乙（三年级1班）"): printed as a table of names
NAME_LIST = re.compile(r"^(包保学生|本村在读学生|本村适龄儿童少年)：(.+、.+|[^、]+（.+）)$")
PLEDGE_STATUSES = {"generated": "已生成", "printed": "已打印", "signed": "已签署",
                   "collected": "已回收"}


class PledgeTemplate(db.Model):
    """A township's text of one kind of pledge, with {placeholders} filled at generation."""
    __tablename__ = "pledge_templates"
    __table_args__ = (sa.UniqueConstraint("central_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    title: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.Text)
    party_a: Mapped[str] = mapped_column(sa.String(40), default="甲方")  # signature labels
    party_b: Mapped[str] = mapped_column(sa.String(40), default="乙方")
    copies: Mapped[int] = mapped_column(default=2)  # 一式两份

    @property
    def kind_label(self) -> str:
        return PLEDGE_KINDS.get(self.kind, self.kind)

    def __str__(self) -> str:
        return self.title


class Pledge(Steps, db.Model):
    """One issued document: its text is fixed when generated, then printed, signed, collected."""
    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("pledge_templates.id"), index=True)
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("terms.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    doc_no: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(60))
    content: Mapped[str] = mapped_column(sa.Text)
    party_a_name: Mapped[str] = mapped_column(sa.String(80))
    party_b_name: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("students.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="generated", index=True)
    generated_on: Mapped[date] = mapped_column(default=clock.today)
    printed_on: Mapped[date | None]
    signed_on: Mapped[date | None]
    collected_on: Mapped[date | None]
    scan_path: Mapped[str | None] = mapped_column(sa.String(200))

    template: Mapped[PledgeTemplate] = relationship()
    term: Mapped[Term] = relationship()
    school: Mapped[School] = relationship()
    user: Mapped[User | None] = relationship()
    student: Mapped[Student | None] = relationship(back_populates="pledges")

    STEPS = ("generated", "printed", "signed", "collected")
    LABELS = PLEDGE_STATUSES
    BY_HAND = ("signed", "collected")  # printing marks 已打印 itself
    SIGNED = ("signed", "collected")  # signed, whether or not collected since: 已签署

    def __str__(self) -> str:
        return f"{self.doc_no} {self.title} {self.party_b_name}"

    @property
    def clauses(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """The text as printed: (paragraph, "", []) or, for a list of children,
        ("", its label, [(name, class), ...]), so that paper prints the list as a table."""
        out = []
        for para in self.content.splitlines():
            if not para.strip():
                continue
            listed = NAME_LIST.match(para.strip())
            if listed:
                items = [re.match(r"^(.*?)(?:（(.*)）)?$", item.strip()).groups()
                         for item in listed.group(2).split("、") if item.strip()]
                out.append(("", listed.group(1), [(n, c or "") for n, c in items]))
            else:
                out.append((para, "", []))
        return out

    @property
    def names(self) -> list[str]:
        """The people the text names, which never split across lines."""
        heads = re.findall(r"负责人：([^）]+)", self.party_a_name)
        return [*heads, self.party_b_name, *([self.student.name] if self.student else [])]

    @property
    def noun(self) -> str:
        """本责任书 / 本承诺书 / 本告知书 / 本协议书: what the text calls itself."""
        return "本" + (self.title[-3:] if self.title.endswith("书") else "文书")
