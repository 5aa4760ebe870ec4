"""Import of meeting attendance (a sign-in sheet): from the import centre, a file naming each
row's meeting; from a meeting's attendance page, a sheet for that meeting (the batch's
`meeting`), as people write them: a name column and perhaps a position, an organisation in
words and a phone, with running numbers and signatures beside them."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _
from import_export import fields

from councils.models import Agency, Council
from imports.reading import IGNORED, normalise_header
from imports.resources.base import (
    PHONE_ALIASES,
    RUNNING_NUMBER,
    ImportResource,
    _one,
    choice_widget,
)
from imports.widgets import (
    CellError,
    IntegerWidget,
    PhoneWidget,
    TextWidget,
)
from meetings.models import Attendance, Meeting


def find_meetings(texts, queryset=None) -> dict:
    """Meetings by their number (as in /meetings/<number>/) or exact title, among
    `queryset` (the meetings the user may edit)."""
    texts = {text for text in texts if text}
    numbers = {int(text) for text in texts if text.isdigit()}
    meetings = Meeting.objects.all() if queryset is None else queryset
    meetings = list(meetings.filter(Q(pk__in=numbers) | Q(title__in=texts)))
    found = {}
    for text in texts:
        matches = [m for m in meetings if text.isdigit() and m.pk == int(text)] or [
            m for m in meetings if m.title == text
        ]
        try:
            meeting = _one(
                matches,
                text,
                _('Several meetings are called "%(name)s": %(candidates)s. Use the number.'),
                lambda m: f"#{m.pk} ({m.starts_at:%Y-%m-%d})",
            )
            found[text] = meeting or CellError(
                _('No meeting has the number or title "%(name)s".'), name=text
            )
        except CellError as exc:
            found[text] = exc
    return found


class AttendanceImportResource(ImportResource):
    kind_code = "attendance"
    meeting = fields.Field(attribute=None, column_name="meeting")
    person_name = fields.Field(
        attribute="person_name", column_name="person_name", widget=TextWidget()
    )
    position = fields.Field(attribute="position", column_name="position", widget=TextWidget())
    # The organisation in words, as a sign-in sheet has it: linked to the council (of the
    # meeting's province) or the agency it names exactly, else kept as written.
    organisation = fields.Field(attribute=None, column_name="organisation")
    council = fields.Field(attribute=None, column_name="council")
    agency = fields.Field(attribute=None, column_name="agency")
    organisation_text = fields.Field(
        attribute="organisation_text", column_name="organisation_text", widget=TextWidget()
    )
    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    role = fields.Field(
        attribute="role",
        column_name="role",
        widget=choice_widget(Attendance, "role", default=Attendance.Role.PARTICIPANT),
    )
    order = fields.Field(attribute="order", column_name="order", widget=IntegerWidget())
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "meeting": ["การประชุม", "ประชุม", "เลขที่การประชุม", "meeting number"],
        "person_name": [
            "ชื่อ-สกุล",
            "ชื่อ - สกุล",
            "ชื่อ-นามสกุล",
            "ชื่อสกุล",
            "ชื่อผู้เข้าร่วม",
            "ชื่อ",
            "name",
        ],
        "position": ["ตำแหน่ง", "title"],
        "organisation": [
            "หน่วยงาน",
            "องค์กร",
            "หน่วยงาน/องค์กร",
            "สังกัด",
            "organisation",
            "organization",
        ],
        "council": ["สภาองค์กรชุมชน", "สภา"],
        "agency": ["หน่วยงานภาคี"],
        "phone": PHONE_ALIASES,
        "role": ["บทบาท", "บทบาทในการประชุม"],
        "order": ["ลำดับการแสดง", "display order"],
        "version": ["เวอร์ชัน"],
    }
    extra_labels = {
        **ImportResource.extra_labels,
        "organisation": _("organisation (council, agency or other)"),
    }
    ignored_headers = [*RUNNING_NUMBER, "ลายมือชื่อ", "ลงชื่อ", "signature"]
    required_columns = [("meeting",), ("person_name", "position")]
    # A sheet of names and nothing else is a sign-in sheet too.
    lone_headers = frozenset({"person_name", "position"})
    duplicate_column = "person_name"
    derived_fields = {"meeting", "council", "agency"}
    scope_column = "meeting"
    bulk_capable = True

    class Meta(ImportResource.Meta):
        model = Attendance
        fields = [
            "meeting",
            "person_name",
            "position",
            "organisation",
            "council",
            "agency",
            "organisation_text",
            "phone",
            "role",
            "order",
            "version",
        ]
        import_order = fields

    @classmethod
    def header_names(cls) -> dict[str, str]:
        names = super().header_names()
        # A sign-in sheet's own words win over the portal's labels: its หน่วยงาน is the
        # organisation in words (a council, an agency or neither), its ลำดับ a running number
        # (the template's "หน่วยงาน / Agency" and "ลำดับ / Order" still read as those columns).
        for alias in cls.aliases["organisation"]:
            names[normalise_header(alias)] = "organisation"
        for header in ("ลำดับ", "ลำดับที่", "ที่", "no", "no.", "#"):
            names[normalise_header(header)] = IGNORED
        return names

    @classmethod
    def columns_required(cls, batch) -> list[tuple[str, ...]]:
        if batch is not None and batch.meeting_id:
            return [("person_name", "position")]  # the batch names the meeting
        return cls.required_columns

    def fixed_meeting(self):
        """The meeting a sheet uploaded on its page is for (None: each row names one), if the
        user may still edit it; else the error every row gets."""
        if self.batch is None or not self.batch.meeting_id:
            return None
        if "_fixed" not in self.__dict__:
            meeting = self.reference_queryset("meeting").filter(pk=self.batch.meeting_id).first()
            self.__dict__["_fixed"] = meeting or ValidationError(
                _("This meeting is archived or no longer yours to edit: nothing can be added."),
                code="scope",
            )
        return self.__dict__["_fixed"]

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        fixed = self.fixed_meeting()
        self.resolve(row, "meeting", self.finder("meeting"), required=fixed is None)
        if isinstance(fixed, ValidationError):
            row["_errors"]["meeting"] = fixed
        elif fixed is not None and "meeting" not in row["_errors"]:
            if row["_meeting"] not in (None, fixed):
                row["_errors"]["meeting"] = ValidationError(
                    _("This sheet is for the meeting “%(meeting)s”; this row names another."),
                    code="invalid",
                    params={"meeting": fixed.title},
                )
            row["_meeting"] = fixed
        if "council" in row:
            self.resolve(row, "council", self.finder("council"), required=False)
        if "agency" in row:
            self.resolve(row, "agency", self.finder("agency"), required=False)

    reference_finders = {**ImportResource.reference_finders, "meeting": find_meetings}

    def reference_queryset(self, key: str):
        if key == "meeting":
            return Meeting.objects.editable_by(self.user).active()
        if key == "council":
            # The attendance form's rule (meetings.forms.councils_for): a council of the
            # meeting's province, checked once the meeting is known (after_fields).
            return Council.objects.visible_to(self.user).active()
        return super().reference_queryset(key)

    def get_instance(self, instance_loader, row):
        found = super().get_instance(instance_loader, row)
        # A row may keep the council it already names, as the attendance form does.
        self._stored_attendance_council = found.council_id if found is not None else None
        return found

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(
            rows,
            {key: self.finder(key, many=True) for key in ("meeting", "council", "agency")},
        )
        meetings = self.referenced(rows, "meeting", Meeting)
        fixed = self.fixed_meeting()
        if isinstance(fixed, Meeting) and fixed not in meetings:
            meetings.append(fixed)
        text = TextWidget().clean
        whos = {text(row.get("person_name")) or text(row.get("position")) for row in rows} - {""}
        self._existing = self._index(
            Attendance.objects.filter(meeting__in=meetings)
            .filter(Q(person_name__in=whos) | Q(person_name="", position__in=whos))
            .select_related("meeting"),
            lambda a: (a.meeting_id, a.person_name or a.position),
        )
        self._prefetch_organisations(rows, meetings)
        # New people go after the meeting's list, in the sheet's order, as typed ones do.
        last = self.__dict__.setdefault("_last_order", {})
        wanted = [m.pk for m in meetings if m.pk not in last]
        if wanted:
            found = dict(
                Attendance.objects.filter(meeting__in=wanted)
                .values("meeting")
                .annotate(top=Max("order"))
                .values_list("meeting", "top")
            )
            last.update({pk: found.get(pk) or 0 for pk in wanted})

    def _prefetch_organisations(self, rows: list[dict], meetings) -> None:
        """Councils (of the meetings' provinces) and agencies an organisation cell may name,
        by exact code or name: a few queries for the whole file."""
        clean = TextWidget().clean
        known = self.__dict__.setdefault(
            "_organisations", {"councils": {}, "agencies": {}, "asked": set()}
        )
        texts = {clean(row.get("organisation")) for row in rows} - {""}
        wanted = {(m.province_id, text) for m in meetings for text in texts} - known["asked"]
        if not wanted:
            return
        known["asked"] |= wanted
        texts = {text for _province, text in wanted}
        provinces = {province for province, _text in wanted}
        councils = Council.objects.active().filter(Q(code__in=texts) | Q(name_th__in=texts))

        def add(province, council) -> None:
            for label in (council.code, council.name_th):
                known["councils"].setdefault((province, label), set()).add(council)

        for council in councils.filter(district__province__in=provinces - {None}).select_related(
            "district"
        ):
            add(council.district.province_id, council)
        if None in provinces:
            # A meeting without a province yet: the councils the user can see, as its form.
            for council in councils.visible_to(self.user):
                add(None, council)
        texts -= set(known["agencies"])
        if not texts:
            return
        for text in texts:
            known["agencies"][text] = set()
        agencies = Agency.objects.active().filter(
            Q(code__in=texts)
            | Q(name_th__in=texts)
            | Q(name_en__in=texts)
            | Q(short_name__in=texts)
        )
        for agency in agencies:
            for label in (agency.code, agency.name_th, agency.name_en, agency.short_name):
                if label in texts:
                    known["agencies"][label].add(agency)

    def organisation_of(self, meeting, text: str):
        """A council of the meeting's province or an agency the text names (one only), or
        the text itself: an unknown name is kept, not refused, as on the attendance form;
        a council of another province is not linked (nothing tells it exists)."""
        known = self.__dict__.get("_organisations") or {"councils": {}, "agencies": {}}
        councils = known["councils"].get((meeting.province_id, text), set())
        if len(councils) == 1:
            return next(iter(councils))
        agencies = known["agencies"].get(text, set())
        if not councils and len(agencies) == 1:
            return next(iter(agencies))
        return text

    def natural_key(self, instance):
        return (instance.meeting_id, instance.person_name or instance.position)

    def find_existing(self, row):
        text = TextWidget().clean
        who = text(row.get("person_name")) or text(row.get("position"))
        if not who:
            return None
        meeting = row["_meeting"]
        if self._existing is not None:
            return self._existing.get((meeting.pk, who))
        return (
            Attendance.objects.filter(meeting=meeting)
            .filter(Q(person_name=who) | Q(person_name="", position=who))
            .order_by("archived_at", "pk")
            .first()
        )

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_meeting") is not None:
            instance.meeting = row["_meeting"]
        if instance.meeting_id and "meeting" not in errors:
            self.set_organisation(instance, row, errors)
            if instance.pk is None and self.cell_state(row, "order") == "empty":
                last = self.__dict__.setdefault("_last_order", {})
                last[instance.meeting_id] = last.get(instance.meeting_id, 0) + 1
                instance.order = last[instance.meeting_id]
        for key in ("council", "agency"):
            self.set_reference(instance, row, key, errors)
        council = row.get("_council")
        if (
            council is not None
            and instance.meeting_id
            and council.district.province_id != instance.meeting.province_id
            and council.pk != self._stored_attendance_council
        ):
            errors["council"] = ValidationError(
                _("%(council)s is not in the meeting's province."),
                code="invalid",
                params={"council": council.name_th},
            )
        if instance.council_id and instance.agency_id:
            key = "organisation" if self.cell_state(row, "organisation") == "value" else "agency"
            if key not in errors:
                errors[key] = ValidationError(
                    _("A person comes from a council or an agency, not both."), code="invalid"
                )

    def set_organisation(self, instance, row, errors) -> None:
        """The organisation column sets the person's one organisation (a council, an agency
        or words), except what the row's own council, agency or "other" cells say."""
        state = self.cell_state(row, "organisation")
        if state == "empty" or (state == "cleared" and instance.pk is None):
            return
        found = ""
        if state == "value":
            text = TextWidget().clean(row.get("organisation"))
            self._prefetch_organisations([row], [instance.meeting])  # once per text
            found = self.organisation_of(instance.meeting, text)
            if isinstance(found, str):
                try:
                    MaxLengthValidator(255)(found)
                except ValidationError as exc:
                    errors["organisation"] = exc
                    return
        values = {
            "council": found if isinstance(found, Council) else None,
            "agency": found if isinstance(found, Agency) else None,
            "organisation_text": found if isinstance(found, str) else "",
        }
        for key, value in values.items():
            if self.cell_state(row, key) == "empty":
                setattr(instance, key, value)

    def scope_province(self, instance):
        return instance.meeting.province_id if instance.meeting_id else None
