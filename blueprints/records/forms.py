from flask_wtf.file import FileAllowed, FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from forms import Form
from models import REQUESTS, VERIFICATIONS, WHEREABOUTS, RecordCheck


class RecordCheckForm(Form):
    """A child's 非正常学籍 clean-up, all its steps on one form (each step's date empty until
    it is done); the order of the steps is checked by cleanup.steps_in_order."""
    whereabouts = SelectField("去向", choices=list(WHEREABOUTS.items()), default="unknown")
    place = StringField("所在地", [Length(max=120)], description="如 浙江省宁波市北仑区")
    school_name = StringField("就读学校", [Length(max=80)], description="在外就读时填写")
    verified_how = SelectField("核实方式", choices=[("", "（未核实）")] + list(VERIFICATIONS.items()))
    verified_by = StringField("核实人", [Length(max=40)])
    verified_on = DateField("核实日期", [Optional()])
    proof = FileField("证明材料（可不传）", [FileAllowed(["jpg", "jpeg", "png", "pdf"],
                                                   "只能上传 JPG、PNG 或 PDF 文件。")],
                      description="如 就读学校开具的在读证明、学籍信息截图，拍照或扫描")
    reported_on = DateField("上报日期", [Optional()])
    request = SelectField("申请", choices=[("", "（未申请）")] + list(REQUESTS.items()))
    requested_on = DateField("申请日期", [Optional()])
    done_on = DateField("办结日期", [Optional()], description="县里办结后填写，学籍状态随之改为转出或已删除学籍")
    note = TextAreaField("备注", [Length(max=300)])

    def values(self) -> dict:
        return {key: getattr(self, key).data or empty for key, empty in RecordCheck.EMPTY.items()}

    def fill(self, check, user) -> None:
        """A GET: the child's check as it is, or a new one with today's verifier."""
        if check is not None:
            for key in RecordCheck.EDITABLE:
                getattr(self, key).data = getattr(check, key)
        else:
            self.verified_by.data = user.name
            self.verified_on.data = None
