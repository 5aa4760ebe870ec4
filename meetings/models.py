"""Meetings of the partnership and the resolutions that must be followed up."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import Agency, Council
from geo.models import District, Province, Subdistrict
from portal.constraints import Explained
from portal.lib.uploads import photo_path
from portal.models import Record, RecordQuerySet
from portal.roles import Role, has_role


def took_part(council_id: int) -> Q:
    """Meetings the council was invited to or attended, as subqueries of meeting ids."""
    invited = Meeting.invited_councils.through.objects.filter(council=council_id)
    attended = Attendance.objects.filter(council=council_id)
    return Q(pk__in=invited.values("meeting")) | Q(pk__in=attended.values("meeting"))


class MeetingQuerySet(RecordQuerySet):
    province_path = "province"

    def for_council(self, council_id: int | None) -> "MeetingQuerySet":
        """A council editor sees the meetings its council was invited to or attended, and
        those that gave it a resolution to carry out (it must see what it was asked)."""
        if council_id is None:
            return self.none()
        # Subqueries of meeting ids, not joins: joining invitations, attendance and
        # resolutions multiplies their rows (a forum of 215 councils with four attendees and
        # four resolutions each made 160 million rows to de-duplicate).
        owned = Resolution.objects.filter(owner_council=council_id, archived_at=None)
        return self.filter(took_part(council_id) | Q(pk__in=owned.values("meeting")))

    def participation_of(self, council: Council) -> "MeetingQuerySet":
        """A council's participation history: the meetings it was invited to or attended,
        newest first, each with how many of its people came and whether it was invited."""
        people = (
            Attendance.objects.active()
            .filter(meeting=OuterRef("pk"), council=council)
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        invited = Meeting.invited_councils.through.objects.filter(
            meeting=OuterRef("pk"), council=council
        )
        return (
            self.filter(took_part(council.pk))
            .annotate(
                council_attendees=Coalesce(Subquery(people, output_field=models.IntegerField()), 0),
                council_invited=Exists(invited),
            )
            .order_by("-starts_at")
        )

    def editable_by(self, user) -> "MeetingQuerySet":
        # Meetings are recorded by CODI staff and admins; a council keeps its own record.
        if has_role(user, Role.ADMIN, Role.STAFF):
            return self.visible_to(user)
        return self.none()


class MeetingPartQuerySet(RecordQuerySet):
    """Objectives, attendance, resolutions, photos: seen and changed with their meeting."""

    province_path = "meeting__province"

    def for_council(self, council_id: int | None) -> "MeetingPartQuerySet":
        return self.filter(meeting__in=Meeting.objects.for_council(council_id))

    def editable_by(self, user) -> "MeetingPartQuerySet":
        return self.filter(meeting__in=Meeting.objects.editable_by(user))


class Meeting(Record):
    # The rows archived and restored with the record.
    owned_relations = (
        "organiser_links",
        "objectives",
        "agenda_items",
        "attendance",
        "resolutions",
        "photos",
    )

    class Type(models.TextChoices):
        PROVINCIAL_FORUM = "forum", _("provincial forum")
        COUNCIL_ASSEMBLY = "assembly", _("council assembly")
        WORKING_GROUP = "working_group", _("working group")
        SITE_VISIT = "site_visit", _("site visit")
        TRAINING = "training", _("training or workshop")
        OTHER = "other", _("other")

    title = models.CharField(_("title"), max_length=300)
    meeting_type = models.CharField(_("type"), max_length=15, choices=Type, default=Type.OTHER)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("province")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("district"),
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("subdistrict"),
    )
    chair_name = models.CharField(_("chair"), max_length=200, blank=True)
    chair_position = models.CharField(_("chair's position"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    target_sectors = models.JSONField(
        _("target groups"),
        default=list,
        blank=True,
        help_text=_("Sectors the meeting is for (codes of agency sectors)."),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    organisers = models.ManyToManyField(
        Agency,
        through="MeetingOrganiser",
        related_name="organised_meetings",
        verbose_name=_("organisers"),
    )
    invited_councils = models.ManyToManyField(
        Council, blank=True, related_name="invitations", verbose_name=_("invited councils")
    )
    invited_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="invitations", verbose_name=_("invited agencies")
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="meeting_end_not_before_start",
                violation_error_message=_("A meeting cannot end before it starts."),
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["province", "starts_at"]),
            models.Index(fields=["meeting_type"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    def clean(self) -> None:
        unknown = set(self.target_sectors or []) - set(Agency.Sector.values)
        if unknown:
            raise ValidationError({"target_sectors": _("Unknown sector.")})

    def attendance_by_sector(self) -> list[tuple[str, int]]:
        """How many came from each sector: agencies by their sector, council members as
        councils, and people of other organisations together. Largest group first."""
        kinds = (
            self.attendance.active()
            .annotate(
                kind=Case(
                    When(council__isnull=False, then=Value("council")),
                    When(agency__isnull=False, then=F("agency__sector")),
                    default=Value("other"),
                )
            )
            .order_by()
            .values("kind")
            .annotate(people=Count("pk"))
        )
        labels = {
            **dict(Agency.Sector.choices),
            "council": _("community organisation councils"),
            "other": _("other organisations"),
        }
        counts = [(str(labels.get(row["kind"], row["kind"])), row["people"]) for row in kinds]
        return sorted(counts, key=lambda pair: (-pair[1], pair[0]))

    def attendance_by_council(self):
        """People who came from each council, most first."""
        return (
            self.attendance.active()
            .filter(council__isnull=False)
            .order_by()
            .values("council", "council__name_th")
            .annotate(people=Count("pk"))
            .order_by("-people", "council__name_th")
        )

    def invited_with_attendance(self):
        """The invited councils by district, each with the people recorded for it."""
        people = (
            Attendance.objects.active()
            .filter(meeting=self, council=OuterRef("pk"))
            .order_by()
            .values("council")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.invited_councils.select_related("district")
            .annotate(people=Coalesce(Subquery(people, output_field=IntegerField()), 0))
            .order_by("district__code", "name_th")
        )

    def get_target_sectors_display(self) -> list[str]:
        labels = dict(Agency.Sector.choices)
        return [str(labels[code]) for code in self.target_sectors if code in labels]


class MeetingOrganiser(Record):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("organiser")
        CO_ORGANISER = "co_organiser", _("co-organiser")
        HOST = "host", _("host of the venue")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="organiser_links",
        verbose_name=_("meeting"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="organiser_links", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.ORGANISER)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        ordering = ["meeting_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency"],
                name="meeting_organiser_unique",
                condition=Q(archived_at__isnull=True),
                violation_error_message=_("This agency is listed twice."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_role_display()})"


class MeetingObjective(Record):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("objective"))

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["meeting_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="meeting_objective_position_unique",
                condition=Q(archived_at__isnull=True),
                violation_error_message=_("This number is used twice."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class AgendaItem(Record):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("agenda item"), max_length=300)
    presenter = models.CharField(_("presented by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_unique",
                condition=Q(archived_at__isnull=True),
                violation_error_message=_("This number is used twice."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(Record):
    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        SPEAKER = "speaker", _("speaker")
        PARTICIPANT = "participant", _("participant")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("meeting")
    )
    person_name = models.CharField(_("name"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
        verbose_name=_("council"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
        verbose_name=_("agency"),
    )
    organisation_text = models.CharField(
        _("organisation (other)"),
        max_length=255,
        blank=True,
        help_text=_("When the person comes from neither a council nor a listed agency."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.PARTICIPANT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = MeetingPartQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "attendance_names_a_person_or_position": Explained(
            ("person_name", "position"), _("Give %(person_name)s or %(position)s.")
        ),
        "attendance_one_organisation_at_most": Explained(
            ("agency", "council"),
            _("%(council)s and %(agency)s: a person comes from one of them, not both."),
        ),
    }

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                name="attendance_names_a_person_or_position",
                violation_error_message=_("Give the person's name or position."),
                condition=~Q(person_name="") | ~Q(position=""),
            ),
            models.CheckConstraint(
                name="attendance_one_organisation_at_most",
                violation_error_message=_("Choose a council or an agency, not both."),
                condition=Q(council__isnull=True) | Q(agency__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.person_name, self.position) if part)

    @property
    def organisation(self) -> str:
        if self.agency_id:
            return str(self.agency)
        if self.council_id:
            return str(self.council)
        return self.organisation_text


class ResolutionStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


OPEN_STATUSES = [ResolutionStatus.OPEN, ResolutionStatus.IN_PROGRESS]


class ResolutionQuerySet(MeetingPartQuerySet):
    def pending(self) -> "ResolutionQuerySet":
        """Still to be done here: open or in progress, and not carried to a later meeting
        (once carried, the later meeting's resolution is the one followed up)."""
        carried = Resolution.objects.active().filter(carried_from=OuterRef("pk"))
        return self.filter(status__in=OPEN_STATUSES).exclude(Exists(carried))

    def overdue(self, today=None) -> "ResolutionQuerySet":
        """Pending and past its due date. "Today" is the date in Asia/Bangkok, so a
        resolution due on the 5th is overdue from midnight of the 6th Thai time."""
        return self.pending().filter(due_on__lt=today or timezone.localdate())

    def for_register(self) -> "ResolutionQuerySet":
        """What the register, the meeting page and the owners' pages show of each
        resolution, in one query whatever the number of rows."""
        carried = Resolution.objects.active().filter(carried_from=OuterRef("pk"))
        notes = ResolutionFollowUp.objects.active().filter(resolution=OuterRef("pk"))
        last_note = notes.order_by().values("resolution").annotate(last=Max("noted_on"))
        return self.select_related(
            "meeting", "owner_council__district", "owner_agency", "carried_from__meeting"
        ).annotate(
            is_carried=Exists(carried),
            last_noted_on=Subquery(last_note.values("last")),
        )

    def arising_for(self, meeting: "Meeting") -> "ResolutionQuerySet":
        """Matters arising: pending resolutions of earlier meetings whose owner is invited
        to (or organises) this meeting."""
        councils = meeting.invited_councils.values("pk")
        agencies = meeting.invited_agencies.values("pk")
        organisers = meeting.organiser_links.active().values("agency")
        return (
            self.pending()
            .filter(meeting__starts_at__lt=meeting.starts_at, meeting__archived_at=None)
            .exclude(meeting=meeting)
            .filter(
                Q(owner_council__in=councils)
                | Q(owner_agency__in=agencies)
                | Q(owner_agency__in=organisers)
            )
        )


class Resolution(Record):
    Status = ResolutionStatus

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("meeting")
    )
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("resolution"))
    owner_council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolutions",
        verbose_name=_("owner (council)"),
    )
    owner_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolutions",
        verbose_name=_("owner (agency)"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.OPEN)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried from"),
    )

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="resolution_position_unique",
                condition=Q(archived_at__isnull=True),
                violation_error_message=_("This number is used twice."),
            ),
            models.CheckConstraint(
                name="resolution_has_exactly_one_owner",
                violation_error_message=_("A resolution has one owner: a council or an agency."),
                condition=Q(owner_council__isnull=True, owner_agency__isnull=False)
                | Q(owner_council__isnull=False, owner_agency__isnull=True),
            ),
            models.CheckConstraint(
                name="resolution_status_valid",
                condition=Q(status__in=ResolutionStatus.values),
                violation_error_message=_("The status is not one of the allowed values."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:resolution", args=[self.pk])

    @property
    def owner(self) -> Council | Agency:
        return self.owner_council or self.owner_agency

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return bool(self.is_open and self.due_on and self.due_on < (today or timezone.localdate()))


class FollowUpQuerySet(RecordQuerySet):
    province_path = "resolution__meeting__province"

    def for_council(self, council_id: int | None) -> "FollowUpQuerySet":
        return self.filter(resolution__meeting__in=Meeting.objects.for_council(council_id))

    def editable_by(self, user) -> "FollowUpQuerySet":
        return self.filter(resolution__meeting__in=Meeting.objects.editable_by(user))


class ResolutionFollowUp(Record):
    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("resolution"),
    )
    noted_on = models.DateField(_("date"))
    note = models.TextField(_("follow-up"))
    status = models.CharField(
        _("status after"), max_length=12, choices=Resolution.Status, blank=True
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")
        ordering = ["resolution_id", "noted_on", "id"]

    def __str__(self) -> str:
        return f"{self.noted_on}: {self.note[:60]}"


class MeetingPhoto(Record):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="photos", verbose_name=_("meeting")
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path, blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting photo")
        verbose_name_plural = _("meeting photos")
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name
