"""factory_boy factories for the shared models: municipalities and units, staff and memberships, children and cases."""

# mypy: ignore-errors
# factory_boy has no type hints: a factory call is typed as the factory, not the model it builds.

from __future__ import annotations

import datetime

import factory

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership, User
from kreds.cases.models import Case, CaseAssignment, Child
from kreds.core.crypto import cpr_blind_index, encrypt_cpr
from kreds.tenancy.models import Municipality, Unit, UnitKind

PASSWORD = "correct horse battery staple"  # noqa: S105 - every test user's password, for login forms


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    code = factory.Sequence(lambda n: f"{n % 1000:03d}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhed {n}")
    kind = UnitKind.AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    email = factory.LazyAttribute(lambda u: f"{u.username}@kommune.invalid")
    municipality = factory.SubFactory(MunicipalityFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory, municipality=factory.SelfAttribute("..user.municipality"))
    role = Role.CASEWORKER


def staff(unit: Unit, role: Role, **kwargs) -> User:
    """A user of ``unit``'s municipality holding ``role`` in ``unit``."""
    user = UserFactory(municipality=unit.municipality, **kwargs)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


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


def assign(case: Case, user: User) -> CaseAssignment:
    return CaseAssignment.objects.create(case=case, user=user)
