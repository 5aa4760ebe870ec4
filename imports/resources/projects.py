"""Imports of projects, their partner agencies and their disbursements."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields

from imports.resources.base import (
    ImportResource,
    choice_widget,
)
from imports.widgets import (
    AmountWidget,
    CellError,
    DateWidget,
    IntegerWidget,
    MultilineTextWidget,
    TextWidget,
)
from portal.lib.dates import buddhist_era_year
from projects.models import Disbursement, Project, ProjectPartner


class ProjectImportResource(ImportResource):
    kind_code = "projects"
    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    title_th = fields.Field(attribute="title_th", column_name="title_th", widget=TextWidget())
    title_en = fields.Field(attribute="title_en", column_name="title_en", widget=TextWidget())
    programme = fields.Field(attribute=None, column_name="programme")
    council = fields.Field(attribute=None, column_name="council")
    fiscal_year = fields.Field(
        attribute="fiscal_year", column_name="fiscal_year", widget=IntegerWidget()
    )
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=choice_widget(Project, "status", default=Project.Status.PROPOSED),
    )
    budget_requested = fields.Field(
        attribute="budget_requested", column_name="budget_requested", widget=AmountWidget()
    )
    budget_approved = fields.Field(
        attribute="budget_approved", column_name="budget_approved", widget=AmountWidget()
    )
    target_households = fields.Field(
        attribute="target_households", column_name="target_households", widget=IntegerWidget()
    )
    reached_households = fields.Field(
        attribute="reached_households", column_name="reached_households", widget=IntegerWidget()
    )
    target_persons = fields.Field(
        attribute="target_persons", column_name="target_persons", widget=IntegerWidget()
    )
    reached_persons = fields.Field(
        attribute="reached_persons", column_name="reached_persons", widget=IntegerWidget()
    )
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=DateWidget())
    description = fields.Field(
        attribute="description", column_name="description", widget=MultilineTextWidget()
    )
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "code": ["รหัสโครงการ", "รหัส", "code"],
        "title_th": ["ชื่อโครงการ", "โครงการ", "ชื่อ", "project", "title"],
        "title_en": ["ชื่อโครงการภาษาอังกฤษ", "english title"],
        "programme": ["แผนงาน", "ชุดโครงการ", "programme code"],
        "council": ["สภา", "สภาองค์กรชุมชน", "สภาที่รับผิดชอบ", "ผู้รับผิดชอบ", "council"],
        "fiscal_year": ["ปีงบประมาณ", "ปีงบ", "ปี", "fiscal year", "fy"],
        "status": ["สถานะ"],
        "budget_requested": ["งบประมาณที่ขอ", "งบที่ขอ", "งบประมาณ", "budget"],
        "budget_approved": ["งบประมาณที่อนุมัติ", "งบที่อนุมัติ", "อนุมัติ"],
        "target_households": ["ครัวเรือนเป้าหมาย", "เป้าหมายครัวเรือน"],
        "reached_households": ["ครัวเรือนที่ได้รับประโยชน์", "ครัวเรือนที่ได้รับ"],
        "target_persons": ["คนเป้าหมาย", "ผู้รับประโยชน์เป้าหมาย"],
        "reached_persons": ["ผู้ได้รับประโยชน์", "คนที่ได้รับประโยชน์"],
        "start_date": ["วันเริ่ม", "วันที่เริ่ม", "เริ่ม"],
        "end_date": ["วันสิ้นสุด", "วันที่สิ้นสุด", "สิ้นสุด"],
        "description": ["รายละเอียด", "คำอธิบาย"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("code",)]
    duplicate_column = "code"
    derived_fields = {"council", "programme"}
    scope_column = "council"
    touches = ()

    class Meta(ImportResource.Meta):
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
            "version",
        ]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        for key in ("council", "programme"):
            if key in row:
                # Needed for a new project only (after_fields): an existing one keeps its own.
                self.resolve(row, key, self.finder(key), required=False)

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        text = TextWidget().clean
        codes = {text(row.get("code")) for row in rows} - {""}
        self._existing = {
            project.code: project
            for project in Project.objects.select_related("council__district", "programme").filter(
                code__in=codes
            )
        }
        self.prefetch_references(
            rows,
            {
                "council": self.finder("council", many=True),
                "programme": self.finder("programme", many=True),
            },
        )

    def natural_key(self, instance):
        return instance.code or None

    def find_existing(self, row):
        code = TextWidget().clean(row.get("code"))
        if not code:
            return None
        if self._existing is not None:
            return self._existing.get(code)
        return Project.objects.select_related("council__district").filter(code=code).first()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "fiscal_year" and row.get("fiscal_year") not in (None, ""):
            year = IntegerWidget().clean(row["fiscal_year"])
            # "2023" written for FY 2566: a Christian-era year is turned into B.E.
            instance.fiscal_year = buddhist_era_year(year) if year >= 1900 else year
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def after_fields(self, instance, row, errors) -> None:
        for key in ("council", "programme"):
            self.set_reference(instance, row, key, errors)
            if instance.pk is None and row.get(f"_{key}") is None and key not in errors:
                errors[key] = ValidationError(
                    _("This column is needed: %(column)s."),
                    code="required",
                    params={"column": str(self.field_label(key))},
                )

    def scope_province(self, instance):
        return instance.council.district.province_id if instance.council_id else None


class ProjectPartnerImportResource(ImportResource):
    kind_code = "partners"
    project = fields.Field(attribute=None, column_name="project")
    agency = fields.Field(attribute=None, column_name="agency")
    role = fields.Field(
        attribute="role",
        column_name="role",
        widget=choice_widget(ProjectPartner, "role", default="other"),
    )
    contribution = fields.Field(
        attribute="contribution", column_name="contribution", widget=AmountWidget()
    )
    contribution_note = fields.Field(
        attribute="contribution_note", column_name="contribution_note", widget=TextWidget()
    )
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "project": ["รหัสโครงการ", "โครงการ", "project code"],
        "agency": ["หน่วยงาน", "ภาคี", "หน่วยงานภาคี", "รหัสหน่วยงาน", "partner"],
        "role": ["บทบาท", "บทบาทภาคี"],
        "contribution": ["งบสมทบ", "เงินสมทบ", "สมทบ (บาท)", "จำนวนเงิน"],
        "contribution_note": ["สมทบสิ่งของ", "การสนับสนุนอื่น", "หมายเหตุการสนับสนุน"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("project",), ("agency",)]
    duplicate_column = "agency"
    derived_fields = {"project", "agency"}
    scope_column = "project"

    class Meta(ImportResource.Meta):
        model = ProjectPartner
        fields = ["project", "agency", "role", "contribution", "contribution_note", "version"]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "project", self.finder("project"))
        self.resolve(row, "agency", self.finder("agency"))

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(
            rows,
            {
                "project": self.finder("project", many=True),
                "agency": self.finder("agency", many=True),
            },
        )
        projects = self.referenced(rows, "project", Project)
        self._existing = self._index(
            ProjectPartner.objects.filter(project__in=projects).select_related(
                "project__council__district", "agency"
            ),
            lambda p: (p.project_id, p.agency_id),
        )

    def natural_key(self, instance):
        return (instance.project_id, instance.agency_id)

    def find_existing(self, row):
        if self._existing is not None:
            return self._existing.get((row["_project"].pk, row["_agency"].pk))
        return (
            ProjectPartner.objects.filter(project=row["_project"], agency=row["_agency"])
            .order_by("archived_at", "pk")
            .first()
        )

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_project") is not None:
            instance.project = row["_project"]
        if row.get("_agency") is not None:
            instance.agency = row["_agency"]

    def scope_province(self, instance):
        return instance.project.council.district.province_id if instance.project_id else None


class DisbursementImportResource(ImportResource):
    kind_code = "disbursements"
    project = fields.Field(attribute=None, column_name="project")
    paid_on = fields.Field(attribute="paid_on", column_name="paid_on", widget=DateWidget())
    amount = fields.Field(attribute="amount", column_name="amount", widget=AmountWidget())
    reference = fields.Field(attribute="reference", column_name="reference", widget=TextWidget())
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())
    version = fields.Field(attribute=None, column_name="version")

    aliases = {
        "project": ["รหัสโครงการ", "โครงการ", "project code"],
        "paid_on": ["วันที่โอน", "วันที่จ่าย", "วันที่เบิกจ่าย", "วันโอนเงิน", "date"],
        "amount": ["จำนวนเงิน", "ยอดเงิน", "เงินโอน", "จำนวนเงิน (บาท)", "amount"],
        "reference": ["เลขที่อ้างอิง", "เลขที่เอกสาร", "อ้างอิง", "ref", "ref."],
        "note": ["หมายเหตุการจ่าย", "บันทึก", "note"],
        "version": ["เวอร์ชัน"],
    }
    required_columns = [("project",), ("paid_on",), ("amount",)]
    duplicate_column = "amount"
    derived_fields = {"project"}
    scope_column = "project"

    class Meta(ImportResource.Meta):
        model = Disbursement
        fields = ["project", "paid_on", "amount", "reference", "note", "version"]
        import_order = fields

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self.resolve(row, "project", self.finder("project"))

    bulk_capable = True

    def prefetch(self, rows: list[dict]) -> None:
        self.prefetch_references(rows, {"project": self.finder("project", many=True)})
        projects = self.referenced(rows, "project", Project)
        self._existing = self._index(
            Disbursement.objects.filter(project__in=projects).select_related(
                "project__council__district"
            ),
            self._key_of,
        )

    @staticmethod
    def _key_of(disbursement):
        if disbursement.reference:
            return (disbursement.project_id, disbursement.reference)
        return (disbursement.project_id, disbursement.paid_on, disbursement.amount)

    def natural_key(self, instance):
        return self._key_of(instance)

    def find_existing(self, row):
        """By the project and the payment's reference; without a reference, by the project,
        the date and the amount (the same payment typed twice is the same payment)."""
        reference = TextWidget().clean(row.get("reference"))
        try:
            paid_on = DateWidget().clean(row.get("paid_on"))
            amount = AmountWidget().clean(row.get("amount"))
        except CellError:
            paid_on = amount = None
        project = row["_project"]
        if self._existing is not None:
            if reference:
                return self._existing.get((project.pk, reference))
            return self._existing.get((project.pk, paid_on, amount))
        disbursements = Disbursement.objects.filter(project=project).order_by("archived_at", "pk")
        if reference:
            return disbursements.filter(reference=reference).first()
        if paid_on is None or amount is None:
            return None
        return disbursements.filter(paid_on=paid_on, amount=amount, reference="").first()

    def after_fields(self, instance, row, errors) -> None:
        if row.get("_project") is not None:
            instance.project = row["_project"]
        if instance.amount is not None and instance.amount <= 0 and "amount" not in errors:
            errors["amount"] = ValidationError(
                _("The amount must be more than zero."), code="invalid"
            )

    def scope_province(self, instance):
        return instance.project.council.district.province_id if instance.project_id else None
