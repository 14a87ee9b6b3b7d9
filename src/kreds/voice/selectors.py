"""Reads for the child's voice. Callers have authorized the case (or hold the child's link)."""

from __future__ import annotations

from django.db.models import Q

from kreds.cases.models import Case
from kreds.voice.models import ChildInput, ThreeHouses, WordsAndPictures


def three_houses(case: Case) -> list[ThreeHouses]:
    return list(ThreeHouses.objects.filter(case=case).select_related("drawing", "recorded_by"))


def child_inputs(case: Case) -> list[ChildInput]:
    return list(ChildInput.objects.filter(case=case).select_related("reviewed_by").order_by("-created_at"))


def unreviewed_count(case: Case) -> int:
    return ChildInput.objects.filter(case=case, reviewed_at__isnull=True).count()


def words_and_pictures(case: Case) -> WordsAndPictures | None:
    return WordsAndPictures.objects.filter(case=case).order_by("-version").first()


# The Three Houses are used by a talk with the child (ThreeHouses) or by the child on their own page (the same three
# boxes of ChildInput): every status reads both channels (issue 14 §3).
HOUSE_FIELDS = ("worries", "good_things", "dreams")
_HAS_HOUSES = Q(worries__gt="") | Q(good_things__gt="") | Q(dreams__gt="")


def has_houses(answer: ChildInput) -> bool:
    return any(getattr(answer, f) for f in HOUSE_FIELDS)


def houses_from_page(inputs: list[ChildInput]) -> ChildInput | None:
    """The newest of the child's answers (newest first, as :func:`child_inputs`) with words in a house."""
    return next((a for a in inputs if has_houses(a)), None)


def latest_voice(case: Case) -> dict[str, object]:
    """What the child has said most recently, for every meeting about them (DOMAIN §8): the latest talk, the
    latest answers from the child's page, and the latest answers that used the three houses."""
    houses = ThreeHouses.objects.filter(case=case).order_by("-recorded_on", "-id").first()
    answers = ChildInput.objects.filter(case=case).order_by("-created_at").first()
    page_houses = (
        answers
        if answers is None or has_houses(answers)
        else ChildInput.objects.filter(_HAS_HOUSES, case=case).order_by("-created_at").first()
    )
    return {"houses": houses, "answers": answers, "page_houses": page_houses}
