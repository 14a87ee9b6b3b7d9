from django.db import models
from django.utils.translation import gettext_lazy as _


class Quality(models.TextChoices):
    SUPPORTIVE = "supportive", _("Supportive")
    AMBIVALENT = "ambivalent", _("Ambivalent")
    CONFLICT = "conflict", _("Conflict")
    BROKEN = "broken", _("Broken contact")


class RelationKind(models.TextChoices):
    KNOWS = "knows", _("Know each other")
    CONFLICT = "conflict", _("Conflict")
    BROKEN = "broken", _("Broken contact")


class ResourceTag(models.TextChoices):
    PICK_UP = "pick_up", _("Pick-up and bringing")
    RESPITE = "respite", _("Respite (aflastning)")
    HOMEWORK = "homework", _("Homework help")
    CONTACT_SUPPORT = "contact_support", _("Support during contact visits")
    FOSTER_CARER = "foster_carer", _("Possible network foster carer")
    LEISURE = "leisure", _("Leisure activities")
    SOMEONE_TO_TALK_TO = "talk", _("Someone to talk to")


class ConsentGiverRole(models.TextChoices):
    PARENT_WITH_CUSTODY = "parent", _("Parent with custody")
    YOUNG_PERSON = "young_person", _("The young person (15 or older)")


# The default sectors every municipality starts with (DOMAIN §3); administrators may change them later.
DEFAULT_SECTORS = [
    # key, name (Danish is the municipality's own data, not UI text), colour, professional
    ("family", "Familie", "#1f5fa8", False),
    ("relatives", "Slægt", "#7a3e9d", False),
    ("friends", "Venner og naboer", "#2f7d32", False),
    ("school", "Skole, dagtilbud og fritid", "#a65400", False),
    ("professionals", "Professionelle", "#4d4d4d", True),
]
