"""The base of every form: Flask-WTF with WTForms' own Chinese messages for its built-in checks
(e.g. 不是有效的选择。), so no English reaches a user."""
from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        locales = ["zh"]
