"""Thailand's administrative areas with their DOPA codes, loaded from `geothai`.

Reference data, never typed by hand: `manage.py load_geography` fills and refreshes it.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    code = models.CharField(_("DOPA code"), max_length=6, primary_key=True)
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_th

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        language = get_language() or "th"
        return self.name_th if language.startswith("th") else self.name_en


class Province(Area):
    class Meta(Area.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class District(Area):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("province")
    )

    class Meta(Area.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        indexes = [models.Index(fields=["name_th"])]


class Subdistrict(Area):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="subdistricts", verbose_name=_("district")
    )
    postal_codes = models.CharField(_("postal codes"), max_length=40, blank=True)

    class Meta(Area.Meta):
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")
        indexes = [models.Index(fields=["name_th"])]


def subdistricts_of(district_code: str | None):
    """The subdistricts of one district, for a choice list (a national list has 7,436)."""
    if not district_code:
        return Subdistrict.objects.none()
    return Subdistrict.objects.filter(district=district_code)
