from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from councils.models import Agency, Council
from councils.pickers import agency_picker, council_picker
from portal.editing import RecordInlineFormSet
from portal.forms import FiscalYearField, PhotosField, thai_formfield_callback
from portal.pickers import use_picker
from projects.models import (
    Disbursement,
    Programme,
    ProgressPhoto,
    ProgressUpdate,
    Project,
    ProjectPartner,
)


class ProjectForm(forms.ModelForm):
    fiscal_year = FiscalYearField(label=_("fiscal year (B.E.)"))

    class Meta:
        formfield_callback = thai_formfield_callback
        model = Project
        fields = [
            "code",
            "title_th",
            "title_en",
            "programme",
            "council",
            "fiscal_year",
            "status",
            "budget_requested",
            "budget_approved",
            "target_households",
            "reached_households",
            "target_persons",
            "reached_persons",
            "start_date",
            "end_date",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.active()
        councils = Council.objects.active().select_related("district").order_by("name_th")
        if request is not None:
            councils = councils.editable_by(request.user)
        self.fields["council"].queryset = councils
        instance = self.instance
        use_picker(
            self.fields["council"],
            council_picker(),
            instance.council if instance.council_id else None,
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("A project cannot end before it starts."))
        for reached, target in (
            ("reached_households", "target_households"),
            ("reached_persons", "target_persons"),
        ):
            if cleaned.get(reached) is not None and cleaned.get(target) is None:
                cleaned[target] = 0
        return cleaned


class PartnerForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = ProjectPartner
        fields = ["agency", "role", "contribution", "contribution_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.active().order_by("name_th")
        partner = self.instance
        use_picker(
            self.fields["agency"], agency_picker(), partner.agency if partner.agency_id else None
        )
        self.fields["contribution"].required = False

    def clean_contribution(self):
        return self.cleaned_data.get("contribution") or Decimal(0)


class PartnerFormSet(RecordInlineFormSet):
    unique_field = "agency"
    duplicate_message = _("This agency is already a partner of the project.")

    def __init__(self, *args, **kwargs):
        # Each row's agency is loaded with the rows: its picker names it without a query.
        if kwargs.get("queryset") is None:
            kwargs["queryset"] = ProjectPartner.objects.active().select_related("agency")
        super().__init__(*args, **kwargs)


class DisbursementForm(forms.ModelForm):
    class Meta:
        formfield_callback = thai_formfield_callback
        model = Disbursement
        fields = ["paid_on", "amount", "reference", "note"]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("A disbursement is more than zero baht."))
        return amount


class DisbursementFormSet(RecordInlineFormSet):
    def clean(self):
        super().clean()
        approved = self.instance.budget_approved
        total = sum(
            form.cleaned_data.get("amount") or 0
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        )
        if total and approved is None:
            raise forms.ValidationError(
                _("Money can be disbursed only after a budget is approved.")
            )
        if approved is not None and total > approved:
            raise forms.ValidationError(
                _("Disbursements add up to %(total)s baht, more than the %(approved)s approved.")
                % {"total": f"{total:,.2f}", "approved": f"{approved:,.2f}"}
            )


PartnersFormSet = inlineformset_factory(
    Project, ProjectPartner, form=PartnerForm, formset=PartnerFormSet, extra=0, can_delete=True
)
DisbursementsFormSet = inlineformset_factory(
    Project,
    Disbursement,
    form=DisbursementForm,
    formset=DisbursementFormSet,
    extra=0,
    can_delete=True,
)


class ProgressUpdateForm(forms.ModelForm):
    photos = PhotosField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption of the photos"), max_length=255, required=False)

    class Meta:
        formfield_callback = thai_formfield_callback
        model = ProgressUpdate
        fields = ["reported_on", "percent_complete", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["percent_complete"].widget.attrs.update({"min": 0, "max": 100})

    def save_with_photos(self, project: Project) -> ProgressUpdate:
        self.instance.project = project
        update = self.save()
        for photo in self.cleaned_data["photos"]:
            ProgressPhoto.objects.create(
                update=update,
                image=photo.image,
                thumbnail=photo.thumbnail,
                caption=self.cleaned_data["caption"],
            )
        return update
