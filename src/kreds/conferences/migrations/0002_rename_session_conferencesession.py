# The model for one of a conference's meetings no longer shares its name with Django's sessions (issue 15).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="Session", new_name="ConferenceSession"),
    ]
