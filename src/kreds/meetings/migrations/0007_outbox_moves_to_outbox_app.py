# The Outbox model moved to kreds.outbox (ADR 0013). Only the migration state changes here: the table
# meetings_outbox, its rows and its index stay as they are, and outbox 0001 takes them over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0006_meeting_changes_letters'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name='outbox', name='outbox_pending'),
                migrations.DeleteModel(name='Outbox'),
            ],
            database_operations=[],
        ),
    ]
