"""The summary's edit form: the title and one textarea per section (its heading kept in a
hidden field, so a version's own headings travel with it)."""
from wtforms import FieldList, FormField, HiddenField, StringField, TextAreaField
from wtforms import Form as PlainForm
from wtforms.validators import InputRequired, Length, ValidationError

from forms import Form, strip


class SectionForm(PlainForm):
    """One section (a sub-form: the CSRF token is the outer form's)."""
    heading = HiddenField("标题", [InputRequired("每一部分都要有标题。"), Length(max=60)],
                          filters=[strip])
    text = TextAreaField("正文", [Length(max=20000, message="这一部分太长了（最多 2 万字），请精简。")])


class SummaryForm(Form):
    title = StringField("总结标题", [InputRequired("请填写总结的标题。"),
                                    Length(max=120, message="标题最多 120 个字。")])
    sections = FieldList(FormField(SectionForm), min_entries=0, max_entries=40)

    def validate_sections(self, field):
        if not field.entries:
            raise ValidationError("总结没有内容：请先起草，再修改保存。")
        if not any((entry.form.text.data or "").strip() for entry in field.entries):
            raise ValidationError("各部分的正文都是空的，请至少写一部分再保存。")

    def fill(self, sections):
        """Set the entries from [[heading, text], ...] (a draft or a saved version)."""
        while self.sections.entries:
            self.sections.pop_entry()
        for heading, text in sections:
            self.sections.append_entry({"heading": heading, "text": text})
        self.label_sections()

    def label_sections(self):
        for entry in self.sections.entries:
            entry.form.text.label.text = entry.form.heading.data or "正文"

    def values(self) -> list[list[str]]:
        return [[e.form.heading.data, (e.form.text.data or "").replace("\r\n", "\n").strip()]
                for e in self.sections.entries]
