"""Demo network maps: thin (3) to rich (40), with months of history, consents and conflicts."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from faker import Faker

from kreds.accounts.models import User
from kreds.cases.models import Case
from kreds.consent.constants import Category
from kreds.consent.services import give_consent, withdraw_consent
from kreds.network import services
from kreds.network.constants import ConsentGiverRole, Quality, RelationKind, ResourceTag

SIZES = [3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 25, 40]
RELATIONS: dict[str, list[str]] = {
    "family": ["mor", "far", "storebror", "lillesøster", "stedfar", "halvbror"],
    "relatives": ["mormor", "morfar", "farmor", "farfar", "moster", "onkel", "fætter", "kusine", "faster"],
    "friends": ["nabo", "bedste ven", "vens mor", "genbo", "familieven"],
    "school": ["klasselærer", "pædagog i SFO", "fodboldtræner", "spejderleder", "musiklærer"],
}
# One of each on a map; names follow the relation (a "mor" is a woman), the closest family shares the child's name.
ONLY_ONE = {"mor", "far", "stedfar", "mormor", "morfar", "farmor", "farfar"}
FEMALE = {"mor", "lillesøster", "mormor", "farmor", "moster", "kusine", "faster", "vens mor"}
MALE = {"far", "storebror", "stedfar", "halvbror", "morfar", "farfar", "onkel", "fætter"}
PROFESSIONALS: list[tuple[str, str, str]] = [
    ("sundhedsplejerske", "Sundhedsplejen", "Hjemmebesøg"),
    ("PPR-psykolog", "PPR", "PPR-støtte i skolen"),
    ("familiebehandler", "FamilieCenter", "Familiebehandling"),
    ("børnepsykiater", "Børne- og ungdomspsykiatrien", "Udredning"),
    ("SSP-medarbejder", "SSP", "Mentorforløb"),
]


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working hour on ``day``; never later than now (today's changes are already made)."""
    moment = datetime.datetime.combine(day, datetime.time(9 + rng.randint(0, 7), rng.randint(0, 59)))
    return min(timezone.make_aware(moment), timezone.now())


def _name(relation: str, key: str, case: Case, mother: str, fake: Faker) -> str:
    if relation == "mor":
        return mother  # the one who consented to the map
    first = (
        fake.first_name_female()
        if relation in FEMALE
        else fake.first_name_male()
        if relation in MALE
        else fake.first_name()
    )
    return f"{first} {case.child.last_name if key == 'family' else fake.last_name()}"


def seed_map(case: Case, actor: User, size: int, rng: random.Random, fake: Faker) -> None:
    sectors = {s.key: s for s in services.ensure_default_sectors(case.municipality)}
    today = timezone.localdate()
    # The map is made in the case's first week (or three weeks ago), never before the case opened.
    start = max(case.opened_on, min(today - datetime.timedelta(days=20), case.opened_on + datetime.timedelta(days=7)))
    span = max((today - start).days, 1)
    mother = f"{fake.first_name_female()} {case.child.last_name}"
    services.record_map_consent(
        actor=actor,
        case=case,
        given_by=f"{mother} (mor)",
        role=ConsentGiverRole.PARENT_WITH_CUSTODY,
        given_on=start,
    )
    weights = [("family", 3), ("relatives", 4), ("friends", 2), ("school", 2), ("professionals", 2)]
    keys = [k for k, w in weights for _ in range(w)]
    persons = []
    taken: set[str] = set()
    for i in range(size):
        key = keys[i % len(keys)] if i < len(keys) else rng.choice(keys)
        first_batch = i < max(3, size * 2 // 3)
        day = start if first_batch else start + datetime.timedelta(days=rng.randint(span // 3, span - 1))
        data: dict[str, object] = {
            "sector": sectors[key],
            "ring": rng.choice([1, 1, 2]) if key == "family" else rng.choice([1, 2, 2, 3]),
            "quality": rng.choice([Quality.SUPPORTIVE] * 6 + [Quality.AMBIVALENT, Quality.CONFLICT, Quality.BROKEN]),
            "safe_adult": key in {"family", "relatives"} and rng.random() < 0.3,
        }
        if key == "professionals":
            role, organisation, intervention = rng.choice(PROFESSIONALS)
            data.update(
                {
                    "relation": role,
                    "is_professional": True,
                    "organisation": organisation,
                    "professional_role": role,
                    "intervention": intervention,
                    "phone": fake.phone_number(),
                    "name": f"{fake.first_name()} {fake.last_name()}",
                }
            )
        else:
            relation = rng.choice(RELATIONS[key])
            if relation in taken:  # a second mother: the next relation of the kind nobody has yet
                relation = next((r for r in RELATIONS[key] if r not in taken), RELATIONS[key][-1])
            if relation in ONLY_ONE:
                taken.add(relation)
            data.update({"relation": relation, "name": _name(relation, key, case, mother, fake)})
            data["phone"] = fake.phone_number()
            if key in {"relatives", "friends"} and rng.random() < 0.4:
                data["resource_tags"] = rng.sample([t.value for t in ResourceTag], 2)
                data["resources"] = "Kan hente om onsdagen" if rng.random() < 0.5 else "Har tid i weekenden"
            if key == "relatives" and rng.random() < 0.2:
                data["resource_tags"] = [ResourceTag.FOSTER_CARER.value]
        persons.append(services.add_person(actor=actor, case=case, data=data, at=_at(day, rng)))
    # History: some move closer, some leave, one relationship turns into conflict.
    later = min(start + datetime.timedelta(days=max(span * 2 // 3, 10)), today)
    for person in rng.sample(persons, k=min(len(persons), max(1, size // 5))):
        current = services.current_version(person)
        if current.ring > 1:
            services.update_person(
                actor=actor,
                person=person,
                expected_version=current.pk,
                data={"ring": current.ring - 1},
                at=_at(later, rng),
            )
    if size >= 6:
        leaving = persons[-1]
        services.remove_person(
            actor=actor,
            person=leaving,
            expected_version=services.current_version(leaving).pk,
            at=_at(min(later + datetime.timedelta(days=3), today), rng),
        )
        for first, second, kind in ((0, 1, RelationKind.CONFLICT), (2, 3, RelationKind.KNOWS)):
            services.set_relation(
                actor=actor,
                first=persons[first],
                second=persons[second],
                kind=kind,
                at=_at(min(start + datetime.timedelta(days=2), today), rng),
            )
    private = [p for p in persons[:-1] if not services.current_version(p).is_professional][:4]
    if private:
        consent = give_consent(
            actor=actor,
            case=case,
            given_by=f"{case.child.last_name}-familiens forældre",
            role=ConsentGiverRole.PARENT_WITH_CUSTODY,
            categories=[Category.MEETING_PRACTICAL, Category.MINUTES, Category.AGREEMENTS],
            recipients=private,
            purpose="Netværksmøde og opfølgning",
            given_on=start,
        )
        if rng.random() < 0.2:
            withdraw_consent(actor=actor, consent=consent)


def seed_maps(cases: list[Case], actors: dict[int, User], seed: int) -> int:
    rng = random.Random(seed)
    fake = Faker("da_DK")
    fake.seed_instance(seed)
    made = 0
    for i, case in enumerate(cases):
        if not case.is_open or case.safety_concern or i % 5 == 3:
            continue  # some cases have no map yet: a fresh worry, or the gate is open
        seed_map(case, actors[case.pk], SIZES[made % len(SIZES)], rng, fake)
        made += 1
    return made
