"""Import reference data from a spreadsheet: choose what, upload, read the dry run (every bad
row with its line, column and reason), then confirm.

Everything about reading and checking is ``models.importing``; this view keeps the uploaded
file between the two steps (on disk under ``MEDIA_DIR/imports``, keyed by a random token
tied to the official who uploaded it, removed once imported or after a day), cuts every row
to the official's subtree (``access.scope_root``: a row outside it is a bad row), and serves
the blank templates. City admins and county officials only; viewers do not see the page.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import abort, request
from werkzeug.exceptions import RequestEntityTooLarge
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from models.org import access
from models import importing as importer
from models.core.i18n import translator

from admin.base import Secured, actor, current_settings, today
from admin.forms import CleanForm
from admin.i18n import project_locale
from admin.downloads import download

# The request may carry the largest file the importer reads, plus the form around it; the
# rest of the admin keeps 1 MB. A file between the two is refused by the importer's message.
MAX_UPLOAD = importer.MAX_FILE_BYTES + 64 * 1024
KEEP_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
TEMPLATE_NAMES = {"org_units": "区划导入模板", "workers": "社区工作者导入模板",
                  "volunteers": "志愿者导入模板", "organizations": "社区社会组织导入模板",
                  "reports": "历史报告导入模板"}


def _entity_choices():
    return [(e, _(importer.ENTITY_LABELS[e])) for e in importer.ENTITIES]


class UploadForm(CleanForm):
    entity = SelectField(_l("What to import"), choices=_entity_choices,
                         validators=[DataRequired()])
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired()])
    sheet = StringField(_l("Sheet (XLSX; default: the first)"),
                        validators=[Optional(), Length(max=31)])


class ConfirmForm(CleanForm):
    token = HiddenField(validators=[DataRequired()])


class Uploads:
    """Uploaded files waiting for their confirmation, one pair of files per token."""

    def __init__(self, directory: Path):
        self.directory = directory

    def save(self, stream, meta: dict) -> str:
        """Keep an uploaded file, copied in chunks (never held whole in memory)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.expire()
        token = secrets.token_urlsafe(24)
        with (self.directory / f"{token}.upload").open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        (self.directory / f"{token}.json").write_text(
            json.dumps({**meta, "at": time.time()}, ensure_ascii=False), "utf-8")
        return token

    def path(self, token: str) -> Path:
        return self.directory / f"{token}.upload"

    def load(self, token: str, user_id: int) -> tuple[Path, dict] | None:
        """The file and its details, if ``token`` is one of ``user_id``'s and still kept."""
        if not TOKEN_RE.match(token or ""):
            return None
        meta_path = self.directory / f"{token}.json"
        data_path = self.directory / f"{token}.upload"
        if not meta_path.is_file() or not data_path.is_file():
            return None
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("user") != user_id or time.time() - meta.get("at", 0) > KEEP_SECONDS:
            return None
        return data_path, meta

    def drop(self, token: str) -> None:
        if TOKEN_RE.match(token or ""):
            for suffix in (".upload", ".json"):
                (self.directory / f"{token}{suffix}").unlink(missing_ok=True)

    def expire(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for path in self.directory.glob("*.json"):
            if path.stat().st_mtime < cutoff:
                self.drop(path.stem)


def _uploads() -> Uploads:
    return Uploads(Path(current_settings().media_dir) / "imports")


class ImportView(Secured, BaseView):
    """The import page. Writing is the whole point, so only editors get in."""

    csrf_exempt = ("index",)  # the upload form checks its own token (see index)

    def is_accessible(self) -> bool:
        return super().is_accessible() and access.can_edit(current_user)

    def _render(self, form=None, result=None, confirm=None, done=False, expired=False,
                problem=None):
        t = translator(project_locale())
        rows = [{"line": e.line, "column": e.column or "", "reason": e.message(t)}
                for e in (result.errors if result else [])]
        return self.render(
            "wushe/imports.html", form=form or UploadForm(), result=result, rows=rows,
            summary=result.summary(t) if result else None, confirm=confirm, done=done,
            expired=expired, problem=problem,
            entity_label=_(importer.ENTITY_LABELS[result.entity]) if result else "",
            templates=[(e, _(importer.ENTITY_LABELS[e])) for e in importer.ENTITIES],
            scope=access.scope_root(current_user))

    @expose("/", methods=("GET", "POST"))
    def index(self):
        if request.method == "GET":
            return self._render()
        # Spreadsheets may exceed the admin's 1 MB request limit: raised for this request
        # before the form is read. The app-wide CSRF check would read it first, so this
        # endpoint is exempt from it and the form checks its own token instead.
        request.max_content_length = MAX_UPLOAD
        try:
            form = UploadForm()
        except RequestEntityTooLarge:  # said on the page, not as a bare 413
            t = translator(project_locale())
            problem = importer.RowError(None, None, "too_large",
                                        {"max": importer.MAX_FILE_BYTES // (1024 * 1024)})
            return self._render(form=UploadForm(formdata=None), problem=problem.message(t)), 413
        if not form.validate_on_submit():
            return self._render(form=form), 400
        upload = form.file.data
        entity, sheet = form.entity.data, (form.sheet.data or "").strip() or None
        # Kept on disk first and read from there as it is checked: the file is never whole
        # in memory. It stays for the confirmation only if every row is good.
        uploads = _uploads()
        token = uploads.save(upload.stream, {"user": current_user.id, "entity": entity,
                                             "filename": upload.filename, "sheet": sheet})
        result = importer.dry_run(entity, uploads.path(token), filename=upload.filename,
                                  sheet=sheet, scope=access.scope_root(current_user),
                                  today=today())
        confirm = None
        if result.ok:
            confirm = ConfirmForm(token=token)
        else:
            uploads.drop(token)
        return self._render(form=form, result=result, confirm=confirm)

    @expose("/confirm", methods=("POST",))
    def confirm_view(self):
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        uploads = _uploads()
        kept = uploads.load(form.token.data, current_user.id)
        if kept is None:  # imported already, expired, or not this official's upload
            return self._render(expired=True), 410
        path, meta = kept
        result = importer.run(meta["entity"], path, filename=meta["filename"],
                              sheet=meta["sheet"], scope=access.scope_root(current_user),
                              today=today(), actor=actor())
        if result.written:
            uploads.drop(form.token.data)
            return self._render(result=result, done=True)
        # The data changed between the dry run and now: show why, import nothing; the same
        # file may be confirmed again once the rows are fixed (or re-uploaded).
        return self._render(result=result, confirm=None), 409

    @expose("/template/<entity>.xlsx")
    def template_view(self, entity: str):
        if entity not in importer.ENTITIES:
            abort(404)
        return download(importer.template_xlsx(entity), f"{TEMPLATE_NAMES[entity]}.xlsx")
