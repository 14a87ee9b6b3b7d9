import datetime

import factory

from kreds.cases.models import Case, CaseAssignment, Child
from kreds.core.crypto import cpr_blind_index, encrypt_cpr
from kreds.tenancy.tests.factories import MunicipalityFactory, UnitFactory

CHILD_FIRST_NAMES = ("Vigga", "Esther", "Villum", "Cornelius", "Folmer", "Halfdan", "Ingeborg", "Konrad", "Oluf")
CHILD_LAST_NAMES = (
    "Kragelund",
    "Skovbjerg",
    "Lindhardt",
    "Riisager",
    "Kjærsgaard",
    "Fogtmann",
    "Hvidberg",
    "Stausholm",
)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    municipality = factory.SubFactory(MunicipalityFactory)
    # Children's names come from their own lists, none of which Faker's da_DK provider (which names the staff)
    # can produce, so "the child's name is not on this page" never fails because a caseworker shares it
    # (test_children_and_staff_never_share_a_name keeps it so).
    first_name = factory.Iterator(CHILD_FIRST_NAMES)
    last_name = factory.Iterator(CHILD_LAST_NAMES)
    birth_date = datetime.date(2015, 3, 14)

    class Params:
        cpr = None

    @factory.lazy_attribute
    def cpr_encrypted(self) -> str:
        return encrypt_cpr(self.cpr) if self.cpr else ""

    @factory.lazy_attribute
    def cpr_index(self) -> str:
        return cpr_blind_index(self.cpr) if self.cpr else ""


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    municipality = factory.SubFactory(MunicipalityFactory)
    child = factory.SubFactory(ChildFactory, municipality=factory.SelfAttribute("..municipality"))
    responsible_unit = factory.SubFactory(UnitFactory, municipality=factory.SelfAttribute("..municipality"))
    opened_on = datetime.date(2026, 1, 5)
    external_ref = factory.Sequence(lambda n: f"27.12.00-G01-{n:04d}-26")


def assign(case: Case, user) -> CaseAssignment:
    return CaseAssignment.objects.create(case=case, user=user)
