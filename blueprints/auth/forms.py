from forms import Form as BaseForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

USERNAME = [InputRequired("请填写用户名。"), Length(2, 40, "用户名为 2–40 个字符。"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能用英文字母、数字、下划线、点和横线。")]
NEW_PASSWORD = [InputRequired("请设置密码。"), Length(8, 64, "密码至少 8 位。")]


class LoginForm(BaseForm):
    username = StringField("用户名", [InputRequired("请填写用户名。")])
    password = PasswordField("密码", [InputRequired("请填写密码。")])
    remember = BooleanField("在这台电脑上保持登录（两周）")


class PasswordForm(BaseForm):
    current = PasswordField("当前密码", [InputRequired("请填写当前密码。")])
    new = PasswordField("新密码", NEW_PASSWORD)
    confirm = PasswordField("再输入一次新密码", [InputRequired("请再输入一次新密码。"),
                                          EqualTo("new", "两次输入的新密码不一致。")])


class SetupForm(BaseForm):
    school_name = StringField("中心学校名称", [InputRequired("请填写中心学校名称。"), Length(max=80)])
    school_code = StringField("学校标识码", [Optional(), Regexp(r"^\d{10}$", message="学校标识码是 10 位数字。")])
    village = StringField("所在乡镇/村", [Optional(), Length(max=40)])
    username = StringField("管理员用户名", USERNAME)
    name = StringField("管理员姓名", [InputRequired("请填写姓名。"), Length(max=40)])
    password = PasswordField("密码", NEW_PASSWORD)
    confirm = PasswordField("再输入一次密码", [InputRequired("请再输入一次密码。"),
                                         EqualTo("password", "两次输入的密码不一致。")])
