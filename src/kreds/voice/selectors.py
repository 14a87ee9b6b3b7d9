"""Reads for the child's voice. Callers have authorized the case (or hold the child's link)."""

from __future__ import annotations

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


def latest_voice(case: Case) -> dict[str, object]:
    """What the child has said most recently, for every meeting about them (DOMAIN §8)."""
    houses = ThreeHouses.objects.filter(case=case).order_by("-recorded_on", "-id").first()
    answers = ChildInput.objects.filter(case=case).order_by("-created_at").first()
    return {"houses": houses, "answers": answers}
