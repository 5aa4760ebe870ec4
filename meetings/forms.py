import datetime

from django import forms
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.filters import districts_in_scope
from councils.models import Agency, Council
from councils.pickers import agency_picker, council_picker, district_picker
from geo.models import Province, subdistricts_of
from meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingObjective,
    MeetingOrganiser,
    MeetingPhoto,
    Resolution,
    ResolutionFollowUp,
)
from meetings.pickers import meeting_picker
from portal.editing import RecordInlineFormSet
from portal.forms import ThaiDateField, thai_formfield_callback
from portal.pickers import use_picker
from portal.roles import scope_of


class MeetingForm(forms.ModelForm):
    date = ThaiDateField(label=_("date"))
    start_time = forms.TimeField(
        label=_("starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("ends at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    target_sectors = forms.MultipleChoiceField(
        label=_("target groups"),
        choices=Agency.Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        formfield_callback = thai_formfield_callback
        model = Meeting
        fields = [
            "title",
            "meeting_type",
            "date",
            "start_time",
            "end_time",
            "venue",
            "province",
            "district",
            "subdistrict",
            "chair_name",
            "chair_position",
            "target_sectors",
            "invited_councils",
            "invited_agencies",
            "summary",
            "minutes",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Province.objects.order_by("name_th")
        if request is not None:
            provinces = scope_of(request.user).limit(provinces, province="code", council=None)
        self.fields["province"].queryset = provinces
        self.fields["district"].queryset = districts_in_scope(request)
        district = self.data.get("district") or self.instance.district_id or None
        self.fields["subdistrict"].queryset = subdistricts_of(district)
        user = request.user if request is not None else None
        councils = Council.objects.active().select_related("district")
        self.fields["invited_councils"].queryset = (
            councils.visible_to(user) if user is not None else councils
        ).order_by("district__code", "name_th")
        self.fields["invited_agencies"].queryset = Agency.objects.active().order_by(
            "sector", "name_th"
        )
        # Pickers: a province's 215 councils and the country's agencies are too many to list.
        use_picker(self.fields["district"], district_picker())
        use_picker(self.fields["invited_councils"], council_picker(multiple=True))
        use_picker(self.fields["invited_agencies"], agency_picker(multiple=True))
        self.fields["invited_councils"].help_text = _(
            "Type part of a name to find a council; choose as many as needed. Their open "
            "resolutions of earlier meetings appear on this meeting's agenda as matters arising."
        )
        self.fields["invited_agencies"].help_text = _(
            "Type part of a name to find an agency; choose as many as needed."
        )
        self.fields["minutes"].help_text = _(
            "Start a line with # for a heading, with - for a bullet or with 1. for a numbered "
            "list; **bold** for bold. HTML is shown as typed, never run."
        )
        if self.instance.starts_at:
            starts = timezone.localtime(self.instance.starts_at)
            self.initial.setdefault("date", starts.date())
            self.initial.setdefault("start_time", starts.time())
        if self.instance.ends_at:
            self.initial.setdefault("end_time", timezone.localtime(self.instance.ends_at).time())

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start:
            self.instance.starts_at = timezone.make_aware(datetime.datetime.combine(day, start))
            self.instance.ends_at = (
                timezone.make_aware(datetime.datetime.combine(day, end)) if end else None
            )
            if end and end < start:
                self.add_error("end_time", _("A meeting cannot end before it starts."))
        district, province = cleaned.get("district"), cleaned.get("province")
        if district and province and district.province_id != province.pk:
            self.add_error("district", _("This district is not in the chosen province."))
        subdistrict = cleaned.get("subdistrict")
        if subdistrict and district and subdistrict.district_id != district.pk:
            self.add_error("subdistrict", _("This subdistrict is not in the chosen district."))
        return cleaned


class ObjectiveForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = MeetingObjective
        fields = ["position", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class OrganiserForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = MeetingOrganiser
        fields = ["agency", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.active().order_by("name_th")
        use_picker(
            self.fields["agency"],
            agency_picker(),
            self.instance.agency if self.instance.agency_id else None,
        )


class AgendaItemForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = AgendaItem
        fields = ["position", "title", "presenter", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


def councils_for(meeting: Meeting | None, current_id: int | None, user=None):
    """The councils a row of this meeting may name: those of the meeting's province (the
    ones its users can open), and the one the row already names. A meeting without a
    province yet (a new one): the councils the user can see, not the whole country's."""
    councils = Council.objects.active()
    if meeting is not None and meeting.province_id:
        councils = Council.objects.filter(
            Q(archived_at=None, district__province=meeting.province_id) | Q(pk=current_id)
        )
    elif user is not None:
        councils = councils.visible_to(user)
    return councils.order_by("name_th")


def province_of(meeting: Meeting | None) -> str | None:
    return meeting.province_id if meeting is not None else None


class AttendanceForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = Attendance
        fields = [
            "person_name",
            "position",
            "council",
            "agency",
            "organisation_text",
            "phone",
            "role",
        ]

    def __init__(self, *args, meeting=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils_for(meeting, self.instance.council_id, user)
        self.fields["agency"].queryset = Agency.objects.active().order_by("name_th")
        row = self.instance
        use_picker(
            self.fields["council"],
            council_picker(province=province_of(meeting)),
            row.council if row.council_id else None,
        )
        use_picker(self.fields["agency"], agency_picker(), row.agency if row.agency_id else None)
        # In a row of seven fields a long help text makes every row three times as tall;
        # the attendance page says it once above the rows.
        self.fields["organisation_text"].help_text = ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("person_name") and not cleaned.get("position"):
            self.add_error("person_name", _("Give the person's name or position."))
        if cleaned.get("council") and cleaned.get("agency"):
            self.add_error("agency", _("Choose a council or an agency, not both."))
        return cleaned


class ResolutionForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = Resolution
        fields = ["position", "text", "owner_council", "owner_agency", "due_on", "status"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, meeting=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_council"].queryset = councils_for(
            meeting, self.instance.owner_council_id, user
        )
        self.fields["owner_agency"].queryset = Agency.objects.active().order_by("name_th")
        row = self.instance
        use_picker(
            self.fields["owner_council"],
            council_picker(province=province_of(meeting)),
            row.owner_council if row.owner_council_id else None,
        )
        use_picker(
            self.fields["owner_agency"],
            agency_picker(),
            row.owner_agency if row.owner_agency_id else None,
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("owner_council")) == bool(cleaned.get("owner_agency")):
            self.add_error("owner_agency", _("A resolution has one owner: a council or an agency."))
        return cleaned


class NumberedFormSet(RecordInlineFormSet):
    """Rows numbered by the user: each number once per meeting."""

    unique_field = "position"
    duplicate_message = _("This number is used twice.")


class MeetingRowsFormSet(RecordInlineFormSet):
    """Rows whose choices depend on their meeting (its province's councils) and, before the
    meeting has a province, on the user (`for_user`)."""

    user = None
    # A row per line of a table (partials/_formset_table.html): a forum has hundreds of
    # people and dozens of resolutions, and a labelled card per field made each row 7 KB.
    compact = True
    # What each row names, loaded with the rows: the row's pickers show it by name.
    named = {
        Attendance: ("council__district", "agency"),
        Resolution: ("owner_council__district", "owner_agency"),
    }

    def __init__(self, *args, **kwargs):
        if kwargs.get("queryset") is None:
            kwargs["queryset"] = self.model.objects.active().select_related(
                *self.named.get(self.model, ())
            )
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "meeting": self.instance, "user": self.user}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The Bootstrap classes crispy-forms would give the fields, small to fit a table row.
        for field in form.fields.values():
            widget = field.widget
            if widget.is_hidden or isinstance(widget, forms.CheckboxInput):
                continue
            small = "form-select-sm form-select" if isinstance(widget, forms.Select) else ""
            small = small or "form-control-sm form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {small}".strip()

    @classmethod
    def for_user(cls, user):
        return type(cls.__name__, (cls,), {"user": user})


class NumberedMeetingRowsFormSet(MeetingRowsFormSet, NumberedFormSet):
    pass


class OrganiserFormSet(RecordInlineFormSet):
    unique_field = "agency"
    duplicate_message = _("This agency is listed twice.")

    def __init__(self, *args, **kwargs):
        if kwargs.get("queryset") is None:
            kwargs["queryset"] = MeetingOrganiser.objects.active().select_related("agency")
        super().__init__(*args, **kwargs)


OrganisersFormSet = inlineformset_factory(
    Meeting,
    MeetingOrganiser,
    form=OrganiserForm,
    formset=OrganiserFormSet,
    extra=0,
    can_delete=True,
)
AgendaFormSet = inlineformset_factory(
    Meeting,
    AgendaItem,
    form=AgendaItemForm,
    formset=NumberedFormSet,
    extra=0,
    can_delete=True,
)
ObjectivesFormSet = inlineformset_factory(
    Meeting,
    MeetingObjective,
    form=ObjectiveForm,
    formset=NumberedFormSet,
    extra=0,
    can_delete=True,
)
AttendanceFormSet = inlineformset_factory(
    Meeting,
    Attendance,
    form=AttendanceForm,
    formset=MeetingRowsFormSet,
    extra=0,
    can_delete=True,
)


# Rows of the attendance page at a time: a forum of 215 councils has hundreds of people, and
# a row is a form of seven fields (the whole list made pages of megabytes).
ATTENDANCE_PAGE_ROWS = 25


def posted_row_ids(data, prefix: str) -> list[int]:
    """The ids of the stored rows a posted formset carries (its initial forms)."""
    try:
        count = int(data.get(f"{prefix}-INITIAL_FORMS", 0))
    except (TypeError, ValueError):
        return []
    ids = []
    for index in range(max(0, min(count, 1000))):
        value = data.get(f"{prefix}-{index}-id", "")
        if str(value).isdigit():
            ids.append(int(value))
    return ids


class AttendancePageFormSet(AttendanceFormSet):
    """Some of a meeting's attendance rows (a page of them, or one council's) as forms. The
    page shown carries the ids of its rows; the rows a post is checked and saved against
    are those it carries, so rows added by someone else meanwhile do not shift it. The rows
    of other pages are left as they are. `council` is the council new rows start with."""

    shown: tuple[int, ...] = ()
    council = None

    def __init__(self, data=None, files=None, instance=None, queryset=None, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        ids = posted_row_ids(data, prefix) if data is not None else list(self.shown)
        queryset = (
            Attendance.objects.active().select_related(*self.named[Attendance]).filter(pk__in=ids)
        )
        super().__init__(data, files, instance=instance, queryset=queryset, **kwargs)

    @classmethod
    def showing(cls, ids, council=None) -> type["AttendancePageFormSet"]:
        return type(cls.__name__, (cls,), {"shown": tuple(ids), "council": council})

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is None and self.council is not None:
            # The blank row that "Add a row" copies names the council whose list is shown.
            kwargs["instance"] = Attendance(meeting=self.instance, council=self.council)
        return kwargs


class AttendanceFilterForm(forms.Form):
    """The attendance page's choice of one council's rows."""

    council = forms.ModelChoiceField(
        label=_("council"), queryset=Council.objects.none(), required=False
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils_for(meeting, None).select_related("district")
        use_picker(self.fields["council"], council_picker(province=province_of(meeting)))

    def chosen(self) -> Council | None:
        return self.cleaned_data.get("council") if self.is_valid() else None


ResolutionsFormSet = inlineformset_factory(
    Meeting,
    Resolution,
    form=ResolutionForm,
    formset=NumberedMeetingRowsFormSet,
    fk_name="meeting",
    extra=0,
    can_delete=True,
)


class FollowUpForm(forms.ModelForm):
    """A dated note on a resolution; choosing a status moves the resolution to it."""

    class Meta:
        formfield_callback = thai_formfield_callback
        model = ResolutionFollowUp
        fields = ["noted_on", "note", "status"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        labels = {"status": _("change the status to")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("(leave unchanged)"))] + list(
            Resolution.Status.choices
        )
        self.initial.setdefault("noted_on", timezone.localdate())

    def clean_noted_on(self):
        day = self.cleaned_data["noted_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("A follow-up note cannot be dated in the future."))
        return day


class CarryForm(forms.Form):
    """Carry a resolution to a later meeting: a new resolution there, linked to this one."""

    meeting = forms.ModelChoiceField(label=_("later meeting"), queryset=Meeting.objects.none())
    due_on = ThaiDateField(label=_("new due date"), required=False)

    def __init__(self, *args, resolution: Resolution, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolution = resolution
        meetings = (
            Meeting.objects.editable_by(user)
            .active()
            .filter(starts_at__gt=resolution.meeting.starts_at)
            .order_by("starts_at")
        )
        province = None
        if resolution.owner_council_id is not None:
            # The resolution form's rule (councils_for): a council owns a resolution of a
            # meeting of its own province; carried elsewhere, that council's editor would
            # be shown the other province's meeting.
            meetings = meetings.filter(province__districts__councils=resolution.owner_council_id)
            province = resolution.owner_council.district.province_id
        self.fields["meeting"].queryset = meetings
        # A picker: an administrator's later meetings are the whole country's.
        use_picker(
            self.fields["meeting"],
            meeting_picker(after=resolution.meeting_id, province=province),
        )

    def clean(self):
        cleaned = super().clean()
        if self.resolution.carried_to.active().exists():
            raise forms.ValidationError(_("This resolution has already been carried over."))
        if not self.resolution.is_open:
            raise forms.ValidationError(_("Only an open or in-progress resolution is carried."))
        return cleaned


class MeetingPartsForm(forms.ModelForm):
    """For pages that save only some of a meeting's rows (attendance, photo captions): the
    meeting itself is the record whose version tells a conflicting edit."""

    class Meta:
        model = Meeting
        fields = []


class PhotoCaptionForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = MeetingPhoto
        fields = ["caption", "position"]


PhotoCaptionsFormSet = inlineformset_factory(
    Meeting,
    MeetingPhoto,
    form=PhotoCaptionForm,
    formset=RecordInlineFormSet,
    extra=0,
    can_delete=True,
)


class AttendanceUploadForm(forms.Form):
    sheet = forms.FileField(
        label=_("Sign-in sheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet,text/csv"
            }
        ),
    )
