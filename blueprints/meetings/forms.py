from datetime import date, timedelta

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

import access
import clock
import params
from extensions import db
from forms import Form
from models import MEETING_KINDS, Meeting, last_month, roll_of


def review_month(today: date) -> date:
    """The month a meeting held today looks back on: the month before in its first half (the
    推进会 early in December reviews November; a reviewer's printed "12月" of 7 days), else
    this one."""
    return last_month(today)[0] if today.day <= 15 else today.replace(day=1)


class MeetingForm(Form):
    kind = SelectField("会议", choices=list(MEETING_KINDS.items()))
    month = StringField("会议月份", [InputRequired("请填写月份，如 2026-11。")],
                        description="回顾哪个月的工作，如 2026-11（上半月开会，默认回顾上个月）")
    held_on = DateField("会议日期", [InputRequired("请填写会议日期。")], default=clock.today)
    place = StringField("地点", [Length(max=60)], default="中心学校会议室")
    chair = StringField("主持人", [Length(max=40)])
    attendees = TextAreaField("参会人员（一行一人）", [Length(max=2000)],
                              description="姓名（单位 职务），签到表按此分列")
    absentees = TextAreaField("请假人员（一行一人）", [Length(max=1000)],
                              description="姓名（单位 职务）：事由")
    observers = TextAreaField("列席人员（一行一人）", [Length(max=1000)])
    distribution = StringField("纪要分送", [Length(max=200)],
                               default="县教育局，镇人民政府，各村小、教学点")
    agenda = TextAreaField("议程", [Length(max=8000)])
    seen = HiddenField()  # forms.stale: the meeting as this form showed it

    meeting_id: int | None = None  # the meeting edited (the view sets it); None: a new one

    def validate_month(self, field):
        if params.month(field.data) is None:
            raise ValidationError("月份写成 2026-11 这样。")

    def validate_absentees(self, field):
        """Someone on leave is not also on the roll to sign (a reviewer's 请假 was left in the
        prefilled 参会人员, and printed both as present and on leave)."""
        present = {row[0] for row in roll_of(self.attendees.data)}
        both = [row[0] for row in roll_of(field.data) if row[0] in present]
        if both:
            raise ValidationError(f"{'、'.join(both)} 也写在参会人员里：请假的人请从参会人员中删去。")

    def validate_held_on(self, field):
        """A meeting is held within two months of the month it is about (1990 was taken for
        2026-11); one meeting of a kind, a month and a day: a second (a double-click on 保存
        made two 推进会 of the month) is refused, naming the one there."""
        month = params.month(self.month.data)
        if month and field.data and not (month - timedelta(days=62) <= field.data
                                         <= month + timedelta(days=92)):
            raise ValidationError(f"会议日期应在会议月份（{month:%Y-%m}）前后两个月内，请核对年份。")
        same = db.session.scalar(access.scoped(Meeting).where(
            Meeting.kind == self.kind.data, Meeting.month == params.month(self.month.data),
            Meeting.held_on == field.data, Meeting.id != (self.meeting_id or 0)))
        if same:
            raise ValidationError(f"这一天已安排了{same.title}，请打开它修改。")


class ActionItemForm(Form):
    text = StringField("事项", [InputRequired("请写明要做什么。"), Length(max=300)])
    owner = SelectField("负责人", validate_choice=False,
                        description="学校人员，或政府线的镇、村干部（由中心校管理员跟进）")
    school_id = SelectField("学校", coerce=int)
    due_on = DateField("完成期限", [InputRequired("请填写完成期限。")])

    held_on = None  # the meeting's day (the view sets it): a decision is due after it

    def validate_owner(self, field):
        if not (field.data or "")[:1] in ("u", "c"):
            raise ValidationError("请选择负责人。")

    def validate_due_on(self, field):
        if self.held_on and field.data and field.data < self.held_on:
            raise ValidationError(f"完成期限不能早于会议日期（{self.held_on}）。")
        if self.held_on and field.data and field.data > self.held_on + timedelta(days=366):
            raise ValidationError("完成期限应在开会后一年以内，请核对年份。")
