"""Every municipality gets the default sectors (DOMAIN §3) now, instead of on the first GET of a map page."""

from django.db import migrations

# The defaults as they were when this migration was written (migrations must not import app code that may change).
DEFAULTS = [
    ("family", "Familie", "#1f5fa8", False),
    ("relatives", "Slægt", "#7a3e9d", False),
    ("friends", "Venner og naboer", "#2f7d32", False),
    ("school", "Skole, dagtilbud og fritid", "#a65400", False),
    ("professionals", "Professionelle", "#4d4d4d", True),
]


def forwards(apps, schema_editor):
    Municipality = apps.get_model("tenancy", "Municipality")
    Sector = apps.get_model("network", "Sector")
    for municipality in Municipality.objects.all():
        if Sector.objects.filter(municipality=municipality).exists():
            continue
        for order, (key, name, colour, professional) in enumerate(DEFAULTS):
            Sector.objects.create(
                municipality=municipality, key=key, name=name, colour=colour, order=order, is_professional=professional
            )


class Migration(migrations.Migration):
    dependencies = [("network", "0002_map_first_person_at"), ("tenancy", "0003_municipality_placement_checks")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
