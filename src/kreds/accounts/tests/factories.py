import factory

from kreds.accounts.constants import Role
from kreds.accounts.models import Membership, User
from kreds.tenancy.tests.factories import MunicipalityFactory, UnitFactory

PASSWORD = "correct horse battery staple"


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


def staff(unit, role: Role, **kwargs) -> User:
    """A user of ``unit``'s municipality holding ``role`` in ``unit``."""
    user = UserFactory(municipality=unit.municipality, **kwargs)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user
