"""Resources get a key that stays the same from one revision to the next, like modules, lectures and
questions, so an edit can find a resource's copy in a new draft. Existing rows get one key each."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_team_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        # AddField gave every existing row the same default value.
        migrations.RunSQL("UPDATE catalog_resource SET key = gen_random_uuid()", migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="resource",
            constraint=models.UniqueConstraint(fields=("lecture", "key"), name="resource_key_unique"),
        ),
    ]
