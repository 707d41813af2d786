from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from forms import Form
from models import PLEDGE_KINDS


class GenerateForm(Form):
    kind = SelectField("文书", choices=list(PLEDGE_KINDS.items()))
    term_id = SelectField("学期", coerce=int)
    school_id = SelectField("学校", coerce=int)
    class_id = SelectField("班级（家长承诺书、告知书按班生成）", coerce=int)


class TemplateForm(Form):
    title = StringField("标题", [InputRequired("请填写标题。"), Length(max=60)])
    party_a = StringField("甲方落款", [InputRequired("请填写甲方落款。"), Length(max=40)])
    party_b = StringField("乙方落款", [InputRequired("请填写乙方落款。"), Length(max=40)])
    copies = IntegerField("份数", [NumberRange(1, 4, "份数为 1–4。")],
                          description="一式两份填 2：每份单独成页，页脚注明第几份")
    body = TextAreaField("正文", [InputRequired("请填写正文。"), Length(max=8000)])


class ScanForm(Form):
    file = FileField("签字扫描件", [
        FileRequired("请选择扫描件。"),
        FileAllowed(["pdf", "jpg", "jpeg", "png"], "扫描件只能是 PDF、JPG 或 PNG 文件。")])
