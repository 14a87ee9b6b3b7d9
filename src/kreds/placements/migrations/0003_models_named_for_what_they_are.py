# Models named for what they are (issue 15): a point of a candidate's checklist, a contact arrangement and its
# versions.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0002_suspension_by_decision"),
    ]

    operations = [
        migrations.RenameModel(old_name="Check", new_name="CandidateCheck"),
        migrations.RenameModel(old_name="Contact", new_name="ContactArrangement"),
        migrations.RenameModel(old_name="ContactVersion", new_name="ContactArrangementVersion"),
    ]
