"""The calendar token is stored as its SHA-256 only.

Existing tokens are hashed in place rather than invalidated: the addresses people already
subscribed to keep working (a calendar app that silently stops updating is worse than a
clear prompt, and nobody would be told), while the clear copy leaves the database. Going
back cannot recover a token from its hash: the addresses are then cut off."""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(calendar_token__isnull=True).exclude(calendar_token=""):
        user.calendar_token_hash = hashlib.sha256(user.calendar_token.encode()).hexdigest()
        user.save(update_fields=["calendar_token_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_calendar_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="calendar_token_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="calendar token (SHA-256)",
            ),
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="user", name="calendar_token"),
    ]
