"""Import of meeting attendance (a sign-in sheet)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from import_export import fields

from councils.models import Council
from imports.resources.base import (
    PHONE_ALIASES,
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
        "person_name": ["ชื่อ-สกุล", "ชื่อ - สกุล", "ชื่อ-นามสกุล", "ชื่อผู้เข้าร่วม", "ชื่อ", "name"],
        "position": ["ตำแหน่ง", "title"],
        "council": ["สภาองค์กรชุมชน", "สภา"],
        "agency": ["หน่วยงาน", "หน่วยงานภาคี"],
        "organisation_text": ["องค์กร", "สังกัด", "organisation", "organization"],
        "phone": PHONE_ALIASES,
        "role": ["บทบาท", "บทบาทในการประชุม"],
        "order": ["ลำดับการแสดง", "display order"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("meeting",), ("person_name", "position")]
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
            "council",
            "agency",
            "organisation_text",
            "phone",
            "role",
            "order",
            "version",
        ]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "meeting", self.finder("meeting"))
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
        text = TextWidget().clean
        whos = {text(row.get("person_name")) or text(row.get("position")) for row in rows} - {""}
        self._existing = self._index(
            Attendance.objects.filter(meeting__in=meetings)
            .filter(Q(person_name__in=whos) | Q(person_name="", position__in=whos))
            .select_related("meeting"),
            lambda a: (a.meeting_id, a.person_name or a.position),
        )

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
        if instance.council_id and instance.agency_id and "agency" not in errors:
            errors["agency"] = ValidationError(
                _("A person comes from a council or an agency, not both."), code="invalid"
            )

    def scope_province(self, instance):
        return instance.meeting.province_id if instance.meeting_id else None
