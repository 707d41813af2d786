from datetime import date

from forms import Form as BaseForm
from wtforms import (BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from blueprints.auth.forms import NEW_PASSWORD, USERNAME
from extensions import db
from models import GRADES, ROLES, SEMESTERS, School, Term, User


class SchoolForm(BaseForm):
    name = StringField("学校名称", [InputRequired("请填写学校名称。"), Length(max=80)])
    kind = SelectField("类型", choices=[("village", "村小"), ("point", "教学点")])
    code = StringField("学校标识码", [Optional(), Regexp(r"^\d{10}$", message="学校标识码是 10 位数字。")],
                       filters=[lambda s: s.strip() if s else None])
    village = StringField("所在村", [Length(max=40)])
    address = StringField("地址", [Length(max=120)])
    active = BooleanField("在用", default=True)
    # the township's letterhead: only on the central school's form
    government = StringField("乡镇人民政府名称", [Length(max=60)],
                             description="印在责令送学通知书、政府与村委会责任书上；空着则按校名推出，如“青山镇人民政府”。")
    bureau = StringField("县教育局名称", [Length(max=60)],
                         description="情况报告表、月报的报送机关；空着则按地址推出，如“某县教育局”。")
    doc_prefix = StringField("政府发文字号", [Length(max=20)],
                             description="如“青府教”，印成“青府教〔2026〕3号”；空着则只印编号。")
    hotline = StringField("监督电话", [Length(max=40)],
                          description="印在资助公示上，如“0851-12345678（中心学校）”。")
    LETTERHEAD = ("government", "bureau", "doc_prefix", "hotline")

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        if not (school and school.kind == "central"):
            for name in self.LETTERHEAD:
                delattr(self, name)

    def _unique(self, column, value, message):
        other = db.session.scalar(db.select(School).where(column == value))
        if other is not None and other is not self.school:
            raise ValidationError(message)

    def validate_name(self, field):
        self._unique(School.name, field.data.strip(), "已有同名学校。")

    def validate_code(self, field):
        if field.data:
            self._unique(School.code, field.data, "这个学校标识码已被其他学校使用。")


class TermForm(BaseForm):
    school_year = IntegerField("学年（起始年份）", [InputRequired("请填写学年。"),
                                             NumberRange(2000, 2100, "学年应为 2000–2100 之间的年份。")],
                               description="例如 2025 表示 2025–2026 学年")
    semester = SelectField("学期", coerce=int, choices=list(SEMESTERS.items()))
    start_date = DateField("开学日期", [InputRequired("请填写开学日期。")])
    end_date = DateField("结束日期", [InputRequired("请填写结束日期。")])
    holidays = TextAreaField("节假日（每行一个日期或日期段）", [Optional()])

    def __init__(self, *args, term=None, central_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.term, self.central_id = term, central_id

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data <= self.start_date.data:
            raise ValidationError("结束日期应晚于开学日期。")

    def validate_semester(self, field):
        other = db.session.scalar(db.select(Term).filter_by(
            central_id=self.central_id, school_year=self.school_year.data, semester=field.data))
        if other is not None and other is not self.term:
            raise ValidationError("这个学期已经设置过了。")

    def validate_holidays(self, field):
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            span = line.split()[0] if line.split() else ""
            if not span:
                continue
            try:
                first, _, last = span.partition("~")
                start = date.fromisoformat(first)
                if last and date.fromisoformat(last) < start:
                    raise ValueError
            except ValueError:
                raise ValidationError(
                    f"第 {number} 行“{line.strip()}”格式不对：请写成 2025-10-01 或 "
                    "2025-10-01~2025-10-08，后面可以空一格写名称。")


class ClassForm(BaseForm):
    school_id = SelectField("学校", coerce=int)
    school_year = IntegerField("学年（起始年份）", [InputRequired("请填写学年。"), NumberRange(2000, 2100)])
    grade = SelectField("年级", coerce=int, choices=list(GRADES.items()))
    name = StringField("班级名称", [InputRequired("请填写班级名称。"), Length(max=20)],
                       description="例如 1班")
    head_teacher_id = SelectField("班主任", coerce=int)


class UserForm(BaseForm):
    username = StringField("用户名", USERNAME)
    name = StringField("姓名", [InputRequired("请填写姓名。"), Length(max=40)])
    phone = StringField("电话", [Optional(), Regexp(r"^[0-9+\- ]{7,20}$", message="电话号码格式不对。")])
    role = SelectField("角色", choices=[(k, v) for k, v in ROLES.items()])
    school_id = SelectField("学校", coerce=int)
    active = BooleanField("启用", default=True)
    password = PasswordField("初始密码", NEW_PASSWORD)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            del self.password  # passwords change through "重置密码"

    def validate_username(self, field):
        other = db.session.scalar(db.select(User).filter_by(username=field.data.strip()))
        if other is not None and other is not self.user:
            raise ValidationError("这个用户名已被使用，请换一个。")


class ResetPasswordForm(BaseForm):
    password = PasswordField("新密码", NEW_PASSWORD)
