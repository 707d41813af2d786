from wtforms import (BooleanField, DateField, SelectField, SelectMultipleField, StringField,
                     widgets)
from wtforms.validators import InputRequired, Length, ValidationError

import access
from blueprints.aid.grants import parse_yuan
from extensions import db
from forms import Form
from models import AID_KINDS, AID_METHODS, FOCUS_FLAGS, AidProgram
from refusal import Refusal


class YuanField(StringField):
    """An amount typed in yuan, kept as integer fen in .fen (None when left empty)."""
    fen = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.fen = None
        if self.data:
            try:
                self.fen = parse_yuan(self.data)
            except Refusal as error:  # WTForms shows a ValueError beside the field
                raise ValueError(str(error)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data if isinstance(self.data, str) else ""


class ProgramForm(Form):
    term_id = SelectField("学期", coerce=int)
    kind = SelectField("项目类别", choices=list(AID_KINDS.items()))
    name = StringField("项目名称", [InputRequired("请填写项目名称。"), Length(max=60)],
                       description="如 2026年秋季学期家庭经济困难学生生活补助")
    source = StringField("资金来源 / 捐助单位", [Length(max=60)],
                         description="如 中央和省级财政；社会捐助写捐助单位名称")
    amount = YuanField("资助标准（元/生/学期）", [InputRequired("请填写资助标准。")])
    boarder_amount = YuanField("寄宿生标准（元，不同时填写）")
    flags = SelectMultipleField("资助对象（任一重点群体）", choices=list(FOCUS_FLAGS.items()),
                                option_widget=widgets.CheckboxInput(),
                                widget=widgets.ListWidget(prefix_label=False))
    everyone = BooleanField("全体在读学生（如营养改善计划）")
    active = BooleanField("启用", default=True)

    program_id: int | None = None  # the programme edited (the view sets it); None: a new one

    def validate_flags(self, field):
        if not field.data and not self.everyone.data:
            raise ValidationError("请至少选择一类资助对象，或勾选“全体在读学生”。")

    def validate_name(self, field):
        """One programme of a name a term: a second (a double-click on 保存 made two, and a
        child could be paid in both) is refused, naming the one there."""
        same = db.session.scalar(access.scoped(AidProgram).where(
            AidProgram.term_id == self.term_id.data, AidProgram.name == field.data.strip(),
            AidProgram.id != (self.program_id or 0)))
        if same:
            raise ValidationError(f"这个学期已有资助项目“{same.name}”：请打开它修改，或换一个名称。")


class BulkGrantForm(Form):
    class_id = SelectField("班级", coerce=int)
    method = SelectField("发放方式", choices=list(AID_METHODS.items()))
    applied_on = DateField("申请日期", [InputRequired("请填写日期。")])


class CorrectForm(Form):
    amount = YuanField("更正后的金额（元）", [InputRequired("请填写更正后的金额，0 表示撤销。")])
    reason = StringField("原因", [InputRequired("请写明更正原因。"), Length(max=150)])
