"""Community organisation councils (สภาองค์กรชุมชนตำบล), their people, and partner agencies."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from geo.models import District, Province, Subdistrict
from portal.constraints import Explained
from portal.models import Record, RecordQuerySet
from portal.roles import Role, has_role, role_of, scope_of


class CouncilQuerySet(RecordQuerySet):
    province_path = "district__province"
    council_path = "pk"

    def figures(self) -> dict:
        """Councils by status, and the households and population they cover (one query)."""
        return self.aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status=CouncilStatus.ACTIVE)),
            dormant=Count("pk", filter=Q(status=CouncilStatus.DORMANT)),
            dissolved=Count("pk", filter=Q(status=CouncilStatus.DISSOLVED)),
            households=Sum("households", default=0),
            population=Sum("population", default=0),
        )


class CouncilPartQuerySet(RecordQuerySet):
    """Members and community organisations: seen and changed with their council."""

    province_path = "council__district__province"
    council_path = "council"


class CommunityOrganisationQuerySet(CouncilPartQuerySet):
    def figures(self) -> dict:
        """Community organisations and their members (one query)."""
        return self.aggregate(total=Count("pk"), members=Sum("member_count", default=0))


class CouncilMemberQuerySet(CouncilPartQuerySet):
    def in_role_order(self) -> "CouncilMemberQuerySet":
        """Chair first, then vice chair, secretary, treasurer and members, as a roster reads."""
        rank = Case(
            *(When(role=role, then=Value(index)) for index, role in enumerate(MEMBER_ROLE_ORDER)),
            default=Value(len(MEMBER_ROLE_ORDER)),
        )
        return self.order_by(rank, "full_name")


MEMBER_ROLE_ORDER = ["chair", "vice_chair", "secretary", "treasurer", "member"]


class AgencyQuerySet(RecordQuerySet):
    """Partner agencies are a shared directory: every user may read it; CODI staff keep the
    agencies of their provinces, admins the national ones."""

    def visible_to(self, user) -> "AgencyQuerySet":
        return self if role_of(user) is not None else self.none()

    def editable_by(self, user) -> "AgencyQuerySet":
        if not has_role(user, Role.ADMIN, Role.STAFF):
            return self.none()
        return scope_of(user).limit(self, province="province", council=None)


class CouncilStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    DORMANT = "dormant", _("dormant")
    DISSOLVED = "dissolved", _("dissolved")


class Council(Record):
    # The rows archived and restored with the record.
    owned_relations = ("members", "organisations")

    Status = CouncilStatus

    class AreaType(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("subdistrict")
        MUNICIPALITY = "municipality", _("municipality")

    code = models.CharField(_("registration code"), max_length=20, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    area_type = models.CharField(
        _("area type"), max_length=12, choices=AreaType, default=AreaType.SUBDISTRICT
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="councils", verbose_name=_("district")
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils",
        verbose_name=_("subdistrict"),
        help_text=_("The subdistrict a council covers; empty for a municipal council."),
    )
    municipality_name = models.CharField(
        _("municipality"),
        max_length=200,
        blank=True,
        help_text=_("For a council of a municipal area, the municipality's name."),
    )
    established_on = models.DateField(_("established"), null=True, blank=True)
    registered_on = models.DateField(_("registered"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.TextField(_("address"), blank=True)
    households = models.PositiveIntegerField(_("households covered"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population covered"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    objects = CouncilQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "council_subdistrict_area_has_subdistrict": Explained(
            ("subdistrict", "area_type"),
            _("With %(area_type)s, %(subdistrict)s cannot be empty."),
        ),
        "council_municipal_area_is_named": Explained(
            ("municipality_name", "area_type"),
            _("With %(area_type)s, %(municipality_name)s cannot be empty."),
        ),
        "council_registered_not_before_established": Explained(
            ("registered_on", "established_on"),
            _("%(registered_on)s cannot be before %(established_on)s."),
        ),
        "council_status_valid": Explained(
            ("status",), _("%(status)s is not one of the allowed values.")
        ),
    }

    class Meta:
        verbose_name = _("community organisation council")
        verbose_name_plural = _("community organisation councils")
        ordering = ["district_id", "name_th"]
        constraints = [
            models.CheckConstraint(
                name="council_subdistrict_area_has_subdistrict",
                violation_error_message=_("A subdistrict council needs its subdistrict."),
                condition=~Q(area_type="subdistrict") | Q(subdistrict__isnull=False),
            ),
            models.CheckConstraint(
                name="council_municipal_area_is_named",
                violation_error_message=_("A municipal council needs the municipality's name."),
                condition=~Q(area_type="municipality") | ~Q(municipality_name=""),
            ),
            models.CheckConstraint(
                name="council_registered_not_before_established",
                violation_error_message=_(
                    "The date registered cannot be before the date established."
                ),
                condition=Q(registered_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(registered_on__gte=F("established_on")),
            ),
            models.CheckConstraint(
                name="council_status_valid",
                condition=Q(status__in=CouncilStatus.values),
                violation_error_message=_("The status is not one of the allowed values."),
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["district", "status"]),
            models.Index(fields=["name_th"]),
        ]

    def __str__(self) -> str:
        return self.name_th

    def get_absolute_url(self) -> str:
        return reverse("councils:detail", args=[self.pk])


class CommunityOrganisation(Record):
    class Kind(models.TextChoices):
        SAVINGS_GROUP = "savings", _("savings group")
        WELFARE_FUND = "welfare", _("community welfare fund")
        ELDERLY_CLUB = "elderly", _("elderly club")
        FARMERS_GROUP = "farmers", _("farmers' group")
        HOUSING_COOP = "housing", _("housing co-operative")
        WOMEN_GROUP = "women", _("women's group")
        YOUTH_GROUP = "youth", _("youth group")
        OCCUPATION_GROUP = "occupation", _("occupational group")
        NETWORK = "network", _("community network")
        OTHER = "other", _("other")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.OTHER)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    established_on = models.DateField(_("established"), null=True, blank=True)

    objects = CommunityOrganisationQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "community_organisation_unique_in_council": Explained(
            ("name", "council"), _("%(council)s already has an organisation called %(name)s.")
        ),
    }

    class Meta:
        verbose_name = _("community organisation")
        verbose_name_plural = _("community organisations")
        ordering = ["council_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"],
                name="community_organisation_unique_in_council",
                condition=Q(archived_at__isnull=True),
                violation_error_message=_("The council already has an organisation of this name."),
            ),
        ]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name


class CouncilMember(Record):
    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        VICE_CHAIR = "vice_chair", _("vice chair")
        SECRETARY = "secretary", _("secretary")
        TREASURER = "treasurer", _("treasurer")
        MEMBER = "member", _("member")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="members", verbose_name=_("council")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.MEMBER)
    organisation = models.ForeignKey(
        CommunityOrganisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="representatives",
        verbose_name=_("represents"),
    )
    national_id = models.CharField(_("national ID number"), max_length=13, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    objects = CouncilMemberQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "council_member_term_end_not_before_start": Explained(
            ("term_end", "term_start"), _("%(term_end)s cannot be before %(term_start)s.")
        ),
        "council_member_national_id_13_digits": Explained(
            ("national_id",), _("%(national_id)s is not 13 digits.")
        ),
    }

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council_id", "role", "full_name"]
        constraints = [
            models.CheckConstraint(
                name="council_member_term_end_not_before_start",
                violation_error_message=_("A term cannot end before it starts."),
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=F("term_start")),
            ),
            models.CheckConstraint(
                name="council_member_national_id_13_digits",
                violation_error_message=_("A national ID number has 13 digits."),
                condition=Q(national_id="") | Q(national_id__regex=r"^[0-9]{13}$"),
            ),
        ]
        indexes = [models.Index(fields=["council", "role"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"


class Sector(models.TextChoices):
    CENTRAL = "central", _("central or regional government")
    PROVINCIAL = "provincial", _("provincial government")
    LOCAL = "local", _("local administrative organisation")
    ACADEMIC = "academic", _("academic")
    CIVIL_SOCIETY = "civil_society", _("civil society")
    BUSINESS = "business", _("business and private sector")
    MOVEMENT = "movement", _("community-organisation movement")


class Agency(Record):
    Sector = Sector

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    sector = models.CharField(_("sector"), max_length=15, choices=Sector)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("province"),
        help_text=_("Where the agency is based; empty for national."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)

    objects = AgencyQuerySet.as_manager()

    # Each constraint in words naming its fields and their values (portal.constraints).
    explained_constraints = {
        "agency_sector_valid": Explained(
            ("sector",), _("%(sector)s is not one of the allowed values.")
        ),
    }

    class Meta:
        verbose_name = _("partner agency")
        verbose_name_plural = _("partner agencies")
        ordering = ["sector", "name_th"]
        constraints = [
            models.CheckConstraint(
                name="agency_sector_valid",
                condition=Q(sector__in=Sector.values),
                violation_error_message=_("The sector is not one of the allowed values."),
            ),
        ]
        indexes = [models.Index(fields=["sector"]), models.Index(fields=["name_th"])]

    def __str__(self) -> str:
        return self.name_th

    def get_absolute_url(self) -> str:
        return reverse("agencies:detail", args=[self.pk])
