"""Programmes (data, not code) and the projects councils lead under them."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Max, Min, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from councils.models import Agency, Council
from portal.constraints import Explained
from portal.lib.uploads import photo_path
from portal.models import Record, RecordQuerySet
from portal.roles import Role, is_admin, role_of

# Thai fiscal years the portal accepts (B.E.): a typo such as 2022 or 25666 is refused.
FISCAL_YEAR_MIN = 2500
FISCAL_YEAR_MAX = 2700


class ProjectQuerySet(RecordQuerySet):
    province_path = "council__district__province"
    council_path = "council"

    def fiscal_years(self) -> list[int]:
        """The fiscal years to filter by, latest first: from the earliest to the latest year
        of these projects. Two ends read from the year's index, where the years that occur
        meant reading every project (100,000 nationally) for every list and area profile;
        a year in between without projects just finds none."""
        ends = self.order_by().aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
        if ends["first"] is None:
            return []
        return list(range(ends["last"], ends["first"] - 1, -1))


class ProjectPartQuerySet(RecordQuerySet):
    """Partners, disbursements and progress updates: seen and changed with their project."""

    province_path = "project__council__district__province"
    council_path = "project__council"


class ProgrammeQuerySet(RecordQuerySet):
    """Programmes are reference data every user reads; only admins change them."""

    def visible_to(self, user) -> "ProgrammeQuerySet":
        return self if role_of(user) is not None else self.none()

    def editable_by(self, user) -> "ProgrammeQuerySet":
        return self if is_admin(user) else self.none()


class ProgressPhotoQuerySet(RecordQuerySet):
    province_path = "update__project__council__district__province"
    council_path = "update__project__council"


class Programme(Record):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_th

    @property
    def name(self) -> str:
        return self.name_th if (get_language() or "th").startswith("th") else self.name_en


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class Project(Record):
    # The rows archived and restored with the record.
    owned_relations = ("partnerships", "disbursements", "updates")

    Status = ProjectStatus

    code = models.CharField(_("project code"), max_length=30, unique=True)
    title_th = models.CharField(_("title (Thai)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="projects", verbose_name=_("programme")
    )
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="projects", verbose_name=_("lead council")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year (B.E.)"),
        validators=[MinValueValidator(FISCAL_YEAR_MIN), MaxValueValidator(FISCAL_YEAR_MAX)],
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PROPOSED)
    budget_requested = models.DecimalField(
        _("budget requested (baht)"), max_digits=14, decimal_places=2, default=0
    )
    budget_approved = models.DecimalField(
        _("budget approved (baht)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_households = models.PositiveIntegerField(_("households targeted"), default=0)
    reached_households = models.PositiveIntegerField(_("households reached"), default=0)
    target_persons = models.PositiveIntegerField(_("persons targeted"), default=0)
    reached_persons = models.PositiveIntegerField(_("persons reached"), default=0)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(
        Agency, through="ProjectPartner", related_name="projects", verbose_name=_("partners")
    )

    objects = ProjectQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "project_budget_requested_not_negative": Explained(
            ("budget_requested",), _("%(budget_requested)s cannot be less than zero.")
        ),
        "project_budget_approved_not_negative": Explained(
            ("budget_approved",), _("%(budget_approved)s cannot be less than zero.")
        ),
        "project_end_not_before_start": Explained(
            ("end_date", "start_date"), _("%(end_date)s cannot be before %(start_date)s.")
        ),
        "project_fiscal_year_buddhist_era": Explained(
            ("fiscal_year",),
            _("%(fiscal_year)s is not a Buddhist-era fiscal year from %(min)s to %(max)s."),
            {"min": FISCAL_YEAR_MIN, "max": FISCAL_YEAR_MAX},
        ),
        "project_status_valid": Explained(
            ("status",), _("%(status)s is not one of the allowed values.")
        ),
    }

    # A council's own secretary records the council's projects.
    creator_roles = {Role.STAFF, Role.COUNCIL_EDITOR}

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-fiscal_year", "code"]
        constraints = [
            models.CheckConstraint(
                name="project_budget_requested_not_negative",
                condition=Q(budget_requested__gte=0),
                violation_error_message=_("The budget requested cannot be less than zero."),
            ),
            models.CheckConstraint(
                name="project_budget_approved_not_negative",
                violation_error_message=_("The budget approved cannot be less than zero."),
                condition=Q(budget_approved__isnull=True) | Q(budget_approved__gte=0),
            ),
            models.CheckConstraint(
                name="project_end_not_before_start",
                violation_error_message=_("A project cannot end before it starts."),
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
            ),
            models.CheckConstraint(
                name="project_fiscal_year_buddhist_era",
                violation_error_message=_("The fiscal year is a Buddhist-era year, e.g. 2567."),
                condition=Q(fiscal_year__gte=FISCAL_YEAR_MIN, fiscal_year__lte=FISCAL_YEAR_MAX),
            ),
            models.CheckConstraint(
                name="project_status_valid",
                condition=Q(status__in=ProjectStatus.values),
                violation_error_message=_("The status is not one of the allowed values."),
            ),
        ]
        indexes = [
            models.Index(fields=["fiscal_year", "status"]),
            # The project list's default order (newest year first, then newest record).
            models.Index(fields=["fiscal_year", "id"], name="project_year_id_idx"),
            models.Index(fields=["programme", "fiscal_year"]),
            models.Index(fields=["council", "fiscal_year"]),
        ]

    def __str__(self) -> str:
        return f"{self.title_th} ({self.fiscal_year})"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def title(self) -> str:
        if (get_language() or "th").startswith("th") or not self.title_en:
            return self.title_th
        return self.title_en


class ProjectPartner(Record):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead partner")
        FUNDER = "funder", _("co-funder")
        TECHNICAL = "technical", _("technical support")
        IN_KIND = "in_kind", _("in-kind support")
        COORDINATION = "coordination", _("coordination")
        OTHER = "other", _("other")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("project")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.OTHER)
    contribution = models.DecimalField(
        _("contribution (baht)"), max_digits=14, decimal_places=2, default=0
    )
    contribution_note = models.CharField(_("contribution in kind"), max_length=255, blank=True)

    objects = ProjectPartQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "project_partner_unique": Explained(
            ("agency", "project"), _("%(agency)s is already a partner of %(project)s.")
        ),
        "project_partner_contribution_not_negative": Explained(
            ("contribution",), _("%(contribution)s cannot be less than zero.")
        ),
    }

    class Meta:
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        ordering = ["project_id", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "agency"],
                name="project_partner_unique",
                condition=Q(archived_at__isnull=True),
                violation_error_message=_("This agency is already a partner of the project."),
            ),
            models.CheckConstraint(
                name="project_partner_contribution_not_negative",
                condition=Q(contribution__gte=0),
                violation_error_message=_("A contribution cannot be less than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.get_role_display()}"


class Disbursement(Record):
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("project")
    )
    paid_on = models.DateField(_("date paid"))
    amount = models.DecimalField(_("amount (baht)"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = ProjectPartQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "disbursement_amount_positive": Explained(
            ("amount",), _("%(amount)s must be more than zero.")
        ),
    }

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["project_id", "paid_on"]
        constraints = [
            models.CheckConstraint(
                name="disbursement_amount_positive",
                condition=Q(amount__gt=0),
                violation_error_message=_("A disbursement is more than zero baht."),
            ),
        ]
        indexes = [models.Index(fields=["paid_on"])]

    def __str__(self) -> str:
        return f"{self.project.code} {self.paid_on} {self.amount:,.2f}"


class ProgressUpdate(Record):
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="updates", verbose_name=_("project")
    )
    reported_on = models.DateField(_("date"))
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MaxValueValidator(100)], null=True, blank=True
    )
    text = models.TextField(_("progress"))

    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["project_id", "-reported_on"]
        constraints = [
            models.CheckConstraint(
                name="progress_percent_at_most_100",
                violation_error_message=_("Progress is at most 100 percent."),
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.reported_on}"


class ProgressPhoto(Record):
    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.PROTECT,
        related_name="photos",
        verbose_name=_("progress update"),
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path, blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    objects = ProgressPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")
        ordering = ["update_id", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name
