"""The upload, preview and confirm steps every importer's pages share.

An importer's views read and check the file their own way; this keeps what is then the same for
all of them: keeping the parsed upload on the server (tracker.imports.pending), the preview page's
check that nothing stored changed since the preview (sha256 and digest in the confirm form), and
the confirm step that claims the upload once, imports it in one unit of work, and puts it back if
the import fails.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tracker.imports import pending
from tracker.imports.limits import FileProblem, configured, megabytes
from tracker.imports.reading import read_upload
from tracker.models import ImportRecord
from tracker.quotas import QuotaExceeded
from tracker.uow import unit_of_work

GONE = (
    "That file has already been imported, or it was uploaded more than a day ago. Upload it again."
)


class CheckedImport(Protocol):
    """What a preview found: whether it can be imported, and what it was checked against."""

    @property
    def ok(self) -> bool: ...

    @property
    def sha256(self) -> str: ...

    @property
    def digest(self) -> str: ...


Checked = TypeVar("Checked", bound=CheckedImport)


@dataclass(frozen=True)
class ImportFlow:
    folder: str  # under UPLOAD_FOLDER, for tracker.imports.pending
    upload_endpoint: str
    preview_endpoint: str  # takes upload_id
    category: str  # of the flashed messages
    success_category: str  # of the "Imported ..." message
    changed: str  # said when what is stored changed after the preview
    raced: str  # said when someone else saved the same figures during the import
    race_errors: tuple[type[Exception], ...] = (IntegrityError,)

    def upload(self, form: Any, parse: Callable[[bytes, str], dict]) -> Response | None:
        """The upload step. The form's file field says the size limit; a valid post's file is
        read within the import limits and parsed (a FileProblem is shown on the field), then
        kept: the redirect to its preview, or None to show the form again."""
        size = megabytes(configured().max_file_bytes)
        form.file.description = f"A CSV or Excel (.xlsx) file, {size} or smaller."
        if not form.validate_on_submit():
            return None
        upload = form.file.data
        filename = upload.filename or ""
        try:
            data = read_upload(upload, configured())
            content = parse(data, filename)
        except FileProblem as problem:
            form.file.errors.append(str(problem))
            return None
        return self._keep(form, data, filename, content)

    def _keep(self, form: Any, data: bytes, filename: str, content: dict) -> Response | None:
        """Keep the upload and its parsed content; the redirect to its preview, or None with
        the reason on the form's file field (too many uploads waiting)."""
        try:
            upload_id = pending.store(self.folder, data, filename, current_user.id, content)
        except QuotaExceeded as refused:
            form.file.errors.append(str(refused))
            return None
        return redirect(url_for(self.preview_endpoint, upload_id=upload_id))

    def preview(
        self,
        upload_id: str,
        plan: Checked | None,
        form: Any,
        template: str,
        apply: Callable[[Checked], ImportRecord],
    ) -> ResponseReturnValue:
        """The preview page (GET), or the confirm step (POST) unless what is stored changed."""
        if plan is None:
            return self._gone()
        if request.method == "GET":
            form.sha256.data, form.digest.data = plan.sha256, plan.digest
        elif not form.validate_on_submit():
            abort(400)
        elif form.sha256.data != plan.sha256 or form.digest.data != plan.digest:
            self._flash(self.changed)
            form.sha256.data, form.digest.data = plan.sha256, plan.digest
        else:
            return self._confirm(upload_id, plan, apply)
        return render_template(template, plan=plan, form=form, upload_id=upload_id)

    def _confirm(
        self, upload_id: str, plan: Checked, apply: Callable[[Checked], ImportRecord]
    ) -> Response:
        if not plan.ok:
            self._flash("Nothing was imported: correct the file and upload it again.")
            return redirect(url_for(self.preview_endpoint, upload_id=upload_id))
        if pending.claim(self.folder, upload_id, current_user.id) is None:
            self._flash("That file has already been imported.")
            return redirect(url_for(self.upload_endpoint))
        try:
            with unit_of_work():
                record = apply(plan)
        except self.race_errors:
            pending.release(self.folder, upload_id)
            self._flash(self.raced)
            return redirect(url_for(self.preview_endpoint, upload_id=upload_id))
        except Exception:
            pending.release(self.folder, upload_id)
            raise
        pending.discard(self.folder, upload_id)
        self._flash(
            f"Imported {record.filename}: {record.rows_added} added, {record.rows_changed} "
            f"changed, {record.rows_unchanged} unchanged.",
            self.success_category,
        )
        return redirect(url_for(self.upload_endpoint))

    def _gone(self) -> Response:
        self._flash(GONE)
        return redirect(url_for(self.upload_endpoint))

    def _flash(self, message: str, category: str | None = None) -> None:
        flash(message, category or self.category)
