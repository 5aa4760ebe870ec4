"""An import batch: one uploaded file, its preview, its commit and, perhaps, its undo."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def import_file_path(instance, filename: str) -> str:
    """Uploaded files get generated names in shared storage (any app process can read them)."""
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"imports/{uuid.uuid4().hex}{suffix}"


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        COUNCILS = "councils", _("councils")
        MEMBERS = "members", _("council members")
        ORGANISATIONS = "organisations", _("community organisations")
        AGENCIES = "agencies", _("partner agencies")
        PROJECTS = "projects", _("projects")
        PARTNERS = "partners", _("project partners")
        DISBURSEMENTS = "disbursements", _("disbursements")
        ATTENDANCE = "attendance", _("meeting attendance")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be checked")
        CHECKING = "checking", _("checking")
        PREVIEW = "preview", _("waiting for confirmation")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")
        UNDOING = "undoing", _("being undone")
        UNDONE = "undone", _("undone")
        CANCELLED = "cancelled", _("cancelled")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("stopped")

    class Mode(models.TextChoices):
        ALL = "all", _("all or nothing")
        VALID = "valid", _("valid rows only")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PREVIEW)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode, blank=True)
    file = models.FileField(_("file"), upload_to=import_file_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_batches",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_changed = models.PositiveIntegerField(_("changed"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_error = models.PositiveIntegerField(_("errors"), default=0)
    # What the preview found: columns, and per row its outcome, differences and errors
    # (messages kept as message id + parameters, shown in the reader's language).
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # What the undo did and what it left because the record was edited since.
    undo_report = models.JSONField(_("undo report"), default=dict, blank=True)
    # Rows with errors corrected in the browser before the commit, by spreadsheet row number:
    # {"7": {"values": {key: text}, "original": {key: text as in the file}, "edits": [{"at",
    # "by", "by_name", "values"}]}}. The file stays as uploaded; the preview and the commit
    # read it with these values over its cells, and the original is kept for audit.
    corrections = models.JSONField(_("corrections"), default=dict, blank=True)
    # Work in the background (large files): rows checked so far (or, for an undo, records to
    # take back), and the last message for the user (why a file was refused, why a commit or
    # an undo did not go through), id + parameters.
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows to do"), default=0)
    notice = models.JSONField(_("notice"), default=dict, blank=True)
    # The background work's sign of life: set when a worker takes the batch and as its rows
    # are checked. Work that stopped beating while its worker is gone is stranded
    # (imports.recovery) and marked failed; `failed_during` keeps what it was doing, so
    # that "retry" does that again.
    heartbeat_at = models.DateTimeField(_("last sign of work"), null=True, blank=True)
    failed_during = models.CharField(_("stopped while"), max_length=12, choices=Status, blank=True)
    # A sign-in sheet uploaded on a meeting's attendance page: every row is for this meeting
    # (the file needs no meeting column), and whoever may edit the meeting may import it.
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.file_name})"

    def save(self, *args, **kwargs) -> None:
        # Progress saved is work seen: it renews the heartbeat in the same write.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "progress_done" in update_fields:
            self.heartbeat_at = timezone.now()
            kwargs["update_fields"] = {*update_fields, "heartbeat_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("imports:batch", args=[self.pk])

    @property
    def change_reason(self) -> str:
        return f"import:{self.pk}"

    def commit_confirmation(self, mode: str) -> str:
        """What the final "import" request carries: the counts the user was shown before it.
        A request without it, or with counts the preview no longer has (it was renewed), is
        asked to confirm again, whatever sent it."""
        counts = (self.rows_new, self.rows_changed, self.rows_unchanged, self.rows_error)
        parts = ("commit", mode, *counts)
        if self.corrections:
            # A row corrected since the confirmation page was shown asks for it again.
            edits = sum(len(fixed.get("edits", [])) for fixed in self.corrections.values())
            parts = (*parts, f"e{edits}")
        return ":".join(str(part) for part in parts)

    def undo_confirmation(self) -> str:
        return f"undo:{self.pk}:{self.rows_new}:{self.rows_changed}"

    @property
    def is_working(self) -> bool:
        """Checked, imported or undone in the background right now."""
        return self.status in (
            self.Status.QUEUED,
            self.Status.CHECKING,
            self.Status.IMPORTING,
            self.Status.UNDOING,
        )


class HeaderMapping(models.Model):
    """What a user said an unknown column header means, remembered for that user's next file
    of the kind. Per user, not global: the same words in another office's (or province's)
    file may mean something else, and one office's answer must not map another's files."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="header_mappings",
        verbose_name=_("user"),
        help_text=_("Whose files this answer maps: the uploader of the file it was given for."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportBatch.Kind)
    header = models.CharField(_("header"), max_length=200)
    field = models.CharField(_("field"), max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("header mapping")
        verbose_name_plural = _("header mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "header"], name="header_mapping_unique_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.header} → {self.field}"
