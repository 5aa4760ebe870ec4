"""Who saw or took which person's data, and what was erased at whose request."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        REVEAL = "reveal", _("revealed masked data")
        EXPORT = "export", _("exported")
        PERSON_EXPORT = "person_export", _("exported a person's data")
        ERASE = "erase", _("erased a person's data")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_logs",
        verbose_name=_("user"),
    )
    action = models.CharField(_("action"), max_length=15, choices=Action)
    model = models.CharField(_("kind of record"), max_length=60)
    object_ids = models.JSONField(_("records"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    path = models.CharField(_("page"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.model} ({self.row_count})"


class Erasure(models.Model):
    """The trace an erasure leaves: when, by whom, how many rows; never who was erased."""

    at = models.DateTimeField(_("when"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasures",
        verbose_name=_("erased by"),
    )
    reference = models.CharField(
        _("request reference"),
        max_length=100,
        blank=True,
        help_text=_("The number of the data subject's request, not their name."),
    )
    counts = models.JSONField(_("rows erased"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.reference or self.pk}"
