"""The base of every form: Flask-WTF with WTForms' own Chinese messages for its built-in checks
(e.g. 不是有效的选择。), so no English reaches a user."""
import hashlib
import re

from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, InputRequired, ValidationError

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
                unbound_field = _typed_required(unbound_field)
            return unbound_field.bind(form=form, **options)


def _typed_required(unbound_field):
    """A required text is required once stripped: InputRequired looks at what was sent, before
    the strip filter, and took spaces alone (a meeting decision of "   " was saved empty); as
    DataRequired, with its message, spaces alone are refused."""
    args, kwargs = list(unbound_field.args), dict(unbound_field.kwargs)
    if len(args) > 1:
        args[1] = [DataRequired(v.message) if isinstance(v, InputRequired) else v
                   for v in args[1]]
    elif "validators" in kwargs:
        kwargs["validators"] = [DataRequired(v.message) if isinstance(v, InputRequired) else v
                                for v in kwargs["validators"]]
    return type(unbound_field)(unbound_field.field_class, *args, name=unbound_field.name, **kwargs)


def person_name(form, field):
    """A name that can stand on a register and a signed paper: no emoji, digits or marks."""
    if field.data and not PERSON_NAME.fullmatch(field.data):
        raise ValidationError("姓名只能是汉字、字母或少数民族姓名中的“·”，请检查是否多打了符号或表情。")


STALE = ("保存失败：您打开表单后，这条记录已被其他人修改。您填写的内容还在下面；请核对后重新保存，"
         "或刷新页面看别人改后的内容。")


def fingerprint(row, names) -> str:
    """A record's fields as its form showed them, in a hidden field (`seen`): a form sent back
    with another was opened before someone else saved, and is refused with what was typed
    (two tabs on one meeting saved each over the other)."""
    return hashlib.sha256(repr([getattr(row, n) for n in names]).encode()).hexdigest()[:16]


def stale(form, row, names) -> bool:
    """Whether the form was opened before the record last changed. Either way the form now
    carries the record's fingerprint (on a first view, that is all); a stale one says so and
    keeps what was typed, and saving it again, after a look, goes through. Call it after
    validating: WTForms clears the form's own errors when it validates."""
    now = fingerprint(row, names)
    seen, form.seen.data, form.seen.raw_data = form.seen.data, now, [now]
    if seen and seen != now:
        form.form_errors.append(STALE)
        return True
    return False
