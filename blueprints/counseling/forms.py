from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from flask_login import current_user

import access
import clock
from extensions import db
from forms import Form
from models import COUNSELING_CHANGES, COUNSELING_KINDS, COUNSELING_TOPICS, CounselingRecord


class CounselingForm(Form):
    held_on = DateField("日期", [InputRequired("请填写辅导日期。")], default=clock.today)
    kind = SelectField("方式", choices=list(COUNSELING_KINDS.items()))
    student_id = SelectField("学生（个别辅导）", coerce=int, default=0,
                             description="列出重点关注学生；其他学生请从学生页面进来登记")
    group_label = StringField("辅导对象（团体辅导）", [Length(max=60)],
                              description="如 六年级厌学倾向学生小组")
    group_size = IntegerField("人数（团体辅导）")
    topic = SelectField("问题类型", choices=list(COUNSELING_TOPICS.items()))
    content = TextAreaField("辅导过程", [InputRequired("请简要写明辅导过程。"), Length(max=1000)])
    change = SelectField("转化情况", choices=[("", "（第一次辅导，还看不出）")]
                         + list(COUNSELING_CHANGES.items()), default="")
    next_step = StringField("下一步", [Length(max=200)], description="如 两周后再谈；联系家长配合")

    record_id: int | None = None  # the record edited (the view sets it); None: a new one

    def validate_held_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("日期不能晚于今天。")

    def validate_content(self, field):
        """A talk is recorded once: the same counsellor, day, child (or group) and words again
        is the browser's Back and 保存 again."""
        individual = self.kind.data == "individual"
        if db.session.scalar(access.scoped(CounselingRecord).where(
                CounselingRecord.counselor_id == current_user.id,
                CounselingRecord.held_on == self.held_on.data,
                CounselingRecord.kind == self.kind.data,
                CounselingRecord.student_id == (self.student_id.data if individual else None),
                CounselingRecord.group_label == ("" if individual else self.group_label.data),
                CounselingRecord.content == field.data,
                CounselingRecord.id != (self.record_id or 0))):
            raise ValidationError("这次辅导已经记录过了（同一天、同样的过程），不用再保存。")

    def validate_student_id(self, field):
        if self.kind.data == "individual" and not field.data:
            raise ValidationError("个别辅导请选择学生。")

    def validate_group_label(self, field):
        if self.kind.data == "group" and not (field.data or "").strip():
            raise ValidationError("团体辅导请写明辅导对象。")

    def validate_group_size(self, field):
        field.errors[:] = []  # not WTForms' English "Not a valid integer value"
        if self.kind.data != "group":
            return  # an individual talk ignores the box
        if not field.data:
            raise ValidationError("团体辅导请填写人数。")
        elif not 2 <= field.data <= 200:
            raise ValidationError("人数填 2–200。")
