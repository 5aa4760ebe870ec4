"""Pieces every editable record of the portal shares."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.roles import can_edit_anything, is_admin, role_of, scope_of


class RecordQuerySet(models.QuerySet):
    """Records in a user's scope. Subclasses name the path to the record's province
    (`province_path`) and to its council (`council_path`); `None` means the record is
    not tied to one and only admins reach it through scope rules."""

    province_path: str | None = None
    council_path: str | None = None

    def visible_to(self, user) -> "RecordQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self
        if scope.council_id is not None:
            return self.for_council(scope.council_id)
        return scope.limit(self, province=self.province_path, council=None)

    def editable_by(self, user) -> "RecordQuerySet":
        if not can_edit_anything(user):
            return self.none()
        return self.visible_to(user)

    def for_council(self, council_id: int | None) -> "RecordQuerySet":
        if council_id is None or self.council_path is None:
            return self.none()
        return self.filter(**{self.council_path: council_id})

    def active(self) -> "RecordQuerySet":
        """Records in use: archived ones are hidden from lists, counts and exports."""
        return self.filter(archived_at__isnull=True)

    def archived(self) -> "RecordQuerySet":
        return self.filter(archived_at__isnull=False)


class StaleRecord(Exception):
    """The record was saved by someone else since this copy of it was read: writing it would
    silently undo their change. Pages turn it into their conflict message."""

    def __init__(self, record: models.Model):
        self.record = record
        super().__init__(f"{type(record).__name__} {record.pk} changed since it was read")


class Record(models.Model):
    """An editable record: timestamped, archived rather than destroyed, versioned.

    `version` grows by one on every save, so an edit form can tell that someone else
    saved the record since it was opened (conflict detection).
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        editable=False,
        help_text=_("Made by seed_demo; never real data."),
    )

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    history = HistoricalRecords(inherit=True, excluded_fields=["updated_at"])

    def save(self, *args, **kwargs) -> None:
        if self.pk is None or self._state.adding:
            super().save(*args, **kwargs)
            return
        # The update is conditional on the version this copy was read at (see _do_update):
        # the check and the write are one statement, so two saves at the same instant cannot
        # both pass it, whatever page, admin or command they come from.
        self._read_version = self.version
        self.version += 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.version = self._read_version
            raise
        finally:
            del self._read_version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update, *args):
        read_version = getattr(self, "_read_version", None)
        if read_version is None:
            return super()._do_update(
                base_qs, using, pk_val, values, update_fields, forced_update, *args
            )
        updated = super()._do_update(
            base_qs.filter(version=read_version),
            using,
            pk_val,
            values,
            update_fields,
            forced_update,
            *args,
        )
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise StaleRecord(self)
        return updated

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at"])


def lock(record: models.Model) -> None:
    """Lock the record's row until the transaction ends and read it again: what the caller
    then writes is based on the latest save, and no other save comes in between. (SQLite
    runs one writing transaction at a time, so there it only reads again.)"""
    type(record)._base_manager.select_for_update().filter(pk=record.pk).values_list(
        "pk", flat=True
    ).first()
    record.refresh_from_db()


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life (`manage.py run_worker` writes it every few
    seconds): the health check counts the workers seen lately, and work claimed by a worker
    that stopped beating is known to be stranded."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ExportJobQuerySet":
        """A prepared export is its requester's; administrators see every one."""
        if role_of(user) is None:
            return self.none()
        return self if is_admin(user) else self.filter(created_by=user)


class ExportJob(models.Model):
    """A download too large to build while the user waits (`EXPORT_BACKGROUND_ROWS`): a
    background worker renders the same list export into the default storage, the user's page
    shows its progress, then a link to the file. Kept `EXPORT_KEEP_DAYS` days
    (`manage.py prune_exports`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("being prepared")
        DONE = "done", _("ready")
        FAILED = "failed", _("stopped")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    # The list's address with its filters, sort and `format=`: the worker opens that very
    # list as the requester, so the file holds what the page would have streamed.
    path = models.CharField(_("list"), max_length=2000)
    file_format = models.CharField(_("format"), max_length=8)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    task_id = models.CharField(max_length=64, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(upload_to="exports/", max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    notice = models.CharField(max_length=500, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("prepared export")
        verbose_name_plural = _("prepared exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
