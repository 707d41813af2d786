"""The responsibility network beyond a child's own lines (双线四包 is in papers.py):
行政人员包年级, a grade of a school year held by one of its school's leaders, and the township's
控辍保学领导小组, its members from the schools and the government with their duties."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.common import GRADES
from models.papers import Cadre
from models.people import School, User

GROUP_POSITIONS = {"leader": "组长", "deputy": "副组长", "member": "成员",
                   "office": "办公室主任"}  # 领导小组下设办公室, the order of the printed list


class GradeLead(db.Model):
    """行政人员包年级: who holds one grade of a school in one school year."""
    __tablename__ = "grade_leads"
    __table_args__ = (sa.UniqueConstraint("school_id", "school_year", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    school_year: Mapped[int]
    grade: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    school: Mapped[School] = relationship()
    user: Mapped[User] = relationship()

    def __str__(self) -> str:
        return f"包年级：{GRADES.get(self.grade, self.grade)} {self.user.name if self.user else ''}"


class GroupMember(db.Model):
    """One member of the township's 控辍保学领导小组: a user of a school or a cadre of the
    directory (a 镇长, a 村支书), with the duty the group gave them."""
    __tablename__ = "group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    central_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    position: Mapped[str] = mapped_column(sa.String(10))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cadres.id"), index=True)
    duty: Mapped[str] = mapped_column(sa.String(200), default="")  # 分工

    user: Mapped[User | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()

    @property
    def person(self):
        return self.user or self.cadre

    @person.setter
    def person(self, person) -> None:
        self.user, self.cadre = (None, person) if isinstance(person, Cadre) else (person, None)

    @property
    def position_label(self) -> str:
        return GROUP_POSITIONS.get(self.position, self.position)

    @property
    def unit(self) -> str:
        """单位 and 职务 as the printed list names them: 杨家坪教学点 负责人, 新寨村 村主任,
        青山镇人民政府 镇长."""
        if self.user:
            return self.user.unit
        unit = self.cadre.village or db.session.get(School, self.cadre.central_id).government_name
        return f"{unit} {self.post}"

    @property
    def post(self) -> str:
        """职务 alone: 镇长, 控辍专干, 负责人."""
        if self.user:
            return self.user.unit.split()[-1]
        return self.cadre.post or self.cadre.level_label

    def __str__(self) -> str:
        return f"领导小组{self.position_label}：{self.person.name if self.person else ''}"
