"""What a broken model constraint means, in words that name its fields and their values.

Each model lists its constraints in `explained_constraints` (constraint name → Explained),
next to the constraints themselves; each constraint also carries a `violation_error_message`
for forms and the admin. A screen that knows where the values came from (an import knows the
file's columns) fills the placeholders: each field's name stands for "the column or field,
and its value", e.g. "วันที่จดแจ้ง 1 เม.ย. 2556 ต้องไม่ก่อนวันที่จัดตั้ง 9 ต.ค. 2557".
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class Explained:
    # The fields the constraint is about; the first is the one a refusal is shown on.
    fields: tuple[str, ...]
    # Placeholders: `%(<field>)s` for each field of `fields`, and the keys of `extra`.
    message: Promise
    extra: dict = field(default_factory=dict)


def explanation(model, constraint_name: str) -> Explained | None:
    return getattr(model, "explained_constraints", {}).get(constraint_name)
