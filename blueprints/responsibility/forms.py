from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from forms import Form
from models import CADRE_LEVELS, GROUP_POSITIONS, RESPONSIBILITY_KINDS


class CadreForm(Form):
    level = SelectField("级别", choices=list(CADRE_LEVELS.items()))
    village = StringField("所在村", [Length(max=40)], description="村干部必填，如 石桥村")
    name = StringField("姓名", [InputRequired("请填写姓名。"), Length(max=40)])
    post = StringField("职务", [Length(max=40)], description="如 村支书、村主任、包村干部")
    phone = StringField("电话", [Optional(), Regexp(r"^[0-9+\- ]{7,20}$", message="电话号码格式不对。")])
    active = BooleanField("在职", default=True)

    def validate_village(self, field):
        if self.level.data == "village" and not field.data.strip():
            raise ValidationError("村干部请填写所在村。")


class ResponsibilityForm(Form):
    """One child's five lines; 0 means nobody."""


for _kind, _label in RESPONSIBILITY_KINDS.items():
    setattr(ResponsibilityForm, _kind, SelectField(_label, coerce=int))


class BulkForm(Form):
    """Assign one line for many children at once. The choices are filled by the view."""
    kind = SelectField("分配方式", choices=[
        ("class_teacher", "班主任包班：学校每个班的在读学生分配给该班班主任"),
        ("leader", "学校领导包片：一所学校的在读学生分配给一位学校领导"),
        ("village_cadre", "村干部包户：户籍在一个村的在读学生分配给一位村干部"),
        ("township_cadre", "乡镇干部包村：户籍在一个村的在读学生分配给一位乡镇干部")])
    school_id = SelectField("学校（班主任包班、学校领导包片）", coerce=int)
    village = SelectField("户籍村（村干部、乡镇干部）", validate_choice=False)
    person = SelectField("责任人（学校领导或干部）", validate_choice=False)
    replace = BooleanField("替换已有的责任人（不勾选时只补上空缺）")


class GroupMemberForm(Form):
    """A member of the 控辍保学领导小组: a user or a cadre (the view fills the choices)."""
    position = SelectField("职务", choices=list(GROUP_POSITIONS.items()))
    person = SelectField("人员", validate_choice=False,
                         description="学校的领导、老师，或乡村干部名录里的镇、村干部")
    duty = StringField("分工", [Length(max=200)], description="如 全面负责、负责劝返复学的统筹")

    def validate_person(self, field):
        if not (field.data or "")[:1] in ("u", "c"):
            raise ValidationError("请选择一位人员。")
