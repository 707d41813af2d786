import re

from flask_wtf.file import FileAllowed, FileField, FileRequired
import clock
from forms import Form as BaseForm
from forms import person_name
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

import access
import excel
from blueprints.students import idnumber
from models import FOCUS_FLAGS, GRADES, ID_TYPES, PLACEMENTS, STATUSES

PHONE = Regexp(r"^[0-9+\- ]{7,20}$", message="电话号码只能包含数字、空格、+ 和 -，7–20 位。")


class GuardianForm(Form):  # a sub-form: no CSRF token of its own
    class Meta:
        locales = ["zh"]

    name = StringField("监护人姓名", [Optional(), Length(max=40), person_name])
    relation = SelectField("关系", choices=[("", "—"), ("父亲", "父亲"), ("母亲", "母亲"),
                                          ("祖父", "祖父"), ("祖母", "祖母"), ("外祖父", "外祖父"),
                                          ("外祖母", "外祖母"), ("其他亲属", "其他亲属"),
                                          ("其他", "其他")], default="")
    phone = StringField("联系电话", [Optional(), PHONE])
    works_away = BooleanField("外出务工")


class StudentForm(BaseForm):
    school_id = SelectField("学校", coerce=int)
    class_id = SelectField("班级", coerce=int)
    grade = SelectField("年级", coerce=int,
                        choices=[(0, "—")] + list(GRADES.items()))
    name = StringField("姓名", [InputRequired("请填写姓名。"), Length(max=40), person_name])
    id_type = SelectField("身份证件类型", choices=list(ID_TYPES.items()), default="resident")
    id_number = StringField("身份证号", [Optional()], filters=[idnumber.normalize])
    id_document = StringField("证件号码（护照、港澳台证件等）",
                              filters=[lambda s: s.strip().upper().replace(" ", "") if s else s])
    sex = SelectField("性别", [InputRequired("请选择性别。")],
                      choices=[("", "—"), ("男", "男"), ("女", "女")])
    birth_date = DateField("出生日期", [Optional()])
    ethnicity = StringField("民族", [Length(max=20)], default="汉族")
    student_no = StringField("学籍号", [Optional(), Length(max=30),
                                     Regexp(r"^[A-Za-z0-9]+$", message="学籍号只能包含字母和数字。")],
                             filters=[lambda s: s.strip().upper() if s else s])
    placement = SelectField("就读方式", choices=list(PLACEMENTS.items()), default="in_school")
    boarder = BooleanField("寄宿生")
    village = StringField("户籍村", [Length(max=40)])
    village_group = StringField("组", [Length(max=20)])
    address = StringField("家庭住址", [Length(max=120)])
    notes = TextAreaField("备注", [Length(max=2000)])
    guardians = FieldList(FormField(GuardianForm), min_entries=2, max_entries=2)
    version = HiddenField()

    def __init__(self, *args, student=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student

    def validate_id_number(self, field):
        if not field.data:
            return
        result = idnumber.check(field.data)
        if not result.ok:
            raise ValidationError(result.error)
        holder = access.id_number_holder(result.number, self.student.id if self.student else None)
        if holder:
            raise ValidationError(f"该身份证号已在{holder}登记，不能重复登记。如学生转学，请由原学校办理转出。")

    def validate_id_document(self, field):
        if self.id_type.data in ("resident", "none"):
            field.data = None  # only another document has a number here
            return
        if not field.data:
            raise ValidationError(f"请填写{ID_TYPES.get(self.id_type.data, '证件')}的号码。")
        if not re.fullmatch(r"[A-Z0-9()（）\-]{5,30}", field.data):
            raise ValidationError("证件号码应为 5–30 位字母或数字。")
        holder = access.document_holder(self.id_type.data, field.data,
                                        self.student.id if self.student else None)
        if holder:
            raise ValidationError(f"该证件号已在{holder}登记，不能重复登记。")

    def validate_student_no(self, field):
        holder = field.data and access.student_no_holder(
            field.data, self.student.id if self.student else None)
        if holder:
            raise ValidationError(f"该学籍号已在{holder}登记，不能重复登记。")

    def validate_birth_date(self, field):
        if field.data and not idnumber.plausible_birth(field.data, clock.today()):
            raise ValidationError("出生日期不合理，请核对。")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.id_type.data != "resident":
            if self.id_number.data:
                self.id_number.errors.append("不是居民身份证的，身份证号一栏请留空，号码写在“证件号码”。")
                ok = False
            if not self.birth_date.data:
                self.birth_date.errors.append("没有居民身份证号的儿童，请填写出生日期。")
                ok = False
        if self.id_number.data and not self.id_number.errors:  # a valid ID decides sex and birth
            result = idnumber.check(self.id_number.data)
            if self.sex.data and self.sex.data != result.sex:
                self.sex.errors.append(f"性别与身份证号不符：身份证号显示为{result.sex}。")
                ok = False
            if self.birth_date.data and self.birth_date.data != result.birth_date:
                self.birth_date.errors.append(
                    f"出生日期与身份证号不符：身份证号显示为 {result.birth_date:%Y-%m-%d}。")
                ok = False
        return ok


for _flag, _label in FOCUS_FLAGS.items():
    setattr(StudentForm, _flag, BooleanField(_label))


class StatusForm(BaseForm):
    to_status = SelectField("新状态", choices=list(STATUSES.items()))
    changed_on = DateField("日期", [InputRequired("请填写日期。")], default=clock.today)
    reason = StringField("原因", [InputRequired("请填写原因。"), Length(max=200)])
    destination = StringField("去向（转入学校或地区）", [Length(max=120)])

    def __init__(self, *args, student=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student

    def validate_to_status(self, field):
        if self.student and field.data == self.student.status:
            raise ValidationError(f"学生当前已经是“{STATUSES[field.data]}”。")
        if self.student and self.student.status == "deceased":
            raise ValidationError("该学生已登记为死亡，状态不能再变更。如登记有误，请联系中心校管理员。")

    def validate_destination(self, field):
        if self.to_status.data == "transferred" and not field.data.strip():
            raise ValidationError("转出必须填写去向（转入的学校或地区）。")

    def validate_changed_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("日期不能晚于今天。")
        registered = self.student.registered_on if self.student else None
        if field.data and registered and field.data < registered:
            raise ValidationError(f"日期不能早于该学生在本系统登记的日期（{registered}）。")
        last = max((c.changed_on for c in self.student.status_changes), default=None) \
            if self.student else None
        if field.data and last and field.data < last:  # the history would contradict the status
            raise ValidationError(f"日期不能早于上一次学籍变动的日期（{last}）。")


class ImportForm(BaseForm):
    school_id = SelectField("导入到学校", coerce=int)
    mode = SelectField("导入方式", default="add", choices=[
        ("add", "新增学生（名单上的都是新生）"),
        ("sync", "学期初同步（本学期学籍名单：更新在校学生，列出新增和名单上没有的）")])
    file = FileField("名册文件", [
        FileRequired("请选择要导入的名册文件。"),
        FileAllowed(excel.SPREADSHEETS, f"只能导入{excel.SPREADSHEET_WORDS}文件。")])
