"""Pieces every editable record of the portal shares."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.roles import can_edit_anything, scope_of


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
        if self.pk is not None and not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at"])
