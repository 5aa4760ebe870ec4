from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from councils.filters import districts_in_scope
from councils.models import Agency, CommunityOrganisation, Council, CouncilMember
from councils.pickers import district_picker
from geo.models import Province, subdistricts_of
from portal.editing import RecordInlineFormSet
from portal.forms import thai_formfield_callback
from portal.lib.thai_text import NationalIdError, normalise_national_id
from portal.pickers import use_picker
from portal.roles import is_council_editor, scope_of

# Fields a council editor may not change: they place the council and decide its standing.
AREA_FIELDS = ["code", "area_type", "district", "subdistrict", "municipality_name", "status"]


class CouncilForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = Council
        fields = [
            "code",
            "name_th",
            "name_en",
            "area_type",
            "district",
            "subdistrict",
            "municipality_name",
            "status",
            "established_on",
            "registered_on",
            "phone",
            "email",
            "address",
            "households",
            "population",
            "latitude",
            "longitude",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    # The edit page is long on a phone: its parts open one at a time (portal.editing).
    sections = [
        (
            _("Council and area"),
            ["code", "name_th", "name_en", "area_type", "district", "subdistrict"]
            + ["municipality_name", "status", "established_on", "registered_on"],
        ),
        (_("Contact"), ["phone", "email", "address"]),
        (_("Households and location"), ["households", "population", "latitude", "longitude"]),
    ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts_in_scope(request)
        use_picker(self.fields["district"], district_picker())
        locked = request is not None and is_council_editor(request.user)
        if locked:
            for name in AREA_FIELDS:
                self.fields[name].disabled = True
        # The subdistricts of the district being chosen; a locked district is the council's own.
        district = self.instance.district_id if locked else None
        district = district or self.data.get("district") or self.instance.district_id or None
        self.fields["subdistrict"].queryset = subdistricts_of(district)

    def clean(self):
        cleaned = super().clean()
        area_type = cleaned.get("area_type")
        subdistrict, district = cleaned.get("subdistrict"), cleaned.get("district")
        if area_type == Council.AreaType.SUBDISTRICT and not subdistrict:
            self.add_error("subdistrict", _("Choose the subdistrict this council covers."))
        if subdistrict and district and subdistrict.district_id != district.pk:
            self.add_error("subdistrict", _("This subdistrict is not in the chosen district."))
        if area_type == Council.AreaType.MUNICIPALITY and not cleaned.get("municipality_name"):
            self.add_error("municipality_name", _("Name the municipality of this council."))
        established, registered = cleaned.get("established_on"), cleaned.get("registered_on")
        if established and registered and registered < established:
            self.add_error("registered_on", _("A council is registered after it is established."))
        return cleaned


class MemberForm(forms.ModelForm):
    # Typed with dashes or spaces (1-1017-00203-45-0), stored as its 13 digits.
    national_id = forms.CharField(
        label=_("national ID number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        formfield_callback = thai_formfield_callback
        model = CouncilMember
        fields = [
            "full_name",
            "role",
            "organisation",
            "national_id",
            "phone",
            "term_start",
            "term_end",
        ]

    def clean_national_id(self):
        value = self.cleaned_data.get("national_id", "").strip()
        if not value:
            return ""
        try:
            return normalise_national_id(value)
        except NationalIdError as exc:
            raise forms.ValidationError(exc.message, code="national_id") from exc

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("A term cannot end before it starts."))
        return cleaned


class MemberFormSet(RecordInlineFormSet):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", CouncilMember.objects.active().in_role_order())
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        organisations = CommunityOrganisation.objects.none()
        if self.instance.pk:
            organisations = self.instance.organisations.active()
        form.fields["organisation"].queryset = organisations
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["organisation"].queryset = (
            self.instance.organisations.active()
            if self.instance.pk
            else CommunityOrganisation.objects.none()
        )
        return form


class OrganisationForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = CommunityOrganisation
        fields = ["name", "kind", "member_count", "established_on"]


MembersFormSet = inlineformset_factory(
    Council, CouncilMember, form=MemberForm, formset=MemberFormSet, extra=0, can_delete=True
)
OrganisationsFormSet = inlineformset_factory(
    Council,
    CommunityOrganisation,
    form=OrganisationForm,
    formset=RecordInlineFormSet,
    extra=0,
    can_delete=True,
)


class AgencyForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = Agency
        fields = [
            "code",
            "name_th",
            "name_en",
            "short_name",
            "sector",
            "province",
            "phone",
            "email",
            "website",
            "address",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Province.objects.order_by("name_th")
        if request is not None and not scope_of(request.user).everything:
            # CODI staff keep the agencies of their provinces; national ones are the admins'.
            provinces = scope_of(request.user).limit(provinces, province="code", council=None)
            self.fields["province"].required = True
        self.fields["province"].queryset = provinces
