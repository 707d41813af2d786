"""The base of every form: Flask-WTF with WTForms' own Chinese messages for its built-in checks
(e.g. 不是有效的选择。), so no English reaches a user."""
import re

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

# A person's name as the 户籍 and 学籍 systems hold it: Chinese characters (the rare ones of
# the extensions too, and 〇), a minority name's ·, Latin letters and spaces for a foreign child.
PERSON_NAME = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
                         r"·•・．.A-Za-z ]+")


def strip(value):
    """Leading and trailing spaces (often pasted in) never reach the database."""
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        locales = ["zh"]

        def bind_field(self, form, unbound_field, options):
            if unbound_field.field_class.__name__ in ("StringField", "TextAreaField"):
                filters = [strip, *unbound_field.kwargs.get("filters", ())]
                options = dict(options, filters=filters)
            return unbound_field.bind(form=form, **options)


def person_name(form, field):
    """A name that can stand on a register and a signed paper: no emoji, digits or marks."""
    if field.data and not PERSON_NAME.fullmatch(field.data):
        raise ValidationError("姓名只能是汉字、字母或少数民族姓名中的“·”，请检查是否多打了符号或表情。")
