from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

import clock
from forms import Form
from models import PAIR_KINDS, SESSION_MODES


class PairForm(Form):
    teacher_id = SelectField("结对教师", coerce=int)
    kind = SelectField("帮扶方式", choices=list(PAIR_KINDS.items()))
    goals = StringField("帮扶目标", [Length(max=300)], description="如 数学跟上班级进度；每月和孩子谈心")
    start_on = DateField("开始日期", [InputRequired("请填写开始日期。")], default=clock.today)
    end_on = DateField("结束日期", [Optional()])
    # 送教上门计划 (only for that kind)
    term_id = SelectField("学期", coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    co_teachers = StringField("同去的教师", [Length(max=100)], description="如 李老师（语文）、村医王某")
    frequency = StringField("送教频次", [Length(max=60)], description="如 每周 1 次，每次 2 小时")

    student = None  # the child being paired (the view sets it)

    def validate_end_on(self, field):
        if field.data and self.start_on.data and field.data < self.start_on.data:
            raise ValidationError("结束日期不能早于开始日期。")

    def validate_teacher_id(self, field):
        """One pair of a teacher, a child and a kind at a time: a second (a double-click, or
        保存 again after the browser's Back) would count the child's help twice."""
        start = self.start_on.data
        same = next((p for p in (self.student.tutoring_pairs if self.student else ())
                     if (p.teacher_id, p.kind) == (field.data, self.kind.data)
                     and (start is None or p.end_on is None or p.end_on >= start)), None)
        if same:
            raise ValidationError(f"已有这一结对（{same}，{same.start_on} 起），不用再建；"
                                  "换人或换方式请先结束原来的结对。")


class SessionForm(Form):
    held_on = DateField("日期", [InputRequired("请填写日期。")], default=clock.today)
    mode = SelectField("方式", choices=list(SESSION_MODES.items()))
    minutes = IntegerField("分钟", [InputRequired("请填写时长（分钟）。"),
                                  NumberRange(1, 600, "时长填 1–600 分钟。")], default=30)
    content = StringField("做了什么", [InputRequired("请简单写一句做了什么。"), Length(max=300)])
    progress = StringField("进展", [Length(max=300)])

    def validate_held_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("日期不能晚于今天。")
