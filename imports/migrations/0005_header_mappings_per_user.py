"""Header mappings belong to a user: an answer given by one office no longer maps another's
files. A remembered answer goes to the user who gave it; one without a known user is dropped
(the preview asks again)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def give_each_mapping_its_author(apps, schema_editor):
    HeaderMapping = apps.get_model("imports", "HeaderMapping")
    HeaderMapping.objects.filter(created_by__isnull=True).delete()
    HeaderMapping.objects.update(user=models.F("created_by"))


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0004_attendance"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="headermapping", name="header_mapping_unique"),
        migrations.AddField(
            model_name="headermapping",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="header_mappings",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
                help_text="Whose files this answer maps: the uploader of the file it was given for.",
            ),
        ),
        migrations.RunPython(give_each_mapping_its_author, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="headermapping",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="header_mappings",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
                help_text="Whose files this answer maps: the uploader of the file it was given for.",
            ),
        ),
        migrations.AddConstraint(
            model_name="headermapping",
            constraint=models.UniqueConstraint(
                fields=("user", "kind", "header"), name="header_mapping_unique_per_user"
            ),
        ),
    ]
