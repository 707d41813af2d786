import sqlalchemy as sa
from flask_wtf.file import MultipleFileField
from wtforms import (DateField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

import access
import clock
from extensions import db
from forms import Form
from models import ACTIVITY_KINDS, PARENT_KINDS, Activity, Student

MAX_REACHED = 100_000
GUESTS = 50  # a whole school's 家长会: besides two a child, the cadres and guests it may have


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
    seen = HiddenField()  # forms.stale: the activity as this form showed it

    activity_id: int | None = None  # the activity edited (the view sets it); None: a new one

    def validate_reached(self, field):
        """A 家长会 comes from its children's families: more than two a child is a typing slip
        (a reviewer's 500 at a class of 22 read as 到会率 100%); a whole school's may have up to
        GUESTS more (村干部, 镇上的)."""
        if self.kind.data not in PARENT_KINDS or not field.data:
            return
        children = access.scoped(Student).where(  # a class of another school counts 0, and is
            Student.status == "enrolled", Student.school_id == self.school_id.data)  # refused
        if self.class_id.data:  # by the view for what it is
            children = children.where(Student.class_id == self.class_id.data)
        n = db.session.scalar(children.with_only_columns(sa.func.count()))
        most = 2 * n + (0 if self.class_id.data else GUESTS)
        if n and field.data > most:
            raise ValidationError(f"{'这个班' if self.class_id.data else '全校'}在读 {n} 人，到会 "
                                  f"{field.data} 人超过了每个孩子两位家长（{most} 人），请核对人数。")

    def validate_held_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("活动日期不能晚于今天：请登记已经开展的活动。")

    def validate_title(self, field):
        """An activity is recorded once: the same school, day, kind and theme again is the
        browser's Back and 保存 again (a reviewer's counted one 家长会 twice)."""
        same = db.session.scalar(access.scoped(Activity).where(
            Activity.school_id == self.school_id.data, Activity.held_on == self.held_on.data,
            Activity.kind == self.kind.data, Activity.title == field.data,
            Activity.class_id == (self.class_id.data or None),
            Activity.id != (self.activity_id or 0)))
        if same:
            raise ValidationError("这次活动已经登记过了（同一学校、同一天、同一主题），请打开原来的记录补充。")
