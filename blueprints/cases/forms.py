from datetime import timedelta

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (DateField, HiddenField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, widgets)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

import access
import clock
import excel
from extensions import db
from forms import Form
from models import CONTACT_MODES, VISIT_OUTCOMES, VISIT_REASONS, HomeVisit


class VisitForm(Form):
    mode = SelectField("方式", choices=list(CONTACT_MODES.items()), default="visit")
    visited_on = DateField("日期", [InputRequired("请填写日期。")], default=clock.today)
    visitors = StringField("家访人员", [InputRequired("请填写谁去的家访。"), Length(max=100)],
                           description="如 吴晓燕（班主任）、陈小平（村主任）")
    met = StringField("见到谁", [Length(max=100)], description="如 奶奶、父亲（电话）")
    reasons = SelectMultipleField("原因", choices=list(VISIT_REASONS.items()),
                                  option_widget=widgets.CheckboxInput(),
                                  widget=widgets.ListWidget(prefix_label=False))
    situation = TextAreaField("情况", [InputRequired("请写一写看到的情况。"), Length(max=2000)])
    outcome = SelectMultipleField("结果（可多选）", choices=list(VISIT_OUTCOMES.items()),
                                  option_widget=widgets.CheckboxInput(),
                                  widget=widgets.ListWidget(prefix_label=False))
    next_step = StringField("下一步", [Length(max=300)])
    file = FileField("照片或扫描件（可不传）", [FileAllowed(["jpg", "jpeg", "png", "pdf"],
                                                       "只能上传 JPG、PNG 或 PDF 文件。")])

    student = None  # the child visited (the view sets it)

    def validate_outcome(self, field):
        if not field.data:
            raise ValidationError("请勾选家访的结果（可多选）。")

    def validate_situation(self, field):
        """A visit is recorded once: the same child, day, way and words again is the browser's
        Back and 保存 again (a reviewer's made two 家访 of one, counted twice in the reports)."""
        if self.student is not None and db.session.scalar(access.scoped(HomeVisit).where(
                HomeVisit.student_id == self.student.id, HomeVisit.mode == self.mode.data,
                HomeVisit.visited_on == self.visited_on.data, HomeVisit.situation == field.data)):
            raise ValidationError("这次家访已经记录过了（同一天、同样的情况），不用再保存。")

    def validate_visited_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("日期不能晚于今天。")


class CaseFactsForm(Form):
    """What a case states of the child (opening one by hand, or corrected on its page): the
    notices and the ledgers print them."""
    reason = StringField("情况（辍学原因）", [InputRequired("请写明孩子为什么不在校。"),
                                         Length(max=300)])
    whereabouts = StringField("去向", [Length(max=120)], description="如 随父母在浙江宁波，在家")
    out_since = DateField("首次未到校日期", [Optional()],
                          description="通知书写“自某年某月某日起未到校”；不知道可不填（按立案日期）")
    seen = HiddenField()  # forms.stale: the case as this form showed it (a correction)

    opened_on = None  # the case's day (the view sets it when correcting one)

    def validate_out_since(self, field):
        """The first day out is on or before the case was opened (today, for a new one), and
        within the year before it (1990-01-01 was taken, and printed as 1月1日)."""
        if not field.data:
            return
        opened = self.opened_on or clock.today()
        if not opened - timedelta(days=366) <= field.data <= opened:
            raise ValidationError(f"首次未到校日期应在立案日期（{opened}）之前一年以内。")


class StepForm(Form):
    to = SelectField("下一步", [InputRequired("请选择下一步。")])  # no step is chosen for the user
    on = DateField("日期", [InputRequired("请填写日期。")], default=clock.today)
    note = TextAreaField("做了什么", [Length(max=2000)])
    reentry_plan = TextAreaField("复学适应方案（改为已复学时填写）", [Length(max=2000)])


class ReconcileImportForm(Form):
    file = FileField("户籍名单", [FileRequired("请选择户籍名单文件。"), FileAllowed(
        excel.SPREADSHEETS, f"请上传{excel.SPREADSHEET_WORDS}文件。")])
