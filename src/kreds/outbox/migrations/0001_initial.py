# The Outbox model moved here from kreds.meetings (ADR 0013). State only: the table meetings_outbox already
# exists with these columns (meetings 0001-0006) and keeps its name and its rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('meetings', '0007_outbox_moves_to_outbox_app'),
        ('participants', '0002_link_purpose'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Outbox',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=120, unique=True)),
                        ('kind', models.CharField(max_length=16)),
                        ('channel', models.CharField(choices=[('email', 'E-mail'), ('letter', 'Letter')], default='email', max_length=8)),
                        ('letter_done', models.CharField(blank=True, choices=[('printed', 'Printed and sent'), ('skipped', 'Handled otherwise')], max_length=8)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=300)),
                        ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('link', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='participants.participantlink')),
                        ('meeting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='outbox', to='meetings.meeting')),
                        ('participant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.participant')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'meetings_outbox',
                        'indexes': [models.Index(fields=['sent_at', 'created_at'], name='outbox_pending')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
