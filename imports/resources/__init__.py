"""What each kind of import reads, how it finds the record a row is about, and what it may
change. Built on django-import-export's ModelResource: its row loop, dry runs in a rolled-back
transaction, and validation through the model's `full_clean()` (constraints included).

Additions to import-export's defaults:
- headers are matched in Thai or English (field labels, the template's names, usual synonyms);
- a row finds its record by a natural key (codes; a person by council and ID or name), archived
  records included (an import brings an archived record back rather than duplicating it);
- every change is recorded in the history with the path `import:<batch>`;
- a row outside the user's scope, or for a record changed since the file was exported (the
  version column), is an error;
- the preview gets each row's field-by-field difference.
"""

from imports.resources.councils import (
    AgencyImportResource,
    CommunityOrganisationImportResource,
    CouncilImportResource,
    CouncilMemberImportResource,
)
from imports.resources.meetings import AttendanceImportResource
from imports.resources.projects import (
    DisbursementImportResource,
    ProjectImportResource,
    ProjectPartnerImportResource,
)

__all__ = [
    "AgencyImportResource",
    "AttendanceImportResource",
    "CommunityOrganisationImportResource",
    "CouncilImportResource",
    "CouncilMemberImportResource",
    "DisbursementImportResource",
    "ProjectImportResource",
    "ProjectPartnerImportResource",
]
