from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

import clock
from forms import Form
from models import ACTIVITY_KINDS

MAX_REACHED = 100_000


class ActivityForm(Form):
    held_on = DateField("活动日期", [InputRequired("请填写活动日期，如 2026-11-20。")],
                        default=clock.today)
    school_id = SelectField("学校", coerce=int)
    kind = SelectField("类别", choices=list(ACTIVITY_KINDS.items()))
    class_id = SelectField("班级（家长会、家长学校）", coerce=int, default=0,
                           description="开全校的家长会时选“全校”，算作每个班都开了")
    title = StringField("主题", [InputRequired("请写明活动主题，如“防辍学家长会”。"),
                               Length(max=100, message="主题最多 100 个字。")])
    place = StringField("地点", [Length(max=60, message="地点最多 60 个字。")],
                        description="如 学校会议室、村委会")
    reached = IntegerField("参加/覆盖人数", [
        InputRequired("请填写参加或覆盖的人数（没有就填 0）。"),
        NumberRange(0, MAX_REACHED, f"人数应在 0 到 {MAX_REACHED} 之间。")], default=0)
    description = TextAreaField("活动情况", [Length(max=2000, message="活动情况最多 2000 字。")])
    photos = MultipleFileField("照片或扫描件（可多选）")

    def validate_held_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("活动日期不能晚于今天：请登记已经开展的活动。")
