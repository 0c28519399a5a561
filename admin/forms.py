"""The form every admin form derives from: each text an official types is cleaned as the
bot's answers and the import's cells are (``models.core.text.clean``: control, bidi and
zero-width characters removed, NFKC, spaces settled), by one form-wide filter. A text area
keeps its line breaks; a one-line field turns them into spaces; passwords, hidden fields
(tokens) and files are left as sent. Required fields are checked by the server only, so the
message is the page's, never the browser's English one."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from models.core.text import clean


def _cleaner(multiline: bool):
    def clean_text(value):
        return clean(value, multiline=multiline) if isinstance(value, str) else value
    return clean_text


_ONE_LINE, _LINES = _cleaner(False), _cleaner(True)


def cleans(field_class) -> bool:
    """Whether a field of this class holds text an official types."""
    return issubclass(field_class, StringField) and not issubclass(
        field_class, (PasswordField, HiddenField))


class CleanForm(FlaskForm):
    """A Flask-WTF form whose text fields clean what they receive before any validator."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if cleans(unbound_field.field_class):
                first = _LINES if issubclass(unbound_field.field_class, TextAreaField) \
                    else _ONE_LINE
                filters = options.get("filters", unbound_field.kwargs.get("filters", ()))
                options = {**options, "filters": (first, *filters)}
            return super().bind_field(form, unbound_field, options)

        def render_field(self, field, render_kw):
            """No ``required`` attribute: the browser would check it first and say so in its
            own language ("Please fill out this field."); the server checks every field and
            answers in the page's language."""
            return super().render_field(field, {"required": False, **render_kw})
