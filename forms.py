"""The base of every form: Flask-WTF with WTForms' own Chinese messages for its built-in checks
(e.g. 不是有效的选择。), so no English reaches a user."""
from flask_wtf import FlaskForm


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
