from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

import excel
from forms import Form
from models import SPECIAL_PLACEMENTS


class ImportForm(Form):
    file = FileField("残联的残疾儿童名单", [FileRequired("请选择残联的残疾儿童名单文件。"), FileAllowed(
        excel.SPREADSHEETS, f"请上传{excel.SPREADSHEET_WORDS}文件。")])


class PlaceForm(Form):
    """A child's responsible school (the officer's to change), assessment and placement."""
    school_id = SelectField("责任学校", coerce=int)
    assessed_on = DateField("评估日期", [Optional()])
    assessment = StringField("评估意见", [Length(max=300)],
                             description="如 县残疾儿童入学评估专家委员会：轻度，能随班就读")
    placement = SelectField("安置方式", choices=[("", "（未安置）")] + list(SPECIAL_PLACEMENTS.items()))
    placed_on = DateField("安置日期", [Optional()])
    placed_school = StringField("就读学校（学籍不在本乡镇的）", [Length(max=80)], default="",
                                description="如 某县特殊教育学校")
    note = TextAreaField("备注", [Length(max=300)])
